package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// TestApplyParallelAgreesWithSerial writes the same rounds of ops into two
// buckets of each layout, one through apply's loop alone and one through
// applyParallel, and checks after each round that both hold the keys and
// values a map of them holds, in blocks no longer than the layout's max.
// The rounds put new keys among the old, append long runs after the last
// block (maxPassOps cuts them), delete runs of keys (which leaves blocks
// empty or short: they join the next, touched or not), and touch more
// blocks than a round plans (maxParallelTasks, lowered here).
func TestApplyParallelAgreesWithSerial(t *testing.T) {
	defer func(tasks, splices int) { maxParallelTasks, parallelSplices = tasks, splices }(maxParallelTasks, parallelSplices)
	maxParallelTasks = 64
	for _, tc := range []struct {
		name string
		l    *layout
		key  func(r *rand.Rand, n uint64) []byte
		val  func(r *rand.Rand) []byte
	}{
		{"spog", layoutSPOG, func(r *rand.Rand, n uint64) []byte {
			k := binary.BigEndian.AppendUint64(nil, n/16+1)
			k = binary.BigEndian.AppendUint64(k, n%16+1)
			k = binary.BigEndian.AppendUint64(k, r.Uint64N(1<<20)+1)
			return binary.BigEndian.AppendUint64(k, n/16+1)
		}, func(*rand.Rand) []byte { return nil }},
		{"t2i", layoutT2I, func(r *rand.Rand, n uint64) []byte {
			return fmt.Appendf(nil, "Ihttp://example.org/r/%08d/m%d", n, r.IntN(4))
		}, func(r *rand.Rand) []byte { return binary.BigEndian.AppendUint64(nil, r.Uint64N(1<<30)+1) }},
		{"i2t", layoutI2T, func(r *rand.Rand, n uint64) []byte {
			return binary.BigEndian.AppendUint64(nil, n+1)
		}, func(r *rand.Rand) []byte {
			return fmt.Appendf(nil, "Ihttp://example.org/records/%d#m%d", r.IntN(1e6), r.IntN(4))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := bolt.Open(filepath.Join(t.TempDir(), "apply.db"), 0o600, &bolt.Options{NoSync: true})
			require.NoError(t, err)
			defer db.Close()
			r := rand.New(rand.NewPCG(7, uint64(len(tc.name))))
			model := map[string][]byte{}
			round := func(ops []op) {
				t.Helper()
				slices.SortFunc(ops, func(a, b op) int { return bytes.Compare(a.key, b.key) })
				ops = slices.CompactFunc(ops, func(a, b op) bool { return bytes.Equal(a.key, b.key) })
				for _, o := range ops {
					if o.del {
						delete(model, string(o.key))
					} else {
						model[string(o.key)] = o.val
					}
				}
				require.NoError(t, db.Update(func(tx *bolt.Tx) error {
					for _, name := range []string{"serial", "parallel"} {
						b, err := tx.CreateBucketIfNotExists([]byte(name))
						if err != nil {
							return err
						}
						parallelSplices = 1
						if name == "parallel" {
							parallelSplices = 2
						}
						if err := (index{b: b, l: tc.l}).apply(slices.Clone(ops)); err != nil {
							return err
						}
					}
					return nil
				}))
				require.NoError(t, db.View(func(tx *bolt.Tx) error {
					for _, name := range []string{"serial", "parallel"} {
						b := tx.Bucket([]byte(name))
						got := map[string][]byte{}
						var prev []byte
						c := newCursor(b, tc.l)
						for k, v := c.First(); k != nil; k, v = c.Next() {
							require.True(t, prev == nil || bytes.Compare(prev, k) < 0, "%s: keys out of order", name)
							prev = bytes.Clone(k)
							got[string(k)] = bytes.Clone(v)
						}
						require.Equal(t, len(model), len(got), name)
						for k, v := range model {
							require.Equal(t, len(v) == 0, len(got[k]) == 0, "%s: key %x", name, k)
							if len(v) > 0 {
								require.Equal(t, v, got[k], "%s: value of %x", name, k)
							}
						}
						require.NoError(t, b.ForEach(func(k, v []byte) error {
							require.LessOrEqual(t, len(v), tc.l.max, "%s: block %x", name, k)
							return nil
						}))
					}
					return nil
				}))
			}
			put := func(n uint64) op { return op{key: tc.key(r, n), val: tc.val(r)} }
			keys := func() [][]byte {
				var ks [][]byte
				for k := range model {
					ks = append(ks, []byte(k))
				}
				slices.SortFunc(ks, bytes.Compare)
				return ks
			}

			// A bucket of 30,000 keys, then new keys among them.
			var ops []op
			for n := range uint64(30000) {
				ops = append(ops, put(n*4))
			}
			round(ops)
			ops = ops[:0]
			for range 6000 {
				ops = append(ops, put(r.Uint64N(30000)*4+1))
			}
			round(ops)
			// A run after the last block, longer than maxPassOps.
			ops = ops[:0]
			for n := range uint64(maxPassOps + 3000) {
				ops = append(ops, put(200000+n))
			}
			round(ops)
			// Runs of deletes with puts between: blocks emptied and
			// left short, next to blocks the round touches and not.
			for range 3 {
				ks := keys()
				ops = ops[:0]
				for i := 0; i < len(ks); {
					run := 1 + r.IntN(120)
					if r.IntN(3) == 0 {
						for j := i; j < min(i+run, len(ks)); j++ {
							ops = append(ops, op{key: ks[j], del: true})
						}
					} else if r.IntN(4) == 0 {
						ops = append(ops, put(r.Uint64N(300000)))
					}
					i += run
				}
				round(ops)
			}
			// Deletes of all but a few keys, then a small round.
			ks := keys()
			ops = ops[:0]
			for i, k := range ks {
				if i%97 != 0 {
					ops = append(ops, op{key: k, del: true})
				}
			}
			round(ops)
			round([]op{put(5), put(7)})
		})
	}
}
