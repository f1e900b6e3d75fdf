package sparql_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
)

// A result Virtuoso cut short at its MaxQueryExecutionTime comes with
// status 200 and only a header to tell it: the client must refuse it, not
// hand on a short page or a wrong total.
func TestPartialAnswerRefused(t *testing.T) {
	const body = `{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"350293"}}]}}`
	for _, tc := range []struct {
		name    string
		state   string
		wantErr bool
	}{
		{"complete", "", false},
		{"cut short", "S1TAT", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.state != "" {
					w.Header().Set("X-SQL-State", tc.state)
					w.Header().Set("X-SQL-Message", "RC...: Returning incomplete results, query interrupted by result timeout.")
				}
				w.Header().Set("Content-Type", "application/sparql-results+json")
				fmt.Fprint(w, body)
			}))
			defer srv.Close()
			n, err := sparql.SelectAt(context.Background(), sparql.Endpoint{Query: srv.URL}, "SELECT ?n WHERE {}")
			if !tc.wantErr {
				require.NoError(t, err)
				assert.Equal(t, 1, n)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, store.ErrUnavailable)
			assert.Contains(t, err.Error(), "S1TAT")
		})
	}
}

// Endpoint.Timeout bounds a request of the default client.
func TestEndpointTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	_, err := sparql.SelectAt(context.Background(), sparql.Endpoint{Query: srv.URL, Timeout: 200 * time.Millisecond}, "SELECT ?n WHERE {}")
	require.Error(t, err)
	assert.ErrorIs(t, err, store.ErrUnavailable)
	assert.Less(t, time.Since(start), 30*time.Second, "the request outlived its timeout")
}
