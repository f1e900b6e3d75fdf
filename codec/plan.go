package codec

import (
	"slices"
	"strings"

	"github.com/knakk/rdf"
)

// A graphPlan lays out a graph as a tree for the nesting formats (RDF/XML
// and JSON-LD): which subjects are written at the top level, in which
// order, and which blank nodes are written inline inside the one node that
// refers to them.
type graphPlan struct {
	props  map[TermKey][]rdf.Triple // subject key → its triples, in order
	top    []rdf.Subject            // top-level subjects, in output order
	nested map[TermKey]bool         // node key → written inline
	refs   map[TermKey]int          // blank node key → triples it is the object of
	// at maps an IRI node written inline to the triple (subject and
	// predicate) under which it is written; blank nodes have one referrer.
	at map[TermKey]referrer
}

// A referrer is the subject and predicate of a triple.
type referrer struct {
	subj TermKey
	pred string
}

// inlineAt reports whether the object of t is written inline under t.
func (p *graphPlan) inlineAt(t rdf.Triple) bool {
	k := KeyOf(t.Obj)
	if !p.nested[k] {
		return false
	}
	at, ok := p.at[k]
	return !ok || at == referrer{KeyOf(t.Subj), t.Pred.String()}
}

// planGraph plans the prepared (distinct, sorted: see prepare) graph g. A blank node is
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
	p := &graphPlan{props: map[TermKey][]rdf.Triple{}, nested: map[TermKey]bool{}, refs: map[TermKey]int{}}
	parent := map[TermKey]TermKey{}
	var subjects []rdf.Subject
	// g is sorted by subject: each subject's triples follow each other,
	// already in the order they are written in.
	for i := 0; i < len(g); {
		k := KeyOf(g[i].Subj)
		j := i + 1
		for j < len(g) && KeyOf(g[j].Subj) == k {
			j++
		}
		subjects = append(subjects, g[i].Subj)
		p.props[k] = g[i:j:j]
		i = j
	}
	for _, t := range g {
		if b, ok := t.Obj.(rdf.Blank); ok {
			bk := KeyOf(b)
			p.refs[bk]++
			parent[bk] = KeyOf(t.Subj)
		}
	}
	var rootKey TermKey
	if root != nil {
		rootKey = KeyOf(root)
	}
	if inline != nil {
		p.at = map[TermKey]referrer{}
		fragPrefix := ""
		if r, ok := root.(rdf.IRI); ok {
			fragPrefix = r.String() + "#"
		}
		iriRefs := map[TermKey]int{}
		for _, t := range g {
			if o, ok := t.Obj.(rdf.IRI); ok {
				iriRefs[KeyOf(o)]++
			}
		}
		for _, t := range g {
			o, ok := t.Obj.(rdf.IRI)
			if !ok {
				continue
			}
			k := KeyOf(o)
			if _, described := p.props[k]; !described || k == rootKey || p.nested[k] || KeyOf(t.Subj) == k {
				continue
			}
			byFragment := fragPrefix != "" && strings.HasPrefix(o.String(), fragPrefix) && iriRefs[k] == 1
			if inline[t.Pred.String()] || byFragment {
				p.nested[k] = true
				p.at[k] = referrer{KeyOf(t.Subj), t.Pred.String()}
				parent[k] = KeyOf(t.Subj)
			}
		}
	}
	for k, n := range p.refs {
		if n == 1 && k != rootKey {
			p.nested[k] = true
		}
	}
	candidates := make([]TermKey, 0, len(p.nested))
	for k := range p.nested {
		candidates = append(candidates, k)
	}
	slices.SortFunc(candidates, TermKey.compare)
	seen := map[TermKey]bool{}
	for _, k := range candidates {
		clear(seen)
		for cur := parent[k]; p.nested[cur] && !seen[cur]; cur = parent[cur] {
			if cur == k {
				p.nested[k] = false
				break
			}
			seen[cur] = true
		}
	}
	p.top = make([]rdf.Subject, 0, len(subjects))
	if _, ok := p.props[rootKey]; ok && root != nil {
		p.top = append(p.top, root)
	}
	for _, s := range subjects {
		if k := KeyOf(s); k != rootKey && !p.nested[k] {
			p.top = append(p.top, s)
		}
	}
	return p
}
