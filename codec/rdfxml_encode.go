package codec

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/vocab"
)

// encodeRDFXML writes g as abbreviated ("striped") RDF/XML. See the
// package documentation for the layout.
func encodeRDFXML(w io.Writer, g []rdf.Triple, opt *Options) error {
	g, err := prepare(g)
	if err != nil {
		return err
	}
	x := &xmlWriter{plan: planGraph(g, opt.root(), opt.inline()), ns: newNamespaces(opt.prefixes()), typeElem: map[TermKey]string{}, prefixes: opt.prefixes()}
	if err := x.names(g); err != nil {
		return err
	}
	x.ns.assign()

	x.buf = getBuffer()
	defer putBuffer(x.buf)
	b := x.buf
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rdf:RDF")
	for _, p := range x.ns.decl {
		b.WriteString("\n    xmlns:")
		b.WriteString(p.Prefix)
		b.WriteString(`="`)
		x.attr(p.NS)
		b.WriteByte('"')
	}
	b.WriteString(">\n")
	for _, s := range x.plan.top {
		x.node(s, 1)
	}
	b.WriteString("</rdf:RDF>\n")
	_, err = w.Write(b.Bytes())
	return err
}

type xmlWriter struct {
	buf      *bytes.Buffer
	plan     *graphPlan
	ns       *namespaces
	typeElem map[TermKey]string // subject key → the type used as element name, if any
	prefixes []vocab.Prefix
}

// names checks that every triple can be written, finds the QNames of all
// predicates and of the types used as element names, and records the
// namespaces in use. It goes through g in order, so that the error
// reported for a graph with several problems is always the same.
func (x *xmlWriter) names(g []rdf.Triple) error {
	x.ns.use(vocab.RDF)
	for i, t := range g {
		if i == 0 || g[i-1].Pred != t.Pred {
			if err := x.predicate(t.Pred.String()); err != nil {
				return err
			}
		}
		if err := checkXMLTerm(t.Subj); err != nil {
			return err
		}
		if err := checkXMLTerm(t.Obj); err != nil {
			return err
		}
		if t.Pred.String() != rdfType {
			continue
		}
		k := KeyOf(t.Subj)
		if o, ok := t.Obj.(rdf.IRI); ok {
			ns, local, ok := x.ns.split(o.String())
			if ok && !(ns == vocab.RDF && rdfNames[local]) {
				if cur, done := x.typeElem[k]; done && x.typeRank(cur) <= x.typeRank(o.String()) {
					continue
				}
				x.typeElem[k] = o.String()
			}
		}
	}
	for _, typ := range x.typeElem {
		ns, _, _ := x.ns.split(typ)
		x.ns.use(ns)
	}
	return nil
}

// typeRank orders the types a node element may be named by: types in the
// conventional namespaces first, in the order of the prefixes (so a record
// is a pm:PerformanceMonitoringRecord element before a crtv: one), then
// the rest; ties go to the first in term order.
func (x *xmlWriter) typeRank(iri string) int {
	for i, p := range x.prefixes {
		if strings.HasPrefix(iri, p.NS) {
			return i
		}
	}
	return len(x.prefixes)
}

func (x *xmlWriter) predicate(iri string) error {
	ns, err := splitPredicate(x.ns, iri)
	if err != nil {
		return err
	}
	x.ns.use(ns)
	return nil
}

// splitPredicate returns the namespace of the QName that names predicate
// iri in RDF/XML, or why none can.
func splitPredicate(n *namespaces, iri string) (ns string, err error) {
	ns, local, ok := n.split(iri)
	if !ok {
		return "", fmt.Errorf("%w: RDF/XML: predicate <%s> cannot be split into an XML QName", ErrNotEncodable, iri)
	}
	if ns == vocab.RDF && rdfNames[local] {
		return "", fmt.Errorf("%w: RDF/XML: rdf:%s cannot be used as a predicate", ErrNotEncodable, local)
	}
	return ns, nil
}

// CheckRDFXML reports, as Encode in RDF/XML with opt would, what of g
// RDF/XML cannot express (an invalid term, a predicate with no QName, an
// rdf: name of the syntax as a predicate, a character XML 1.0 does not
// allow), without writing it: what a server checks before it stores a graph it must
// serve in RDF/XML.
func CheckRDFXML(g []rdf.Triple, opt *Options) error {
	ns := newNamespaces(opt.prefixes())
	var c termChecker
	for i, t := range g {
		if err := c.triple(t); err != nil {
			return err
		}
		if i == 0 || g[i-1].Pred != t.Pred {
			if _, err := splitPredicate(ns, t.Pred.String()); err != nil {
				return err
			}
		}
		if err := checkXMLTerm(t.Subj); err != nil {
			return err
		}
		if err := checkXMLTerm(t.Obj); err != nil {
			return err
		}
	}
	return nil
}

// checkXMLTerm reports text that XML 1.0 cannot hold, in any form.
func checkXMLTerm(t rdf.Term) error {
	var s string
	switch t := t.(type) {
	case rdf.IRI:
		s = t.String()
	case rdf.Literal:
		if err := checkXMLTerm(t.DataType); err != nil {
			return err
		}
		s = t.String()
	default:
		return nil
	}
	if i := firstNonXMLChar(s); i >= 0 {
		r := []rune(s[i:])[0]
		return fmt.Errorf("%w: RDF/XML: %q holds the character %U, which XML 1.0 does not allow", ErrNotEncodable, shorten(s), r)
	}
	return nil
}

