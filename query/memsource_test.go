package query

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

// memResource is a resource of a memSource.
type memResource struct {
	ID      rdf.IRI
	Triples []rdf.Triple
}

// memSource is a Source over resources held in memory, written from the
// contract alone (source.go): the second store the engine is checked on.
// It has no accelerator; memAccel adds one that serves Stats and Text,
// as Features says.
type memSource struct {
	graphs  map[string][]rdf.Triple
	ids     []string     // resource IRIs, sorted
	triples []rdf.Triple // distinct, in the order first stated
	stated  [][]string   // by triple: the resources stating it
	bySubj  map[string][]int
	byPred  map[string][]int
	byObj   map[string][]int
	ranges  map[string][]ranged // by predicate: numbers, then dateTimes, by value
}

// ranged is a triple whose object Range lists.
type ranged struct {
	v val
	s rdf.Subject
	o rdf.Literal
}

// newMemSource returns a memSource of rs; a later resource of an IRI
// replaces an earlier one. A blank node is its resource's own, whatever
// its label: each resource's are renamed apart.
func newMemSource(rs []memResource) *memSource {
	m := &memSource{graphs: map[string][]rdf.Triple{}, bySubj: map[string][]int{}, byPred: map[string][]int{},
		byObj: map[string][]int{}, ranges: map[string][]ranged{}}
	for i, r := range rs {
		own := func(t rdf.Term) rdf.Term {
			b, ok := t.(rdf.Blank)
			if !ok {
				return t
			}
			nb, err := rdf.NewBlank(fmt.Sprintf("r%d_%s", i, strings.TrimPrefix(b.String(), "_:")))
			if err != nil {
				panic(err)
			}
			return nb
		}
		g := make([]rdf.Triple, len(r.Triples))
		for j, t := range r.Triples {
			g[j] = rdf.Triple{Subj: own(t.Subj).(rdf.Subject), Pred: t.Pred, Obj: own(t.Obj).(rdf.Object)}
		}
		m.graphs[r.ID.String()] = g
	}
	seen := map[[3]string]int{}
	done := map[string]bool{}
	for _, r := range rs {
		if done[r.ID.String()] {
			continue
		}
		done[r.ID.String()] = true
		m.ids = append(m.ids, r.ID.String())
		for _, t := range m.graphs[r.ID.String()] {
			k := [3]string{termKey(t.Subj), termKey(t.Pred), termKey(t.Obj)}
			if i, ok := seen[k]; ok {
				if !slices.Contains(m.stated[i], r.ID.String()) {
					m.stated[i] = append(m.stated[i], r.ID.String())
				}
				continue
			}
			i := len(m.triples)
			seen[k] = i
			m.triples = append(m.triples, t)
			m.stated = append(m.stated, []string{r.ID.String()})
			m.bySubj[k[0]] = append(m.bySubj[k[0]], i)
			m.byPred[k[1]] = append(m.byPred[k[1]], i)
			m.byObj[k[2]] = append(m.byObj[k[2]], i)
			if l, ok := t.Obj.(rdf.Literal); ok {
				if v := classify(l); v.cls == clsNumber || v.cls == clsDateTime {
					m.ranges[k[1]] = append(m.ranges[k[1]], ranged{v: v, s: t.Subj, o: l})
				}
			}
		}
	}
	sort.Strings(m.ids)
	for _, rs := range m.ranges {
		slices.SortStableFunc(rs, func(a, b ranged) int { return compare(a.v, b.v) })
	}
	return m
}

// termKey tells terms apart as the store does: by kind, lexical form,
// language tag and datatype.
func termKey(t rdf.Term) string {
	switch t := t.(type) {
	case rdf.IRI:
		return "<" + t.String() + ">"
	case rdf.Blank:
		return "_:" + t.String()
	case rdf.Literal:
		return `"` + t.String() + `"@` + t.Lang() + "^^" + t.DataType.String()
	}
	return fmt.Sprintf("%T %v", t, t)
}

var _ Source = (*memSource)(nil)

func (m *memSource) Match(ctx context.Context, s rdf.Subject, p rdf.Predicate, o rdf.Object, fn func(t rdf.Triple) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var cands []int
	switch {
	case s != nil:
		cands = m.bySubj[termKey(s)]
	case o != nil:
		cands = m.byObj[termKey(o)]
	case p != nil:
		cands = m.byPred[termKey(p)]
	default:
		cands = make([]int, len(m.triples))
		for i := range cands {
			cands[i] = i
		}
	}
	var out []rdf.Triple
	for _, i := range cands {
		t := m.triples[i]
		if (s == nil || termKey(s) == termKey(t.Subj)) && (p == nil || termKey(p) == termKey(t.Pred)) && (o == nil || termKey(o) == termKey(t.Obj)) {
			out = append(out, t)
		}
	}
	if s == nil {
		// What Range lists comes after what it does not.
		slices.SortStableFunc(out, func(a, b rdf.Triple) int { return cmpInt(ordered(a.Obj), ordered(b.Obj)) })
	}
	for _, t := range out {
		if !fn(t) {
			return nil
		}
	}
	return nil
}

// ordered is 1 for a number or dateTime, else 0.
func ordered(o rdf.Object) int {
	if c := classify(o).cls; c == clsNumber || c == clsDateTime {
		return 1
	}
	return 0
}

