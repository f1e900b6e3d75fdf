package sparql

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/query"
)

// The store's own terms, in a namespace no vocabulary uses (see doc.go).
const (
	ns       = "urn:x-pmstore:"
	predETag = ns + "etag" // the resource's ETag, a string
	predBody = ns + "body" // the resource's triples as written, see encodeBody
	litNS    = ns + "lit:" // prefix of a literal's datatype: its own after it
	langNS   = ns + "lang:"
	numNS    = ns + "num:"  // value companion of a number: an xsd:double
	timeNS   = ns + "time:" // value companion of a dateTime: unix microseconds
	blankNS  = ns + "b:"
	keyNS    = ns + "key:" // value key companion of a literal: its query.ValueKey
	predIRI  = ns + "iri"  // resource to its IRI as a string: the members' order
	predText = ns + "text" // subject to the text node of one of its literals
	tokNS    = ns + "tok:" // text node to a token's frequency in the literal
	textNS   = ns + "t:"   // text nodes, named by a hash of their triple
)

// XML Schema's namespace: the store reads the values of its numbers
// and dateTimes, as the query engine does, and names no other vocabulary.
const xsdNS = "http://www.w3.org/2001/XMLSchema#"

var (
	xsdString       = xsdNS + "string"
	xsdStringIRI, _ = rdf.NewIRI(xsdString)
)

// writeIRI appends an IRI in SPARQL syntax: the characters an IRIREF may
// not hold as \u escapes, ill-formed UTF-8 as U+FFFD. Runs of bytes that
// need neither are copied at once: a bulk load writes every term so.
func writeIRI(b *strings.Builder, iri string) {
	b.WriteByte('<')
	start := 0
	for i := 0; i < len(iri); {
		c := iri[i]
		if c < utf8.RuneSelf {
			if iriEscaped[c] {
				b.WriteString(iri[start:i])
				writeUEscape(b, c)
				start = i + 1
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(iri[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString(iri[start:i])
			b.WriteRune(utf8.RuneError)
			start = i + 1
		}
		i += n
	}
	b.WriteString(iri[start:])
	b.WriteByte('>')
}

// iriEscaped are the ASCII characters writeIRI escapes.
var iriEscaped = func() (e [utf8.RuneSelf]bool) {
	for c := range e {
		e[c] = c <= 0x20 || strings.ContainsRune("<>\"{}|^`\\", rune(c))
	}
	return e
}()

// writeUEscape appends the ASCII character c as \u00XX.
func writeUEscape(b *strings.Builder, c byte) {
	const hex = "0123456789ABCDEF"
	b.WriteString(`\u00`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&15])
}

// writeString appends a quoted SPARQL string: quotes, backslashes and
// control characters escaped, ill-formed UTF-8 as U+FFFD. Runs of bytes
// that need neither are copied at once.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				writeUEscape(b, c)
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString(s[start:i])
			b.WriteRune(utf8.RuneError)
			start = i + 1
		}
		i += n
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// writeTerm appends t as the store holds it: blank nodes as IRIs of their
// own (labels are unique in the store, see relabel), and every literal but
// a plain string with a datatype of the store's that carries its own
// datatype or language tag. SPARQL stores canonicalise, lowercase or
// refuse what they parse (Virtuoso turns "007"^^xsd:integer into "7",
// lowercases tags and rejects ill-formed numbers); this way every term
// reads back as written, and values are compared through the companions
// (valueTriples).
func writeTerm(b *strings.Builder, t rdf.Term) {
	switch t := t.(type) {
	case rdf.IRI:
		writeIRI(b, t.String())
	case rdf.Blank:
		writeIRI(b, blankNS+t.String())
	case rdf.Literal:
		writeString(b, t.String())
		if dt := literalDatatype(t); dt != "" {
			b.WriteString("^^")
			writeIRI(b, dt)
		}
	}
}

// literalDatatype is the datatype the store writes l with: "" for a plain
// string.
func literalDatatype(l rdf.Literal) string {
	if l.Lang() != "" {
		return langNS + l.Lang()
	}
	dt := l.DataType.String()
	if dt == "" || dt == xsdString {
		return ""
	}
	return litNS + dt
}

// termString is t in SPARQL syntax.
func termString(t rdf.Term) string {
	var b strings.Builder
	writeTerm(&b, t)
	return b.String()
}

// decodeTerm reads a term of a result.
func decodeTerm(j jsonTerm) (rdf.Term, error) {
	switch j.Type {
	case "uri":
		if strings.HasPrefix(j.Value, blankNS) {
			return rdf.NewBlank(j.Value[len(blankNS):])
		}
		return rdf.NewIRI(j.Value)
	case "bnode":
		return rdf.NewBlank("x" + j.Value)
	case "literal", "typed-literal":
		switch {
		case strings.HasPrefix(j.Datatype, litNS):
			dt, err := rdf.NewIRI(j.Datatype[len(litNS):])
			if err != nil {
				return nil, err
			}
			return rdf.NewTypedLiteral(j.Value, dt), nil
		case strings.HasPrefix(j.Datatype, langNS):
			return rdf.NewLangLiteral(j.Value, j.Datatype[len(langNS):])
		case j.Lang != "":
			return rdf.NewLangLiteral(j.Value, j.Lang)
		case j.Datatype == "" || j.Datatype == xsdString:
			return rdf.NewTypedLiteral(j.Value, xsdStringIRI), nil
		}
		dt, err := rdf.NewIRI(j.Datatype)
		if err != nil {
			return nil, err
		}
		return rdf.NewTypedLiteral(j.Value, dt), nil
	}
	return nil, fmt.Errorf("sparql: unknown term type %q", j.Type)
}

// numberOf and timeOf read a literal's value as the query engine
// compares it (query.Source.Range).
func numberOf(l rdf.Literal) (float64, bool) {
	dt := l.DataType.String()
	if l.Lang() != "" || !strings.HasPrefix(dt, xsdNS) {
		return 0, false
	}
	f, ok := literal.NumberValue(dt[len(xsdNS):], strings.Trim(l.String(), " \t\r\n"))
	if ok && math.IsNaN(f) {
		return 0, false
	}
	return f, ok
}

func timeOf(l rdf.Literal) (int64, bool) {
	dt := l.DataType.String()
	if l.Lang() != "" || (dt != xsdNS+"dateTime" && dt != xsdNS+"dateTimeStamp") {
		return 0, false
	}
	return literal.DateTimeValue(strings.Trim(l.String(), " \t\r\n"), dt == xsdNS+"dateTimeStamp")
}

// formatDouble writes f as an xsd:double lexical form.
func formatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "INF"
	case math.IsInf(f, -1):
		return "-INF"
	}
	s := strconv.FormatFloat(f, 'E', -1, 64)
	return s
}

