package codec

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/knakk/rdf"
)

// decodeTurtle parses Turtle 1.1, or N-Triples (its line-based subset)
// when nt is set. It is a hand-written recursive descent parser: one method
// per grammar production, named after it.
func decodeTurtle(data []byte, base string, nt bool) (g []rdf.Triple, err error) {
	p := &ttlParser{src: data, nt: nt, base: stripFragment(base), line: 1,
		prefixes: map[string]string{}, bnodes: map[string]rdf.Term{},
		triples: make([]rdf.Triple, 0, min(len(data)/48+1, 1024))}
	p.format = Turtle
	if nt {
		p.format = NTriples
	}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, w := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && w == 1 {
				p.advanceTo(i)
				p.fail("invalid UTF-8")
			}
			i += w
		}
	}
	p.turtleDoc()
	return p.triples, nil
}

type ttlParser struct {
	src       []byte
	pos       int
	line      int // line of pos, 1-based
	lineStart int // offset of the start of that line
	nt        bool
	format    Format
	base      string
	prefixes  map[string]string
	bnodes    map[string]rdf.Term // document label → blank node
	nblank    int
	depth     int
	triples   []rdf.Triple
}

// fail reports a syntax error at the current position.
func (p *ttlParser) fail(format string, args ...any) {
	col := utf8.RuneCount(p.src[p.lineStart:p.pos]) + 1
	panic(bailout{&SyntaxError{Format: p.format, Line: p.line, Column: col, Msg: fmt.Sprintf(format, args...)}})
}

// advanceTo moves to offset i, counting lines.
func (p *ttlParser) advanceTo(i int) {
	for ; p.pos < i; p.pos++ {
		if p.src[p.pos] == '\n' {
			p.line++
			p.lineStart = p.pos + 1
		}
	}
}

func (p *ttlParser) eof() bool { return p.pos >= len(p.src) }

