package parser

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is a lexical token of the OSLC query parameters.
type token int

// The tokens. Keywords are bare words; a prefixed name always has a colon.
const (
	tokIllegal token = iota // a lexical error; the scanner's Err says why
	tokEof
	tokPname   // dcterms:title; lit is the name as written
	tokIri     // <http://x>; lit is the IRI with \> and \\ unescaped
	tokString  // "abc"; lit is the unescaped value
	tokNumber  // 42, -3.5, 1e3; lit as written
	tokLangtag // @en; lit is the tag
	tokDtype   // ^^
	tokWord    // a bare word that is not a keyword (a prefix in oslc.prefix)
	tokAnd     // and
	tokIn      // in
	tokTrue    // true
	tokFalse   // false
	tokStar    // *
	tokLbrace  // {
	tokRbrace  // }
	tokLbrack  // [
	tokRbrack  // ]
	tokComma   // ,
	tokEq      // =
	tokNeq     // !=
	tokLt      // <
	tokGt      // >
	tokLeq     // <=
	tokGeq     // >=
	tokPlus    // +
	tokMinus   // -
)

var tokenNames = [...]string{
	tokIllegal: "illegal", tokEof: "end of input", tokPname: "prefixed name", tokIri: "IRI",
	tokString: "string", tokNumber: "number", tokLangtag: "language tag", tokDtype: "^^",
	tokWord: "word", tokAnd: "and", tokIn: "in", tokTrue: "true", tokFalse: "false",
	tokStar: "*", tokLbrace: "{", tokRbrace: "}", tokLbrack: "[", tokRbrack: "]", tokComma: ",",
	tokEq: "=", tokNeq: "!=", tokLt: "<", tokGt: ">", tokLeq: "<=", tokGeq: ">=", tokPlus: "+", tokMinus: "-",
}

func (t token) String() string {
	if t >= 0 && int(t) < len(tokenNames) {
		return tokenNames[t]
	}
	return "token(" + strconv.Itoa(int(t)) + ")"
}

// scanner splits a parameter value into tokens. Spaces between tokens are
// skipped. A "<" is the less-than operator after a property (a prefixed
// name, an IRI or "*") and opens an IRI anywhere else, which is how the
// grammar tells "p<5" from "p=<http://x>".
type scanner struct {
	src  string
	off  int   // next byte to read
	prev token // last token returned

	Err    string // after tokIllegal: what is wrong
	ErrPos int    // after tokIllegal: 1-based byte position of the fault
}

// Init prepares s to scan src.
func (s *scanner) Init(src string) {
	*s = scanner{src: src, prev: tokIllegal}
}

// Scan returns the next token, its 1-based byte position and its literal
// text (see token). On a lexical error it returns tokIllegal, and s.Err says
// what is wrong.
func (s *scanner) Scan() (pos int, tok token, lit string) {
	pos, tok, lit = s.scan()
	s.prev = tok
	return pos, tok, lit
}

func (s *scanner) scan() (int, token, string) {
	for s.off < len(s.src) && isSpace(s.src[s.off]) {
		s.off++
	}
	start := s.off
	pos := start + 1
	if s.off >= len(s.src) {
		return pos, tokEof, ""
	}
	c := s.src[s.off]
	switch {
	case c == '"':
		return s.scanString(pos)
	case c == '<':
		if s.prev == tokPname || s.prev == tokIri || s.prev == tokStar {
			if s.peek(1) == '=' {
				s.off += 2
				return pos, tokLeq, "<="
			}
			s.off++
			return pos, tokLt, "<"
		}
		return s.scanIRI(pos)
	case isDigit(c) || (c == '.' && isDigit(s.peek(1))):
		return s.scanNumber(pos)
	case (c == '+' || c == '-') && (isDigit(s.peek(1)) || (s.peek(1) == '.' && isDigit(s.peek(2)))):
		return s.scanNumber(pos)
	case c == '@':
		return s.scanLang(pos)
	}
	if r, _ := utf8.DecodeRuneInString(s.src[s.off:]); c == ':' || c == '_' || isNameStart(r) {
		return s.scanName(pos)
	}
	s.off++
	switch c {
	case '*':
		return pos, tokStar, "*"
	case '{':
		return pos, tokLbrace, "{"
	case '}':
		return pos, tokRbrace, "}"
	case '[':
		return pos, tokLbrack, "["
	case ']':
		return pos, tokRbrack, "]"
	case ',':
		return pos, tokComma, ","
	case '=':
		return pos, tokEq, "="
	case '+':
		return pos, tokPlus, "+"
	case '-':
		return pos, tokMinus, "-"
	case '!':
		if s.peek(0) == '=' {
			s.off++
			return pos, tokNeq, "!="
		}
	case '>':
		if s.peek(0) == '=' {
			s.off++
			return pos, tokGeq, ">="
		}
		return pos, tokGt, ">"
	case '^':
		if s.peek(0) == '^' {
			s.off++
			return pos, tokDtype, "^^"
		}
	}
	s.off = start
	r, n := utf8.DecodeRuneInString(s.src[s.off:])
	s.off += n
	if r == utf8.RuneError && n == 1 {
		return s.illegal(pos, s.src[start:s.off], "invalid UTF-8")
	}
	return s.illegal(pos, s.src[start:s.off], "unexpected "+strconv.Quote(string(r)))
}

