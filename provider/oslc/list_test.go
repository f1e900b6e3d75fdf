package oslc

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// A query that does not fit in the budget in time is told to come back:
// 503 with Retry-After and an oslc:Error, and nothing is held for it.
func TestQueryBudget(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), nil)
	require.NoError(t, err)
	defer db.Close()
	s, err := New(boltsource.New(db), Config{BaseURL: "http://pm.example", QueryBudget: MaxPageSize})
	require.NoError(t, err)
	defer s.Jobs().Close()
	s.queryWait = 20 * time.Millisecond
	list := s.Serve(s.List(s.Kind("records")))
	get := func(size string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		list(rec, httptest.NewRequest("GET", "http://pm.example/oslc/records?oslc.pageSize="+size, nil).WithContext(t.Context()))
		return rec
	}

	require.Equal(t, http.StatusOK, get("10000").Code, "a page of the whole budget fits when alone")
	require.NoError(t, s.budget.Acquire(context.Background(), MaxPageSize-50))
	assert.Equal(t, http.StatusOK, get("50").Code, "a small page fits beside a large one")
	rec := get("51")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.True(t, strings.Contains(rec.Body.String(), "oslc.pageSize"), "%s", rec.Body)
	assert.True(t, strings.Contains(rec.Body.String(), "Error"), "%s", rec.Body)
	s.budget.Release(MaxPageSize - 50)
	assert.Equal(t, http.StatusOK, get("10000").Code, "every share was given back")
}
