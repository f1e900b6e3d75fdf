package store

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSorter: a sorter returns what it was given in order, duplicates
// included, whether it sorted in memory or merged runs spilled to files,
// and leaves no file behind.
func TestSorter(t *testing.T) {
	for _, c := range []struct{ n, max int }{{0, 4}, {1, 4}, {10, 100}, {1000, 1}, {1000, 7}, {5000, 333}, {4096, 1024}} {
		dir := t.TempDir()
		rng := rand.New(rand.NewPCG(uint64(c.n), uint64(c.max)))
		s := newSorter[posgRec](dir, c.max)
		var want []posgRec
		for range c.n {
			r := posgRec{p: rng.Uint64N(5), class: byte(rng.IntN(3)), v: rng.Uint64(), o: rng.Uint64N(10), s: rng.Uint64(), g: rng.Uint64N(3)}
			if rng.IntN(10) == 0 && len(want) > 0 {
				r = want[rng.IntN(len(want))] // a duplicate
			}
			want = append(want, r)
			require.NoError(t, s.add(r))
		}
		slices.SortFunc(want, func(a, b posgRec) int { return a.compare(b) })
		m, err := s.merge()
		require.NoError(t, err)
		runs := len(s.runs)
		var got []posgRec
		for {
			r, ok, err := m.next()
			require.NoError(t, err)
			if !ok {
				break
			}
			got = append(got, r)
		}
		s.close()
		assert.Equal(t, want, got, "%d records, %d in memory", c.n, c.max)
		if c.n > c.max {
			assert.Equal(t, (c.n+c.max-1)/c.max, runs, "spilled runs")
		} else {
			assert.Zero(t, runs, "sorted in memory")
		}
		left, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, left, "no file left beside the store")
	}
}

// TestRecordsEncode: each record type decodes what it encodes, and its
// encoding sorts as its compare does.
func TestRecordsEncode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	u := func() uint64 { return rng.Uint64N(4) << (rng.IntN(4) * 16) }
	checkRecord(t, func() posgRec {
		return posgRec{p: u(), class: byte(u()), v: u(), o: u(), s: u(), g: u()}
	})
	checkRecord(t, func() subjRef { return subjRef{s: u(), x: u(), g: u()} })
	checkRecord(t, func() valueHalf { return valueHalf{s: u(), class: byte(u()), v: u(), o: u(), g: u()} })
	checkRecord(t, func() pairEnt {
		return pairEnt{ko: u(), class: byte(u()), v: u(), vo: u(), s: u(), gk: u(), gv: u()}
	})
	checkRecord(t, func() viaEnt {
		return viaEnt{pairEnt: pairEnt{ko: u(), class: byte(u()), v: u(), vo: u(), gk: u(), gv: u()}, r: u(), gr: u()}
	})
	toks := []string{"", "a", "ab", "abc", "b", "ba", strings.Repeat("z", 64)}
	checkRecord(t, func() textRec {
		r := textRec{s: u(), p: u(), o: u(), g: u(), tf: uint32(u())}
		tok := toks[rng.IntN(len(toks))]
		r.n = uint8(copy(r.tok[:], tok))
		return r
	})
}

// A keyer is a record whose encoding does not sort as it does: the key
// it makes for its bucket does.
type keyer interface{ key() []byte }

func (r textRec) key() []byte {
	k := append(r.token(), 0)
	for _, x := range []uint64{r.s, r.p, r.o, r.g} {
		k = binary.BigEndian.AppendUint64(k, x)
	}
	return k
}

func checkRecord[T record[T]](t *testing.T, gen func() T) {
	t.Helper()
	for range 2000 {
		a, b := gen(), gen()
		ea, eb := make([]byte, a.width()), make([]byte, b.width())
		a.put(ea)
		b.put(eb)
		require.Equal(t, a, a.get(ea))
		if k, ok := any(a).(keyer); ok {
			// The key it makes orders as compare does.
			if c := a.compare(b); c != 0 {
				assert.Equal(t, c < 0, string(k.key()) < string(any(b).(keyer).key()), "%+v vs %+v", a, b)
			}
		} else if c := a.compare(b); c != 0 {
			// The encoding orders as compare.
			assert.Equal(t, c < 0, string(ea) < string(eb), "%+v vs %+v", a, b)
		}
	}
}
