package codec

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Well-known IRIs, as strings.
const (
	rdfType       = vocab.RDF + "type"
	rdfXMLLiteral = vocab.RDF + "XMLLiteral"
	rdfLangString = vocab.RDF + "langString"
	rdfFirst      = vocab.RDF + "first"
	rdfRest       = vocab.RDF + "rest"
	rdfNil        = vocab.RDF + "nil"
	xsdString     = vocab.XSD + "string"
	xsdInteger    = vocab.XSD + "integer"
	xsdDecimal    = vocab.XSD + "decimal"
	xsdDouble     = vocab.XSD + "double"
	xsdBoolean    = vocab.XSD + "boolean"
)

// blankLabel returns a blank node's label without the "_:" prefix, or ""
// for the zero Blank (whose String method panics).
func blankLabel(b rdf.Blank) string {
	return strings.TrimPrefix(b.Serialize(rdf.NTriples), "_:")
}

// A TermKey identifies a term, as a comparable value that costs no
// allocation: equal keys mean equal terms (the same kind, IRI or label or
// lexical form, datatype and language). Unlike rdf.TermsEqual, which
// formats both terms, it tells "1"^^xsd:integer from "1"^^xsd:decimal.
// The zero TermKey is no term's.
type TermKey struct {
	kind        byte // 'B', 'I' or 'L'
	s, dt, lang string
}

// KeyOf returns the key of t; nil has the zero key.
func KeyOf(t rdf.Term) TermKey {
	switch t := t.(type) {
	case rdf.IRI:
		return TermKey{kind: 'I', s: t.String()}
	case rdf.Blank:
		return TermKey{kind: 'B', s: blankLabel(t)}
	case rdf.Literal:
		return TermKey{kind: 'L', s: t.String(), dt: t.DataType.String(), lang: t.Lang()}
	}
	return TermKey{}
}

// compare orders keys: blank nodes, then IRIs, then literals; each by
// label, IRI or lexical form, then datatype and language.
func (k TermKey) compare(o TermKey) int {
	if k.kind != o.kind {
		return int(k.kind) - int(o.kind)
	}
	if c := strings.Compare(k.s, o.s); c != 0 {
		return c
	}
	if c := strings.Compare(k.dt, o.dt); c != 0 {
		return c
	}
	return strings.Compare(k.lang, o.lang)
}

// compareTerms orders terms: IRIs, then blank nodes, then literals; IRIs and
// blank nodes by their string, literals by lexical form, datatype, language.
func compareTerms(a, b rdf.Term) int {
	ka, kb := termRank(a), termRank(b)
	if ka != kb {
		return ka - kb
	}
	switch a := a.(type) {
	case rdf.IRI:
		return strings.Compare(a.String(), b.(rdf.IRI).String())
	case rdf.Blank:
		return strings.Compare(blankLabel(a), blankLabel(b.(rdf.Blank)))
	case rdf.Literal:
		b := b.(rdf.Literal)
		if c := strings.Compare(a.String(), b.String()); c != 0 {
			return c
		}
		if c := strings.Compare(a.DataType.String(), b.DataType.String()); c != 0 {
			return c
		}
		return strings.Compare(a.Lang(), b.Lang())
	}
	return 0
}

func termRank(t rdf.Term) int {
	switch t.(type) {
	case rdf.IRI:
		return 0
	case rdf.Blank:
		return 1
	case rdf.Literal:
		return 2
	}
	return 3
}

// compareTriples orders triples by subject, predicate (rdf:type first),
// object.
func compareTriples(a, b rdf.Triple) int {
	if c := compareTerms(a.Subj, b.Subj); c != 0 {
		return c
	}
	return comparePredObj(a, b)
}

func comparePredObj(a, b rdf.Triple) int {
	at, bt := a.Pred.String() == rdfType, b.Pred.String() == rdfType
	switch {
	case at && !bt:
		return -1
	case bt && !at:
		return 1
	}
	if c := compareTerms(a.Pred, b.Pred); c != 0 {
		return c
	}
	return compareTerms(a.Obj, b.Obj)
}

