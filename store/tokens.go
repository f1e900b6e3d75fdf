package store

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTokenLen is the longest token in bytes; Tokens truncates longer ones.
const MaxTokenLen = 64

// Tokens splits s into the tokens of the full-text index: runs of letters
// and digits, lowercased rune by rune, each truncated to MaxTokenLen bytes
// at a rune boundary. Every other character, and every byte of invalid
// UTF-8, separates tokens. Each token t it returns has Tokens(t) == [t],
// so search terms tokenized with it match the index.
func Tokens(s string) []string {
	var toks []string
	tokenize(s, func(t []byte) { toks = append(toks, string(t)) })
	return toks
}

// tokenize calls fn with each token of s. The slice is reused after fn
// returns.
func tokenize(s string, fn func(tok []byte)) {
	var arr [MaxTokenLen]byte
	tok := arr[:0]
	full := false // the token reached MaxTokenLen: skip to its end
	for _, r := range s {
		if r < utf8.RuneSelf {
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			default:
				r = -1
			}
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			// Rune by rune, unlike strings.ToLower, so that a token holds
			// letters and digits only (U+0130 'İ' becomes 'i', not "i̇").
			r = unicode.ToLower(r)
		} else {
			r = -1
		}
		if r < 0 {
			if len(tok) > 0 {
				fn(tok)
				tok = tok[:0]
			}
			full = false
			continue
		}
		if full {
			continue
		}
		if len(tok)+utf8.RuneLen(r) > MaxTokenLen {
			full = true
			continue
		}
		tok = utf8.AppendRune(tok, r)
	}
	if len(tok) > 0 {
		fn(tok)
	}
}

// tokenCount is a token and how often it occurs in a text.
type tokenCount struct {
	tok string
	n   int
}

// countTokens returns the distinct tokens of s with their frequencies.
// It is on the write path of every text literal: the tokens share one
// string, and short texts are deduplicated without a map.
func countTokens(s string) []tokenCount {
	var arr [256]byte
	buf, n := arr[:0], 0
	tokenize(s, func(t []byte) {
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
