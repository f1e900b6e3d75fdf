package store

import (
	"encoding/binary"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"
)

// EncodeForTest is encodeTerm with its uvarint length, as a stage value
// holds it.
func EncodeForTest(t rdf.Term) []byte {
	enc, err := encodeTerm(t)
	if err != nil {
		panic(err)
	}
	return append(binary.AppendUvarint(nil, uint64(len(enc))), enc...)
}

// StagedForTest is appendStaged on an empty buffer.
func StagedForTest(t rdf.Term) []byte {
	b, err := appendStaged(nil, t)
	if err != nil {
		panic(err)
	}
	return b
}

// SetOutsideLimit sets outsideLimit until the returned func is called.
func SetOutsideLimit(n int) (restore func()) {
	old := outsideLimit
	outsideLimit = n
	return func() { outsideLimit = old }
}

// BucketKeysForTest counts the keys of a bucket.
func (s *Snapshot) BucketKeysForTest(name string) (int, error) {
	b := s.tx.Bucket([]byte(name))
	if b == nil {
		return 0, nil
	}
	return b.Stats().KeyN, nil
}

// RIDAgreesForTest reports the keys in which the rid bucket and res
// disagree on a resource's graph id.
func (db *DB) RIDAgreesForTest() (bad []string, err error) {
	err = db.db.View(func(tx *bolt.Tx) error {
		want := map[string]uint64{}
		tx.Bucket(bucketRes).ForEach(func(k, v []byte) error {
			want[string(k)] = binary.BigEndian.Uint64(v[8:16])
			return nil
		})
		tx.Bucket(bucketRID).ForEach(func(k, v []byte) error {
			if id, ok := want[string(k)]; !ok || id != binary.BigEndian.Uint64(v) {
				bad = append(bad, string(k))
			}
			delete(want, string(k))
			return nil
		})
		for k := range want {
			bad = append(bad, k)
		}
		return nil
	})
	return bad, err
}
