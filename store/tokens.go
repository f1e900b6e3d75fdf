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

// countTokens returns the distinct tokens of s, as literal.Tokens cuts
// them, with their frequencies. It is on the write path of every text
// literal: the tokens share one string, and short texts are deduplicated
// without a map.
func countTokens(s string) []tokenCount {
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
	out := make([]tokenCount, 0, n)
	var index map[string]int
	if n > 16 {
		index = make(map[string]int, n)
	}
	for len(all) > 0 {
		i := strings.IndexByte(all, 0)
		tok := all[:i]
		all = all[i+1:]
		j := -1
		if index != nil {
			if k, ok := index[tok]; ok {
				j = k
			} else {
				index[tok] = len(out)
			}
		} else {
			for k := range out {
				if out[k].tok == tok {
					j = k
					break
				}
			}
		}
		if j >= 0 {
			out[j].n++
		} else {
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
