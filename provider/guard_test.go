package provider

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// newLoggedServer is a Server over a fresh store at http://pm.example,
// logging into log; both are closed when the test ends.
func newLoggedServer(t *testing.T) (s *Server, db *store.DB, log *bytes.Buffer) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), nil)
	require.NoError(t, err)
	log = &bytes.Buffer{}
	s, err = New(boltsource.New(db), Config{BaseURL: "http://pm.example", Logger: slog.New(slog.NewTextHandler(log, nil))})
	require.NoError(t, err)
	t.Cleanup(func() {
		s.Close()
		db.Close()
	})
	return s, db, log
}

// A handler's panic is answered 500 with an oslc:Error, logged with its
// stack, and the server goes on serving.
func TestHandlerPanic(t *testing.T) {
	s, _, log := newLoggedServer(t)
	router := s.router
	s.router = nil // the next request panics on a nil router
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "http://pm.example/oslc/catalog", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, rec.Body.String(), "Error")
	assert.NotContains(t, rec.Body.String(), "nil pointer", "internals are logged, not shown")
	assert.Contains(t, log.String(), "handler panic")
	assert.Contains(t, log.String(), "guard.go", "the log has the stack")

	s.router = router
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "http://pm.example/oslc/catalog", nil))
	assert.Equal(t, http.StatusOK, rec.Code, "the server goes on")
	assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "application/rdf+xml"))
}

// A request whose client has gone does no work and is not an error of
// the server's: nothing is stored, nothing is logged.
func TestClientGone(t *testing.T) {
	s, db, log := newLoggedServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, path := range []string{"/oslc/resources", "/oslc/jobs"} {
		req := httptest.NewRequest("POST", "http://pm.example"+path, strings.NewReader(`<> a <http://open-services.net/ns/crtv#ComputerSystem> ; <http://purl.org/dc/terms/title> "web1" .`)).WithContext(ctx)
		req.Header.Set("Content-Type", "text/turtle")
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	n := 0
	require.NoError(t, db.Resources(context.Background(), rdf.IRI{}, func(id rdf.IRI) bool {
		if strings.Contains(id.String(), "/oslc/resources/") || strings.Contains(id.String(), "/oslc/jobs/") {
			n++
		}
		return true
	}))
	assert.Zero(t, n, "nothing stored")
	assert.NotContains(t, log.String(), "level=ERROR")
}
