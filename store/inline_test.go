package store

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInlineID checks which literals their id holds, that the id gives
// back the very encoding, and that its sort key is the term's.
func TestInlineID(t *testing.T) {
	tests := []struct {
		enc    string
		inline bool
	}{
		{"Xdouble\x0015.83", true},
		{"Xdouble\x0019056090263", true},
		{"Xdouble\x00-0.5", true},
		{"Xdouble\x0021.30", true},
		{"Xdouble\x000", true},
		{"Xdouble\x00-0", true},
		{"Xdouble\x001.5E3", false},
		{"Xdouble\x00007", false},
		{"Xdouble\x00.5", false},
		{"Xdouble\x005.", false},
		{"Xdouble\x00+5", false},
		{"Xdouble\x00NaN", false},
		{"Xdouble\x00INF", false},
		{"Xdouble\x001125899906842623", true}, // 2^50-1
		{"Xdouble\x001125899906842624", false},
		{"Xdouble\x000.000000000000001", true},
		{"Xdouble\x000.0000000000000001", false},
		{"Xinteger\x0042", true},
		{"Xinteger\x00-7", true},
		{"Xinteger\x00+7", false},
		{"Xinteger\x004.0", false},
		{"Xint\x0012", true},
		{"Xlong\x0012", true},
		{"Xdecimal\x003.25", true},
		{"Xfloat\x003.25", false},
		{"Xshort\x003", false},
		{"Xboolean\x00true", true},
		{"Xboolean\x00false", true},
		{"Xboolean\x001", false},
		{"XdateTime\x002026-11-01T00:00:01.108Z", true},
		{"XdateTime\x002026-11-01T00:00:00Z", true},
		{"XdateTime\x002026-11-01T00:00:00", true},
		{"XdateTime\x002026-11-01T00:00:00.100000Z", true},
		{"XdateTime\x002026-11-01T00:00:00.1000000Z", false},
		{"XdateTime\x001969-07-20T20:17:40Z", true},
		{"XdateTime\x000001-01-01T00:00:00Z", true},
		{"XdateTime\x009999-12-31T23:59:59.999Z", true},
		{"XdateTime\x000000-01-01T00:00:00Z", false},
		{"XdateTime\x0010000-01-01T00:00:00Z", false},
		{"XdateTime\x002026-11-01T10:00:00+02:00", false},
		{"XdateTime\x002026-02-30T00:00:00Z", false},
		{"XdateTime\x002026-11-01T24:00:00Z", false},
		{"XdateTime\x002026-11-01t00:00:00Z", false},
		{"XdateTimeStamp\x002026-11-01T00:00:00Z", false},
		{"Sshort", false},
		{"Ihttp://example.org/1", false},
		{"Ldt\x001", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.enc), func(t *testing.T) {
			id, ok := inlineID(tt.enc)
			require.Equal(t, tt.inline, ok)
			if ok {
				checkInline(t, tt.enc, id)
			}
		})
	}
}

// TestInlineRandom checks random numbers and dateTimes as TestInlineID.
func TestInlineRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	seen := map[uint64]string{}
	for range 20000 {
		var enc string
		switch r.IntN(4) {
		case 0:
			enc = fmt.Sprintf("Xdouble\x00%.*f", r.IntN(8), (r.Float64()-0.5)*float64(int64(1)<<r.IntN(40)))
		case 1:
			enc = fmt.Sprintf("Xinteger\x00%d", r.Int64N(1<<50)-1<<49)
		case 2:
			enc = fmt.Sprintf("Xdecimal\x00%d.%0*d", r.IntN(1000), 1+r.IntN(5), r.IntN(10000))
		default:
			tm := time.Unix(r.Int64N(1<<36)-1<<35, 0).UTC()
			f := []string{"", ".0", ".12", ".123", ".1234", ".12345", ".123456"}[r.IntN(7)]
			z := []string{"", "Z"}[r.IntN(2)]
			enc = "XdateTime\x00" + tm.Format("2006-01-02T15:04:05") + f + z
		}
		id, ok := inlineID(enc)
		if !ok {
			continue
		}
		checkInline(t, enc, id)
		if prev, dup := seen[id]; dup {
			require.Equal(t, prev, enc, "two terms, one id")
		}
		seen[id] = enc
	}
	assert.Greater(t, len(seen), 10000)
}

func checkInline(t *testing.T, enc string, id uint64) {
	t.Helper()
	require.True(t, isInline(id))
	back, ok := inlineEnc(id)
	require.True(t, ok)
	require.Equal(t, enc, back)
	term, err := decodeTerm([]byte(enc))
	require.NoError(t, err)
	got, err := inlineTerm(id)
	require.NoError(t, err)
	require.Equal(t, term.Serialize(rdf.NTriples), got.Serialize(rdf.NTriples))
	wc, wv := sortKey(term)
	gc, gv := inlineSortKey(id)
	require.Equal(t, wc, gc, "class of %q", enc)
	require.Equal(t, wv, gv, "value of %q", enc)
}
