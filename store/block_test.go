package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// TestBlocks applies random runs of puts and deletes to block buckets of
// each kind of layout and checks every cursor move against a sorted model
// of the keys, inside the writing transaction and after its commit.
func TestBlocks(t *testing.T) {
	layouts := []struct {
		name string
		l    *layout
		key  func(r *rand.Rand) []byte
		val  func(r *rand.Rand) []byte
	}{
		{"spog", layoutSPOG, func(r *rand.Rand) []byte {
			var k []byte
			for range 4 {
				k = binary.BigEndian.AppendUint64(k, uint64(r.IntN(40)))
			}
			return k
		}, func(*rand.Rand) []byte { return []byte{} }},
		{"spog7", layoutSPOG.v7, func(r *rand.Rand) []byte {
			var k []byte
			for range 4 {
				k = binary.BigEndian.AppendUint64(k, uint64(r.IntN(40)))
			}
			return k
		}, func(*rand.Rand) []byte { return []byte{} }},
		{"posg inline", layoutPOSG, func(r *rand.Rand) []byte {
			// Objects are dictionary ids or inline terms.
			k := binary.BigEndian.AppendUint64(nil, uint64(r.IntN(5)))
			k = append(k, byte(r.IntN(3)))
			for i := range 4 {
				v := uint64(r.IntN(40))
				if i == 1 && r.IntN(2) == 0 {
					v |= inlineBit | uint64(r.IntN(4))<<40
				}
				k = binary.BigEndian.AppendUint64(k, v)
			}
			return k
		}, func(*rand.Rand) []byte { return []byte{} }},
		{"posg derived", layoutPOSG, func(r *rand.Rand) []byte {
			// Inline numbers, whose sort key the object gives, among
			// dictionary ids with values.
			k := binary.BigEndian.AppendUint64(nil, uint64(r.IntN(3)))
			o, class, v := uint64(r.IntN(40)), byte(r.IntN(3)), uint64(r.IntN(5))
			if r.IntN(3) > 0 {
				o, _ = inlineID(fmt.Sprintf("Xdouble\x00%d.%d", r.IntN(20)-10, r.IntN(3)))
				class, v = inlineSortKey(o)
			}
			k = append(k, class)
			k = binary.BigEndian.AppendUint64(k, v)
			k = binary.BigEndian.AppendUint64(k, o)
			k = binary.BigEndian.AppendUint64(k, uint64(r.IntN(20)))
			return binary.BigEndian.AppendUint64(k, uint64(r.IntN(20)))
		}, func(*rand.Rand) []byte { return []byte{} }},
		{"text", layoutText, func(r *rand.Rand) []byte {
			k := []byte(fmt.Sprint([]string{"a", "ab", "abc", "b", "zz"}[r.IntN(5)]))
			k = append(k, 0)
			var s uint64
			for i := range 3 {
				v := uint64(r.IntN(30)) << uint(r.IntN(40))
				if i == 0 {
					s = v
				}
				k = binary.BigEndian.AppendUint64(k, v)
			}
			// The graph: mostly the subject, as in a store, or near it.
			return binary.BigEndian.AppendUint64(k, s+uint64(r.IntN(3)))
		}, func(r *rand.Rand) []byte { return binary.AppendUvarint(nil, uint64(r.IntN(1000))) }},
		{"i2t", layoutI2T, func(r *rand.Rand) []byte {
			return binary.BigEndian.AppendUint64(nil, uint64(r.IntN(3000)))
		}, func(r *rand.Rand) []byte {
			v := []byte(fmt.Sprintf("Ihttp://example.org/%d/%d", r.IntN(5), r.IntN(1000)))
			return v[:1+r.IntN(len(v))]
		}},
		{"i2t7", layoutI2T7, func(r *rand.Rand) []byte {
			return binary.BigEndian.AppendUint64(nil, uint64(r.IntN(3000)))
		}, func(r *rand.Rand) []byte {
			v := []byte(fmt.Sprintf("Ihttp://example.org/%d/%d", r.IntN(5), r.IntN(1000)))
			return v[:1+r.IntN(len(v))]
		}},
		{"changes", layoutChanges, func(r *rand.Rand) []byte {
			return binary.BigEndian.AppendUint64(nil, uint64(r.IntN(3000)))
		}, func(r *rand.Rand) []byte {
			v := []byte{"CMD"[r.IntN(3)]}
			v = binary.BigEndian.AppendUint64(v, uint64(1e18+r.Int64N(1e12)))
			iri := fmt.Sprintf("http://example.org/%d/%d", r.IntN(5), r.IntN(1000))
			return append(v, iri[:r.IntN(len(iri)+1)]...)
		}},
		{"t2i", layoutT2I, func(r *rand.Rand) []byte {
			return []byte(fmt.Sprintf("Ihttp://example.org/%d/%d", r.IntN(50), r.IntN(100)))
		}, func(r *rand.Rand) []byte { return binary.BigEndian.AppendUint64(nil, r.Uint64()) }},
		{"t2i7", layoutT2I.v7, func(r *rand.Rand) []byte {
			return []byte(fmt.Sprintf("Ihttp://example.org/%d/%d", r.IntN(50), r.IntN(100)))
		}, func(r *rand.Rand) []byte { return binary.BigEndian.AppendUint64(nil, r.Uint64()) }},
	}
	for _, lt := range layouts {
		t.Run(lt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			bdb, err := bolt.Open(filepath.Join(t.TempDir(), "b.db"), 0o600, &bolt.Options{NoSync: true})
			require.NoError(t, err)
			defer bdb.Close()
			model := map[string][]byte{}
			for round := range 20 {
				require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
					b, err := tx.CreateBucketIfNotExists([]byte("x"))
					if err != nil {
						return err
					}
					x := index{b: b, l: lt.l}
					for range 3 {
						byKey := map[string]op{}
						n := r.IntN(200)
						if round%10 == 9 {
							n = 2000
						}
						for range n {
							k := lt.key(r)
							if r.IntN(3) == 0 && len(model) > 0 {
								byKey[string(k)] = op{key: k, del: true}
								delete(model, string(k))
							} else {
								v := lt.val(r)
								byKey[string(k)] = op{key: k, val: v}
								model[string(k)] = v
							}
						}
						ops := make([]op, 0, len(byKey))
						for _, o := range byKey {
							ops = append(ops, o)
						}
						slices.SortFunc(ops, func(a, b op) int { return bytes.Compare(a.key, b.key) })
						if err := x.apply(ops); err != nil {
							return err
						}
						checkCursor(t, r, x.cursor(), model, lt.key)
					}
					return nil
				}))
				require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
					checkCursor(t, r, newCursor(tx.Bucket([]byte("x")), lt.l), model, lt.key)
					st := tx.Bucket([]byte("x")).Stats()
					require.LessOrEqual(t, st.KeyN, len(model)/8+2, "blocks")
					// Entries are short here: every block is cut
					// to size (a layout with hist's by write, which
					// may pass it by an entry).
					if lt.l.hist {
						return nil
					}
					return tx.Bucket([]byte("x")).ForEach(func(k, v []byte) error {
						require.LessOrEqual(t, len(v), lt.l.max, "block %x", k)
						return nil
					})
				}))
			}
		})
	}
}

