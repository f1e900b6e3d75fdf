package auth

import (
	"sync"
	"time"
)

// verifiedCache remembers the outcome of costly checks (a bcrypt compare,
// a JWT signature) for a while, keyed by a digest of the credentials, so
// that a client sending the same credentials on every request pays for the
// check once. It holds at most max entries: when full, expired entries go
// first, then arbitrary ones (map order), which bounds both its memory and
// the work of a client cycling through credentials.
type verifiedCache[V any] struct {
	mu  sync.Mutex
	max int
	m   map[[32]byte]cached[V]
}

type cached[V any] struct {
	v       V
	expires time.Time
}

func newVerifiedCache[V any](max int) *verifiedCache[V] {
	return &verifiedCache[V]{max: max, m: make(map[[32]byte]cached[V])}
}

// get returns the value stored for k if it has not expired at now.
func (c *verifiedCache[V]) get(k [32]byte, now time.Time) (V, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	if ok && !now.Before(e.expires) {
		delete(c.m, k)
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put stores v for k until expires.
func (c *verifiedCache[V]) put(k [32]byte, v V, now, expires time.Time) {
	if !now.Before(expires) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < c.max {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[k] = cached[V]{v: v, expires: expires}
}

// putIfRoom stores v for k until expires if that evicts nothing: for
// outcomes not worth a better entry's place.
func (c *verifiedCache[V]) putIfRoom(k [32]byte, v V, now, expires time.Time) {
	c.mu.Lock()
	room := len(c.m) < c.max
	c.mu.Unlock()
	if room {
		c.put(k, v, now, expires)
	}
}

// len is the number of entries, expired or not.
func (c *verifiedCache[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
