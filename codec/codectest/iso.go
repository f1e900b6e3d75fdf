package codectest

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"

	"github.com/knakk/rdf"
)

// Isomorphic reports whether a and b are the same graph up to the labels of
// blank nodes. Duplicate triples are ignored. Terms compare exactly.
func Isomorphic(a, b []rdf.Triple) bool {
	return isomorphic(a, b, false)
}

// IsomorphicFold is Isomorphic with language tags compared
// case-insensitively, as RDF 1.1 does (JSON-LD processors lowercase them).
func IsomorphicFold(a, b []rdf.Triple) bool {
	return isomorphic(a, b, true)
}

// Diff returns "" if got and want are isomorphic, and otherwise both graphs
// as sorted N-Triples, for a failure message.
func Diff(got, want []rdf.Triple) string {
	if Isomorphic(got, want) {
		return ""
	}
	return fmt.Sprintf("got (%d triples):\n%s\nwant (%d triples):\n%s", len(got), Sorted(got), len(want), Sorted(want))
}

// Sorted returns g as N-Triples with the lines sorted, blank labels kept.
func Sorted(g []rdf.Triple) string {
	lines := make([]string, len(g))
	for i, t := range g {
		lines[i] = t.Serialize(rdf.NTriples)
	}
	sort.Strings(lines)
	return strings.Join(lines, "")
}

type isoNode struct {
	blank bool
	key   string // term key, or blank label
}

type isoGraph struct {
	ground  map[string]bool
	triples [][3]isoNode        // triples with at least one blank node
	set     map[[3]isoNode]bool // the same, as a set
	blanks  []string            // blank labels, sorted
	byBlank map[string][][3]isoNode
}

func newIsoGraph(g []rdf.Triple, fold bool) *isoGraph {
	ig := &isoGraph{ground: map[string]bool{}, set: map[[3]isoNode]bool{}, byBlank: map[string][][3]isoNode{}}
	node := func(t rdf.Term) isoNode {
		switch t := t.(type) {
		case rdf.Blank:
			return isoNode{blank: true, key: t.Serialize(rdf.NTriples)}
		case rdf.Literal:
			lang := t.Lang()
			if fold {
				lang = strings.ToLower(lang)
			}
			return isoNode{key: "L" + t.DataType.String() + "\x00" + lang + "\x00" + t.String()}
		}
		return isoNode{key: "I" + t.String()}
	}
	for _, t := range g {
		tr := [3]isoNode{node(t.Subj), node(t.Pred), node(t.Obj)}
		if !tr[0].blank && !tr[2].blank {
			ig.ground[tr[0].key+"\x01"+tr[1].key+"\x01"+tr[2].key] = true
			continue
		}
		if ig.set[tr] {
			continue
		}
		ig.set[tr] = true
		ig.triples = append(ig.triples, tr)
		for _, n := range []isoNode{tr[0], tr[2]} {
			if n.blank {
				if _, ok := ig.byBlank[n.key]; !ok {
					ig.blanks = append(ig.blanks, n.key)
				}
				ig.byBlank[n.key] = append(ig.byBlank[n.key], tr)
			}
		}
	}
	sort.Strings(ig.blanks)
	return ig
}

// refine computes stable colors of blank nodes by iterated hashing of the
// triples around them.
func (ig *isoGraph) refine(rounds int) map[string]uint64 {
	colors := map[string]uint64{}
	for _, b := range ig.blanks {
		colors[b] = 1
	}
	for r := 0; r < rounds; r++ {
		next := make(map[string]uint64, len(colors))
		for _, b := range ig.blanks {
			var sigs []string
			for _, tr := range ig.byBlank[b] {
				var s strings.Builder
				for _, n := range tr {
					switch {
					case n.blank && n.key == b:
						s.WriteString("*")
					case n.blank:
						fmt.Fprintf(&s, "_%d", colors[n.key])
					default:
						s.WriteString(n.key)
					}
					s.WriteByte('\x01')
				}
				sigs = append(sigs, s.String())
			}
			sort.Strings(sigs)
			h := fnv.New64a()
			fmt.Fprintf(h, "%d\x02%s", colors[b], strings.Join(sigs, "\x02"))
			next[b] = h.Sum64()
		}
		colors = next
	}
	return colors
}

func isomorphic(a, b []rdf.Triple, fold bool) bool {
	ga, gb := newIsoGraph(a, fold), newIsoGraph(b, fold)
	if len(ga.ground) != len(gb.ground) || len(ga.triples) != len(gb.triples) || len(ga.blanks) != len(gb.blanks) {
		return false
	}
	for k := range ga.ground {
		if !gb.ground[k] {
			return false
		}
	}
	rounds := len(ga.blanks) + 1
	if rounds > 16 {
		rounds = 16
	}
	ca, cb := ga.refine(rounds), gb.refine(rounds)
	classes := map[uint64][]string{}
	for _, x := range gb.blanks {
		classes[cb[x]] = append(classes[cb[x]], x)
	}
	count := map[uint64]int{}
	for _, x := range ga.blanks {
		count[ca[x]]++
	}
	for c, n := range count {
		if len(classes[c]) != n {
			return false
		}
	}
	// Map the most constrained blank nodes first.
	order := append([]string(nil), ga.blanks...)
	sort.SliceStable(order, func(i, j int) bool { return len(classes[ca[order[i]]]) < len(classes[ca[order[j]]]) })
	m := map[string]string{}
	used := map[string]bool{}
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(order) {
			return true
		}
		x := order[i]
		for _, y := range classes[ca[x]] {
			if used[y] {
				continue
			}
			m[x], used[y] = y, true
			if consistent(ga, gb, x, m) && try(i+1) {
				return true
			}
			delete(m, x)
			used[y] = false
		}
		return false
	}
	return try(0)
}

// consistent checks the triples around x whose blank nodes are all mapped.
func consistent(ga, gb *isoGraph, x string, m map[string]string) bool {
	for _, tr := range ga.byBlank[x] {
		mapped := tr
		ok := true
		for i, n := range tr {
			if n.blank {
				y, has := m[n.key]
				if !has {
					ok = false
					break
				}
				mapped[i].key = y
			}
		}
		if ok && !gb.set[mapped] {
			return false
		}
	}
	return true
}
