package sparql

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The escapers' model: rune by rune, as the SPARQL grammar reads them.
func modelIRI(iri string) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, r := range iri {
		if r <= 0x20 || strings.ContainsRune("<>\"{}|^`\\", r) {
			fmt.Fprintf(&b, "\\u%04X", r)
		} else {
			b.WriteRune(r)
		}
	}
	b.WriteByte('>')
	return b.String()
}

func modelString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, "\\u%04X", r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

var escapeSeeds = []string{
	"", "http://example.org/a", "a b", "<x>", `"q"`, `back\slash`, "{}|^`", "tab\there\nnl\rcr",
	"\x00\x01\x1f\x7f", "caf\u00e9 \u65e5\u672c \U0001F600", "bad \xff\xfe utf8 \xe2\x82", "\xc0\x80", "end\\",
}

func checkEscapes(t *testing.T, s string) {
	var b strings.Builder
	writeIRI(&b, s)
	if got, want := b.String(), modelIRI(s); got != want {
		t.Errorf("writeIRI(%q) = %q; want %q", s, got, want)
	}
	b.Reset()
	writeString(&b, s)
	if got, want := b.String(), modelString(s); got != want {
		t.Errorf("writeString(%q) = %q; want %q", s, got, want)
	}
}

func TestEscapes(t *testing.T) {
	for _, s := range escapeSeeds {
		checkEscapes(t, s)
	}
	for c := range 256 {
		checkEscapes(t, "a"+string(rune(c))+"b")
		checkEscapes(t, "a"+string([]byte{byte(c)})+"b")
	}
}

func FuzzEscapes(f *testing.F) {
	for _, s := range escapeSeeds {
		f.Add(s)
	}
	f.Fuzz(checkEscapes)
}

// A body that ends early is a read that raced a write, read again; any
// other bad body is an error at once.
func TestTornBodyReadAgain(t *testing.T) {
	for _, s := range []string{"", `[["<http://a>"`, `[["<http://a>","<http://b>","<http://c>"]`} {
		_, err := decodeBody(s)
		assert.ErrorIs(t, err, errTornBody, "%q", s)
	}
	_, err := decodeBody(`{"not":"a body"}`)
	assert.NotErrorIs(t, err, errTornBody)

	reads := 0
	err = rereadTorn(context.Background(), func() error {
		if reads++; reads < 3 {
			_, err := decodeBody("")
			return err
		}
		return nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 3, reads, "read again until the body is whole")

	reads = 0
	err = rereadTorn(context.Background(), func() error { reads++; _, err := decodeBody(""); return err })
	assert.ErrorIs(t, err, errTornBody)
	assert.Equal(t, maxTornReads, reads, "then its error")
}
