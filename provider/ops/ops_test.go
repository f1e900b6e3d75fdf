package ops_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oslc-pm/pmprovider/provider/ops"
)

func TestRequestID(t *testing.T) {
	for _, c := range []struct {
		in   string
		kept bool
	}{
		{"abc-123", true},
		{"0f8e:trace.span_1", true},
		{"", false},
		{"has space", false},
		{"<script>", false},
		{strings.Repeat("a", 129), false},
	} {
		t.Run(c.in, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set(ops.RequestIDHeader, c.in)
			got := ops.RequestID(r)
			if c.kept {
				assert.Equal(t, c.in, got)
			} else {
				assert.Regexp(t, `^[0-9a-f]{24}$`, got)
			}
		})
	}
}

func TestLogHandler(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(ops.LogHandler(slog.NewTextHandler(&b, nil))).With("part", "x")
	log.InfoContext(ops.WithRequestID(context.Background(), "r1"), "hello")
	log.Info("no context")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	assert.Contains(t, lines[0], "request_id=r1")
	assert.Contains(t, lines[0], "part=x")
	assert.NotContains(t, lines[1], "request_id")
}

func TestHealth(t *testing.T) {
	h := &ops.Health{}
	ok := func(context.Context) error { return nil }
	h.AddCheck("store", ok)
	w := httptest.NewRecorder()
	h.Ready(w, httptest.NewRequest("GET", "/readyz", nil))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"status":"ok","checks":[{"name":"store","ok":true}]}`, w.Body.String())

	h.AddCheck("sparql", func(context.Context) error { return errors.New("unreachable") })
	w = httptest.NewRecorder()
	h.Ready(w, httptest.NewRequest("GET", "/readyz", nil))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Contains(t, w.Body.String(), `"error":"unreachable"`)

	w = httptest.NewRecorder()
	h.Alive(w, httptest.NewRequest("GET", "/healthz", nil))
	assert.Equal(t, http.StatusOK, w.Code)
}
