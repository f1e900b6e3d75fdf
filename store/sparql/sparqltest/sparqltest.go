// Package sparqltest starts a throwaway Virtuoso 7 for the tests of a
// package (.ci/virtuoso.sh), and an Oxigraph (.ci/oxigraph) as a second
// SPARQL implementation, and hands each test a store of its own in them.
package sparqltest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store/sparql"
)

// Server is a running Virtuoso.
type Server struct {
	Endpoint sparql.Endpoint
	dir      string
	script   string
	SQLPort  int
	HTTPPort int
}

var (
	once    sync.Once
	current *Server
	skip    = "sparqltest.Main not called"
	inMain  bool
	seq     atomic.Int64
)

// Main runs the tests of a package, the first of which that needs a
// Virtuoso starts one (Current) if virtuoso-t is installed, and stops it
// afterwards. Call it from TestMain.
func Main(m *testing.M) int {
	inMain = true
	code := m.Run()
	if current != nil {
		current.Stop()
	}
	if oxCurrent != nil {
		oxCurrent.Stop()
	}
	return code
}

// Start starts a Virtuoso on free loopback ports with its data in a new
// temporary directory.
func Start() (*Server, error) {
	if _, err := exec.LookPath("virtuoso-t"); err != nil {
		return nil, fmt.Errorf("virtuoso-t not installed: %w", err)
	}
	dir, err := os.MkdirTemp("", "pm-virtuoso-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, script: script()}
	if err := s.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) start() error {
	if s.SQLPort == 0 {
		s.SQLPort, s.HTTPPort = freePort(), freePort()
	}
	out, err := exec.Command(s.script, "start", filepath.Join(s.dir, "db"), fmt.Sprint(s.SQLPort), fmt.Sprint(s.HTTPPort)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("start virtuoso: %v: %s", err, out)
	}
	u := fmt.Sprintf("http://127.0.0.1:%d/sparql", s.HTTPPort)
	s.Endpoint = sparql.Endpoint{Query: u, Update: u}
	return nil
}

// Dir is the server's directory, which its DirsAllowed lists: files to
// bulk load go there.
func (s *Server) Dir() string { return filepath.Join(s.dir, "db") }

// Restart starts the stopped server again on the same ports and data.
func (s *Server) Restart() error { return s.start() }

// Kill stops the server at once; its data stays for Restart.
func (s *Server) Kill() error {
	out, err := exec.Command(s.script, "stop", filepath.Join(s.dir, "db")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("stop virtuoso: %v: %s", err, out)
	}
	return nil
}

// Stop stops the server and removes its data.
func (s *Server) Stop() {
	_ = s.Kill()
	os.RemoveAll(s.dir)
}

func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", ".ci", "virtuoso.sh")
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Current returns the package's server, started on first use, or skips
// t (fails it with PM_E2E_REQUIRED=1) when there is none.
func Current(t testing.TB) *Server {
	t.Helper()
	if inMain {
		once.Do(func() {
			s, err := Start()
			if err != nil {
				skip = err.Error()
				return
			}
			current = s
		})
	}
	if current == nil {
		if os.Getenv("PM_E2E_REQUIRED") == "1" {
			t.Fatalf("virtuoso required: %s", skip)
		}
		t.Skipf("no virtuoso: %s", skip)
	}
	return current
}

// Open returns a store in the package's server that no other test sees:
// its graphs have a prefix of their own.
func Open(t testing.TB) *sparql.DB {
	t.Helper()
	s := Current(t)
	db, err := sparql.Open(context.Background(), sparql.Options{Endpoint: s.Endpoint, GraphPrefix: fmt.Sprintf("urn:x-pmtest:%d:%d:", os.Getpid(), seq.Add(1)), TextPredicates: query.TextPredicates()})
	if err != nil {
		t.Fatalf("open sparql store: %v", err)
	}
	return db
}

// Reopen returns another handle on db's graphs, as a second provider
// over the same SPARQL store has.
func Reopen(t testing.TB, db *sparql.DB) *sparql.DB {
	t.Helper()
	other, err := sparql.Open(context.Background(), db.Options())
	if err != nil {
		t.Fatalf("open sparql store: %v", err)
	}
	return other
}

// Installed skips t (fails it with PM_E2E_REQUIRED=1) when virtuoso-t is
// not installed, for tests that Start a Virtuoso of their own.
func Installed(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("virtuoso-t"); err != nil {
		if os.Getenv("PM_E2E_REQUIRED") == "1" {
			t.Fatalf("virtuoso required: %v", err)
		}
		t.Skipf("no virtuoso: %v", err)
	}
}
