package literal

import "testing"

func TestAppendQuoted(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         `"plain"`,
		`say "hi" \ o/`: `"say \"hi\" \\ o/"`,
		"a\tb\nc\rd":    `"a\tb\nc\rd"`,
		"\b\f\x00\x7f":  `"\u0008\u000C\u0000\u007F"`,
		"ünï":           `"ünï"`,
	} {
		if got := string(AppendQuoted(nil, in)); got != want {
			t.Errorf("AppendQuoted(%q) = %s; want %s", in, got, want)
		}
	}
}
