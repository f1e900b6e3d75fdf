package shapes

import (
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// resultSuffix ends the name of a result container shape: the results of
// the query capability of records are described by "record-query".
const resultSuffix = "-query"

// A Result is the shape of a query capability's result container (OSLC
// Query 3.0, "Discovering a Query Capability"): an LDP basic container
// whose members, under rdfs:member and ldp:contains, are resources of the
// Member shape. Both membership properties are oslc:isMemberProperty, and
// each names Member as its oslc:valueShape, so that a client reaches the
// properties it may select and query from the capability's shape.
type Result struct {
	Member *Shape
}

// ResultOf returns the result container shape of the members m describes.
func ResultOf(m *Shape) *Result { return &Result{Member: m} }

// LookupResult returns the result container shape served under name, or
// nil.
func LookupResult(name string) *Result {
	member, ok := strings.CutSuffix(name, resultSuffix)
	if !ok {
		return nil
	}
	m := Lookup(member)
	if m == nil {
		return nil
	}
	return ResultOf(m)
}

// Name is the path segment the shape is served under, beside its member
// shape: "record-query".
func (r *Result) Name() string { return r.Member.Name + resultSuffix }

// Title is the shape's dcterms:title.
func (r *Result) Title() string { return "Query results: " + r.Member.Title }

// Graph returns the shape as RDF, with iri as the shape's IRI, each
// property at iri#name, and the member shape at the IRI beside iri.
func (r *Result) Graph(iri rdf.IRI) []rdf.Triple {
	member := vocab.IRI(strings.TrimSuffix(iri.String(), r.Name()), r.Member.Name)
	prop := func(name string, def rdf.IRI, desc string) Property {
		return Property{Name: name, Definition: def, Occurs: ZeroOrMany, ValueType: Resource, Representation: Either,
			Range: r.Member.Describes, ReadOnly: true, Description: desc}
	}
	sh := &Shape{
		Name:      r.Name(),
		Title:     r.Title(),
		Describes: []rdf.IRI{vocab.LDPBasicContainer},
		Properties: []Property{
			{Name: "type", Definition: vocab.RDFType, Occurs: OneOrMany, ValueType: Resource, Representation: Reference,
				ReadOnly: true, Description: "ldp:BasicContainer: the query base is an LDP container of the results."},
			prop("member", vocab.RDFSMember, "A resource the query found (OSLC Query 2.0 and 3.0); with oslc.select, its selected properties are in-line."),
			prop("contains", vocab.LDPContains, "A resource the query found, as an LDP containment triple."),
		},
	}
	g := sh.Graph(iri)
	isMember := rdf.NewTypedLiteral("true", vocab.XSDBoolean)
	for _, name := range []string{"member", "contains"} {
		pi := vocab.IRI(iri.String()+"#", name)
		g = append(g,
			rdf.Triple{Subj: pi, Pred: vocab.OSLCTerm("isMemberProperty"), Obj: isMember},
			rdf.Triple{Subj: pi, Pred: vocab.OSLCTerm("valueShape"), Obj: member},
		)
	}
	return g
}
