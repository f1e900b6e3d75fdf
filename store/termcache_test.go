package store

import (
	"fmt"
	"sync"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cacheIRI(id uint64) rdf.Term {
	i, err := rdf.NewIRI(fmt.Sprintf("http://example.org/t%d", id))
	if err != nil {
		panic(err)
	}
	return i
}

func TestTermCacheDisabled(t *testing.T) {
	for _, size := range []int{0, -1} {
		assert.Nil(t, newTermCache(size), "size %d", size)
	}
}

func TestTermCacheBounded(t *testing.T) {
	c := newTermCache(termShards * 4) // 4 per shard and generation
	for id := uint64(1); id <= 10000; id++ {
		c.put(id, cacheIRI(id))
		got, ok := c.get(id)
		require.True(t, ok, "get %d after put", id)
		require.Equal(t, cacheIRI(id), got)
	}
	assert.LessOrEqual(t, c.len(), 2*termShards*4)
	// What is still there is right.
	for id := uint64(1); id <= 10000; id++ {
		if got, ok := c.get(id); ok {
			require.Equal(t, cacheIRI(id), got, "id %d", id)
		}
	}
}

func TestTermCachePromotes(t *testing.T) {
	c := newTermCache(termShards) // 1 per shard and generation
	sh := c.shard(1)
	var other []uint64 // ids of the same shard
	for id := uint64(2); len(other) < 3; id++ {
		if c.shard(id) == sh {
			other = append(other, id)
		}
	}
	c.put(1, cacheIRI(1))
	c.put(other[0], cacheIRI(other[0])) // 1 becomes old
	_, ok := c.get(1)                   // promoted; other[0] becomes old
	require.True(t, ok)
	c.put(other[1], cacheIRI(other[1])) // 1 becomes old, other[0] is dropped
	_, ok = c.get(1)
	assert.True(t, ok, "used term dropped")
	_, ok = c.get(other[0])
	assert.False(t, ok, "unused term kept")
}

func TestTermCacheConcurrent(t *testing.T) {
	c := newTermCache(termShards * 8)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20000 {
				id := uint64((i*7+g)%3000 + 1)
				if got, ok := c.get(id); ok {
					if got != cacheIRI(id) {
						t.Errorf("id %d: got %v", id, got)
						return
					}
					continue
				}
				c.put(id, cacheIRI(id))
			}
		}()
	}
	wg.Wait()
}
