package store

import (
	"sync"

	"github.com/knakk/rdf"
)

// DefaultTermCacheSize is the default Options.TermCacheSize.
const DefaultTermCacheSize = 1 << 18

// termShards is the number of independently locked parts of a termCache.
const termShards = 64

// termCache holds decoded terms by id, shared by the read transactions of
// one DB. Ids are never reused, so the term of an id never changes and an
// entry is never stale: a term reclaimed by a write only leaves an entry
// that no newer snapshot asks for. Only read transactions fill it: an id
// that a write transaction allocates may be rolled back and allocated
// again to another term.
//
// Each shard keeps two generations of at most max entries: lookups that
// miss the current one promote from the old one, and a full current one
// becomes the old one, dropping what was not used in a generation.
type termCache struct {
	max    int // entries per shard and generation
	shards [termShards]termShard
}

type termShard struct {
	mu       sync.RWMutex
	cur, old map[uint64]rdf.Term
	_        [64]byte // keep shards on separate cache lines
}

// newTermCache returns a cache of about size terms (up to twice that), or
// nil if size is negative or zero.
func newTermCache(size int) *termCache {
	if size <= 0 {
		return nil
	}
	c := &termCache{max: max(1, size/termShards)}
	for i := range c.shards {
		c.shards[i].cur = make(map[uint64]rdf.Term)
	}
	return c
}

func (c *termCache) shard(id uint64) *termShard {
	// Ids are sequential: mix them so runs spread over the shards.
	return &c.shards[(id*0x9E3779B97F4A7C15)>>58]
}

// get returns the term with id id, if cached.
func (c *termCache) get(id uint64) (rdf.Term, bool) {
	sh := c.shard(id)
	sh.mu.RLock()
	t, ok := sh.cur[id]
	if !ok && sh.old != nil {
		t, ok = sh.old[id]
		sh.mu.RUnlock()
		if ok {
			c.add(sh, id, t)
		}
		return t, ok
	}
	sh.mu.RUnlock()
	return t, ok
}

// put caches term t with id id. Only read transactions may call it.
func (c *termCache) put(id uint64, t rdf.Term) {
	c.add(c.shard(id), id, t)
}

func (c *termCache) add(sh *termShard, id uint64, t rdf.Term) {
	sh.mu.Lock()
	if len(sh.cur) >= c.max {
		sh.old, sh.cur = sh.cur, make(map[uint64]rdf.Term, c.max)
	}
	sh.cur[id] = t
	sh.mu.Unlock()
}

// len returns the number of cached entries, counting a promoted term twice.
func (c *termCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.cur) + len(sh.old)
		sh.mu.RUnlock()
	}
	return n
}