// peek returns the next byte, or 0 at the end.
func (p *ttlParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func (p *ttlParser) peekAt(i int) byte {
	if p.pos+i >= len(p.src) {
		return 0
	}
	return p.src[p.pos+i]
}

func (p *ttlParser) peekRune() rune {
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	return r
}

// found describes the input at the current position, for errors.
func (p *ttlParser) found() string {
	if p.eof() {
		return "end of input"
	}
	end := p.pos
	for n := 0; end < len(p.src) && n < 12; n++ {
		r, w := utf8.DecodeRune(p.src[end:])
		if r == '\n' || r == '\r' {
			break
		}
		end += w
	}
	return strconv.Quote(string(p.src[p.pos:end]))
}

// ws skips white space and comments.
func (p *ttlParser) ws() {
	for !p.eof() {
		switch p.src[p.pos] {
		case ' ', '\t', '\r':
			p.pos++
		case '\n':
			p.pos++
			p.line++
			p.lineStart = p.pos
		case '#':
			for !p.eof() && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *ttlParser) expect(c byte, what string) {
	p.ws()
	if p.peek() != c {
		p.fail("expected %q %s, found %s", c, what, p.found())
	}
	p.pos++
}

func (p *ttlParser) emit(s rdf.Subject, pr rdf.Predicate, o rdf.Object) {
	if len(p.triples) >= MaxTriples {
		panic(bailout{tooLarge(p.format, "more than %d triples", MaxTriples)})
	}
	p.triples = append(p.triples, rdf.Triple{Subj: s, Pred: pr, Obj: o})
}

// newBlank returns the document's next blank node, as a term (an rdf.Blank).
func (p *ttlParser) newBlank() rdf.Term {
	b := docBlank(p.nblank)
	p.nblank++
	return b
}

// firstBlanks are the blank nodes b0, b1, ... that most documents have,
// made once.
var firstBlanks = func() []rdf.Term {
	bs := make([]rdf.Term, 64)
	for i := range bs {
		bs[i] = newBlank("b" + strconv.Itoa(i))
	}
	return bs
}()

// docBlank returns the blank node bi, the i-th label a decoder gives, as a
// term (an rdf.Blank).
func docBlank(i int) rdf.Term {
	if i < len(firstBlanks) {
		return firstBlanks[i]
	}
	return newBlank("b" + strconv.Itoa(i))
}

func (p *ttlParser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		panic(bailout{tooLarge(p.format, "blank node property lists or collections nested more than %d deep", MaxDepth)})
	}
}

// turtleDoc ::= statement*
func (p *ttlParser) turtleDoc() {
	for {
		p.ws()
		if p.eof() {
			return
		}
		p.statement()
	}
}

// statement ::= directive | triples '.'
func (p *ttlParser) statement() {
	if !p.nt {
		if p.peek() == '@' {
			switch {
			case p.keyword("@prefix", true):
				p.prefixID(true)
				return
			case p.keyword("@base", true):
				p.baseDecl(true)
				return
			}
			p.fail("unknown directive %s (expected @prefix or @base)", p.found())
		}
		switch {
		case p.keyword("PREFIX", false):
			p.prefixID(false)
			return
		case p.keyword("BASE", false):
			p.baseDecl(false)
			return
		}
	}
	p.triples1()
	p.expect('.', "at the end of the triples")
}

// keyword consumes kw if it is next, followed by something other than a
// name character or colon; SPARQL-style keywords ignore case.
func (p *ttlParser) keyword(kw string, exact bool) bool {
	end := p.pos + len(kw)
	if end > len(p.src) {
		return false
	}
	s := string(p.src[p.pos:end])
	if exact && s != kw || !exact && !strings.EqualFold(s, kw) {
		return false
	}
	if end < len(p.src) {
		r, w := utf8.DecodeRune(p.src[end:])
		if isPNChars(r) || r == ':' {
			return false
		}
		if r == '.' && end+w < len(p.src) {
			// "a.b:c" is a prefixed name; "true." ends a statement.
			if n, _ := utf8.DecodeRune(p.src[end+w:]); isPNChars(n) || n == ':' || n == '.' {
				return false
			}
		}
	}
	p.pos = end
	return true
}

// prefixID ::= '@prefix' PNAME_NS IRIREF '.'
// sparqlPrefix ::= "PREFIX" PNAME_NS IRIREF
func (p *ttlParser) prefixID(dot bool) {
	p.ws()
	prefix := p.pnPrefix()
	if p.peek() != ':' {
		p.fail("expected a prefix name and ':' in prefix declaration, found %s", p.found())
	}
	p.pos++
	p.ws()
	p.prefixes[string(prefix)] = p.iriRef().String()
	if dot {
		p.expect('.', "after @prefix declaration")
	}
}

// base ::= '@base' IRIREF '.'
// sparqlBase ::= "BASE" IRIREF
func (p *ttlParser) baseDecl(dot bool) {
	p.ws()
	p.base = stripFragment(p.iriRef().String())
	if dot {
		p.expect('.', "after @base declaration")
	}
}

// triples ::= subject predicateObjectList | blankNodePropertyList predicateObjectList?
func (p *ttlParser) triples1() {
	p.ws()
	if p.peek() == '[' && !p.nt {
		s, anon := p.blankNodePropertyList()
		p.ws()
		if anon || p.peek() != '.' {
			p.predicateObjectList(s.(rdf.Subject))
		}
		return
	}
	p.predicateObjectList(p.subject())
}

// subject ::= iri | BlankNode | collection
func (p *ttlParser) subject() rdf.Subject {
	p.ws()
	switch c := p.peek(); {
	case c == '<':
		return p.iriTerm().(rdf.Subject)
	case c == '_' && p.peekAt(1) == ':':
		return p.blankNodeLabel().(rdf.Subject)
	case c == '(' && !p.nt:
		return p.collection().(rdf.Subject)
	case !p.nt && (c == ':' || isPNCharsBase(p.peekRune())):
		return p.prefixedName().(rdf.Subject)
	}
	p.fail("expected a subject (IRI or blank node), found %s", p.found())
	return nil
}

// predicateObjectList ::= verb objectList (';' (verb objectList)?)*
func (p *ttlParser) predicateObjectList(s rdf.Subject) {
	p.objectList(s, p.verb())
	if p.nt {
		return
	}
	for {
		p.ws()
		if p.peek() != ';' {
			return
		}
		p.pos++
		p.ws()
		switch p.peek() {
		case ';', '.', ']', 0:
			continue
		}
		p.objectList(s, p.verb())
	}
}

// verb ::= predicate | 'a'
func (p *ttlParser) verb() rdf.Predicate {
	p.ws()
	switch c := p.peek(); {
	case c == '<':
		return p.iriTerm().(rdf.Predicate)
	case p.nt:
	case c == 'a' && p.keyword("a", true):
		return typePredicate
	case c == ':' || isPNCharsBase(p.peekRune()):
		return p.prefixedName().(rdf.Predicate)
	}
	p.fail("expected a predicate IRI, found %s", p.found())
	return nil
}

// objectList ::= object (',' object)*
func (p *ttlParser) objectList(s rdf.Subject, pr rdf.Predicate) {
	p.emit(s, pr, p.object())
	if p.nt {
		return
	}
	for {
		p.ws()
		if p.peek() != ',' {
			return
		}
		p.pos++
		p.emit(s, pr, p.object())
	}
}

// object ::= iri | BlankNode | collection | blankNodePropertyList | literal
func (p *ttlParser) object() rdf.Object {
	p.ws()
	switch c := p.peek(); {
	case c == '<':
		return p.iriTerm().(rdf.Object)
	case c == '_' && p.peekAt(1) == ':':
		return p.blankNodeLabel().(rdf.Object)
	case c == '"' || c == '\'' && !p.nt:
		return p.rdfLiteral()
	case p.nt:
	case c == '[':
		b, _ := p.blankNodePropertyList()
		return b.(rdf.Object)
	case c == '(':
		return p.collection()
	case c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' && p.peekAt(1) >= '0' && p.peekAt(1) <= '9':
		return p.numericLiteral()
	case p.keyword("true", true):
		return newLiteral("true", xsdBoolean, "")
	case p.keyword("false", true):
		return newLiteral("false", xsdBoolean, "")
	case c == ':' || isPNCharsBase(p.peekRune()):
		return p.prefixedName().(rdf.Object)
	}
	p.fail("expected an object (IRI, blank node or literal), found %s", p.found())
	return nil
}

// blankNodePropertyList ::= '[' predicateObjectList ']'
// ANON ::= '[' WS* ']'
func (p *ttlParser) blankNodePropertyList() (b rdf.Term, anon bool) {
	p.enter()
	defer func() { p.depth-- }()
	p.pos++ // '['
	b = p.newBlank()
	p.ws()
	if p.peek() == ']' {
		p.pos++
		return b, true
	}
	p.predicateObjectList(b.(rdf.Subject))
	p.expect(']', "at the end of the blank node property list")
	return b, false
}

// collection ::= '(' object* ')'
func (p *ttlParser) collection() rdf.Object {
	p.enter()
	defer func() { p.depth-- }()
	p.pos++ // '('
	var items []rdf.Object
	for {
		p.ws()
		if p.peek() == ')' {
			p.pos++
			break
		}
		if p.eof() {
			p.fail("expected ')' at the end of the collection, found end of input")
		}
		items = append(items, p.object())
	}
	if len(items) == 0 {
		return nilObject
	}
	head := p.newBlank()
	node := head
	for i, item := range items {
		p.emit(node.(rdf.Subject), firstPredicate, item)
		if i == len(items)-1 {
			p.emit(node.(rdf.Subject), restPredicate, nilObject)
		} else {
			next := p.newBlank()
			p.emit(node.(rdf.Subject), restPredicate, next.(rdf.Object))
			node = next
		}
	}
	return head.(rdf.Object)
}

// iriRef reads and resolves IRIREF ::= '<' ([^#x00-#x20<>"{}|^`\] | UCHAR)* '>'
func (p *ttlParser) iriRef() rdf.IRI {
	if p.peek() != '<' {
		p.fail("expected an IRI in '<' '>', found %s", p.found())
	}
	start := p.pos
	p.pos++
	// The IRI is the text between the brackets, unless it escapes
	// characters: then b holds it, up to seg.
	var b []byte
	seg := p.pos
	for {
		if p.eof() {
			p.fail("unterminated IRI (missing '>')")
		}
		r, w := utf8.DecodeRune(p.src[p.pos:])
		switch {
		case r == '>':
			var ref string
			if b == nil {
				ref = string(p.src[seg:p.pos])
			} else {
				ref = string(append(b, p.src[seg:p.pos]...))
			}
			p.pos++
			if p.nt && !hasScheme(ref) {
				p.pos = start
				p.fail("relative IRI <%s> is not allowed in N-Triples", ref)
			}
			s, err := resolveIRI(p.base, ref)
			if err != nil {
				p.pos = start
				p.fail("%v", err)
			}
			return newIRI(s)
		case r == '\\':
			b = append(b, p.src[seg:p.pos]...)
			r = p.uchar()
			if forbiddenInIRI(r) {
				p.fail("escaped character %q is not allowed in an IRI", r)
			}
			b = utf8.AppendRune(b, r)
			seg = p.pos
			continue
		case forbiddenInIRI(r):
			p.fail("character %q is not allowed in an IRI", r)
		}
		p.pos += w
	}
}

// uchar reads UCHAR ::= '\u' HEX{4} | '\U' HEX{8} at a backslash.
func (p *ttlParser) uchar() rune {
	n := 0
	switch p.peekAt(1) {
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		p.fail("invalid escape sequence (expected \\u or \\U)")
	}
	if p.pos+2+n > len(p.src) {
		p.fail("truncated \\%c escape sequence", p.peekAt(1))
	}
	v, err := strconv.ParseUint(string(p.src[p.pos+2:p.pos+2+n]), 16, 32)
	if err != nil || v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF {
		p.fail("invalid \\%c escape sequence %q", p.peekAt(1), p.src[p.pos:p.pos+2+n])
	}
	p.pos += 2 + n
	return rune(v)
}

// blankNodeLabel reads BLANK_NODE_LABEL ::= '_:' (PN_CHARS_U | [0-9]) ((PN_CHARS | '.')* PN_CHARS)?
func (p *ttlParser) blankNodeLabel() rdf.Term {
	p.pos += 2
	start := p.pos
	r := p.peekRune()
	if p.eof() || !(isPNCharsU(r) || r >= '0' && r <= '9') {
		p.fail("invalid blank node label")
	}
	p.nameRun()
	b, ok := p.bnodes[string(p.src[start:p.pos])]
	if !ok {
		b = p.newBlank()
		p.bnodes[string(p.src[start:p.pos])] = b
	}
	return b
}

// nameRun consumes (PN_CHARS | '.')* not ending in '.'.
func (p *ttlParser) nameRun() {
	for !p.eof() {
		r, w := utf8.DecodeRune(p.src[p.pos:])
		if r == '.' {
			if n, _ := utf8.DecodeRune(p.src[p.pos+1:]); p.pos+1 < len(p.src) && (isPNChars(n) || n == '.') {
				p.pos += w
				continue
			}
			return
		}
		if !isPNChars(r) {
			return
		}
		p.pos += w
	}
}

// pnPrefix reads PN_PREFIX ::= PN_CHARS_BASE ((PN_CHARS | '.')* PN_CHARS)?
// which may be empty. It aliases the source.
func (p *ttlParser) pnPrefix() []byte {
	start := p.pos
	if !p.eof() && isPNCharsBase(p.peekRune()) {
		p.nameRun()
	}
	return p.src[start:p.pos:p.pos]
}

// prefixedName reads PNAME_LN ::= PNAME_NS PN_LOCAL or PNAME_NS, as a
// term (an rdf.IRI).
func (p *ttlParser) prefixedName() rdf.Term {
	start := p.pos
	prefix := p.pnPrefix()
	if p.peek() != ':' {
		p.pos = start
		p.fail("expected a prefixed name, found %s", p.found())
	}
	p.pos++
	local := p.pnLocal()
	ns, ok := p.prefixes[string(prefix)]
	if !ok {
		p.pos = start
		p.fail("prefix %q is not declared", string(prefix)+":")
	}
	if t, ok := interned.get(ns, local); ok {
		return t
	}
	s := ns + string(local)
	if err := validIRI(s); err != nil {
		p.pos = start
		p.fail("prefixed name %s:%s: %v", prefix, local, err)
	}
	t := rdf.Term(newIRI(s))
	interned.put(ns, s[len(ns):], t)
	return t
}

// iriTerm reads an IRIREF, as iriRef does, as a term (an rdf.IRI).
func (p *ttlParser) iriTerm() rdf.Term {
	// An absolute IRI with no escapes is itself: the same as the last
	// time, and valid if it was.
	end := p.pos + 1
	for end < len(p.src) && p.src[end] != '>' && p.src[end] != '\\' && p.src[end] > ' ' {
		end++
	}
	if end < len(p.src) && p.src[end] == '>' {
		text := p.src[p.pos+1 : end]
		if t, ok := interned.get("", text); ok {
			p.pos = end + 1
			return t
		}
		iri := p.iriRef()
		t := rdf.Term(iri)
		if hasScheme(iri.String()) && iri.String() == string(text) {
			interned.put("", iri.String(), t)
		}
		return t
	}
	return p.iriRef()
}

// Terms the decoder names, made once.
var (
	typePredicate  rdf.Predicate = newIRI(rdfType)
	firstPredicate rdf.Predicate = newIRI(rdfFirst)
	restPredicate  rdf.Predicate = newIRI(rdfRest)
	nilObject      rdf.Object    = newIRI(rdfNil)
)

// interned are IRIs that documents named, by prefixed name (namespace and
// local name) or in full (namespace ""), made into terms once: a document
// names the same vocabulary over and over, and documents name the same
// ones, and each use would cost the IRI's string and the term. Documents
// are not trusted: it keeps short IRIs only, and stops growing when full.
var interned internTable

type internTable struct {
	mu   sync.RWMutex
	m    map[string]map[string]rdf.Term
	full atomic.Bool
	n    int
}

const (
	maxInterned    = 4096 // IRIs and namespaces
	maxInternedLen = 256  // bytes of an IRI
)

// get returns the term of ns and local, if kept.
func (t *internTable) get(ns string, local []byte) (rdf.Term, bool) {
	t.mu.RLock()
	v, ok := t.m[ns][string(local)]
	t.mu.RUnlock()
	return v, ok
}

// put keeps v as the term of ns and local, if there is room.
func (t *internTable) put(ns, local string, v rdf.Term) {
	if t.full.Load() || len(ns)+len(local) > maxInternedLen {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = make(map[string]map[string]rdf.Term)
	}
	byLocal := t.m[ns]
	if byLocal == nil {
		byLocal = make(map[string]rdf.Term)
		t.m[ns] = byLocal
		t.n++
	}
	if _, ok := byLocal[local]; !ok {
		byLocal[local] = v
		t.n++
	}
	if t.n >= maxInterned {
		t.full.Store(true)
	}
}

// pnLocal reads PN_LOCAL, unescaping PN_LOCAL_ESC; PERCENT stays as is:
//
//	PN_LOCAL ::= (PN_CHARS_U | ':' | [0-9] | PLX) ((PN_CHARS | '.' | ':' | PLX)* (PN_CHARS | ':' | PLX))?
//
// The name is the source text unless it escapes characters: then it is
// built apart (b, the text up to seg). It may alias the source.
func (p *ttlParser) pnLocal() []byte {
	var b []byte
	seg := p.pos
	name := func() []byte {
		if b == nil {
			return p.src[seg:p.pos:p.pos]
		}
		return append(b, p.src[seg:p.pos]...)
	}
	first := true
	for !p.eof() {
		r, w := utf8.DecodeRune(p.src[p.pos:])
		switch {
		case r == '%':
			if !isHex(p.peekAt(1)) || !isHex(p.peekAt(2)) {
				p.fail("invalid percent-encoding in local name")
			}
			p.pos += 3
		case r == '\\':
			c := p.peekAt(1)
			if !strings.ContainsRune("_~.-!$&'()*+,;=/?#@%", rune(c)) || c == 0 {
				p.fail("invalid escape in local name")
			}
			b = append(append(b, p.src[seg:p.pos]...), c)
			p.pos += 2
			seg = p.pos
		case r == '.' && !first:
			// A dot may not end the name: look past the run of dots.
			j := p.pos
			for j < len(p.src) && p.src[j] == '.' {
				j++
			}
			n, _ := utf8.DecodeRune(p.src[j:])
			if j >= len(p.src) || !(isPNChars(n) || n == ':' || n == '%' || n == '\\') {
				return name()
			}
			p.pos = j
		case isPNCharsU(r) || r == ':' || r >= '0' && r <= '9' || !first && isPNChars(r):
			p.pos += w
		default:
			return name()
		}
		first = false
	}
	return name()
}

// rdfLiteral ::= String (LANGTAG | '^^' iri)?
func (p *ttlParser) rdfLiteral() rdf.Literal {
	s := p.stringLit()
	switch {
	case p.peek() == '@':
		p.pos++
		start := p.pos
		for !p.eof() && (isAlnum(p.peek()) || p.peek() == '-') {
			p.pos++
		}
		lang := string(p.src[start:p.pos])
		if !isLangTag(lang) {
			p.pos = start
			p.fail("invalid language tag %q", lang)
		}
		return newLiteral(s, "", lang)
	case p.peek() == '^' && p.peekAt(1) == '^':
		p.pos += 2
		var dt rdf.IRI
		if p.peek() == '<' || p.nt {
			dt = p.iriRef()
		} else {
			dt = p.prefixedName().(rdf.IRI)
		}
		if dt.String() == rdfLangString {
			p.fail("rdf:langString literals need a language tag")
		}
		return newLiteral(s, dt.String(), "")
	}
	return newLiteral(s, "", "")
}

// stringLit reads any of the four Turtle string forms (only the first in
// N-Triples), unescaping ECHAR and UCHAR.
func (p *ttlParser) stringLit() string {
	q := p.peek()
	long := !p.nt && p.peekAt(1) == q && p.peekAt(2) == q
	start, line, lineStart := p.pos, p.line, p.lineStart
	if long {
		p.pos += 3
	} else {
		p.pos++
	}
	// The string is the source text unless it has escapes: then b holds
	// it, up to seg.
	var b []byte
	seg := p.pos
	str := func(end int) string {
		if b == nil {
			return string(p.src[seg:end])
		}
		return string(append(b, p.src[seg:end]...))
	}
	for {
		if p.eof() {
			p.pos, p.line, p.lineStart = start, line, lineStart
			p.fail("unterminated string")
		}
		r, w := utf8.DecodeRune(p.src[p.pos:])
		switch {
		case r == rune(q) && !long:
			p.pos++
			return str(p.pos - 1)
		case r == rune(q) && p.peekAt(1) == q && p.peekAt(2) == q:
			// A long string ends at the last of a run of quotes.
			for p.peekAt(3) == q {
				p.pos++
			}
			p.pos += 3
			return str(p.pos - 3)
		case r == '\\':
			b = append(b, p.src[seg:p.pos]...)
			switch c := p.peekAt(1); c {
			case 't', 'b', 'n', 'r', 'f', '"', '\'', '\\':
				b = append(b, echar[c])
				p.pos += 2
			default:
				b = utf8.AppendRune(b, p.uchar())
			}
			seg = p.pos
			continue
		case (r == '\n' || r == '\r') && !long:
			p.fail("newline in string (use \\n, or a \"\"\"long string\"\"\")")
		case r == '\n':
			p.line++
			p.lineStart = p.pos + 1
		}
		p.pos += w
	}
}

// echar maps the character after a backslash in ECHAR to what it stands
// for.
var echar = [256]byte{'t': '\t', 'b': '\b', 'n': '\n', 'r': '\r', 'f': '\f', '"': '"', '\'': '\'', '\\': '\\'}

// numericLiteral reads INTEGER, DECIMAL or DOUBLE.
func (p *ttlParser) numericLiteral() rdf.Literal {
	start := p.pos
	if c := p.peek(); c == '+' || c == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for !p.eof() && p.peek() >= '0' && p.peek() <= '9' {
			p.pos++
			n++
		}
		return n
	}
	intDigits := digits()
	dt := xsdInteger
	fracDigits := 0
	if p.peek() == '.' {
		n1 := p.peekAt(1)
		expAfterDot := (n1 == 'e' || n1 == 'E') && intDigits > 0
		if n1 >= '0' && n1 <= '9' || expAfterDot {
			p.pos++
			fracDigits = digits()
			dt = xsdDecimal
		}
	}
	if intDigits == 0 && fracDigits == 0 {
		p.pos = start
		p.fail("invalid number %s", p.found())
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if digits() == 0 {
			p.fail("invalid exponent in number")
		}
		dt = xsdDouble
	}
	if dt == xsdDecimal && fracDigits == 0 {
		p.pos = start
		p.fail("invalid number %s", p.found())
	}
	return newLiteral(string(p.src[start:p.pos]), dt, "")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// PN_CHARS_BASE, PN_CHARS_U and PN_CHARS of the Turtle grammar.
func isPNCharsBase(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' ||
		r >= 0xC0 && r <= 0xD6 || r >= 0xD8 && r <= 0xF6 || r >= 0xF8 && r <= 0x2FF ||
		r >= 0x370 && r <= 0x37D || r >= 0x37F && r <= 0x1FFF || r >= 0x200C && r <= 0x200D ||
		r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF || r >= 0x3001 && r <= 0xD7FF ||
		r >= 0xF900 && r <= 0xFDCF || r >= 0xFDF0 && r <= 0xFFFD || r >= 0x10000 && r <= 0xEFFFF
}

func isPNCharsU(r rune) bool { return isPNCharsBase(r) || r == '_' }

func isPNChars(r rune) bool {
	return isPNCharsU(r) || r == '-' || r >= '0' && r <= '9' || r == 0xB7 ||
		r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040
}
