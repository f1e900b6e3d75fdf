package store

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testIRI returns the IRI s; it panics on an invalid one.
func testIRI(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}

func lit(lex, local string) rdf.Literal { return rdf.NewTypedLiteral(lex, testIRI(xsdNS+local)) }

// TestSortKeyOrder checks that sort keys of each list ascend, with "="
// marking a value equal to the one before.
func TestSortKeyOrder(t *testing.T) {
	tests := []struct {
		name  string
		class byte
		lits  []rdf.Literal
	}{
		{"numbers", classNumber, []rdf.Literal{
			lit("-INF", "double"),
			lit("-1"+strings.Repeat("0", 310), "integer"), // beyond float64: -Inf
			lit("-1.7976931348623157e308", "double"),
			lit("-12345678901234567890", "integer"),
			lit("-2", "byte"),
			lit("-1.5", "decimal"),
			lit("-1", "integer"),
			lit("-0.5", "float"),
			lit("-4.9e-324", "double"),
			lit("-0", "double"),
			lit("0", "integer"),
			lit("+0.0", "decimal"),
			lit("4.9e-324", "double"),
			lit("0.1", "double"),
			lit("0.1", "float"),
			lit("1", "unsignedByte"),
			lit("1.0", "decimal"),
			lit(" 1E0 ", "double"),
			lit("2", "int"),
			lit("9007199254740993", "long"), // 2^53+1 rounds to 2^53 ...
			lit("9007199254740992", "integer"),
			lit("1e300", "double"),
			lit("INF", "float"),
			lit("+INF", "double"),
		}},
		{"dateTimes", classDateTime, []rdf.Literal{
			lit("-290000-01-01T00:00:00Z", "dateTime"),
			lit("-0001-01-01T00:00:00Z", "dateTime"),
			lit("0000-01-01T00:00:00Z", "dateTime"),
			lit("1969-12-31T23:59:59.999999Z", "dateTime"),
			lit("1970-01-01T00:00:00Z", "dateTime"),
			lit("1970-01-01T00:00:00.0000001Z", "dateTime"), // sub-microsecond: tie
			lit("2026-10-31T24:00:00Z", "dateTime"),
			lit("2026-11-01T00:00:00Z", "dateTime"),
			lit("2026-11-01T10:00:00+02:00", "dateTime"),
			lit("2026-11-01T08:00:00", "dateTime"),
			lit("2026-11-01T09:30:00Z", "dateTimeStamp"),
			lit("2026-11-01T09:00:00-14:00", "dateTime"),
			lit("9999-12-31T23:59:59.999999Z", "dateTime"),
			lit("10000-01-01T00:00:00Z", "dateTime"),
			lit("300000-01-01T00:00:00Z", "dateTime"), // clamped
			lit("123456789-01-01T00:00:00Z", "dateTime"),
		}},
	}
	equal := map[string]bool{
		"-1" + strings.Repeat("0", 310): true, "0": true, "+0.0": true, "1.0": true, " 1E0 ": true, "9007199254740992": true,
		"+INF": true, "1970-01-01T00:00:00.0000001Z": true, "2026-11-01T00:00:00Z": true,
		"2026-11-01T08:00:00": true, "123456789-01-01T00:00:00Z": true,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prev uint64
			for i, l := range tt.lits {
				class, v := sortKey(l)
				require.Equal(t, tt.class, class, "class of %s", l.Serialize(rdf.NTriples))
				if i == 0 {
					prev = v
					continue
				}
				if equal[l.String()] {
					assert.Equal(t, prev, v, "%s should equal %s", l.String(), tt.lits[i-1].String())
				} else {
					assert.Greater(t, v, prev, "%s should sort after %s", l.String(), tt.lits[i-1].String())
				}
				prev = v
			}
		})
	}
}

