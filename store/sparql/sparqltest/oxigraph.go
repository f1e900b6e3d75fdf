package sparqltest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store/sparql"
)

// Oxigraph is a second SPARQL implementation for the tests: an in-memory
// Oxigraph (npm oxigraph) behind a tiny SPARQL Protocol server in node
// (.ci/oxigraph/server.js), so that the store is held to portable SPARQL.
type Oxigraph struct {
	Endpoint sparql.Endpoint
	cmd      *exec.Cmd
}

var (
	oxOnce    sync.Once
	oxCurrent *Oxigraph
	oxSkip    string
)

// StartOxigraph starts the server on a free loopback port.
func StartOxigraph() (*Oxigraph, error) {
	dir := filepath.Join(filepath.Dir(script()), "oxigraph")
	if _, err := exec.LookPath("node"); err != nil {
		return nil, fmt.Errorf("node not installed: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oxigraph")); err != nil {
		return nil, fmt.Errorf("oxigraph not installed (.ci/install-deps.sh): %w", err)
	}
	cmd := exec.Command("node", filepath.Join(dir, "server.js"), "0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	port, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("start oxigraph: %q: %v", line, err)
	}
	u := "http://127.0.0.1:" + port + "/sparql"
	return &Oxigraph{Endpoint: sparql.Endpoint{Query: u, Update: u}, cmd: cmd}, nil
}

// Stop stops the server; its data goes with it.
func (o *Oxigraph) Stop() {
	o.cmd.Process.Kill()
	o.cmd.Wait()
}

// CurrentOxigraph returns the package's Oxigraph, started on first use,
// or skips t (fails it with PM_E2E_REQUIRED=1) when it cannot run.
func CurrentOxigraph(t testing.TB) *Oxigraph {
	t.Helper()
	if inMain {
		oxOnce.Do(func() {
			o, err := StartOxigraph()
			if err != nil {
				oxSkip = err.Error()
				return
			}
			oxCurrent = o
		})
	} else {
		oxSkip = "sparqltest.Main not called"
	}
	if oxCurrent == nil {
		if os.Getenv("PM_E2E_REQUIRED") == "1" {
			t.Fatalf("oxigraph required: %s", oxSkip)
		}
		t.Skipf("no oxigraph: %s", oxSkip)
	}
	return oxCurrent
}

// OpenOxigraph returns a store in the package's Oxigraph that no other
// test sees.
func OpenOxigraph(t testing.TB) *sparql.DB {
	t.Helper()
	o := CurrentOxigraph(t)
	db, err := sparql.Open(context.Background(), sparql.Options{Endpoint: o.Endpoint, GraphPrefix: fmt.Sprintf("urn:x-pmtest:%d:%d:", os.Getpid(), seq.Add(1)), TextPredicates: query.TextPredicates()})
	if err != nil {
		t.Fatalf("open sparql store: %v", err)
	}
	return db
}
