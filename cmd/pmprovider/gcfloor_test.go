package main

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestGCFloor: with a floor, the collector's next goal is at least twice
// it however small the live heap; without, it follows the live heap.
func TestGCFloor(t *testing.T) {
	goal := func() uint64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.NextGC
	}
	t.Cleanup(func() { setGCFloor(0) })
	setGCFloor(64)
	assert.GreaterOrEqual(t, goal(), uint64(128<<20))
	setGCFloor(0)
	assert.Less(t, goal(), uint64(64<<20), "no floor: the test binary's small heap")
}
