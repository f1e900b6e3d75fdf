package query

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// qval is a compiled query value: what it equals and how it orders. A
// plain string may stand for several kinds at once ("42" is a string and a
// number); it then matches a stored value of any of them.
type qval struct {
	text string // the value as written, for messages and fingerprints

	iri   string // an IRI: equal to that IRI only
	isIRI bool

	str     string // a string: equal to strings with this lexical form ...
	isStr   bool
	lang    string   // ... and this language tag (lowercase), "" for none
	langRaw []string // the tag's spellings to probe the index with

	num   float64 // a number
	isNum bool
	numL  rdf.Literal // the number as a literal, a Range bound

	us   int64 // a dateTime, unix microseconds
	isDT bool
	dtL  rdf.Literal

	boolv  bool
	isBool bool

	other   val // any other typed literal: equal to the same lexical form and datatype
	isOther bool
}

func compileValue(v parser.Value) *qval {
	q := &qval{text: v.String()}
	switch v := v.(type) {
	case *parser.Name:
		q.iri, q.isIRI = v.IRI, true
	case *parser.Literal:
		compileLiteral(q, v)
	}
	return q
}

func compileLiteral(q *qval, l *parser.Literal) {
	dt := l.DatatypeIRI()
	switch {
	case l.Kind == parser.LitString && l.Lang != "":
		q.str, q.isStr = l.Lex, true
		q.lang = strings.ToLower(l.Lang)
		q.langRaw = uniq(l.Lang, q.lang, canonicalLang(l.Lang))
		return
	case l.Kind == parser.LitString && l.Datatype == nil:
		// A plain string: a string, and also whatever else it reads as,
		// so "2026-11-01T00:00:00Z" compares with dateTimes and "42"
		// with numbers (OSLC Query, oslc.where semantics: MAY).
		q.str, q.isStr = l.Lex, true
		if us, ok := literal.DateTimeValue(l.Lex, false); ok {
			q.us, q.isDT, q.dtL = us, true, rdf.NewTypedLiteral(l.Lex, vocab.XSDDateTime)
		}
		if f, ok := literal.NumberValue("double", l.Lex); ok && !strings.HasSuffix(l.Lex, "INF") {
			q.num, q.isNum, q.numL = f, true, rdf.NewTypedLiteral(l.Lex, vocab.XSDDouble)
		}
		if l.Lex == "true" || l.Lex == "false" {
			q.boolv, q.isBool = l.Lex == "true", true
		}
		return
	}
	sv := classifyLiteral(l.Lex, dt, "")
	dtIRI, err := rdf.NewIRI(dt)
	if err != nil {
		dtIRI = vocab.XSDString
	}
	switch sv.cls {
	case clsString:
		q.str, q.isStr = l.Lex, true
	case clsNumber:
		q.num, q.isNum, q.numL = sv.num, true, rdf.NewTypedLiteral(l.Lex, dtIRI)
	case clsDateTime:
		q.us, q.isDT, q.dtL = sv.us, true, rdf.NewTypedLiteral(l.Lex, dtIRI)
	case clsBoolean:
		q.boolv, q.isBool = sv.num == 1, true
	default:
		q.other, q.isOther = sv, true
	}
}

// canonicalLang spells a tag as BCP 47 recommends: "en-US".
func canonicalLang(tag string) string {
	parts := strings.Split(strings.ToLower(tag), "-")
	for i := 1; i < len(parts); i++ {
		if len(parts[i]) == 2 {
			parts[i] = strings.ToUpper(parts[i])
		}
	}
	return strings.Join(parts, "-")
}