// prepare validates g for encoding and returns its distinct triples,
// sorted, with blank nodes relabelled if any label is unsafe to write.
func prepare(g []rdf.Triple) ([]rdf.Triple, error) {
	var c termChecker
	for _, t := range g {
		if err := c.triple(t); err != nil {
			return nil, err
		}
	}
	out := relabelBlanks(slices.Clone(g)) // relabelling keeps distinct triples distinct
	slices.SortFunc(out, compareTriples)
	// Equal triples are now next to each other: keep the first of each
	// (which one is moot: they are equal).
	return slices.CompactFunc(out, func(a, b rdf.Triple) bool { return compareTriples(a, b) == 0 }), nil
}

// Dedupe removes the repeated triples of g, in place, keeping the first
// of each where it was; it returns g's slice, shortened.
func Dedupe(g []rdf.Triple) []rdf.Triple {
	if len(g) < 2 {
		return g
	}
	// Sort the positions by triple, then position: a repeat sorts right
	// after the triple's first occurrence.
	idx := make([]int, len(g))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := compareTriples(g[a], g[b]); c != 0 {
			return c
		}
		return a - b
	})
	var dup []bool
	for i := 1; i < len(idx); i++ {
		if compareTriples(g[idx[i-1]], g[idx[i]]) == 0 {
			if dup == nil {
				dup = make([]bool, len(g))
			}
			dup[idx[i]] = true
		}
	}
	if dup == nil {
		return g
	}
	out := g[:0]
	for i, t := range g {
		if !dup[i] {
			out = append(out, t)
		}
	}
	return out
}

// A termChecker checks the terms of a graph, remembering the IRIs it
// checked last: a graph names the same predicates, types and datatypes
// over and over, and an IRI's check (RFC 3987 characters, net/url) is the
// dearer part of writing it. A ring, not a map: it costs no allocation,
// and most graphs written are one resource's few dozen triples.
type termChecker struct {
	recent [32]string
	next   int
}

func (c *termChecker) triple(t rdf.Triple) error {
	if t.Subj == nil || t.Pred == nil || t.Obj == nil {
		return fmt.Errorf("%w: triple with a nil term", ErrInvalidTerm)
	}
	if err := c.term(t.Subj); err != nil {
		return err
	}
	if _, ok := t.Pred.(rdf.IRI); !ok {
		return fmt.Errorf("%w: predicate %T is not an IRI", ErrInvalidTerm, t.Pred)
	}
	if err := c.term(t.Pred); err != nil {
		return err
	}
	return c.term(t.Obj)
}

func (c *termChecker) iri(s string) error {
	for _, r := range c.recent {
		if r == s && s != "" { // "" is an empty slot, and no IRI
			return nil
		}
	}
	if err := checkIRI(s); err != nil {
		return err
	}
	c.recent[c.next] = s
	c.next = (c.next + 1) % len(c.recent)
	return nil
}

func (c *termChecker) term(t rdf.Term) error {
	switch t := t.(type) {
	case rdf.IRI:
		return c.iri(t.String())
	case rdf.Blank:
		l := blankLabel(t)
		if l == "" || !utf8.ValidString(l) {
			return fmt.Errorf("%w: blank node with an empty or invalid label %q", ErrInvalidTerm, l)
		}
	case rdf.Literal:
		if !utf8.ValidString(t.String()) {
			return fmt.Errorf("%w: literal %q is not valid UTF-8", ErrInvalidTerm, t.String())
		}
		dt := t.DataType.String()
		if err := c.iri(dt); err != nil {
			return fmt.Errorf("literal datatype: %w", err)
		}
		lang := t.Lang()
		switch {
		case lang != "" && !isLangTag(lang):
			return fmt.Errorf("%w: malformed language tag %q", ErrInvalidTerm, lang)
		case (lang != "") != (dt == rdfLangString):
			return fmt.Errorf("%w: literal %q has language %q and datatype <%s>", ErrInvalidTerm, t.String(), lang, dt)
		}
	default:
		return fmt.Errorf("%w: unknown term type %T", ErrInvalidTerm, t)
	}
	return nil
}

