package codec

import (
	"sort"
	"strings"

	"github.com/knakk/rdf"
)

// A graphPlan lays out a graph as a tree for the nesting formats (RDF/XML
// and JSON-LD): which subjects are written at the top level, in which
// order, and which blank nodes are written inline inside the one node that
// refers to them.
type graphPlan struct {
	props  map[string][]rdf.Triple // subject key → its triples, in order
	top    []rdf.Subject           // top-level subjects, in output order
	nested map[string]bool         // node key → written inline
	refs   map[string]int          // blank node key → triples it is the object of
	// at maps an IRI node written inline to the triple (subject key + " " +
	// predicate) under which it is written; blank nodes have one referrer.
	at map[string]string
}

// inlineAt reports whether the object of t is written inline under t.
func (p *graphPlan) inlineAt(t rdf.Triple) bool {
	k := termKey(t.Obj)
	if !p.nested[k] {
		return false
	}
	at, ok := p.at[k]
	return !ok || at == termKey(t.Subj)+" "+t.Pred.String()
}

// planGraph plans the prepared (distinct, sorted) graph g. A blank node is
// nested if it is the object of exactly one triple, is not root, and is
// not on a cycle of such nodes; on a cycle, the node with the smallest
// label is kept at the top level. The root comes first, then the other
// top-level subjects in term order.
//
// With inline (RDF/XML only), IRI nodes are nested too: those that are the
// object of a triple whose predicate is in inline (under the first such
// triple), and those named by a fragment of root's IRI that are the object
// of exactly one triple.
func planGraph(g []rdf.Triple, root rdf.Subject, inline map[string]bool) *graphPlan {
	p := &graphPlan{props: map[string][]rdf.Triple{}, nested: map[string]bool{}, refs: map[string]int{}, at: map[string]string{}}
	parent := map[string]string{}
	var subjects []rdf.Subject
	for _, t := range g {
		k := termKey(t.Subj)
		if _, ok := p.props[k]; !ok {
			subjects = append(subjects, t.Subj)
		}
		p.props[k] = append(p.props[k], t)
		if b, ok := t.Obj.(rdf.Blank); ok {
			bk := termKey(b)
			p.refs[bk]++
			parent[bk] = k
		}
	}
	rootKey := ""
	if root != nil {
		rootKey = termKey(root)
	}
	if inline != nil {
		fragPrefix := ""
		if r, ok := root.(rdf.IRI); ok {
			fragPrefix = r.String() + "#"
		}
		iriRefs := map[string]int{}
		for _, t := range g {
			if o, ok := t.Obj.(rdf.IRI); ok {
				iriRefs[termKey(o)]++
			}
		}
		for _, t := range g {
			o, ok := t.Obj.(rdf.IRI)
			if !ok {
				continue
			}
			k := termKey(o)
			if _, described := p.props[k]; !described || k == rootKey || p.nested[k] || rdf.TermsEqual(t.Subj, o) {
				continue
			}
			byFragment := fragPrefix != "" && strings.HasPrefix(o.String(), fragPrefix) && iriRefs[k] == 1
			if inline[t.Pred.String()] || byFragment {
				p.nested[k] = true
				p.at[k] = termKey(t.Subj) + " " + t.Pred.String()
				parent[k] = termKey(t.Subj)
			}
		}
	}
	var candidates []string
	for k, n := range p.refs {
		if n == 1 && k != rootKey {
			p.nested[k] = true
		}
	}
	for k := range p.nested {
		candidates = append(candidates, k)
	}
	sort.Strings(candidates)
	for _, k := range candidates {
		seen := map[string]bool{}
		for cur := parent[k]; p.nested[cur] && !seen[cur]; cur = parent[cur] {
			if cur == k {
				p.nested[k] = false
				break
			}
			seen[cur] = true
		}
	}
	for _, s := range subjects {
		k := termKey(s)
		if k == rootKey {
			p.top = append([]rdf.Subject{s}, p.top...)
		} else if !p.nested[k] {
			p.top = append(p.top, s)
		}
	}
	for _, ts := range p.props {
		sort.SliceStable(ts, func(i, j int) bool { return comparePredObj(ts[i], ts[j]) < 0 })
	}
	return p
}