func uniq(ss ...string) []string {
	var out []string
	for _, s := range ss {
		dup := false
		for _, o := range out {
			dup = dup || o == s
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

// equals reports whether the stored value v equals q.
func (q *qval) equals(v val) bool {
	switch v.cls {
	case clsIRI:
		return q.isIRI && v.str == q.iri
	case clsNumber:
		return q.isNum && v.num == q.num
	case clsDateTime:
		return q.isDT && v.us == q.us
	case clsBoolean:
		return q.isBool && (v.num == 1) == q.boolv
	case clsString:
		return q.isStr && v.str == q.str && v.lang == q.lang
	case clsOther:
		return q.isOther && v.str == q.other.str && v.dt == q.other.dt
	}
	return false
}

// ordered reports whether q can bound a range: it is a number or a dateTime.
func (q *qval) ordered() bool { return q.isNum || q.isDT }

// bound is one end of a range: a number or dateTime and whether it is included.
type bound struct {
	v    val
	lit  rdf.Literal // the bound of Source.Range
	incl bool
}

// condKind tells what a cond tests.
type condKind int

const (
	condEq     condKind = iota + 1 // = or in: some value equals one of vals
	condNe                         // !=: no value equals vals[0]
	condRange                      // <, <=, >, >= on one property: some value in [lo, hi]
	condScoped                     // p{...}: some value is a node for which inner holds
	condJoin                       // planner only: every one of parts holds
)

// cond is one compiled condition on a subject. Comparisons with <, <=, >
// and >= of one property in one conjunction are merged into a single
// range: p>=a and p<b holds when one value of p lies in [a, b).
type cond struct {
	kind     condKind
	prop     rdf.IRI
	wildcard bool
	vals     []*qval // condEq, condNe
	lo, hi   *bound  // condRange; nil is open
	empty    bool    // condRange: the bounds are of different kinds, nothing matches
	inner    []*cond // condScoped
	text     string  // canonical text, IRIs expanded: the fingerprint's input

	innerPlan *nodePlan     // condScoped: how to find the nested nodes, once planned
	nodes     []rdf.Subject // condScoped: the nested nodes, once listed in full
	nodesDone bool
	parts     []*cond // condJoin
}

// compileWhere compiles the terms of a conjunction. It reports the uses the
// engine does not answer as ErrUnsupported, ill-formed typed literals as
// ErrSyntax and scopes deeper than parser.MaxDepth as ErrTooComplex.
func compileWhere(w *parser.Where, depth int) ([]*cond, error) {
	var conds []*cond
	ranges := map[string]*cond{}
	for _, t := range w.Terms {
		prop := t.Property()
		c := &cond{wildcard: prop.Wildcard}
		if !prop.Wildcard {
			var err error
			if c.prop, err = nameIRI(prop, "oslc.where"); err != nil {
				return nil, err
			}
		}
		switch t := t.(type) {
		case *parser.Comparison:
			if err := wellFormed(t.Value); err != nil {
				return nil, err
			}
			q := compileValue(t.Value)
			switch t.Op {
			case parser.OpEQ:
				c.kind, c.vals = condEq, []*qval{q}
			case parser.OpNE:
				c.kind, c.vals = condNe, []*qval{q}
			default:
				if !q.ordered() {
					return nil, unsupported(t.Value, fmt.Sprintf("%s compares only numbers and dateTimes, not %s", t.Op, q.text))
				}
				key := "*"
				if !prop.Wildcard {
					key = prop.IRI
				}
				if r, ok := ranges[key]; ok {
					r.narrow(t.Op, q)
					continue
				}
				c.kind = condRange
				c.narrow(t.Op, q)
				ranges[key] = c
			}
		case *parser.InTerm:
			c.kind = condEq
			for _, v := range t.Values {
				if err := wellFormed(v); err != nil {
					return nil, err
				}
				c.vals = append(c.vals, compileValue(v))
			}
		case *parser.ScopedTerm:
			if depth >= parser.MaxDepth {
				return nil, &Error{Param: "oslc.where", Pos: prop.Pos, Msg: fmt.Sprintf("scopes nested deeper than %d", parser.MaxDepth), Err: ErrTooComplex}
			}
			inner, err := compileWhere(t.Where, depth+1)
			if err != nil {
				return nil, err
			}
			c.kind, c.inner = condScoped, inner
		}
		conds = append(conds, c)
	}
	for _, c := range conds {
		c.text = c.canon()
	}
	return conds, nil
}

// wellFormed checks a value's lexical form, as the parser does, for trees
// built without it: an ill-formed typed literal is the client's error.
func wellFormed(v parser.Value) error {
	if l, ok := v.(*parser.Literal); ok {
		if msg := l.Malformed(); msg != "" {
			return &Error{Param: "oslc.where", Pos: l.Pos, Msg: msg, Err: ErrSyntax}
		}
	}
	return nil
}

func unsupported(v any, msg string) error {
	pos := 0
	switch v := v.(type) {
	case *parser.Name:
		pos = v.Pos
	case *parser.Literal:
		pos = v.Pos
	}
	return &Error{Param: "oslc.where", Pos: pos, Msg: msg, Err: ErrUnsupported}
}

// narrow adds the bound "value op q" to a range condition, keeping the
// tighter of two bounds on the same side.
func (c *cond) narrow(op parser.Op, q *qval) {
	var b bound
	if q.isDT {
		b = bound{v: val{cls: clsDateTime, us: q.us}, lit: q.dtL}
	} else {
		b = bound{v: val{cls: clsNumber, num: q.num}, lit: q.numL}
	}
	b.incl = op == parser.OpLE || op == parser.OpGE
	lower := op == parser.OpGT || op == parser.OpGE
	cur := &c.hi
	if lower {
		cur = &c.lo
	}
	if *cur == nil {
		*cur = &b
	} else if (*cur).v.cls != b.v.cls {
		c.empty = true
	} else {
		d := compare(b.v, (*cur).v)
		if (lower && d > 0) || (!lower && d < 0) || (d == 0 && !b.incl) {
			*cur = &b
		}
	}
	if c.lo != nil && c.hi != nil && c.lo.v.cls != c.hi.v.cls {
		c.empty = true
	}
}

// inRange reports whether v lies within the condition's bounds.
func (c *cond) inRange(v val) bool {
	if c.empty {
		return false
	}
	for _, b := range []*bound{c.lo, c.hi} {
		if b != nil && b.v.cls != v.cls {
			return false
		}
	}
	if b := c.lo; b != nil {
		if d := compare(v, b.v); d < 0 || (d == 0 && !b.incl) {
			return false
		}
	}
	if b := c.hi; b != nil {
		if d := compare(v, b.v); d > 0 || (d == 0 && !b.incl) {
			return false
		}
	}
	return true
}

// matches reports whether the value v of the condition's property
// satisfies it; for condNe, whether v equals the value (the caller
// negates). Not for condScoped.
func (c *cond) matches(v val) bool {
	switch c.kind {
	case condEq, condNe:
		for _, q := range c.vals {
			if q.equals(v) {
				return true
			}
		}
		return false
	case condRange:
		return c.inRange(v)
	}
	return false
}

func (c *cond) propText() string {
	if c.wildcard {
		return "*"
	}
	return "<" + c.prop.String() + ">"
}

// canon is the condition with IRIs in full, so that two requests mean the
// same query exactly when their texts are equal.
func (c *cond) canon() string {
	var b strings.Builder
	b.WriteString(c.propText())
	switch c.kind {
	case condEq, condNe:
		if c.kind == condEq {
			b.WriteString(" in [")
		} else {
			b.WriteString(" != [")
		}
		for i, q := range c.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(q.canon())
		}
		b.WriteString("]")
	case condRange:
		for _, x := range []struct {
			b  *bound
			op string
		}{{c.lo, ">"}, {c.hi, "<"}} {
			if x.b == nil {
				continue
			}
			b.WriteString(" " + x.op)
			if x.b.incl {
				b.WriteByte('=')
			}
			b.WriteString(x.b.lit.Serialize(rdf.NTriples))
		}
	case condScoped:
		b.WriteByte('{')
		for i, ic := range c.inner {
			if i > 0 {
				b.WriteString(" and ")
			}
			b.WriteString(ic.text)
		}
		b.WriteByte('}')
	}
	return b.String()
}

func (q *qval) canon() string {
	var parts []string
	if q.isIRI {
		parts = append(parts, "<"+q.iri+">")
	}
	if q.isStr {
		parts = append(parts, "s"+strconv.Quote(q.str)+"@"+q.lang)
	}
	if q.isNum {
		parts = append(parts, "n"+strconv.FormatFloat(q.num, 'g', -1, 64))
	}
	if q.isDT {
		parts = append(parts, "d"+strconv.FormatInt(q.us, 10))
	}
	if q.isBool {
		parts = append(parts, "b"+strconv.FormatBool(q.boolv))
	}
	if q.isOther {
		parts = append(parts, "o"+strconv.Quote(q.other.str)+"^^"+q.other.dt)
	}
	return strings.Join(parts, "|")
}

// nameIRI returns the IRI of a parsed name; names built by hand are checked.
func nameIRI(n *parser.Name, param string) (rdf.IRI, error) {
	i, err := rdf.NewIRI(n.IRI)
	if err != nil {
		return rdf.IRI{}, &Error{Param: param, Pos: n.Pos, Msg: fmt.Sprintf("invalid IRI %q: %v", n.IRI, err), Err: ErrSyntax}
	}
	return i, nil
}
