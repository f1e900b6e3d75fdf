package store

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

// tokenCount is a token and how often it occurs in a text.
type tokenCount struct {
	tok string
	n   int
}

// MaxTextTokens bounds the distinct tokens the full-text index holds of
// one literal: the first ones, in the order they occur. Each is a key
// written with the literal's triple, in the transaction that writes its
// resource; a title of 330,000 distinct words would be as many keys.
const MaxTextTokens = 10000

// countTokens returns the distinct tokens of s, as literal.Tokens cuts
// them, with their frequencies: the first max of them in the order they
// occur, all if max <= 0. It is on the write path of every text literal:
// the tokens share one string, and short texts are deduplicated without a
// map.
func countTokens(s string, max int) []tokenCount {
	var arr [256]byte
	buf, n := arr[:0], 0
	literal.Words(s, func(t []byte) {
		buf = append(append(buf, t...), 0) // tokens hold no 0
		n++
	})
	if n == 0 {
		return nil
	}
	all := string(buf)
	if max > 0 {
		n = min(n, max)
	}
	out := make([]tokenCount, 0, n)
	var index map[string]int
	if n > 16 {
		index = make(map[string]int, n)
	}
	for len(all) > 0 {
		i := strings.IndexByte(all, 0)
		tok := all[:i]
		all = all[i+1:]
		j, ok := -1, false
		if index != nil {
			j, ok = index[tok]
		} else {
			for k := range out {
				if out[k].tok == tok {
					j, ok = k, true
					break
				}
			}
		}
		switch {
		case ok:
			out[j].n++
		case max > 0 && len(out) >= max:
			// Past the limit: not indexed.
		default:
			if index != nil {
				index[tok] = len(out)
			}
			out = append(out, tokenCount{tok: tok, n: 1})
		}
	}
	return out
}

// xmlText returns the character data of the XML fragment s, with a space
// where each tag was, so that markup separates words. Entities are
// decoded, HTML ones included. Ill-formed XML loses its tags only.
func xmlText(s string) string {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var b strings.Builder
	for {
		t, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return b.String()
		}
		if err != nil {
			return stripTags(s)
		}
		switch t := t.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement, xml.EndElement:
			b.WriteByte(' ')
		}
	}
}

// stripTags replaces each <...> in s with a space.
func stripTags(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteByte(' ')
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return b.String()
		}
		s = s[i+j+1:]
	}
}
