package parser

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Name is a property or datatype name: a prefixed name, an IRI in angle
// brackets, or, for properties, the wildcard "*". It is also the Value of
// a comparison with an IRI.
type Name struct {
	IRI      string // the IRI named; "" for the wildcard
	Prefixed string // the name as written, "dcterms:title"; "" if written <IRI>
	Wildcard bool
	Pos      int // 1-based byte position in the parameter; 0 if built
}

func (n *Name) String() string {
	switch {
	case n.Wildcard:
		return "*"
	case n.Prefixed != "":
		return n.Prefixed
	}
	return "<" + escape(n.IRI, `>\`) + ">"
}

// Where is a parsed oslc.where:
//
//	compound_term ::= simple_term (space? boolean_op space? simple_term)*
//
// Its terms are a conjunction.
type Where struct {
	Terms []Term
}

func (w *Where) String() string {
	parts := make([]string, len(w.Terms))
	for i, t := range w.Terms {
		parts[i] = t.String()
	}
	return strings.Join(parts, " and ")
}

// Term is a simple_term of oslc.where: *Comparison, *InTerm or *ScopedTerm.
type Term interface {
	String() string
	Property() *Name
	term()
}

// Op is a comparison operator.
type Op int

// The comparison operators.
const (
	OpEQ Op = iota + 1 // =
	OpNE               // !=
	OpLT               // <
	OpGT               // >
	OpLE               // <=
	OpGE               // >=
)

var opNames = [...]string{OpEQ: "=", OpNE: "!=", OpLT: "<", OpGT: ">", OpLE: "<=", OpGE: ">="}

func (o Op) String() string {
	if o > 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// Comparison is "property op value".
type Comparison struct {
	Prop  Name
	Op    Op
	Value Value
}

// InTerm is "property in [v1, v2, ...]": equality with any of the values.
type InTerm struct {
	Prop   Name
	Values []Value
}

// ScopedTerm is "property{compound_term}": the property has a value, a
// nested node, for which the nested terms hold.
type ScopedTerm struct {
	Prop  Name
	Where *Where
}

func (t *Comparison) String() string { return t.Prop.String() + t.Op.String() + t.Value.String() }
func (t *ScopedTerm) String() string { return t.Prop.String() + "{" + t.Where.String() + "}" }
func (t *InTerm) String() string {
	parts := make([]string, len(t.Values))
	for i, v := range t.Values {
		parts[i] = v.String()
	}
	return t.Prop.String() + " in [" + strings.Join(parts, ",") + "]"
}

// Property returns the term's property.
func (t *Comparison) Property() *Name { return &t.Prop }

// Property returns the term's property.
func (t *InTerm) Property() *Name { return &t.Prop }

// Property returns the term's property.
func (t *ScopedTerm) Property() *Name { return &t.Prop }

func (*Comparison) term() {}
func (*InTerm) term()     {}
func (*ScopedTerm) term() {}

// Value is the right-hand side of a comparison: a *Name (an IRI or a
// prefixed name) or a *Literal.
type Value interface {
	String() string
	value()
}

func (*Name) value()    {}
func (*Literal) value() {}

// LiteralKind tells how a literal was written.
type LiteralKind int

// The kinds of literal.
const (
	LitString  LiteralKind = iota + 1 // "abc", "abc"@en, "42"^^xsd:int
	LitNumber                         // 42, -3.5, 1e3
	LitBoolean                        // true, false
)

// Literal is a literal_value: a string with an optional language tag or
// datatype, a number, or a boolean.
type Literal struct {
	Kind     LiteralKind
	Lex      string // the string's value (unescaped), or the number or boolean as written
	Lang     string // language tag, without "@"
	Datatype *Name  // datatype after "^^"; nil if none
	Pos      int
}

func (l *Literal) String() string {
	if l.Kind != LitString {
		return l.Lex
	}
	s := quote(l.Lex)
	switch {
	case l.Lang != "":
		s += "@" + l.Lang
	case l.Datatype != nil:
		s += "^^" + l.Datatype.String()
	}
	return s
}

// DatatypeIRI returns the literal's datatype: the one written, xsd:boolean
// for true and false, xsd:integer, xsd:decimal or xsd:double for a number
// without ".", with "." or with an exponent, rdf:langString with a
// language tag, and "" for a plain string.
func (l *Literal) DatatypeIRI() string {
	switch l.Kind {
	case LitBoolean:
		return vocab.XSD + "boolean"
	case LitNumber:
		switch {
		case strings.ContainsAny(l.Lex, "eE"):
			return vocab.XSD + "double"
		case strings.Contains(l.Lex, "."):
			return vocab.XSD + "decimal"
		}
		return vocab.XSD + "integer"
	}
	switch {
	case l.Lang != "":
		return vocab.RDF + "langString"
	case l.Datatype != nil:
		return l.Datatype.IRI
	}
	return ""
}

// Malformed reports why the literal's lexical form is not one of its
// datatype, "" if it is or the datatype is not one the engine reads: the
// XSD numbers, booleans and dateTimes. Surrounding spaces are allowed, as
// XSD collapses them. "NaN" is a well-formed double, with no order.
func (l *Literal) Malformed() string {
	dt := l.DatatypeIRI()
	local, ok := strings.CutPrefix(dt, vocab.XSD)
	if !ok {
		return ""
	}
	lex := strings.Trim(l.Lex, " \t\r\n")
	switch local {
	case "dateTime", "dateTimeStamp":
		if _, ok := literal.DateTimeValue(lex, local == "dateTimeStamp"); ok {
			return ""
		}
	case "boolean":
		switch lex {
		case "true", "false", "1", "0":
			return ""
		}
	default:
		if !literal.IsNumeric(local) {
			return ""
		}
		if _, ok := literal.NumberValue(local, lex); ok || (lex == "NaN" && (local == "double" || local == "float")) {
			return ""
		}
	}
	return fmt.Sprintf("%s is not a valid xsd:%s", quote(clip(l.Lex)), local)
}

// clip shortens s for a message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// Selection is a parsed oslc.select or oslc.properties:
//
//	properties ::= property ("," property)*
type Selection struct {
	Props []SelectProp
}

// SelectProp is one property of a selection:
//
//	property    ::= identifier | wildcard | nested_prop
//	nested_prop ::= (identifier | wildcard) "{" properties "}"
type SelectProp struct {
	Prop   Name
	Nested *Selection // properties of the values; nil if none
}

func (s *Selection) String() string {
	parts := make([]string, len(s.Props))
	for i, p := range s.Props {
		parts[i] = p.Prop.String()
		if p.Nested != nil {
			parts[i] += "{" + p.Nested.String() + "}"
		}
	}
	return strings.Join(parts, ",")
}

// OrderBy is a parsed oslc.orderBy:
//
//	sort_terms ::= sort_term ("," sort_term)*
type OrderBy struct {
	Terms []SortTerm
}

// SortTerm is one sort_term:
//
//	sort_term         ::= scoped_sort_terms | ("+" | "-") identifier
//	scoped_sort_terms ::= identifier "{" sort_terms "}"
//
// A scoped term sorts by properties of the nodes its property points to.
type SortTerm struct {
	Prop   Name
	Desc   bool       // "-"; ignored when Nested is set
	Nested []SortTerm // the scoped sort terms; nil for a signed identifier
}

func (o *OrderBy) String() string { return sortTermsString(o.Terms) }

func sortTermsString(ts []SortTerm) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		switch {
		case t.Nested != nil:
			parts[i] = t.Prop.String() + "{" + sortTermsString(t.Nested) + "}"
		case t.Desc:
			parts[i] = "-" + t.Prop.String()
		default:
			parts[i] = "+" + t.Prop.String()
		}
	}
	return strings.Join(parts, ",")
}

// SearchTerms is a parsed oslc.searchTerms:
//
//	search_terms ::= string_esc ("," string_esc)*
type SearchTerms []string

func (st SearchTerms) String() string {
	parts := make([]string, len(st))
	for i, s := range st {
		parts[i] = quote(s)
	}
	return strings.Join(parts, ",")
}

// PrefixDef is one prefix definition of oslc.prefix.
type PrefixDef struct {
	Prefix string
	IRI    string
	Pos    int
}

// Prefixes is a parsed oslc.prefix:
//
//	prefix_defs ::= prefix_def ("," prefix_def)*
//	prefix_def  ::= prefix "=" uri_ref_esc
type Prefixes []PrefixDef

func (ps Prefixes) String() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Prefix + "=<" + escape(p.IRI, `>\`) + ">"
	}
	return strings.Join(parts, ",")
}

// Map returns base with ps added, in a new map; a prefix defined twice
// takes its last definition. The Parse functions take the result.
func (ps Prefixes) Map(base map[string]string) map[string]string {
	m := make(map[string]string, len(base)+len(ps))
	for k, v := range base {
		m[k] = v
	}
	for _, p := range ps {
		m[p.Prefix] = p.IRI
	}
	return m
}

// DefaultPrefixes returns the provider's prefixes (vocab.Prefixes) as a new
// map, the base for Prefixes.Map.
func DefaultPrefixes() map[string]string {
	m := make(map[string]string, len(vocab.Prefixes))
	for _, p := range vocab.Prefixes {
		m[p.Prefix] = p.NS
	}
	return m
}

// quote writes s as a string_esc, which the scanner reads back.
func quote(s string) string { return string(literal.AppendQuoted(nil, s)) }

// escape backslash-escapes the bytes of chars in s.
func escape(s, chars string) string {
	if !strings.ContainsAny(s, chars) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && strings.ContainsRune(chars, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
