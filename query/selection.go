package query

import (
	"fmt"
	"strconv"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

var rdfNil = vocab.IRI(vocab.RDF, "nil")

// checkSelection resolves the selection's IRIs once, so that selecting
// cannot fail on a name later.
func checkSelection(s *parser.Selection, depth int) error {
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
		if sp.Nested != nil && depth >= parser.MaxDepth {
			return &Error{Param: "oslc.select", Pos: sp.Prop.Pos, Msg: fmt.Sprintf("scopes nested deeper than %d", parser.MaxDepth), Err: ErrTooComplex}
		}
		if err := checkSelection(sp.Nested, depth+1); err != nil {
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
func (e *eval) selectTriples(s rdf.Subject, sel *parser.Selection) ([]rdf.Triple, error) {
	if sel == nil || len(sel.Props) == 0 || (len(sel.Props) == 1 && !sel.Props[0].Prop.Wildcard && sel.Props[0].Prop.IRI == rdfNil.String()) {
		return nil, nil
	}
	var out []rdf.Triple
	seen := map[string]bool{}
	var key []byte
	add := func(t rdf.Triple) {
		key = appendTermKey(appendTermKey(appendTermKey(key[:0], t.Subj), t.Pred), t.Obj)
		if !seen[string(key)] {
			seen[string(key)] = true
			out = append(out, t)
		}
	}
	var walk func(n rdf.Subject, sel *parser.Selection) error
	walk = func(n rdf.Subject, sel *parser.Selection) error {
		if len(sel.Props) == 0 {
			return nil
		}
		// With several properties, reading the node's triples once costs
		// fewer lookups than one read per property.
		// A node with no triples of its own (a linked IRI such as
		// pm:Running) reads as no triples: readAll, not all != nil, says
		// that they were read.
		var all []rdf.Triple
		readAll := len(sel.Props) > 1 || sel.Props[0].Prop.Wildcard
		if readAll {
			err := e.src.Match(e.ctx, n, nil, nil, func(t rdf.Triple) bool {
				all = append(all, t)
				return true
			})
			if err != nil {
				return err
			}
		}
		for _, sp := range sel.Props {
			if !sp.Prop.Wildcard && sp.Prop.IRI == rdfNil.String() {
				continue
			}
			var ts []rdf.Triple
			switch {
			case readAll:
				for _, t := range all {
					if sp.Prop.Wildcard || t.Pred.String() == sp.Prop.IRI {
						ts = append(ts, t)
					}
				}
			default:
				pred, _ := rdf.NewIRI(sp.Prop.IRI)
				err := e.src.Match(e.ctx, n, pred, nil, func(t rdf.Triple) bool {
					ts = append(ts, t)
					return true
				})
				if err != nil {
					return err
				}
			}
			for _, t := range ts {
				add(t)
			}
			if sp.Nested == nil {
				continue
			}
			for _, t := range ts {
				if ns, ok := t.Obj.(rdf.Subject); ok && t.Obj.Type() != rdf.TermLiteral {
					if err := walk(ns, sp.Nested); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	return out, walk(s, sel)
}

// appendTermKey appends a key of t to b that tells terms apart as
// rdf.TermsEqual does: cheaper than their N-Triples, which selections of
// many records would otherwise spend most of their time writing.
func appendTermKey(b []byte, t rdf.Term) []byte {
	part := func(b []byte, s string) []byte {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		return append(append(b, ':'), s...)
	}
	switch v := t.(type) {
	case rdf.IRI:
		return part(append(b, 'I'), v.String())
	case rdf.Blank:
		return part(append(b, 'B'), v.String())
	case rdf.Literal:
		return part(part(part(append(b, 'L'), v.String()), v.Lang()), v.DataType.String())
	}
	return part(append(b, '?'), t.Serialize(rdf.NTriples))
}
