package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// emptiedLeaves opens a bbolt file with bucket "b" of n keys k(i) over
// many leaves, and returns a write transaction that deleted the keys in
// [from, to), which empties the leaves holding only those: bbolt removes
// such leaves only when the transaction commits.
func emptiedLeaves(t *testing.T, n, from, to int, k func(int) []byte, v func(int) []byte) *bolt.Tx {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "leaves.db"), 0o600, &bolt.Options{NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := range n {
			if err := b.Put(k(i), v(i)); err != nil {
				return err
			}
		}
		return nil
	}))
	tx, err := db.Begin(true)
	require.NoError(t, err)
	t.Cleanup(func() { tx.Rollback() })
	b := tx.Bucket([]byte("b"))
	for i := from; i < to; i++ {
		require.NoError(t, b.Delete(k(i)))
	}
	return tx
}

// TestPrevOverEmptiedLeaf: in a write transaction whose deletes emptied
// whole leaves, bbolt's Cursor.Prev from the key after them answers nil,
// as at the first key (its Next and Last step over such leaves, its Prev
// does not). prevKey finds the key before; blockCursor.Seek finds the
// first key at or after its target, not the first of the bucket; and
// index.apply writes a key after the emptied leaves into its own block.
// Before prevKey, Seek answered the bucket's first key, which made the
// writer's skipScan loop for ever, growing (found at 3,400 resources in
// one job-engine transaction, 12 GB in minutes), and apply splice ops
// into the first block.
func TestPrevOverEmptiedLeaf(t *testing.T) {
	key := func(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(10*i)) }
	val := func(int) []byte { return make([]byte, 200) }
	tx := emptiedLeaves(t, 2000, 100, 1000, key, val)
	c := tx.Bucket([]byte("b")).Cursor()
	target := binary.BigEndian.AppendUint64(nil, 10*1000-5) // between 99 and 1000
	k, _ := c.Seek(target)
	require.Equal(t, key(1000), k)
	if pk, _ := c.Prev(); pk != nil {
		t.Logf("bbolt's Prev steps over emptied leaves now (got %x): prevKey's check may go", pk)
	}
	k, _ = c.Seek(target)
	pk, _ := prevKey(c, k)
	require.Equal(t, key(99), pk)
	nk, _ := c.Next()
	require.Equal(t, key(1000), nk, "prevKey leaves the cursor at the key it found")

	// At the first key there is none before, emptied leaves or not.
	tx = emptiedLeaves(t, 2000, 0, 1000, key, val)
	c = tx.Bucket([]byte("b")).Cursor()
	k, _ = c.Seek(key(1000))
	require.Equal(t, key(1000), k)
	pk, _ = prevKey(c, k)
	require.Nil(t, pk)
	fk, _ := c.First()
	require.Equal(t, key(1000), fk)
}

// TestBlocksOverEmptiedLeaf: blockCursor.Seek and index.apply in a write
// transaction whose deletes emptied whole leaves of an index's blocks.
func TestBlocksOverEmptiedLeaf(t *testing.T) {
	l := layoutRID // key: IRI bytes, value: 8 bytes
	iri := func(i int) []byte { return fmt.Appendf(nil, "http://example.org/r/%06d", i) }
	db, err := bolt.Open(filepath.Join(t.TempDir(), "blocks.db"), 0o600, &bolt.Options{NoSync: true})
	require.NoError(t, err)
	defer db.Close()
	const n = 20000
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("x"))
		if err != nil {
			return err
		}
		ops := make([]op, n)
		for i := range ops {
			ops[i] = op{key: iri(i), val: u64(uint64(i))}
		}
		return index{b: b, l: l}.apply(ops)
	}))
	tx, err := db.Begin(true)
	require.NoError(t, err)
	defer tx.Rollback()
	x := index{b: tx.Bucket([]byte("x")), l: l}
	// Delete the keys from 1,000 to 15,000: the blocks holding them go,
	// and with them whole leaves.
	var dels []op
	for i := 1000; i < 15000; i++ {
		dels = append(dels, op{key: iri(i), del: true})
	}
	require.NoError(t, x.apply(dels))
	c := x.cursor()
	for _, i := range []int{15000, 15001, 16000} {
		target := append(bytes.Clone(iri(i-1)), 0) // after i-1, before i... or a deleted one
		k, _ := c.Seek(target)
		require.Equal(t, string(iri(i)), string(k), "seek %q", target)
	}
	k, _ := c.Seek(iri(5000)) // deleted: the next is 15000
	require.Equal(t, string(iri(15000)), string(k))
	k, _ = c.Prev()
	require.Equal(t, string(iri(999)), string(k))

	// A key written between the survivors lands in order.
	mid := append(bytes.Clone(iri(14999)), 'z')
	require.NoError(t, x.apply([]op{{key: mid, val: u64(1)}}))
	var prev []byte
	count := 0
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		require.True(t, prev == nil || bytes.Compare(prev, k) < 0, "keys out of order: %q then %q", prev, k)
		prev = append(prev[:0], k...)
		count++
	}
	require.Equal(t, n-14000+1, count)
	k, _ = c.Seek(mid)
	require.Equal(t, string(mid), string(k))
	require.NoError(t, tx.Commit())
}
