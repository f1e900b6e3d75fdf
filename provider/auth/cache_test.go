package auth

import (
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestVerifiedCache(t *testing.T) {
	t.Parallel()
	key := func(i int) [32]byte { return sha256.Sum256([]byte(strconv.Itoa(i))) }
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := newVerifiedCache[int](4)

	c.put(key(1), 1, now, now.Add(time.Minute))
	v, ok := c.get(key(1), now.Add(time.Minute-1))
	assert.True(t, ok)
	assert.Equal(t, 1, v)
	_, ok = c.get(key(1), now.Add(time.Minute))
	assert.False(t, ok, "expired")
	assert.Equal(t, 0, c.len(), "an expired entry goes when met")

	c.put(key(2), 2, now, now)
	assert.Equal(t, 0, c.len(), "nothing already expired is stored")

	// Full: expired entries go first, then arbitrary ones; never more
	// than max.
	c.put(key(1), 1, now, now.Add(time.Second))
	for i := 2; i <= 4; i++ {
		c.put(key(i), i, now, now.Add(time.Hour))
	}
	later := now.Add(2 * time.Second)
	c.put(key(5), 5, later, later.Add(time.Hour))
	assert.Equal(t, 4, c.len())
	for i := 2; i <= 5; i++ {
		_, ok := c.get(key(i), later)
		assert.True(t, ok, "entry %d kept; the expired one went", i)
	}
	for i := 6; i < 100; i++ {
		c.put(key(i), i, later, later.Add(time.Hour))
		assert.LessOrEqual(t, c.len(), 4)
	}
	_, ok = c.get(key(99), later)
	assert.True(t, ok, "the newest entry is in")

	// putIfRoom evicts nothing.
	c.putIfRoom(key(1000), 1000, later, later.Add(time.Hour))
	_, ok = c.get(key(1000), later)
	assert.False(t, ok)
	c2 := newVerifiedCache[int](4)
	c2.putIfRoom(key(1), 1, now, now.Add(time.Hour))
	assert.Equal(t, 1, c2.len())
}
