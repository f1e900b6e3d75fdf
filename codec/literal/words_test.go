package literal_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

var tokenTests = []struct {
	name string
	in   string
	want []string
}{
	{"empty", "", nil},
	{"separators only", " \t-_.,;!?\n", nil},
	{"ascii", "Hello, World!", []string{"hello", "world"}},
	{"digits", "CPU 95.5% on host-07", []string{"cpu", "95", "5", "on", "host", "07"}},
	{"mixed", "a1B2_c3", []string{"a1b2", "c3"}},
	{"identifier", "PM-1234", []string{"pm", "1234"}},
	{"german", "ÄRGER über Straße", []string{"ärger", "über", "straße"}},
	{"greek", "ΣΊΣΥΦΟΣ", []string{"σίσυφοσ"}},
	{"dotted capital I", "İSTANBUL", []string{"istanbul"}},
	{"cyrillic", "Привет, Мир", []string{"привет", "мир"}},
	{"cjk run", "性能監視 テスト", []string{"性能監視", "テスト"}},
	{"arabic-indic digits", "٣٤ x", []string{"٣٤", "x"}},
	{"combining mark separates", "cafe\u0301s", []string{"cafe", "s"}},
	{"invalid utf-8 separates", "ab\xffcd", []string{"ab", "cd"}},
	{"no-break space", "a\u00a0b", []string{"a", "b"}},
	{"truncated", strings.Repeat("A", 70) + " b", []string{strings.Repeat("a", 64), "b"}},
	{"truncated at a rune", "x" + strings.Repeat("é", 40), []string{"x" + strings.Repeat("é", 31)}},
	{"exactly 64", strings.Repeat("z", 64), []string{strings.Repeat("z", 64)}},
}

func TestTokens(t *testing.T) {
	for _, tt := range tokenTests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, literal.Tokens(tt.in))
		})
	}
}

// TestWords: Words cuts as Tokens does.
func TestWords(t *testing.T) {
	for _, tt := range tokenTests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			literal.Words(tt.in, func(tok []byte) { got = append(got, string(tok)) })
			assert.Equal(t, tt.want, got)
		})
	}
}

// FuzzTokens checks that tokens are non-empty, short, valid UTF-8 runs of
// lowercase letters and digits that tokenize to themselves.
func FuzzTokens(f *testing.F) {
	for _, tt := range tokenTests {
		f.Add(tt.in)
	}
	for _, s := range []string{
		"CPU spike on web01", "Memory-pressure, 95%!", "İstanbul ÉTÉ straße", "a\x00b\xffc",
		"日本語のテキスト", "x" + strings.Repeat("é", 40) + " y", "<p>tag</p>&amp;",
		"١٢٣ arabic digits", "ǅemal Ǆ", "tab\tand\nnewline",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range literal.Tokens(s) {
			if tok == "" || len(tok) > literal.MaxTokenLen || !utf8.ValidString(tok) {
				t.Fatalf("Tokens(%q): bad token %q", s, tok)
			}
			for _, r := range tok {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("Tokens(%q): token %q holds %q", s, tok, r)
				}
			}
			if got := literal.Tokens(tok); len(got) != 1 || got[0] != tok {
				t.Fatalf("Tokens(%q) = %q; want [%q]", tok, got, tok)
			}
		}
	})
}
