package auth

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// testCost is the bcrypt cost of the tests' hashes: the default makes each
// hash or check 0.1 s, seconds under the race detector, and the tests check
// logic, not cost.
const testCost = bcrypt.MinCost

// testClock is a clock the tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// quiet is a logger that drops everything.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// request returns a GET from a loopback client carrying the Authorization
// header authz (none when empty).
func request(authz string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
	r.RemoteAddr = "127.0.0.1:40000"
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	return r
}
