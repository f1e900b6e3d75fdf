package codec

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

const (
	xmlNS   = "http://www.w3.org/XML/1998/namespace"
	xmlnsNS = "http://www.w3.org/2000/xmlns/"
)

// xmlName is a namespace-resolved XML name that keeps its prefix, which
// XML literals need.
type xmlName struct {
	Prefix, Local string
	Space         string // namespace IRI, "" for none
}

func (n xmlName) qname() string {
	if n.Prefix == "" {
		return n.Local
	}
	return n.Prefix + ":" + n.Local
}

type xmlAttr struct {
	Name  xmlName
	Value string
}

// xmlStart is a start tag with its names resolved. Namespace declarations
// are not among Attr.
type xmlStart struct {
	Name xmlName
	Attr []xmlAttr
}

// xmlTokenizer reads XML tokens with RawToken and does namespace
// processing itself, so that prefixes survive for XML literals. It checks
// that end tags match and bounds nesting depth.
type xmlTokenizer struct {
	d     *xml.Decoder
	ns    []nsBinding // in-scope declarations, innermost last
	stack []openElem
	// maxDepth bounds the element nesting.
	maxDepth int
	// rooted says that the document element has started.
	rooted bool
}

type nsBinding struct{ prefix, uri string }

type openElem struct {
	raw  xml.Name
	mark int // len(ns) before this element's declarations
}

// xmlError is an error with the position of the tokenizer.
type xmlError struct {
	line, col int
	msg       string
}

func (e *xmlError) Error() string { return e.msg }

func newXMLTokenizer(data []byte, maxDepth int) *xmlTokenizer {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = charsetReader
	return &xmlTokenizer{d: d, maxDepth: maxDepth}
}

func (z *xmlTokenizer) errorf(format string, args ...any) error {
	line, col := z.d.InputPos()
	return &xmlError{line: line, col: col, msg: fmt.Sprintf(format, args...)}
}

// lookup returns the namespace bound to prefix.
func (z *xmlTokenizer) lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return xmlNS, true
	}
	for i := len(z.ns) - 1; i >= 0; i-- {
		if z.ns[i].prefix == prefix {
			return z.ns[i].uri, true
		}
	}
	return "", prefix == ""
}

// next returns the next token: an xmlStart, xml.EndElement, xml.CharData
// (a copy), xml.Comment, xml.ProcInst or xml.Directive; io.EOF at the end.
func (z *xmlTokenizer) next() (any, error) {
	tok, err := z.d.RawToken()
	if err != nil {
		if err == io.EOF {
			if len(z.stack) > 0 {
				return nil, z.errorf("unexpected end of document: <%s> is not closed", rawQName(z.stack[len(z.stack)-1].raw))
			}
			return nil, io.EOF
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, &xmlError{line: se.Line, msg: "malformed XML: " + se.Msg}
		}
		return nil, z.errorf("malformed XML: %v", err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		return z.start(t)
	case xml.EndElement:
		if len(z.stack) == 0 {
			return nil, z.errorf("unexpected end tag </%s>", rawQName(t.Name))
		}
		top := z.stack[len(z.stack)-1]
		if top.raw != t.Name {
			return nil, z.errorf("end tag </%s> does not match <%s>", rawQName(t.Name), rawQName(top.raw))
		}
		z.stack = z.stack[:len(z.stack)-1]
		z.ns = z.ns[:top.mark]
		return t, nil
	case xml.CharData:
		return xml.CharData(bytes.Clone(t)), nil
	case xml.Directive:
		if z.rooted {
			return nil, z.errorf("<!%s> inside the document element: a DOCTYPE must come before it", shorten(string(t)))
		}
		return xml.CopyToken(t), nil
	case xml.Comment, xml.ProcInst:
		return xml.CopyToken(t), nil
	}
	return nil, z.errorf("unexpected XML token %T", tok)
}

func (z *xmlTokenizer) start(t xml.StartElement) (any, error) {
	if len(z.stack) >= z.maxDepth {
		return nil, &tooDeepError{depth: z.maxDepth}
	}
	z.rooted = true
	mark := len(z.ns)
	for _, a := range t.Attr {
		switch {
		case a.Name.Space == "xmlns":
			if a.Value == "" {
				return nil, z.errorf("namespace prefix %q cannot be undeclared in XML 1.0", a.Name.Local)
			}
			if a.Name.Local == "xmlns" || (a.Name.Local == "xml") != (a.Value == xmlNS) || a.Value == xmlnsNS {
				return nil, z.errorf("invalid namespace declaration xmlns:%s=%q", a.Name.Local, a.Value)
			}
			z.ns = append(z.ns, nsBinding{a.Name.Local, a.Value})
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			z.ns = append(z.ns, nsBinding{"", a.Value})
		}
	}
	z.stack = append(z.stack, openElem{raw: t.Name, mark: mark})
	name, err := z.resolve(t.Name, true)
	if err != nil {
		return nil, err
	}
	s := xmlStart{Name: name}
	seen := make(map[[2]string]bool, len(t.Attr))
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		n, err := z.resolve(a.Name, false)
		if err != nil {
			return nil, err
		}
		k := [2]string{n.Space, n.Local}
		if seen[k] {
			return nil, z.errorf("duplicate attribute %s", n.qname())
		}
		seen[k] = true
		s.Attr = append(s.Attr, xmlAttr{Name: n, Value: a.Value})
	}
	return s, nil
}

