package query

import (
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

var rdfNil = vocab.IRI(vocab.RDF, "nil")

// checkSelection resolves the selection's IRIs once, so that selecting
// cannot fail on a name later.
func checkSelection(s *Selection) error {
	if s == nil {
		return nil
	}
	for i := range s.Props {
		sp := &s.Props[i]
		if !sp.Prop.Wildcard {
			if _, err := nameIRI(&sp.Prop, "oslc.select"); err != nil {
				return err
			}
		}
		if err := checkSelection(sp.Nested); err != nil {
			return err
		}
	}
	return nil
}

// selectTriples returns the triples of s that sel selects: for each
// property (every property for "*") the member's triples with it, and for
// a nested selection p{...} the selected triples of each node p points
// to, to any depth. rdf:nil alone selects nothing. Triples come in
// selection order, each once.
func (e *eval) selectTriples(s rdf.Subject, sel *Selection) ([]rdf.Triple, error) {
	if sel == nil || (len(sel.Props) == 1 && !sel.Props[0].Prop.Wildcard && sel.Props[0].Prop.IRI == rdfNil.String()) {
		return nil, nil
	}
	var out []rdf.Triple
	seen := map[string]bool{}
	var walk func(n rdf.Subject, sel *Selection) error
	walk = func(n rdf.Subject, sel *Selection) error {
		for _, sp := range sel.Props {
			var pred rdf.Predicate
			if !sp.Prop.Wildcard {
				if sp.Prop.IRI == rdfNil.String() {
					continue
				}
				pred, _ = rdf.NewIRI(sp.Prop.IRI)
			}
			var nested []rdf.Subject
			err := e.src.Match(e.ctx, n, pred, nil, func(t rdf.Triple) bool {
				k := t.Serialize(rdf.NTriples)
				if !seen[k] {
					seen[k] = true
					out = append(out, t)
				}
				if sp.Nested != nil && t.Obj.Type() != rdf.TermLiteral {
					if ns, ok := t.Obj.(rdf.Subject); ok {
						nested = append(nested, ns)
					}
				}
				return true
			})
			if err != nil {
				return err
			}
			for _, ns := range nested {
				if err := walk(ns, sp.Nested); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(s, sel)
}