func (x *xmlWriter) indent(depth int) {
	for i := 0; i < depth; i++ {
		x.buf.WriteString("  ")
	}
}

// node writes a node element for s and its properties.
func (x *xmlWriter) node(s rdf.Subject, depth int) {
	k := KeyOf(s)
	props := x.plan.props[k]
	elem := "rdf:Description"
	skip := -1
	if typ, ok := x.typeElem[k]; ok {
		elem = typ
		for i, t := range props {
			if o, ok := t.Obj.(rdf.IRI); ok && t.Pred.String() == rdfType && o.String() == typ {
				skip = i
				break
			}
		}
	}
	b := x.buf
	x.indent(depth)
	b.WriteByte('<')
	x.elemName(elem)
	switch s := s.(type) {
	case rdf.IRI:
		b.WriteString(` rdf:about="`)
		x.attr(s.String())
		b.WriteByte('"')
	case rdf.Blank:
		if !x.plan.nested[k] && x.plan.refs[k] > 0 {
			b.WriteString(` rdf:nodeID="`)
			b.WriteString(blankLabel(s))
			b.WriteByte('"')
		}
	}
	if len(props) == 0 || len(props) == 1 && skip == 0 {
		b.WriteString("/>\n")
		return
	}
	b.WriteString(">\n")
	for i, t := range props {
		if i != skip {
			x.property(t, depth+1)
		}
	}
	x.indent(depth)
	b.WriteString("</")
	x.elemName(elem)
	b.WriteString(">\n")
}

// elemName writes the QName of a node element: rdf:Description, or the
// QName of the type IRI elem.
func (x *xmlWriter) elemName(elem string) {
	if elem == "rdf:Description" {
		x.buf.WriteString(elem)
		return
	}
	x.qname(elem)
}

// qname writes the QName of iri, which split and use have seen.
func (x *xmlWriter) qname(iri string) {
	ns, local, _ := x.ns.split(iri)
	x.buf.WriteString(x.ns.prefix[ns])
	x.buf.WriteByte(':')
	x.buf.WriteString(local)
}

// property writes a property element for t.
func (x *xmlWriter) property(t rdf.Triple, depth int) {
	b := x.buf
	name := t.Pred.String()
	x.indent(depth)
	b.WriteByte('<')
	x.qname(name)
	switch o := t.Obj.(type) {
	case rdf.IRI:
		if !x.plan.inlineAt(t) {
			b.WriteString(` rdf:resource="`)
			x.attr(o.String())
			b.WriteString("\"/>\n")
			return
		}
		x.nestedNode(name, o, depth)
	case rdf.Blank:
		if !x.plan.nested[KeyOf(o)] {
			b.WriteString(` rdf:nodeID="`)
			b.WriteString(blankLabel(o))
			b.WriteString("\"/>\n")
			return
		}
		x.nestedNode(name, o, depth)
	case rdf.Literal:
		lex, dt := o.String(), o.DataType.String()
		switch {
		case o.Lang() != "":
			b.WriteString(` xml:lang="`)
			x.attr(o.Lang())
			b.WriteString(`">`)
			x.text(lex)
		case dt == xsdString:
			b.WriteByte('>')
			x.text(lex)
		case dt == rdfXMLLiteral && isCanonicalXMLLiteral(lex):
			b.WriteString(` rdf:parseType="Literal">`)
			b.WriteString(lex)
		default:
			b.WriteString(` rdf:datatype="`)
			x.attr(dt)
			b.WriteString(`">`)
			x.text(lex)
		}
		b.WriteString("</")
		x.qname(name)
		b.WriteString(">\n")
	}
}

// nestedNode ends the opening tag of the property element of predicate
// pred, writes node o inside it and closes it.
func (x *xmlWriter) nestedNode(pred string, o rdf.Subject, depth int) {
	x.buf.WriteString(">\n")
	x.node(o, depth+1)
	x.indent(depth)
	x.buf.WriteString("</")
	x.qname(pred)
	x.buf.WriteString(">\n")
}

// text writes s escaped as character data, as escapeText does.
func (x *xmlWriter) text(s string) { writeEscaped(x.buf, s, textEscapes) }

// attr writes s escaped as an attribute value, as escapeAttr does.
func (x *xmlWriter) attr(s string) { writeEscaped(x.buf, s, attrEscapes) }

// textEscapes and attrEscapes are the replacements of escapeText and
// escapeAttr, by byte.
var textEscapes, attrEscapes = escapes("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;"),
	escapes("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")

func escapes(pairs ...string) *[256]string {
	var t [256]string
	for i := 0; i < len(pairs); i += 2 {
		t[pairs[i][0]] = pairs[i+1]
	}
	return &t
}

// writeEscaped writes s to b with the bytes that esc names replaced.
func writeEscaped(b *bytes.Buffer, s string, esc *[256]string) {
	start := 0
	for i := 0; i < len(s); i++ {
		if r := esc[s[i]]; r != "" {
			b.WriteString(s[start:i])
			b.WriteString(r)
			start = i + 1
		}
	}
	b.WriteString(s[start:])
}

// isCanonicalXMLLiteral reports whether lex can be written as the content
// of an rdf:parseType="Literal" element and read back unchanged: it must be
// well-formed, self-contained XML content already in canonical form.
func isCanonicalXMLLiteral(lex string) bool {
	if !strings.ContainsAny(lex, "<&") {
		// Plain text: canonical unless it holds '>' or CR, which would be
		// escaped.
		return !strings.ContainsAny(lex, ">\r")
	}
	c, ok := canonicalXMLLiteral(lex)
	return ok && c == lex
}