// resolve maps a raw name to its namespace. Unprefixed attributes have no
// namespace; unprefixed elements take the default namespace.
func (z *xmlTokenizer) resolve(n xml.Name, elem bool) (xmlName, error) {
	if strings.Contains(n.Local, ":") || n.Local == "" {
		return xmlName{}, z.errorf("invalid XML name %q", rawQName(n))
	}
	if n.Space == "" && !elem {
		return xmlName{Local: n.Local}, nil
	}
	uri, ok := z.lookup(n.Space)
	if !ok {
		return xmlName{}, z.errorf("namespace prefix %q of <%s> is not declared", n.Space, rawQName(n))
	}
	return xmlName{Prefix: n.Space, Local: n.Local, Space: uri}, nil
}

func rawQName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

type tooDeepError struct{ depth int }

func (e *tooDeepError) Error() string {
	return fmt.Sprintf("elements nested more than %d deep", e.depth)
}

// charsetReader decodes the single-byte encodings that RDF/XML documents
// declare besides UTF-8.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii":
		return &latin1Reader{r: bufio.NewReader(r)}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (use UTF-8)", charset)
}

type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(l.buf) > 0 {
			c := copy(p[n:], l.buf)
			l.buf, n = l.buf[c:], n+c
			continue
		}
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		l.buf = utf8.AppendRune(l.buf[:0], rune(b))
	}
	return n, nil
}

// Internal DTD subsets are used in the wild to abbreviate namespace IRIs
// (rdf:about="&owl;Thing"). Internal general entities whose values are
// plain text are supported; the expansion they cause is bounded by the
// caller. Everything else an entity can do is refused rather than skipped,
// so that no declaration is half-understood: parameter entities, external
// entities (the parser never reads a file or a URL), and values with
// markup or references. Other declarations are skipped.
const (
	maxEntities     = 64
	maxEntityLength = 1024
)

// parseDoctype returns the general entities a DOCTYPE directive declares
// ("DOCTYPE name [ExternalID] ['[' intSubset ']']", with comments already
// replaced by spaces by encoding/xml). An external DTD subset is not read.
func parseDoctype(d []byte) (map[string]string, error) {
	sc := &dtdScanner{s: d}
	if !sc.keyword("DOCTYPE") || !sc.space() || sc.name() == "" {
		return nil, fmt.Errorf("malformed DOCTYPE: want DOCTYPE and the document element's name")
	}
	sc.space()
	if sc.keyword("SYSTEM") || sc.keyword("PUBLIC") && sc.space() && sc.quoted() != nil {
		if !sc.space() || sc.quoted() == nil {
			return nil, fmt.Errorf("malformed DOCTYPE: want the external DTD's quoted system identifier")
		}
		sc.space()
	}
	ents := map[string]string{}
	if sc.peek() == '[' {
		sc.i++
		if err := sc.internalSubset(ents); err != nil {
			return nil, err
		}
		sc.space()
	}
	if sc.i < len(sc.s) {
		return nil, fmt.Errorf("malformed DOCTYPE: unexpected %q", shorten(string(sc.s[sc.i:])))
	}
	return ents, nil
}

type dtdScanner struct {
	s []byte
	i int
}

