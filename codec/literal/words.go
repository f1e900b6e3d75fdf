package literal

import (
	"unicode"
	"unicode/utf8"
)

// MaxTokenLen is the longest token in bytes; longer ones are truncated.
const MaxTokenLen = 64

// Tokens splits s into the tokens of a full-text index and of search
// terms: runs of letters and digits, lowercased rune by rune, each
// truncated to MaxTokenLen bytes at a rune boundary. Every other
// character, and every byte of invalid UTF-8, separates tokens. Each
// token t it returns has Tokens(t) == [t], so search terms cut with it
// match the index.
func Tokens(s string) []string {
	var toks []string
	Words(s, func(tok []byte) { toks = append(toks, string(tok)) })
	return toks
}

// Words calls fn with each token of s, as Tokens cuts them, in order,
// without a string per token: tok is reused after fn returns, so copy it
// to keep it. The store cuts every text literal it writes with it.
func Words(s string, fn func(tok []byte)) {
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
