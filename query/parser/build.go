package parser

import (
	"fmt"
	"slices"
	"strings"

	"github.com/knakk/rdf"
)

// Building trees. Code that makes a query builds its tree from RDF terms
// with these constructors, rather than formatting text to parse again:
//
//	w := parser.And(
//		parser.Eq(pmjPushedTo, job),
//		parser.Compare(vocab.DCDate, parser.OpGE, startLiteral),
//		parser.Compare(vocab.DCDate, parser.OpLT, endLiteral),
//	)
//
// The trees are those ParseWhere makes, without positions: String prints
// text that ParseWhere parses back to the same tree (with the prefixes
// given to Compact, if it was used). Names are written as <IRI>; Compact
// writes them as prefixed names where it can.

// Prop is the name of property p.
func Prop(p rdf.IRI) Name { return Name{IRI: p.String()} }

// ValueOf is the query value of an RDF term: an IRI is a *Name; a literal
// is a *Literal with its lexical form and its language tag or, for any
// other literal, its datatype, xsd:string included (so "42"^^xsd:string
// is a string, not also a number as a plain "42" is). A blank node has no
// oslc.where syntax: ValueOf panics on one, and on a nil term. IRIs and
// lexical forms must be valid UTF-8, as RDF requires.
func ValueOf(t rdf.Term) Value {
	switch t := t.(type) {
	case rdf.IRI:
		n := Prop(t)
		return &n
	case rdf.Literal:
		l := &Literal{Kind: LitString, Lex: t.String()}
		if lang := t.Lang(); lang != "" {
			l.Lang = lang
		} else if dt := t.DataType.String(); dt != "" {
			l.Datatype = &Name{IRI: dt}
		}
		return l
	}
	panic(fmt.Sprintf("parser: %T %v has no oslc.where value", t, t))
}

// Eq is the term prop=v: some value of prop equals v. See ValueOf for v.
func Eq(prop rdf.IRI, v rdf.Term) *Comparison { return Compare(prop, OpEQ, v) }

// Compare is the term prop op v: with OpEQ or OpNE any value; with OpLT,
// OpLE, OpGT or OpGE a number or a dateTime, which the engine orders (two
// comparisons of one property in a conjunction bound one value: a range).
// See ValueOf for v.
func Compare(prop rdf.IRI, op Op, v rdf.Term) *Comparison {
	return &Comparison{Prop: Prop(prop), Op: op, Value: ValueOf(v)}
}

// In is the term prop in [vs...]: some value of prop equals one of vs.
func In(prop rdf.IRI, vs ...rdf.Term) *InTerm {
	t := &InTerm{Prop: Prop(prop), Values: make([]Value, len(vs))}
	for i, v := range vs {
		t.Values[i] = ValueOf(v)
	}
	return t
}

// Scoped is the term prop{terms}: some value of prop is a node for which
// every one of terms holds.
func Scoped(prop rdf.IRI, terms ...Term) *ScopedTerm {
	return &ScopedTerm{Prop: Prop(prop), Where: And(terms...)}
}

// And is the conjunction of terms, an oslc.where. Each term is used as
// given, not copied.
func And(terms ...Term) *Where { return &Where{Terms: terms} }

// Compact returns a copy of w whose IRIs (properties, values, datatypes)
// written <IRI> are written as prefixed names where prefixes has a
// namespace they start with and the rest is a local name the scanner reads
// back unchanged; the longest such namespace wins, then the first prefix
// in byte order. ParseWhere with the same prefixes reads its String back
// to the same IRIs.
func (w *Where) Compact(prefixes map[string]string) *Where {
	c := newCompacter(prefixes)
	return c.where(w)
}

// compacter writes IRIs as prefixed names.
type compacter struct {
	ns []PrefixDef // by namespace length, longest first
}

func newCompacter(prefixes map[string]string) *compacter {
	c := &compacter{}
	for p, ns := range prefixes {
		if ns != "" {
			c.ns = append(c.ns, PrefixDef{Prefix: p, IRI: ns})
		}
	}
	slices.SortFunc(c.ns, func(a, b PrefixDef) int {
		if d := len(b.IRI) - len(a.IRI); d != 0 {
			return d
		}
		return strings.Compare(a.Prefix, b.Prefix)
	})
	return c
}

func (c *compacter) where(w *Where) *Where {
	out := &Where{Terms: make([]Term, len(w.Terms))}
	for i, t := range w.Terms {
		switch t := t.(type) {
		case *Comparison:
			out.Terms[i] = &Comparison{Prop: c.name(t.Prop), Op: t.Op, Value: c.value(t.Value)}
		case *InTerm:
			in := &InTerm{Prop: c.name(t.Prop), Values: make([]Value, len(t.Values))}
			for j, v := range t.Values {
				in.Values[j] = c.value(v)
			}
			out.Terms[i] = in
		case *ScopedTerm:
			out.Terms[i] = &ScopedTerm{Prop: c.name(t.Prop), Where: c.where(t.Where)}
		default:
			out.Terms[i] = t
		}
	}
	return out
}

func (c *compacter) value(v Value) Value {
	switch v := v.(type) {
	case *Name:
		n := c.name(*v)
		return &n
	case *Literal:
		l := *v
		if l.Datatype != nil {
			dt := c.name(*l.Datatype)
			l.Datatype = &dt
		}
		return &l
	}
	return v
}

// name returns n as a prefixed name, if it is an IRI one can write.
func (c *compacter) name(n Name) Name {
	if n.Wildcard || n.Prefixed != "" {
		return n
	}
	for _, d := range c.ns {
		local, ok := strings.CutPrefix(n.IRI, d.IRI)
		if !ok || strings.Contains(local, `\`) {
			continue
		}
		pn := d.Prefix + ":" + local
		var s scanner
		s.Init(pn)
		_, tok, lit := s.Scan()
		if _, end, _ := s.Scan(); tok == tokPname && lit == pn && end == tokEof {
			n.Prefixed = pn
			return n
		}
	}
	return n
}

// Select is the selection of props, an oslc.select.
func Select(props ...SelectProp) *Selection { return &Selection{Props: props} }

// Sel is the property p of a selection, with the properties of its values
// to select, if any.
func Sel(p rdf.IRI, nested ...SelectProp) SelectProp {
	sp := SelectProp{Prop: Prop(p)}
	if len(nested) > 0 {
		sp.Nested = Select(nested...)
	}
	return sp
}

// Order is the sort order of terms, an oslc.orderBy.
func Order(terms ...SortTerm) *OrderBy { return &OrderBy{Terms: terms} }

// Asc sorts by p, smallest first.
func Asc(p rdf.IRI) SortTerm { return SortTerm{Prop: Prop(p)} }

// Desc sorts by p, largest first.
func Desc(p rdf.IRI) SortTerm { return SortTerm{Prop: Prop(p), Desc: true} }
