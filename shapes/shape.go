// Package shapes holds the OSLC Resource Shapes of the resources the provider
// serves: their RDF descriptions and the validation of client input against
// them (occurs, value types, allowed and required values, read-only
// properties, at most MaxMeasures measures per resource).
//
// The PerformanceMonitoringRecord shape is built from the published OSLC PM
// shapes document (embedded in package vocab), with its small bugs mended;
// the others are ours, in the same style.
package shapes

import (
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Occurs is the cardinality of a shape property.
type Occurs int

// Cardinalities, as OSLC names them.
const (
	ZeroOrMany Occurs = iota
	ZeroOrOne
	ExactlyOne
	OneOrMany
)

// IRI returns the oslc: term for o.
func (o Occurs) IRI() rdf.IRI {
	switch o {
	case ZeroOrOne:
		return vocab.IRI(vocab.OSLC, "Zero-or-one")
	case ExactlyOne:
		return vocab.IRI(vocab.OSLC, "Exactly-one")
	case OneOrMany:
		return vocab.IRI(vocab.OSLC, "One-or-many")
	}
	return vocab.IRI(vocab.OSLC, "Zero-or-many")
}

func (o Occurs) String() string {
	switch o {
	case ZeroOrOne:
		return "zero-or-one"
	case ExactlyOne:
		return "exactly-one"
	case OneOrMany:
		return "one-or-many"
	}
	return "zero-or-many"
}

// Value types beyond the xsd ones.
var (
	Resource      = vocab.IRI(vocab.OSLC, "Resource")
	LocalResource = vocab.IRI(vocab.OSLC, "LocalResource")
	AnyResource   = vocab.IRI(vocab.OSLC, "AnyResource")

	Reference = vocab.IRI(vocab.OSLC, "Reference")
	Inline    = vocab.IRI(vocab.OSLC, "Inline")
	Either    = vocab.IRI(vocab.OSLC, "Either")
)

// Property describes one property of a shape.
type Property struct {
	Name           string  // oslc:name, also the fragment of the property's IRI
	Definition     rdf.IRI // oslc:propertyDefinition
	Occurs         Occurs
	ValueType      rdf.IRI   // xsd datatype, rdf:XMLLiteral or oslc:Resource...
	Range          []rdf.IRI // oslc:range, may be empty
	Representation rdf.IRI   // oslc:Reference, oslc:Inline, oslc:Either; zero for literals
	Allowed        []rdf.IRI // oslc:allowedValue: the only values accepted, if any
	ReadOnly       bool
	Description    string

	// ServerManaged properties are set by the provider, never by clients:
	// values a client sends for them are replaced (POST) or must match (PUT).
	ServerManaged bool
	// RequireTimezone rejects xsd:dateTime values without a timezone.
	RequireTimezone bool
	// OneOf, if set, are values of which at least one must be among the
	// property's values, if it has any; others may come with it. Resource
	// Shapes have no term for it: the property's description says it.
	OneOf []rdf.IRI
}

// Shape is an OSLC Resource Shape.
type Shape struct {
	Name       string // path segment the shape is served under
	Title      string
	Describes  []rdf.IRI
	Properties []Property
}

// Property returns the shape's property with definition p, or nil.
func (s *Shape) Property(p string) *Property {
	for i := range s.Properties {
		if s.Properties[i].Definition.String() == p {
			return &s.Properties[i]
		}
	}
	return nil
}

// Graph returns the shape as RDF, with iri as the shape's IRI and each
// property at iri#name.
func (s *Shape) Graph(iri rdf.IRI) []rdf.Triple {
	oslc := func(l string) rdf.IRI { return vocab.IRI(vocab.OSLC, l) }
	str := func(v string) rdf.Literal { return rdf.NewTypedLiteral(v, vocab.XSDString) }
	g := []rdf.Triple{
		{Subj: iri, Pred: vocab.RDFType, Obj: oslc("ResourceShape")},
		{Subj: iri, Pred: vocab.DCTitle, Obj: str(s.Title)},
	}
	for _, d := range s.Describes {
		g = append(g, rdf.Triple{Subj: iri, Pred: oslc("describes"), Obj: d})
	}
	for _, p := range s.Properties {
		pi := vocab.IRI(iri.String()+"#", p.Name)
		g = append(g,
			rdf.Triple{Subj: iri, Pred: oslc("property"), Obj: pi},
			rdf.Triple{Subj: pi, Pred: vocab.RDFType, Obj: oslc("Property")},
			rdf.Triple{Subj: pi, Pred: oslc("name"), Obj: str(p.Name)},
			rdf.Triple{Subj: pi, Pred: oslc("propertyDefinition"), Obj: p.Definition},
			rdf.Triple{Subj: pi, Pred: oslc("occurs"), Obj: p.Occurs.IRI()},
			rdf.Triple{Subj: pi, Pred: oslc("valueType"), Obj: p.ValueType},
			rdf.Triple{Subj: pi, Pred: oslc("readOnly"), Obj: rdf.NewTypedLiteral(boolString(p.ReadOnly), vocab.XSDBoolean)},
		)
		if p.Representation != (rdf.IRI{}) {
			g = append(g, rdf.Triple{Subj: pi, Pred: oslc("representation"), Obj: p.Representation})
		}
		for _, r := range p.Range {
			g = append(g, rdf.Triple{Subj: pi, Pred: oslc("range"), Obj: r})
		}
		for _, v := range p.Allowed {
			g = append(g, rdf.Triple{Subj: pi, Pred: oslc("allowedValue"), Obj: v})
		}
		if p.Description != "" {
			g = append(g, rdf.Triple{Subj: pi, Pred: vocab.DCDescription, Obj: str(p.Description)})
		}
	}
	return g
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