func (sc *dtdScanner) peek() byte {
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

// space skips white space and reports whether there was any.
func (sc *dtdScanner) space() bool {
	start := sc.i
	for sc.i < len(sc.s) && isXMLSpace(sc.s[sc.i:sc.i+1]) {
		sc.i++
	}
	return sc.i > start
}

func (sc *dtdScanner) keyword(k string) bool {
	if bytes.HasPrefix(sc.s[sc.i:], []byte(k)) {
		sc.i += len(k)
		return true
	}
	return false
}

// name reads an XML name (loosely: up to white space or a delimiter).
func (sc *dtdScanner) name() string {
	start := sc.i
	for sc.i < len(sc.s) && !isXMLSpace(sc.s[sc.i:sc.i+1]) && !strings.ContainsRune(`"'<>[]%;`, rune(sc.s[sc.i])) {
		sc.i++
	}
	return string(sc.s[start:sc.i])
}

// quoted reads a quoted literal and returns its content, or nil.
func (sc *dtdScanner) quoted() []byte {
	q := sc.peek()
	if q != '"' && q != '\'' {
		return nil
	}
	end := bytes.IndexByte(sc.s[sc.i+1:], q)
	if end < 0 {
		return nil
	}
	v := sc.s[sc.i+1 : sc.i+1+end]
	sc.i += end + 2
	return v
}

// internalSubset reads declarations up to the closing ']'.
func (sc *dtdScanner) internalSubset(ents map[string]string) error {
	for {
		sc.space()
		switch {
		case sc.i >= len(sc.s):
			return fmt.Errorf("malformed DOCTYPE: the internal subset is not closed with ']'")
		case sc.peek() == ']':
			sc.i++
			return nil
		case sc.peek() == '%':
			return fmt.Errorf("DOCTYPE: parameter entity references are not supported")
		case sc.keyword("<?"):
			end := bytes.Index(sc.s[sc.i:], []byte("?>"))
			if end < 0 {
				return fmt.Errorf("malformed DOCTYPE: unterminated processing instruction")
			}
			sc.i += end + 2
		case sc.keyword("<!ENTITY"):
			if err := sc.entity(ents); err != nil {
				return err
			}
		case sc.keyword("<!ELEMENT"), sc.keyword("<!ATTLIST"), sc.keyword("<!NOTATION"):
			if err := sc.skipDecl(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("malformed DOCTYPE: unexpected %q in the internal subset", shorten(string(sc.s[sc.i:])))
		}
	}
}

// entity reads the rest of an ENTITY declaration.
func (sc *dtdScanner) entity(ents map[string]string) error {
	if !sc.space() {
		return fmt.Errorf("malformed DOCTYPE: want a name after <!ENTITY")
	}
	if sc.peek() == '%' {
		return fmt.Errorf("DOCTYPE: parameter entities are not supported")
	}
	name := sc.name()
	if name == "" || !sc.space() {
		return fmt.Errorf("malformed DOCTYPE: want an entity name and its value")
	}
	if sc.keyword("SYSTEM") || sc.keyword("PUBLIC") {
		return fmt.Errorf("DOCTYPE: external entity %q is not supported (the parser reads no files or URLs)", name)
	}
	v := sc.quoted()
	if v == nil {
		return fmt.Errorf("malformed DOCTYPE: want the quoted value of entity %q", name)
	}
	sc.space()
	if !sc.keyword(">") {
		return fmt.Errorf("malformed DOCTYPE: entity %q: want '>' after its value", name)
	}
	if bytes.ContainsAny(v, "<&%") {
		return fmt.Errorf("DOCTYPE: entity %q: values with markup or references are not supported", name)
	}
	if len(ents) >= maxEntities || len(v) > maxEntityLength {
		return fmt.Errorf("DOCTYPE declares too many or too long entities (at most %d of %d bytes)", maxEntities, maxEntityLength)
	}
	if _, ok := ents[name]; !ok { // XML: the first declaration binds
		ents[name] = string(v)
	}
	return nil
}

// skipDecl skips an ELEMENT, ATTLIST or NOTATION declaration.
func (sc *dtdScanner) skipDecl() error {
	for sc.i < len(sc.s) {
		switch sc.peek() {
		case '>':
			sc.i++
			return nil
		case '"', '\'':
			if sc.quoted() == nil {
				return fmt.Errorf("malformed DOCTYPE: unterminated quoted literal")
			}
		case '%':
			return fmt.Errorf("DOCTYPE: parameter entity references are not supported")
		default:
			sc.i++
		}
	}
	return fmt.Errorf("malformed DOCTYPE: unterminated declaration")
}

// isXMLChar reports whether r is a character XML 1.0 allows.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// firstNonXMLChar returns the index of the first rune of s that XML 1.0
// forbids, or -1.
func firstNonXMLChar(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, w := utf8.DecodeRuneInString(s[i:]); w == 1 {
				return i
			}
		}
		if !isXMLChar(r) {
			return i
		}
	}
	return -1
}

// isXMLSpace reports whether s is only XML white space.
func isXMLSpace(s []byte) bool {
	for _, c := range s {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}