func (s *scanner) illegal(pos int, lit, msg string) (int, token, string) {
	s.Err, s.ErrPos = msg, pos
	return pos, tokIllegal, lit
}

// peek returns the byte i bytes ahead, or 0.
func (s *scanner) peek(i int) byte {
	if s.off+i < len(s.src) {
		return s.src[s.off+i]
	}
	return 0
}

// scanString scans string_esc: a double-quoted string in which " and \
// are \-escaped. The escapes \t \n \r \b \f \' \uXXXX \UXXXXXXXX of SPARQL
// are accepted too.
func (s *scanner) scanString(pos int) (int, token, string) {
	start := s.off
	s.off++
	var b strings.Builder
	for {
		if s.off >= len(s.src) {
			return s.illegal(pos, s.src[start:], "unterminated string")
		}
		c := s.src[s.off]
		switch c {
		case '"':
			s.off++
			return pos, tokString, b.String()
		case '\\':
			r, ok := s.escape("\"\\tnrbf'uU")
			if !ok {
				return pos, tokIllegal, s.src[start:s.off]
			}
			b.WriteRune(r)
			continue
		}
		r, n := utf8.DecodeRuneInString(s.src[s.off:])
		if r == utf8.RuneError && n == 1 {
			s.off++
			return s.illegal(s.off, s.src[start:s.off], "invalid UTF-8 in string")
		}
		b.WriteString(s.src[s.off : s.off+n])
		s.off += n
	}
}

// escape decodes the backslash escape at s.off, if its letter is in allowed.
func (s *scanner) escape(allowed string) (rune, bool) {
	at := s.off
	c := s.peek(1)
	s.ErrPos = at + 1
	if c == 0 || c >= utf8.RuneSelf || !strings.ContainsRune(allowed, rune(c)) {
		s.Err = "invalid escape " + strconv.Quote(s.src[at:min(at+2, len(s.src))])
		s.off = min(at+2, len(s.src))
		return 0, false
	}
	s.off += 2
	switch c {
	case 't':
		return '\t', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if s.off+n > len(s.src) {
			s.Err = "invalid escape " + strconv.Quote(s.src[at:])
			s.off = len(s.src)
			return 0, false
		}
		v, err := strconv.ParseUint(s.src[s.off:s.off+n], 16, 32)
		s.off += n
		if err != nil || !utf8.ValidRune(rune(v)) {
			s.Err = "invalid escape " + strconv.Quote(s.src[at:s.off])
			return 0, false
		}
		return rune(v), true
	}
	return rune(c), true
}