func TestSortKeyOther(t *testing.T) {
	others := []rdf.Term{
		testIRI("http://example.org/title"),
		rdf.NewTypedLiteral("5", xsdStringIRI),
		lit("NaN", "double"),
		lit("", "integer"),
		lit("1.5", "integer"),
		lit("1e5", "decimal"),
		lit(".", "decimal"),
		lit("0x10", "double"),
		lit("1_000", "double"),
		lit("Infinity", "double"),
		lit("inf", "double"),
		lit("1e", "double"),
		lit("5", "boolean"),
		rdf.NewTypedLiteral("5", testIRI("http://example.org/integer")),
		lit("2026-11-01", "dateTime"),
		lit("2026-11-01T10:00Z", "dateTime"),
		lit("2026-02-29T10:00:00Z", "dateTime"),
		lit("2026-13-01T10:00:00Z", "dateTime"),
		lit("2026-11-01T24:00:01Z", "dateTime"),
		lit("2026-11-01T10:60:00Z", "dateTime"),
		lit("2026-11-01T10:00:00+15:00", "dateTime"),
		lit("2026-11-01T10:00:00+02", "dateTime"),
		lit("2026-11-01T10:00:00.Z", "dateTime"),
		lit("26-11-01T10:00:00Z", "dateTime"),
		lit("02026-11-01T10:00:00Z", "dateTime"),
		lit("2026-11-01T10:00:00", "dateTimeStamp"),
		lit("2026-11-01T10:00:00Z", "date"),
	}
	for _, o := range others {
		t.Run(o.Serialize(rdf.NTriples), func(t *testing.T) {
			class, v := sortKey(o)
			assert.Equal(t, classOther, class)
			assert.Zero(t, v)
		})
	}
}

func TestFloatKey(t *testing.T) {
	vals := []float64{math.Inf(-1), -math.MaxFloat64, -1, -math.SmallestNonzeroFloat64, 0, math.SmallestNonzeroFloat64, 1, math.MaxFloat64, math.Inf(1)}
	for i := 1; i < len(vals); i++ {
		assert.Less(t, floatKey(vals[i-1]), floatKey(vals[i]), "%g < %g", vals[i-1], vals[i])
	}
	assert.Equal(t, floatKey(0), floatKey(math.Copysign(0, -1)))
}

func TestTermEncoding(t *testing.T) {
	long := strings.Repeat("é", 300)
	terms := []rdf.Term{
		testIRI("http://example.org/title"),
		rdf.NewTypedLiteral("x", xsdStringIRI),
		rdf.NewTypedLiteral("", xsdStringIRI),
		rdf.NewTypedLiteral("a\x00b", xsdStringIRI),
		rdf.NewTypedLiteral("1.5", testIRI(xsdNS+"double")),
		rdf.NewTypedLiteral("a\x00b", testIRI("http://example.org/dt")),
		rdf.NewTypedLiteral(long, xsdStringIRI),
	}
	l, err := rdf.NewLangLiteral("chat", "fr-CA")
	require.NoError(t, err)
	b, err := rdf.NewBlank("b12")
	require.NoError(t, err)
	terms = append(terms, l, b)
	for _, term := range terms {
		t.Run(term.Serialize(rdf.NTriples)[:min(40, len(term.Serialize(rdf.NTriples)))], func(t *testing.T) {
			enc, err := encodeTerm(term)
			require.NoError(t, err)
			got, err := decodeTerm([]byte(enc))
			require.NoError(t, err)
			assert.Equal(t, term.Serialize(rdf.NTriples), got.Serialize(rdf.NTriples))
			assert.LessOrEqual(t, len(dictKey(enc)), maxDictKey+1)
		})
	}
	for _, bad := range []string{"", "Q", "Ahello", "A\x00x", "I"} {
		_, err := decodeTerm([]byte(bad))
		assert.ErrorIs(t, err, ErrCorrupt, "%q", bad)
	}
}

// FuzzNumber checks that numeric sort keys agree with strconv where both
// accept the input, and that parsing never panics.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", "-1e10", "INF", "-INF", "NaN", ".5", "5.", "1e400", "0x10", "1_0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, dt := range []string{"integer", "decimal", "double", "float"} {
			class, v := literalSortKey(dt, s)
			if class == classOther {
				continue
			}
			bits := 64
			if dt == "float" {
				bits = 32
			}
			x, err := strconv.ParseFloat(strings.Trim(strings.ReplaceAll(s, "INF", "Inf"), " \t\r\n"), bits)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				t.Fatalf("%s %q accepted, strconv: %v", dt, s, err)
			}
			if floatKey(x) != v {
				t.Fatalf("%s %q: key %x; want %x", dt, s, v, floatKey(x))
			}
		}
	})
}
