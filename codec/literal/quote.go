package literal

import "unicode/utf8"

// AppendQuoted appends s to b as a double-quoted string of N-Triples,
// Turtle and the OSLC query syntax (STRING_LITERAL_QUOTE): '"', '\', tab,
// newline and carriage return get their short escapes, the other control
// characters \uXXXX (as canonical N-Triples writes them); every reader of
// those syntaxes reads it back as s.
func AppendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch r {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		default:
			if r < 0x20 || r == 0x7f {
				const hex = "0123456789ABCDEF"
				b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
				continue
			}
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