// checkIRI reports, as an ErrInvalidTerm error, whether s is not an
// absolute IRI (see validIRI).
func checkIRI(s string) error {
	if err := validIRI(s); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidTerm, err)
	}
	return nil
}

// validIRI reports whether s is an absolute IRI: valid UTF-8, none of the
// characters rdf.NewIRI and Turtle's IRIREF forbid, only characters RFC
// 3987 allows (see iriChar), a scheme, and acceptable to net/url (valid
// percent-encodings and port), as JSON-LD processors such as json-gold
// take IRIs net/url rejects for relative.
func validIRI(s string) error {
	if s == "" {
		return errors.New("empty IRI")
	}
	if err := iriChars(s); err != nil {
		return err
	}
	if !hasScheme(s) {
		return fmt.Errorf("IRI <%s> is not absolute", s)
	}
	if plainIRI(s) {
		return nil
	}
	if _, err := url.Parse(s); err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("IRI <%s> is malformed: %v", s, err)
	}
	return nil
}

// iriChars reports a character of s that an IRI may not hold. Most IRIs
// are ASCII: a byte loop tells them; others are read rune by rune.
func iriChars(s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c == 0x7f || forbiddenInIRI(rune(c)) {
			return iriRunes(s) // which says why, as for any IRI
		}
	}
	return nil
}

func iriRunes(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("IRI %q is not valid UTF-8", s)
	}
	if i := strings.IndexFunc(s, forbiddenInIRI); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Errorf("IRI %q holds the character %q, which IRIs may not contain", s, string(r))
	}
	// Private-use characters are allowed in the query only.
	part := 0 // 0: before the query, 1: the query, 2: the fragment
	for _, r := range s {
		switch {
		case r == '?' && part == 0:
			part = 1
		case r == '#' && part < 2:
			part = 2
		case !iriChar(r, part == 1):
			return fmt.Errorf("IRI %q holds the character %U, which IRIs may not contain", s, r)
		}
	}
	return nil
}

// plainIRI says whether net/url can have nothing to refuse in s, an IRI
// that passed validIRI's own checks: no percent-encoding to check, and an
// authority, if any, of a plain host with an optional port of digits (no
// userinfo, no IPv6 literal). Most IRIs are such, and url.Parse is the
// dearer half of validIRI.
func plainIRI(s string) bool {
	if strings.IndexByte(s, '%') >= 0 {
		return false
	}
	i := strings.Index(s, "://")
	if i < 0 {
		return false
	}
	auth := s[i+3:]
	if j := strings.IndexAny(auth, "/?#"); j >= 0 {
		auth = auth[:j]
	}
	if strings.ContainsAny(auth, "[]@") {
		return false
	}
	if k := strings.IndexByte(auth, ':'); k >= 0 {
		for _, c := range []byte(auth[k+1:]) {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// iriChar reports whether the non-ASCII character r may occur in an IRI
// (RFC 3987 ucschar; iprivate in the query only). That leaves out C1
// controls, surrogates, non-characters and the specials U+FFF0-U+FFFF:
// IRIs cannot hold them, nor can XML 1.0 hold most of them, so that a
// graph with one could not be written as RDF/XML. ASCII is left to
// forbiddenInIRI and net/url.
func iriChar(r rune, query bool) bool {
	switch {
	case r < 0x80:
		return r != 0x7f
	case r < 0xa0, r >= 0xd800 && r <= 0xdfff, r >= 0xfdd0 && r <= 0xfdef,
		r >= 0xfff0 && r <= 0xffff, r&0xfffe == 0xfffe, r >= 0xe0000 && r <= 0xe0fff:
		return false
	case r >= 0xe000 && r <= 0xf8ff, r >= 0xf0000:
		return query
	}
	return true
}

func forbiddenInIRI(r rune) bool {
	if r <= 0x20 {
		return true
	}
	switch r {
	case '<', '>', '"', '{', '}', '|', '^', '`', '\\':
		return true
	}
	return false
}

// hasScheme reports whether s begins with a URI scheme and a colon.
func hasScheme(s string) bool {
	return schemeEnd(s) > 0
}

// schemeEnd returns the index of the colon ending s's scheme, or -1.
//
//	scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
func schemeEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return i
		default:
			return -1
		}
	}
	return -1
}

