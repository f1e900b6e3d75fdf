// Package fulltext is the tokenizer and field list shared by the query
// engine's oslc.searchTerms and the store's text index, so that both cut
// text the same way.
//
// It is a leaf: the store imports it without importing query (which
// imports the store).
package fulltext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Predicates are the properties whose string literals are searched:
// dcterms:title, dcterms:description and dcterms:identifier.
var Predicates = []rdf.IRI{vocab.DCTitle, vocab.DCDescription, vocab.DCIdentifier}

// Tokens splits s into lowercase tokens: maximal runs of letters and
// digits (Unicode categories L and Nd). Everything else separates tokens.
// Tokens are returned in text order, repeats included.
func Tokens(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, lower(s[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, lower(s[start:]))
	}
	return out
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// lower avoids an allocation for the common all-lowercase ASCII token.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}
