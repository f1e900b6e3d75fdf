package shapes

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/vocab"
)

// A Violation is one way a resource does not conform to its shape.
type Violation struct {
	Subject  string // the node the violation is about
	Property string // the property IRI, if any
	Message  string
}

func (v Violation) Error() string {
	if v.Property == "" {
		return fmt.Sprintf("<%s>: %s", v.Subject, v.Message)
	}
	return fmt.Sprintf("<%s> <%s>: %s", v.Subject, v.Property, v.Message)
}

// MaxMeasures bounds the measures (ems:observes values) of one resource.
// No monitor reports thousands of readings in one record, and every one
// is validated, stored and indexed with its record in one transaction.
const MaxMeasures = 1000

// Validate checks the properties of subj in g against s: occurs and value
// types. Server-managed properties are not checked: the provider sets them.
// It reads all of g: to check many nodes of one graph, use
// ValidateWithMeasures, which reads it once.
func (s *Shape) Validate(subj rdf.Subject, g []rdf.Triple) []Violation {
	var own []rdf.Triple
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, subj) {
			own = append(own, t)
		}
	}
	return s.check(subj, own)
}

// ValidateWithMeasures checks subj in g against s, as Validate does, and
// each node of g that subj observes (ems:observes) against the measure
// shape. A resource with more than MaxMeasures measures is one violation,
// and its measures are not checked. It indexes g by subject once, so that
// its cost grows with the size of g, not with its square.
func (s *Shape) ValidateWithMeasures(subj rdf.Subject, g []rdf.Triple) []Violation {
	bySubj := groupBySubject(g)
	own := bySubj.of(subj)
	vs := s.check(subj, own)
	n := 0
	for _, t := range own {
		if t.Pred == vocab.EMSObserves {
			n++
		}
	}
	if n > MaxMeasures {
		return append(vs, Violation{Subject: subj.String(), Property: vocab.EMSObserves.String(),
			Message: fmt.Sprintf("%d measures; a resource may have at most %d", n, MaxMeasures)})
	}
	measure := Lookup(MeasureName)
	for _, t := range own {
		node, ok := t.Obj.(rdf.Subject)
		if t.Pred != vocab.EMSObserves || !ok {
			continue
		}
		if nts := bySubj.of(node); len(nts) > 0 {
			vs = append(vs, measure.check(node, nts)...)
		}
	}
	return vs
}

// bySubject is a graph's triples grouped by subject, each subject's in
// their order in the graph.
type bySubject struct {
	spans   map[codec.TermKey]span
	triples []rdf.Triple
}

// A span is where a subject's triples are in bySubject.triples.
type span struct{ off, n int }

// groupBySubject groups g by subject: in two allocations and a map of
// the subjects, rather than a slice per subject grown triple by triple.
func groupBySubject(g []rdf.Triple) bySubject {
	b := bySubject{spans: make(map[codec.TermKey]span), triples: make([]rdf.Triple, len(g))}
	for _, t := range g {
		k := codec.KeyOf(t.Subj)
		sp := b.spans[k]
		sp.n++
		b.spans[k] = sp
	}
	off := 0
	for k, sp := range b.spans {
		b.spans[k] = span{off: off}
		off += sp.n
	}
	for _, t := range g {
		k := codec.KeyOf(t.Subj)
		sp := b.spans[k]
		b.triples[sp.off+sp.n] = t
		sp.n++
		b.spans[k] = sp
	}
	return b
}

// of returns the triples of subj.
func (b bySubject) of(subj rdf.Term) []rdf.Triple {
	sp := b.spans[codec.KeyOf(subj)]
	return b.triples[sp.off : sp.off+sp.n : sp.off+sp.n]
}

// check checks subj, whose triples are own, against s. It reads own once
// per property of s: a shape has a few dozen, and a node's triples are
// checked without building an index of them.
func (s *Shape) check(subj rdf.Subject, own []rdf.Triple) []Violation {
	var vs []Violation
	for i := range s.Properties {
		p := &s.Properties[i]
		if p.ServerManaged {
			continue
		}
		def := p.Definition.String()
		n := 0
		for _, t := range own {
			if t.Pred.String() == def {
				n++
			}
		}
		bad := func(format string, args ...any) {
			vs = append(vs, Violation{Subject: subj.String(), Property: def, Message: fmt.Sprintf(format, args...)})
		}
		switch {
		case p.Occurs == ExactlyOne && n != 1:
			bad("%s must occur exactly once; found %d values", p.Name, n)
		case p.Occurs == ZeroOrOne && n > 1:
			bad("%s may occur at most once; found %d values", p.Name, n)
		case p.Occurs == OneOrMany && n == 0:
			bad("%s is required", p.Name)
		}
		if n == 0 {
			continue
		}
		oneOf := len(p.OneOf) == 0
		for _, t := range own {
			if t.Pred.String() != def {
				continue
			}
			if msg := checkValue(p, t.Obj); msg != "" {
				bad("%s", msg)
			}
			oneOf = oneOf || isOneOf(p.OneOf, t.Obj)
		}
		if !oneOf {
			var names, found []string
			for _, v := range p.OneOf {
				names = append(names, short(v.String()))
			}
			for _, t := range own {
				if t.Pred.String() == def {
					found = append(found, short(t.Obj.String()))
				}
			}
			bad("%s must have at least one value among %s; found %s", p.Name, strings.Join(names, ", "), strings.Join(found, ", "))
		}
	}
	return vs
}

// isOneOf says whether o is one of want.
func isOneOf(want []rdf.IRI, o rdf.Object) bool {
	iri, ok := o.(rdf.IRI)
	return ok && slices.Contains(want, iri)
}