// scanIRI scans uri_ref_esc: an IRI in angle brackets in which > and \
// are \-escaped.
func (s *scanner) scanIRI(pos int) (int, token, string) {
	start := s.off
	s.off++
	var b strings.Builder
	for {
		if s.off >= len(s.src) {
			return s.illegal(pos, s.src[start:], "unterminated IRI")
		}
		c := s.src[s.off]
		switch c {
		case '>':
			s.off++
			return pos, tokIri, b.String()
		case '\\':
			r, ok := s.escape(`>\`)
			if !ok {
				return pos, tokIllegal, s.src[start:s.off]
			}
			b.WriteRune(r)
			continue
		}
		r, n := utf8.DecodeRuneInString(s.src[s.off:])
		if r == utf8.RuneError && n == 1 {
			s.off++
			return s.illegal(s.off, s.src[start:s.off], "invalid UTF-8 in IRI")
		}
		b.WriteString(s.src[s.off : s.off+n])
		s.off += n
	}
}

// scanNumber scans [+-]? (digits ("." digits*)? | "." digits) exponent?:
// an XSD decimal, or a double when it has an exponent.
func (s *scanner) scanNumber(pos int) (int, token, string) {
	start := s.off
	if c := s.src[s.off]; c == '+' || c == '-' {
		s.off++
	}
	s.digits()
	if s.peek(0) == '.' {
		s.off++
		s.digits()
	}
	if c := s.peek(0); c == 'e' || c == 'E' {
		save := s.off
		s.off++
		if c := s.peek(0); c == '+' || c == '-' {
			s.off++
		}
		if s.digits() == 0 {
			s.off = save
		}
	}
	return pos, tokNumber, s.src[start:s.off]
}

func (s *scanner) digits() int {
	n := 0
	for s.off < len(s.src) && isDigit(s.src[s.off]) {
		s.off++
		n++
	}
	return n
}

// scanLang scans LANGTAG: "@" [a-zA-Z]+ ("-" [a-zA-Z0-9]+)*.
func (s *scanner) scanLang(pos int) (int, token, string) {
	start := s.off
	s.off++
	n := 0
	for s.off < len(s.src) && isLetter(s.src[s.off]) {
		s.off++
		n++
	}
	if n == 0 {
		return s.illegal(pos, s.src[start:s.off], "expected language tag after @")
	}
	for s.peek(0) == '-' && isAlnum(s.peek(1)) {
		s.off++
		for s.off < len(s.src) && isAlnum(s.src[s.off]) {
			s.off++
		}
	}
	return pos, tokLangtag, s.src[start+1 : s.off]
}

// scanName scans a prefixed name (SPARQL's PNAME_NS or PNAME_LN, with the
// percent and backslash escapes of PN_LOCAL) or a bare word. A name never
// ends with ".".
func (s *scanner) scanName(pos int) (int, token, string) {
	start := s.off
	colon := false
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ':':
			colon = true
			s.off++
		case c == '%':
			if !isHex(s.peek(1)) || !isHex(s.peek(2)) {
				at := s.off + 1
				s.off = min(s.off+3, len(s.src))
				return s.illegal(at, s.src[start:s.off], "invalid percent escape in name")
			}
			s.off += 3
		case c == '\\':
			if _, ok := s.escape(localEscapes); !ok {
				return pos, tokIllegal, s.src[start:s.off]
			}
		case c == '.' || c == '-' || c == '_' || isAlnum(c):
			s.off++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s.src[s.off:])
			if !isNameRune(r) {
				goto done
			}
			s.off += n
		default:
			goto done
		}
	}
done:
	for s.off > start+1 && s.src[s.off-1] == '.' && (s.off < start+2 || s.src[s.off-2] != '\\') {
		s.off--
	}
	lit := s.src[start:s.off]
	if colon {
		if msg := checkPName(lit); msg != "" {
			return s.illegal(pos, lit, msg)
		}
		return pos, tokPname, lit
	}
	switch lit {
	case "and":
		return pos, tokAnd, lit
	case "in":
		return pos, tokIn, lit
	case "true":
		return pos, tokTrue, lit
	case "false":
		return pos, tokFalse, lit
	}
	return pos, tokWord, lit
}

// localEscapes are the characters PN_LOCAL_ESC may escape.
const localEscapes = "_~.-!$&'()*+,;=/?#@%"

// checkPName checks a prefixed name's shape: PN_PREFIX? ":" PN_LOCAL?.
func checkPName(lit string) string {
	prefix, local, _ := strings.Cut(lit, ":")
	if prefix != "" && !isPrefix(prefix) {
		return "invalid prefix " + strconv.Quote(prefix)
	}
	if local == "" {
		return ""
	}
	// PN_LOCAL starts with PN_CHARS_U, ":", a digit or an escape.
	r, _ := utf8.DecodeRuneInString(local)
	if !(isNameStart(r) || r == '_' || r == ':' || ('0' <= r && r <= '9') || r == '%' || r == '\\') {
		return "invalid local name " + strconv.Quote(local)
	}
	return ""
}

// isPrefix reports whether p is a PN_PREFIX: a letter, then letters,
// digits, "_", "-" or ".", not ending with ".".
func isPrefix(p string) bool {
	for i, r := range p {
		if i == 0 {
			if !isNameStart(r) {
				return false
			}
			continue
		}
		if r == ':' || r == '%' || r == '\\' || !(r == '.' || isNameRune(r)) {
			return false
		}
	}
	return p != "" && p[len(p)-1] != '.'
}

// unescapeLocal removes PN_LOCAL's backslash escapes; percent escapes stay,
// as in SPARQL.
func unescapeLocal(local string) string {
	if !strings.Contains(local, `\`) {
		return local
	}
	var b strings.Builder
	for i := 0; i < len(local); i++ {
		if local[i] == '\\' && i+1 < len(local) {
			i++
		}
		b.WriteByte(local[i])
	}
	return b.String()
}

func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool  { return isLetter(c) || isDigit(c) }
func isHex(c byte) bool    { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isNameStart reports whether r is a PN_CHARS_BASE.
func isNameStart(r rune) bool {
	if r < utf8.RuneSelf {
		return isLetter(byte(r))
	}
	return r != utf8.RuneError && r != 0xD7 && r != 0xF7 && unicode.IsLetter(r)
}

// isNameRune reports whether r may continue a name (PN_CHARS).
func isNameRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isAlnum(byte(r)) || r == '_' || r == '-'
	}
	return isNameStart(r) || r == 0xB7 || (r >= 0x300 && r <= 0x36F) || r == 0x203F || r == 0x2040 || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
