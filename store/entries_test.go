package store

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPackRes(t *testing.T) {
	entry := func(s, p uint64, class byte, val, o uint64) []byte {
		e := binary.BigEndian.AppendUint64(nil, s)
		e = binary.BigEndian.AppendUint64(e, p)
		e = append(e, class)
		e = binary.BigEndian.AppendUint64(e, val)
		return binary.BigEndian.AppendUint64(e, o)
	}
	header := append(binary.BigEndian.AppendUint64(nil, 7), binary.BigEndian.AppendUint64(nil, 1<<40)...)
	inline := func(enc string) []byte {
		id, ok := inlineID(enc)
		require.True(t, ok, enc)
		class, val := inlineSortKey(id)
		return entry(1<<40, 5, class, val, id)
	}
	tests := []struct {
		name    string
		entries [][]byte
	}{
		{"none", nil},
		{"one", [][]byte{entry(1, 2, 0, 0, 3)}},
		{"same subject, values", [][]byte{
			entry(1<<40, 2, 0, 0, 3),
			entry(1<<40, 5, 1, 0x8000000000000001, 6),
			entry(1<<40, 5, 2, 1, 1<<62),
			entry(9, 5, 0, 42, 10), // a value in class 0 is kept
			entry(1<<40, 300, 0, 0, 1),
		}},
		{"inline objects", [][]byte{
			inline("Xdouble\x0015.83"),
			inline("XdateTime\x002026-11-01T00:00:01.108Z"),
			inline("Xboolean\x00true"),
			entry(3, 5, 2, 1, 7),
			inline("Xinteger\x00-42"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := append([]byte(nil), header...)
			for _, e := range tt.entries {
				v = append(v, e...)
			}
			packed := packRes(v)
			assert.LessOrEqual(t, len(packed), len(v))
			got, err := unpackRes(nil, packed, 1<<40)
			require.NoError(t, err)
			assert.Equal(t, v, got)

			v9 := packResV9(v)
			assert.Equal(t, packed[1:], v9[1+1+len(binary.AppendUvarint(nil, 1<<40)):], "version 9 holds the graph id after the sequence")
			got, err = unpackResV9(nil, v9, []byte("k"), true)
			require.NoError(t, err)
			assert.Equal(t, v, got)
		})
	}
	seq := []byte{7}
	_, err := unpackRes(nil, append(seq, entrySameSubject, 1, 1), 1)
	assert.ErrorIs(t, err, ErrCorrupt, "the first entry cannot take the previous subject")
	_, err = unpackRes(nil, append(seq, 0, 0x80), 1)
	assert.ErrorIs(t, err, ErrCorrupt, "a cut varint")
	_, err = unpackRes(nil, []byte{0x80}, 1)
	assert.ErrorIs(t, err, ErrCorrupt, "a cut header")
	_, err = unpackResV9(nil, append(append([]byte(nil), header...), entrySameSubject, 1, 1), []byte("k"), true)
	assert.ErrorIs(t, err, ErrCorrupt, "version 9: the first entry cannot take the previous subject")
	_, err = unpackResV9(nil, append(append([]byte(nil), header...), 0, 0x80), []byte("k"), true)
	assert.ErrorIs(t, err, ErrCorrupt, "version 9: a cut varint")
	_, err = unpackResV9(nil, header[:10], []byte("k"), true)
	assert.ErrorIs(t, err, ErrCorrupt, "version 9: a cut header")
}