// checkValue reports why o is not a valid value for p, or "".
func checkValue(p *Property, o rdf.Object) string {
	vt := p.ValueType.String()
	lit, isLit := o.(rdf.Literal)
	switch vt {
	case Resource.String(), LocalResource.String(), AnyResource.String():
		if isLit {
			return fmt.Sprintf("%s must be a resource (an IRI or a node), not the literal %q", p.Name, lit.String())
		}
		if len(p.Allowed) > 0 {
			if isOneOf(p.Allowed, o) {
				return ""
			}
			var names []string
			for _, v := range p.Allowed {
				names = append(names, short(v.String()))
			}
			return fmt.Sprintf("%s must be one of %s, not %s", p.Name, strings.Join(names, ", "), short(o.String()))
		}
		return ""
	}
	if !isLit {
		return fmt.Sprintf("%s must be a literal of type %s, not a resource", p.Name, short(vt))
	}
	dt := lit.DataType.String()
	switch vt {
	case vocab.XSD + "dateTime":
		if dt != vt {
			return fmt.Sprintf("%s must be an xsd:dateTime, not %s", p.Name, short(dt))
		}
		if p.RequireTimezone && !HasTimezone(lit.String()) {
			return fmt.Sprintf("%s %q has no timezone; an explicit offset such as Z or +02:00 is required", p.Name, lit.String())
		}
	case vocab.XSD + "boolean":
		if dt != vt {
			return fmt.Sprintf("%s must be an xsd:boolean, not %s", p.Name, short(dt))
		}
	case vocab.XSD + "double", vocab.XSD + "decimal", vocab.XSD + "integer", vocab.XSD + "float":
		if !IsNumeric(dt) {
			return fmt.Sprintf("%s must be a number (xsd:decimal, xsd:integer, xsd:double...), not %s", p.Name, short(dt))
		}
	case vocab.XSD + "string", vocab.RDF + "XMLLiteral":
		// Plain, language-tagged and XML literals all carry text.
	}
	return ""
}

// CheckLiterals reports every literal in g whose lexical form is not valid
// for its xsd datatype (e.g. "abc"^^xsd:double).
func CheckLiterals(g []rdf.Triple) []Violation {
	var vs []Violation
	for _, t := range g {
		lit, ok := t.Obj.(rdf.Literal)
		if !ok {
			continue
		}
		if msg := CheckLexical(lit); msg != "" {
			vs = append(vs, Violation{Subject: t.Subj.String(), Property: t.Pred.String(), Message: msg})
		}
	}
	return vs
}

var (
	integerRE  = regexp.MustCompile(`^[+-]?[0-9]+$`)
	decimalRE  = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
	doubleRE   = regexp.MustCompile(`^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$`)
	dateTimeRE = regexp.MustCompile(`^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$`)
)

// CheckLexical reports why lit's lexical form is invalid for its datatype,
// or "" when it is valid or the datatype is not one we check: the xsd
// ones and rdf:XMLLiteral.
func CheckLexical(lit rdf.Literal) string {
	s := lit.String()
	dt := lit.DataType.String()
	if dt == vocab.RDFXMLLiteral.String() {
		if err := codec.CheckXMLLiteral(s); err != nil {
			return fmt.Sprintf("%q is not a well-formed rdf:XMLLiteral, XML content with its elements balanced and < and & escaped: %v", s, err)
		}
		return ""
	}
	ok := true
	switch strings.TrimPrefix(dt, vocab.XSD) {
	case "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong":
		ok = integerRE.MatchString(s)
	case "decimal":
		ok = decimalRE.MatchString(s)
	case "double", "float":
		ok = doubleRE.MatchString(s)
	case "boolean":
		ok = s == "true" || s == "false" || s == "1" || s == "0"
	case "dateTime":
		_, err := parseDateTime(s)
		ok = err == nil
	default:
		return ""
	}
	if !dt2xsd(dt) {
		return ""
	}
	if !ok {
		return fmt.Sprintf("%q is not a valid %s", s, short(dt))
	}
	return ""
}

func dt2xsd(dt string) bool { return strings.HasPrefix(dt, vocab.XSD) }

// IsNumeric reports whether dt is an xsd numeric datatype.
func IsNumeric(dt string) bool {
	switch strings.TrimPrefix(dt, vocab.XSD) {
	case "integer", "int", "long", "short", "byte", "decimal", "double", "float",
		"nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
		"unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte":
		return strings.HasPrefix(dt, vocab.XSD)
	}
	return false
}

// parseDateTime parses an xsd:dateTime lexical form. Without a timezone the
// time is read as UTC; use HasTimezone to tell.
func parseDateTime(s string) (time.Time, error) {
	if !dateTimeRE.MatchString(s) {
		return time.Time{}, fmt.Errorf("%q is not an xsd:dateTime", s)
	}
	layout := "2006-01-02T15:04:05.999999999"
	if HasTimezone(s) {
		layout += "Z07:00"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an xsd:dateTime: %v", s, err)
	}
	return t, nil
}

// HasTimezone reports whether an xsd:dateTime lexical form has a timezone.
func HasTimezone(s string) bool {
	if strings.HasSuffix(s, "Z") {
		return true
	}
	i := strings.LastIndexAny(s, "+-")
	return i > 0 && i > strings.LastIndexByte(s, 'T') && len(s)-i == 6 && s[i+3] == ':'
}

// short abbreviates a well-known IRI for messages.
func short(iri string) string {
	switch s := vocab.Short(iri); {
	case iri == "":
		return "a plain literal"
	case s == iri:
		return "<" + iri + ">"
	default:
		return s
	}
}
