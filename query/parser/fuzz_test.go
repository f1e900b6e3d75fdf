package parser

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fuzzParam fuzzes one parser: it must not panic, must fail with an
// *Error at a position within the input, and print text that parses back
// to the same tree (print, parse, print is a fixed point). Seeds are the
// good inputs of the tables and the bad inputs of testdata/bad.txt.
func fuzzParam(f *testing.F, param string, good []parseTest) {
	for _, tt := range good {
		f.Add(tt.in)
	}
	for _, c := range readBad(f) {
		if c.param == param {
			f.Add(c.input)
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, _, err := parsers[param](in)
		if err != nil {
			var e *Error
			require.True(t, errors.As(err, &e), "error %v is an *Error", err)
			assert.Equal(t, param, e.Param)
			assert.True(t, e.Pos >= 1 && e.Pos <= len(in)+1, "position %d in 1..%d", e.Pos, len(in)+1)
			assert.True(t, errors.Is(err, ErrSyntax) || errors.Is(err, ErrUnknownPrefix) || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooComplex))
			return
		}
		checkRoundTrip(t, param, in, "")
	})
}

func FuzzParseWhere(f *testing.F)       { fuzzParam(f, "oslc.where", whereTests) }
func FuzzParseSelect(f *testing.F)      { fuzzParam(f, "oslc.select", selectTests) }
func FuzzParseOrderBy(f *testing.F)     { fuzzParam(f, "oslc.orderBy", orderByTests) }
func FuzzParsePrefixes(f *testing.F)    { fuzzParam(f, "oslc.prefix", prefixTests) }
func FuzzParseSearchTerms(f *testing.F) { fuzzParam(f, "oslc.searchTerms", searchTermsTests) }
