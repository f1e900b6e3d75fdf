package oslc

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRepCacheBounds(t *testing.T) {
	c := newRepCache(4096)
	body := make([]byte, 500)
	for i := range 20 {
		c.put(fmt.Sprint("k", i), &cachedRep{body: body})
		if i == 16 {
			assert.Nil(t, c.get("k5"), "pushed out by newer ones")
			assert.NotNil(t, c.get("k12"), "recently put") // k12 becomes the newest
		}
	}
	assert.LessOrEqual(t, c.bytes, c.max)
	assert.NotNil(t, c.get("k19"))
	assert.NotNil(t, c.get("k12"), "used since, so kept longer than its neighbours")
	assert.Nil(t, c.get("k13"))
	assert.Nil(t, c.get("k4"))
	assert.Nil(t, c.get("k0"))
	c.put("big", &cachedRep{body: make([]byte, 2000)})
	assert.Nil(t, c.get("big"), "a body above a quarter of the cache is not kept")
	c.put("", &cachedRep{body: body})
	assert.Nil(t, c.get(""), "no key, not kept")
	var none *repCache
	none.put("k", &cachedRep{body: body})
	assert.Nil(t, none.get("k"))
	assert.Nil(t, newRepCache(-1))
}
