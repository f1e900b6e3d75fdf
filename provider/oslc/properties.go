package oslc

import (
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query/parser"
)

// selectProperties returns the triples of id in g that sel selects, as
// oslc.properties asks on a single resource: each selected property of
// id (all of them for "*"), and for p{...} the selected properties of the
// nodes p points to, to any depth. Nested nodes are the resource's own
// (its measures); links out of the resource are kept as links.
func selectProperties(g []rdf.Triple, id rdf.Subject, sel *parser.Selection) []rdf.Triple {
	bySubj := make(map[string][]rdf.Triple)
	for _, t := range g {
		k := termKey(t.Subj)
		bySubj[k] = append(bySubj[k], t)
	}
	var out []rdf.Triple
	seen := make(map[string]bool)
	var walk func(n rdf.Term, sel *parser.Selection, depth int)
	walk = func(n rdf.Term, sel *parser.Selection, depth int) {
		if depth > 32 {
			return
		}
		for _, t := range bySubj[termKey(n)] {
			for _, sp := range sel.Props {
				if !sp.Prop.Wildcard && sp.Prop.IRI != t.Pred.String() {
					continue
				}
				if k := t.Serialize(rdf.NTriples); !seen[k] {
					seen[k] = true
					out = append(out, t)
				}
				if sp.Nested != nil {
					walk(t.Obj, sp.Nested, depth+1)
				}
			}
		}
	}
	walk(id, sel, 0)
	return out
}
