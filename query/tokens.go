package query

import (
	"unicode"
	"unicode/utf8"
)

// MaxTokenLen is the longest search token in bytes; Tokens truncates
// longer ones.
const MaxTokenLen = 64

// Tokens splits s into the lowercase tokens oslc.searchTerms matches: runs
// of letters and digits, lowercased rune by rune, each truncated to
// MaxTokenLen bytes at a rune boundary. Every other character, and every
// byte of invalid UTF-8, separates tokens. Each token t it returns has
// Tokens(t) == [t].
//
// A source's text index (Accelerator.Text) must cut text the same way,
// so that search terms match what it holds; the store's index does (see
// store.Tokens, held to agreement by query/boltsource's tests).
func Tokens(s string) []string {
	var toks []string
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
				toks = append(toks, string(tok))
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
		toks = append(toks, string(tok))
	}
	return toks
}