// valueTriple is the companion of triple t whose object is a number or a
// dateTime: (s, num:p, value as xsd:double) or (s, time:p, unix
// microseconds as xsd:integer), by which the store compares and sorts
// values with its own indexes, whatever the literal's type, lexical form
// or timezone. ok is false for any other object.
func valueTriple(b *strings.Builder, t rdf.Triple) bool {
	l, isLit := t.Obj.(rdf.Literal)
	if !isLit {
		return false
	}
	if f, ok := numberOf(l); ok {
		writeTerm(b, t.Subj)
		b.WriteByte(' ')
		writeIRI(b, numNS+t.Pred.String())
		b.WriteString(` "` + formatDouble(f) + `"^^<` + xsdNS + `double> .` + "\n")
		return true
	}
	if us, ok := timeOf(l); ok {
		writeTerm(b, t.Subj)
		b.WriteByte(' ')
		writeIRI(b, timeNS+t.Pred.String())
		b.WriteString(` "` + strconv.FormatInt(us, 10) + `"^^<` + xsdNS + `integer> .` + "\n")
		return true
	}
	return false
}

// relabel gives the blank nodes of resource id labels unique in the
// store, as the bbolt store does: g, a hash of id, and the node's place
// in g. Triples listed twice are kept once.
func relabel(id rdf.IRI, g []rdf.Triple) []rdf.Triple {
	h := sha256.Sum256([]byte(id.String()))
	prefix := "g" + hex.EncodeToString(h[:8]) + "x"
	labels := map[string]rdf.Blank{}
	fix := func(t rdf.Term) rdf.Term {
		bn, ok := t.(rdf.Blank)
		if !ok {
			return t
		}
		if nb, ok := labels[bn.String()]; ok {
			return nb
		}
		nb, _ := rdf.NewBlank(prefix + strconv.Itoa(len(labels)))
		labels[bn.String()] = nb
		return nb
	}
	out := make([]rdf.Triple, 0, len(g))
	seen := make(map[string]bool, len(g))
	for _, t := range g {
		t = rdf.Triple{Subj: fix(t.Subj).(rdf.Subject), Pred: t.Pred, Obj: fix(t.Obj).(rdf.Object)}
		k := termKey(t.Subj) + " " + termKey(t.Pred) + " " + termKey(t.Obj)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

// termKey identifies a term exactly.
func termKey(t rdf.Term) string {
	switch t := t.(type) {
	case rdf.IRI:
		return "I" + t.String()
	case rdf.Blank:
		return "B" + t.String()
	case rdf.Literal:
		if t.Lang() != "" {
			return "G" + t.Lang() + "\x00" + t.String()
		}
		return "L" + t.DataType.String() + "\x00" + t.String()
	}
	return ""
}

// parseKey is termKey's inverse.
func parseKey(k string) (rdf.Term, error) {
	if k == "" {
		return nil, fmt.Errorf("empty term")
	}
	v := k[1:]
	switch k[0] {
	case 'I':
		return rdf.NewIRI(v)
	case 'B':
		return rdf.NewBlank(v)
	case 'G', 'L':
		tag, lex, ok := strings.Cut(v, "\x00")
		if !ok {
			return nil, fmt.Errorf("bad literal")
		}
		if k[0] == 'G' {
			return rdf.NewLangLiteral(lex, tag)
		}
		dt, err := rdf.NewIRI(tag)
		if err != nil {
			return nil, err
		}
		return rdf.NewTypedLiteral(lex, dt), nil
	}
	return nil, fmt.Errorf("bad term key %q", k)
}

// encodeBody is the resource's triples, in the order written, as one
// string: what Get returns, term for term, whatever the SPARQL store does
// to the terms it parses.
func encodeBody(g []rdf.Triple) string {
	ks := make([][3]string, len(g))
	for i, t := range g {
		ks[i] = [3]string{termKey(t.Subj), termKey(t.Pred), termKey(t.Obj)}
	}
	b, _ := json.Marshal(ks)
	return string(b)
}

// errTornBody is a body that ends early: a read that raced a write of
// the resource (Virtuoso, which keeps long literals apart from its
// quads, answered an empty body under load while another instance
// replaced the resource). Reading again sees one version or the other.
var errTornBody = errors.New("sparql: resource body ends early (read during a write?)")

func decodeBody(s string) ([]rdf.Triple, error) {
	var ks [][3]string
	if err := json.Unmarshal([]byte(s), &ks); err != nil {
		var se *json.SyntaxError
		if s == "" || errors.As(err, &se) && se.Offset >= int64(len(s)) {
			return nil, fmt.Errorf("%w: %v", errTornBody, err)
		}
		return nil, fmt.Errorf("sparql: resource body: %w", err)
	}
	g := make([]rdf.Triple, len(ks))
	for i, k := range ks {
		var ts [3]rdf.Term
		for j := range k {
			t, err := parseKey(k[j])
			if err != nil {
				return nil, fmt.Errorf("sparql: resource body: %w", err)
			}
			ts[j] = t
		}
		s, ok1 := ts[0].(rdf.Subject)
		p, ok2 := ts[1].(rdf.Predicate)
		o, ok3 := ts[2].(rdf.Object)
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("sparql: resource body: bad triple")
		}
		g[i] = rdf.Triple{Subj: s, Pred: p, Obj: o}
	}
	return g, nil
}

// keyTriple writes the companion (s, key:p, query.ValueKey(o)) of triple
// t whose object is a literal, by which the store answers pushed-down
// queries (Source.Answer): equality and sort keys of literals of every
// kind compare as strings. An IRI or blank node object is its own key:
// queries match and sort the triple itself.
func keyTriple(b *strings.Builder, t rdf.Triple) {
	if _, ok := t.Obj.(rdf.Literal); !ok {
		return
	}
	writeTerm(b, t.Subj)
	b.WriteByte(' ')
	writeIRI(b, keyNS+t.Pred.String())
	b.WriteByte(' ')
	writeString(b, query.ValueKey(t.Obj))
	b.WriteString(" .\n")
}

// textTriples are the search tokens of triple t, of a text predicate: a
// node named by the triple, so that the same triple stated by two
// resources counts once, linked from the subject, with each token's
// frequency in the literal.
func textTriples(b *strings.Builder, t rdf.Triple) {
	toks := query.TextTokens(t.Obj)
	if len(toks) == 0 {
		return
	}
	tf := map[string]int{}
	var order []string
	for _, tok := range toks {
		if tf[tok] == 0 {
			order = append(order, tok)
		}
		tf[tok]++
	}
	h := sha256.Sum256([]byte(termKey(t.Subj) + "\x00" + termKey(t.Pred) + "\x00" + termKey(t.Obj)))
	node := textNS + hex.EncodeToString(h[:16])
	writeTerm(b, t.Subj)
	b.WriteString(" <" + predText + "> ")
	writeIRI(b, node)
	b.WriteString(" .\n")
	for _, tok := range order {
		writeIRI(b, node)
		b.WriteByte(' ')
		writeIRI(b, tokenPred(tok))
		b.WriteString(" " + strconv.Itoa(tf[tok]) + " .\n")
	}
}

// tokenPred is the predicate of a token's frequency.
func tokenPred(tok string) string { return tokNS + url.PathEscape(tok) }