func (m *memSource) Range(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var lov, hiv *val
	cls := class(0) // any of the two
	for _, b := range []struct {
		l **rdf.Literal
		v **val
	}{{&lo, &lov}, {&hi, &hiv}} {
		if *b.l == nil {
			continue
		}
		v := classify(**b.l)
		if v.cls != clsNumber && v.cls != clsDateTime || cls != 0 && cls != v.cls {
			return fmt.Errorf("memsource: range bounds %v and %v are not comparable", lo, hi)
		}
		cls, *b.v = v.cls, &v
	}
	list := m.ranges[termKey(p)]
	for i := range list {
		r := list[i]
		if opt.Desc {
			r = list[len(list)-1-i]
		}
		if cls != 0 && r.v.cls != cls {
			continue
		}
		if lov != nil {
			if c := compare(r.v, *lov); c < 0 || c == 0 && !opt.LoInclusive {
				continue
			}
		}
		if hiv != nil {
			if c := compare(r.v, *hiv); c > 0 || c == 0 && !opt.HiInclusive {
				continue
			}
		}
		if !fn(r.s, r.o) {
			return nil
		}
	}
	return nil
}

func (m *memSource) Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	i, _ := slices.BinarySearch(m.ids, after.String())
	for ; i < len(m.ids); i++ {
		if m.ids[i] == after.String() {
			continue
		}
		id, err := rdf.NewIRI(m.ids[i])
		if err != nil {
			return err
		}
		if !fn(id) {
			return nil
		}
	}
	return nil
}

func (m *memSource) Exists(ctx context.Context, id rdf.IRI) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	_, ok := m.graphs[id.String()]
	return ok, nil
}

func (m *memSource) Get(ctx context.Context, id rdf.IRI) ([]rdf.Triple, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	g, ok := m.graphs[id.String()]
	if !ok {
		return nil, "", fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return slices.Clone(g), `"1"`, nil
}

// memAccel is a memSource with an Accelerator that serves Stats and Text
// as feat says, and nothing else.
type memAccel struct {
	*memSource
	unserved
	feat Features
}

var _ Accelerator = memAccel{}

func (a memAccel) Features() Features { return a.feat }

func (a memAccel) Stats(ctx context.Context) (Stats, error) {
	if !a.feat.Stats {
		panic("unserved: Stats")
	}
	return Stats{Resources: int64(len(a.ids))}, ctx.Err()
}

// Text reads the literals of the searched properties: a text index
// without an index, for the contract's sake.
func (a memAccel) Text(ctx context.Context, token string, fn func(p Posting) bool) error {
	if !a.feat.Text {
		panic("unserved: Text")
	}
	for _, pred := range textPredicates {
		var order []string
		postings := map[string]*Posting{}
		for _, i := range a.byPred[termKey(pred)] {
			t := a.triples[i]
			text, ok := literalText(t.Obj)
			if !ok {
				continue
			}
			tf := 0
			for _, tok := range literal.Tokens(text) {
				if tok == token {
					tf++
				}
			}
			if tf == 0 {
				continue
			}
			k := termKey(t.Subj)
			p := postings[k]
			if p == nil {
				p = &Posting{Subj: t.Subj, Pred: pred}
				postings[k] = p
				order = append(order, k)
			}
			p.TF += tf
			p.Own = p.Own || slices.Contains(a.stated[i], t.Subj.String()) && t.Subj.Type() == rdf.TermIRI
		}
		for _, k := range order {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !fn(*postings[k]) {
				return nil
			}
		}
	}
	return nil
}

func (a memAccel) TextPrefix(ctx context.Context, prefix string, fn func(token string, p Posting) bool) error {
	if !a.feat.Text {
		panic("unserved: TextPrefix")
	}
	return naivePrefix(a.memSource)(ctx, prefix, fn)
}

// unserved are the Accelerator methods of a source whose Features do not
// name them: the engine must never call them.
type unserved struct{}

func (unserved) MatchQuads(context.Context, rdf.Subject, rdf.Predicate, rdf.Object, func(rdf.Triple, rdf.IRI) bool) error {
	panic("unserved: MatchQuads")
}
func (unserved) Pairs() []Pair { panic("unserved: Pairs") }
func (unserved) Count(context.Context, []Pattern, int) (int, error) {
	panic("unserved: Count")
}
func (unserved) Intersect(context.Context, Join, func(rdf.Subject, bool) bool) error {
	panic("unserved: Intersect")
}
func (unserved) ResourceSet(context.Context, Join) (ResourceSet, error) {
	panic("unserved: ResourceSet")
}
func (unserved) PageUnder(context.Context, ResourceSet, PageOptions) ([]rdf.IRI, int, error) {
	panic("unserved: PageUnder")
}
func (unserved) RangeIn(context.Context, rdf.IRI, *rdf.Literal, *rdf.Literal, RangeInOptions, func(rdf.Subject, rdf.Literal) bool) (bool, error) {
	panic("unserved: RangeIn")
}
func (unserved) TextHits(context.Context, []string) (TextHits, error) {
	panic("unserved: TextHits")
}
func (unserved) PageHits(context.Context, TextHits, []int, PageOptions) ([]rdf.IRI, int, error) {
	panic("unserved: PageHits")
}