// isLangTag reports whether s matches Turtle's LANGTAG without the '@':
//
//	[a-zA-Z]+ ('-' [a-zA-Z0-9]+)*
func isLangTag(s string) bool {
	if s == "" {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if part == "" {
			return false
		}
		for j := 0; j < len(part); j++ {
			c := part[j]
			alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !alpha && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}

// safeLabel reports whether a blank node label can be written unchanged as
// an RDF/XML rdf:nodeID, a Turtle label and a JSON-LD blank node identifier.
func safeLabel(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// relabelBlanks returns g unchanged if every blank node label is safe to
// write; otherwise a copy with all blank nodes renamed b0, b1, ... in the
// order of their old labels, so the result is deterministic.
func relabelBlanks(g []rdf.Triple) []rdf.Triple {
	labels := map[string]bool{}
	unsafe := false
	for _, t := range g {
		for _, term := range []rdf.Term{t.Subj, t.Obj} {
			if b, ok := term.(rdf.Blank); ok {
				l := blankLabel(b)
				labels[l] = true
				unsafe = unsafe || !safeLabel(l)
			}
		}
	}
	if !unsafe {
		return g
	}
	old := make([]string, 0, len(labels))
	for l := range labels {
		old = append(old, l)
	}
	sort.Strings(old)
	renamed := make(map[string]rdf.Blank, len(old))
	for i, l := range old {
		renamed[l] = newBlank("b" + strconv.Itoa(i))
	}
	out := make([]rdf.Triple, len(g))
	for i, t := range g {
		if b, ok := t.Subj.(rdf.Blank); ok {
			t.Subj = renamed[blankLabel(b)]
		}
		if b, ok := t.Obj.(rdf.Blank); ok {
			t.Obj = renamed[blankLabel(b)]
		}
		out[i] = t
	}
	return out
}

// newBlank returns a blank node; label must not be empty.
func newBlank(label string) rdf.Blank {
	b, err := rdf.NewBlank(label)
	if err != nil {
		panic("codec: " + err.Error())
	}
	return b
}

// newIRI returns an IRI the caller has already checked.
func newIRI(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic("codec: " + err.Error())
	}
	return i
}

// newLiteral returns the literal with lexical form s, datatype dt (an IRI
// string, "" for xsd:string) and language lang, which must be a valid
// language tag if not empty.
func newLiteral(s, dt, lang string) rdf.Literal {
	if lang != "" {
		return newLangLiteral(s, lang)
	}
	if dt == "" {
		dt = xsdString
	}
	return rdf.NewTypedLiteral(s, newIRI(dt))
}

// newLangLiteral works around rdf.NewLangLiteral, which rejects valid tags
// with more than one subtag ("zh-Hant-TW", "en-US-x-twain"): such literals
// are built by knakk's own N-Triples parser, which accepts them.
func newLangLiteral(s, lang string) rdf.Literal {
	if l, err := rdf.NewLangLiteral(s, lang); err == nil {
		return l
	}
	line := `<x:s> <x:p> "` + escapeASCII(s) + `"@` + lang + " .\n"
	t, err := rdf.NewTripleDecoder(strings.NewReader(line), rdf.NTriples).Decode()
	if err != nil {
		panic("codec: cannot build literal with language " + lang + ": " + err.Error())
	}
	return t.Obj.(rdf.Literal)
}

// escapeASCII escapes s for an N-Triples string using only printable
// ASCII.
func escapeASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
	}
	return b.String()
}
