package store

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// TestPutBuffer writes random puts and deletes of keys of many lengths,
// prefixes of each other and holding zeros, through a putBuffer, reading
// them back before and after each flush.
func TestPutBuffer(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	key := func() []byte {
		k := make([]byte, r.IntN(24))
		for i := range k {
			k[i] = []byte{0, 1, 'a', 0xff}[r.IntN(4)]
		}
		return k
	}
	bdb, err := bolt.Open(filepath.Join(t.TempDir(), "b.db"), 0o600, &bolt.Options{NoSync: true})
	require.NoError(t, err)
	defer bdb.Close()
	model := map[string][]byte{}
	for round := range 10 {
		require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("x"))
			if err != nil {
				return err
			}
			x := index{b: b, l: layoutT2I}
			var p putBuffer
			p.index(true, 0)
			p.x = x
			for range 3 {
				for range r.IntN(1000) {
					k := key()
					if len(k) == 0 {
						continue
					}
					if r.IntN(3) == 0 {
						p.del(k)
						delete(model, string(k))
					} else {
						v := binary.BigEndian.AppendUint64(nil, r.Uint64())
						p.add(k, v)
						model[string(k)] = v
					}
					if r.IntN(50) == 0 {
						// Reads see the pending writes.
						k := key()
						if len(k) > 0 {
							require.Equal(t, model[string(k)], p.get(k), "get %x", k)
						}
					}
				}
				require.NoError(t, p.flush())
				var keys []string
				for k := range model {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				var got []string
				c := x.cursor()
				for k, v := c.First(); k != nil; k, v = c.Next() {
					got = append(got, string(k))
					require.True(t, bytes.Equal(model[string(k)], v), "value of %x", k)
				}
				require.Equal(t, keys, got, "round %d", round)
			}
			return nil
		}))
	}
}