func checkCursor(t *testing.T, r *rand.Rand, c *blockCursor, model map[string][]byte, key func(*rand.Rand) []byte) {
	t.Helper()
	keys := make([]string, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var got []string
	var kept [][]byte // slices returned earlier stay as they were
	for k, v := c.First(); k != nil; k, v = c.Next() {
		got = append(got, string(k))
		require.Equal(t, model[string(k)], v, "value of %x", k)
		kept = append(kept, k)
	}
	require.Equal(t, keys, got, "forward")
	got = got[:0]
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		got = append(got, string(k))
	}
	slices.Reverse(got)
	require.Equal(t, keys, got[:len(keys):len(keys)], "backward")
	for i, k := range kept {
		require.Equal(t, keys[i], string(k), "kept slice")
	}
	for range 50 {
		want := key(r)
		if r.IntN(4) == 0 {
			want = want[:r.IntN(len(want)+1)]
		}
		i, _ := slices.BinarySearch(keys, string(want))
		k, _ := c.Seek(want)
		if i == len(keys) {
			require.Nil(t, k, "seek %x", want)
			continue
		}
		require.Equal(t, keys[i], string(k), "seek %x", want)
		k, _ = c.Next()
		if i+1 < len(keys) {
			require.Equal(t, keys[i+1], string(k), "next after seek %x", want)
			k, _ = c.Prev()
			require.Equal(t, keys[i], string(k), "prev after next")
		} else {
			require.Nil(t, k)
		}
		k, _ = c.Seek(want)
		k, _ = c.Prev()
		if i > 0 {
			require.Equal(t, keys[i-1], string(k), "prev after seek %x", want)
		} else {
			require.Nil(t, k)
		}
	}
}

// TestSeekInEmptiedBucket seeks past the end of a bucket of many pages
// whose keys a transaction deleted, as the writer does when it reclaims
// terms after a large delete: bbolt's Cursor.Last loops for ever there.
func TestSeekInEmptiedBucket(t *testing.T) {
	bdb, err := bolt.Open(filepath.Join(t.TempDir(), "b.db"), 0o600, &bolt.Options{NoSync: true})
	require.NoError(t, err)
	defer bdb.Close()
	var ops []op
	for i := range 50000 {
		var k []byte
		for _, f := range []uint64{uint64(i), 7, uint64(i * 31), 9} {
			k = binary.BigEndian.AppendUint64(k, f)
		}
		ops = append(ops, op{key: k, val: []byte{}})
	}
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("x"))
		if err != nil {
			return err
		}
		return index{b: b, l: layoutSPOG}.apply(ops)
	}))
	done := make(chan error, 1)
	go func() {
		done <- bdb.Update(func(tx *bolt.Tx) error {
			x := index{b: tx.Bucket([]byte("x")), l: layoutSPOG}
			require.Greater(t, x.b.Stats().BranchPageN, 0, "more than a page")
			dels := make([]op, len(ops))
			for i, o := range ops {
				dels[i] = op{key: o.key, del: true}
			}
			if err := x.apply(dels); err != nil {
				return err
			}
			c := x.cursor()
			k, _ := c.Seek(binary.BigEndian.AppendUint64(nil, 1<<40))
			assert.Nil(t, k, "seek past the end")
			k, _ = c.Last()
			assert.Nil(t, k, "last")
			// A put after the end of the emptied bucket.
			return x.apply(ops[len(ops)-1:])
		})
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(time.Minute):
		t.Fatal("a cursor on the emptied bucket loops")
	}
}
