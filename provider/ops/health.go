package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Health answers /healthz and /readyz. Readiness is the conjunction of
// named checks; more may be added while the server runs (a SPARQL
// store's reachability, say).
type Health struct {
	mu     sync.Mutex
	checks []check
	// Timeout bounds each check; 0 means 2 s.
	Timeout time.Duration
}

type check struct {
	name string
	fn   func(ctx context.Context) error
}

// AddCheck adds a readiness check: the server is ready when every
// check returns nil.
func (h *Health) AddCheck(name string, fn func(ctx context.Context) error) {
	h.mu.Lock()
	h.checks = append(h.checks, check{name, fn})
	h.mu.Unlock()
}

// Alive serves /healthz: the process answers.
func (h *Health) Alive(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// Ready serves /readyz: 200 when every check passes, else 503, with
// each check's outcome.
func (h *Health) Ready(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	cs := append([]check(nil), h.checks...)
	h.mu.Unlock()
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	type outcome struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error,omitempty"`
	}
	status, out := "ok", make([]outcome, len(cs))
	for i, c := range cs {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		err := c.fn(ctx)
		cancel()
		out[i] = outcome{Name: c.name, OK: err == nil}
		if err != nil {
			out[i].Error, status = err.Error(), "unavailable"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "checks": out})
}
