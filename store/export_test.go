package store

import (
	"encoding/binary"

	"github.com/knakk/rdf"
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
