package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// packT2I rewrites t2i, the first step of a build, in key order, in full
// blocks of buildTarget at fill 1. Its keys, term encodings, come in the
// order of no id, so a load splits its pages at random and leaves them a
// quarter empty. bbolt reuses the pages a transaction frees only in later
// transactions, so rewriting t2i in one transaction would grow the file
// by the new t2i: a first transaction writes t2i's blocks, rebuilt, to a
// file beside the store and empties t2i; a second puts them back, into
// the pages the first freed. The file need not outlive the process: a
// crash between the two leaves t2i empty and the file marked (see
// BeginBulk), and the next build rebuilds t2i from i2t.
func (db *DB) packT2I(ctx context.Context) (err error) {
	path := db.db.Path() + ".t2i~"
	f, err := os.Create(path)
	if err != nil {
		return nil // t2i stays as the load left it, which is as right
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if rerr := os.Remove(path); err == nil {
			err = rerr
		}
	}()
	out := &blockFile{w: bufio.NewWriterSize(f, 1<<20)}
	err = db.db.Update(func(tx *bolt.Tx) error {
		bb := blockBuilder{b: out, l: layoutT2I, target: buildTarget}
		if err := eachT2I(ctx, tx, db, bb.add); err != nil {
			return err
		}
		if err := bb.flush(); err != nil {
			return err
		}
		if err := out.w.Flush(); err != nil {
			return errNoFile{err}
		}
		_, err := newBucket(tx, bucketT2I, 1)
		return err
	})
	if errors.As(err, new(errNoFile)) {
		return nil // rolled back: as if it could not create the file
	}
	if err != nil {
		return err
	}
	if buildHook != nil {
		if err := buildHook("t2i copy"); err != nil {
			return err
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	in := bufio.NewReaderSize(f, 1<<20)
	return db.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketT2I)
		b.FillPercent = 1
		var k []byte
		for {
			var (
				v   []byte
				err error
			)
			if k, err = readChunk(in, k); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			// bbolt keeps the value, not a copy, until the commit.
			if v, err = readChunk(in, nil); err != nil {
				return fmt.Errorf("%s: %w", path, io.ErrUnexpectedEOF)
			}
			if err := b.Put(k, v); err != nil {
				return err
			}
		}
	})
}

// eachT2I calls fn with t2i's entries in key order. If t2i is empty and
// i2t is not (a build stopped between packT2I's transactions), it makes
// them from i2t's, which it holds in memory and sorts: a recovery's way,
// slower than reading t2i.
func eachT2I(ctx context.Context, tx *bolt.Tx, db *DB, fn func(k, v []byte) error) error {
	c := db.index(tx, bucketT2I, layoutT2I).cursor()
	k, v := c.First()
	if k == nil {
		return eachI2TKey(ctx, tx, db, fn)
	}
	for n := 1; k != nil; k, v = c.Next() {
		if n++; n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// eachI2TKey calls fn with the t2i entries of i2t's terms, in key order.
func eachI2TKey(ctx context.Context, tx *bolt.Tx, db *DB, fn func(k, v []byte) error) error {
	var ents []entry
	c := db.index(tx, bucketI2T, layoutI2T).cursor()
	n := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if n++; n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if len(k) != 8 || len(v) == 0 {
			return fmt.Errorf("%w: term %x", ErrCorrupt, k)
		}
		ents = append(ents, entry{k: dictKey(string(v)), v: k})
	}
	slices.SortFunc(ents, func(a, b entry) int { return bytes.Compare(a.k, b.k) })
	for _, e := range ents {
		if err := fn(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// errNoFile is the error of a write to packT2I's file.
type errNoFile struct{ err error }

func (e errNoFile) Error() string { return "t2i file: " + e.err.Error() }

// blockFile is a blockPutter that writes each block to w as the uvarint
// length and bytes of its key, then of its value.
type blockFile struct{ w *bufio.Writer }

// Put writes the block k, v.
func (f *blockFile) Put(k, v []byte) error {
	var n [binary.MaxVarintLen64]byte
	for _, b := range [][]byte{k, v} {
		if _, err := f.w.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))]); err != nil {
			return errNoFile{err}
		}
		if _, err := f.w.Write(b); err != nil {
			return errNoFile{err}
		}
	}
	return nil
}

// readChunk reads into buf one length and bytes that blockFile.Put
// wrote; io.EOF if r is at its end.
func readChunk(r *bufio.Reader, buf []byte) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return buf, err
	}
	if n > 1<<30 {
		return buf, fmt.Errorf("%w: t2i block of %d bytes", ErrCorrupt, n)
	}
	buf = slices.Grow(buf[:0], int(n))[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return buf, io.ErrUnexpectedEOF
	}
	return buf, nil
}
