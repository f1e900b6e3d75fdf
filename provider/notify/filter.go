package notify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// A Filter picks the events a subscriber wants: of one of Types (none:
// any), and whose resource satisfies Where (nil: any).
type Filter struct {
	Types []Type
	Where *parser.Where
}

// ParseFilter reads a filter: type names or pmj IRIs, and an oslc.where
// with the provider's default prefixes.
func ParseFilter(types []string, where string) (Filter, error) {
	var f Filter
	for _, s := range types {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		t, ok := ParseType(s)
		if !ok {
			return f, fmt.Errorf("%q is not an event type; the types are %s", s, typeNames())
		}
		f.Types = append(f.Types, t)
	}
	if strings.TrimSpace(where) != "" {
		w, err := parser.ParseWhere(where, parser.DefaultPrefixes())
		if err != nil {
			return f, err
		}
		f.Where = w
	}
	return f, nil
}

func typeNames() string {
	s := make([]string, len(Types))
	for i, t := range Types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// wants says whether ev is of one of f's types.
func (f *Filter) wants(ev *Event) bool {
	if len(f.Types) == 0 {
		return true
	}
	for _, t := range f.Types {
		if ev.Is(t) {
			return true
		}
	}
	return false
}

// match says whether ev passes f, reading ev's resource in sn. An event
// whose resource is gone passes no Where.
func (f *Filter) match(ctx context.Context, sn store.ChangeView, ev *Event) (bool, error) {
	if !f.wants(ev) {
		return false, nil
	}
	if f.Where == nil {
		return true, nil
	}
	g := ev.Graph
	if ev.Resource != ev.Source {
		var err error
		g, _, err = sn.Get(ctx, ev.Resource)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	if g == nil {
		return false, nil
	}
	src := &graphSource{id: ev.Resource, g: g, rest: sourceOf(sn)}
	res, err := query.Run(ctx, src, query.Scope{Prefix: ev.Resource.String()}, &query.Query{Where: f.Where}, query.Page{Size: 4, NoTotal: true})
	if err != nil {
		return false, err
	}
	for _, m := range res.Members {
		if m.ID == ev.Resource {
			return true, nil
		}
	}
	return false, nil
}

// graphSource is a query.Source of one resource, id with its graph g, as
// read with the event: a resource written by a job is staged and not in
// the store's indexes yet, but its graph is known. Nested terms that
// reach other resources read them from rest.
type graphSource struct {
	id   rdf.IRI
	g    []rdf.Triple
	rest query.Source
}

func (s *graphSource) Match(ctx context.Context, subj rdf.Subject, p rdf.Predicate, o rdf.Object, fn func(t rdf.Triple) bool) error {
	if iri, ok := subj.(rdf.IRI); ok && iri != s.id {
		return s.rest.Match(ctx, subj, p, o, fn)
	}
	for _, t := range s.g {
		if (subj == nil || rdf.TermsEqual(t.Subj, subj)) && (p == nil || rdf.TermsEqual(t.Pred, p)) && (o == nil || rdf.TermsEqual(t.Obj, o)) {
			if !fn(t) {
				return nil
			}
		}
	}
	return nil
}

// Range lists the numbers and dateTimes of p in the resource's graph (its
// nested nodes' too) between lo and hi, in value order.
func (s *graphSource) Range(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt query.RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) error {
	type hit struct {
		subj rdf.Subject
		o    rdf.Literal
		v    float64
		num  bool
	}
	var hits []hit
	in := func(v float64, num bool, b *rdf.Literal, below, incl bool) bool {
		if b == nil {
			return true
		}
		bv, bnum, ok := rangeValue(*b)
		if !ok || bnum != num {
			return false
		}
		if v == bv {
			return incl
		}
		return (v < bv) == below
	}
	for _, t := range s.g {
		l, ok := t.Obj.(rdf.Literal)
		if !ok || t.Pred != p {
			continue
		}
		v, num, ok := rangeValue(l)
		if !ok || !in(v, num, lo, false, opt.LoInclusive) || !in(v, num, hi, true, opt.HiInclusive) {
			continue
		}
		hits = append(hits, hit{t.Subj, l, v, num})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.num != b.num {
			return a.num != opt.Desc // numbers before dateTimes
		}
		if opt.Desc {
			return a.v > b.v
		}
		return a.v < b.v
	})
	for _, h := range hits {
		if !fn(h.subj, h.o) {
			return nil
		}
	}
	return nil
}

// rangeValue is the value by which Range orders l: a number, or a
// dateTime in Unix microseconds (num false).
func rangeValue(l rdf.Literal) (v float64, num, ok bool) {
	dt := l.DataType.String()
	local, isXSD := strings.CutPrefix(dt, vocab.XSD)
	if !isXSD {
		return 0, false, false
	}
	lex := strings.Trim(l.String(), " \t\r\n")
	if local == "dateTime" || local == "dateTimeStamp" {
		us, ok := literal.DateTimeValue(lex, local == "dateTimeStamp")
		return float64(us), false, ok
	}
	f, ok := literal.NumberValue(local, lex)
	return f, true, ok
}

func (s *graphSource) Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	if after == (rdf.IRI{}) || after.String() < s.id.String() {
		fn(s.id)
	}
	return nil
}

func (s *graphSource) Exists(ctx context.Context, id rdf.IRI) (bool, error) {
	if id == s.id {
		return true, nil
	}
	return s.rest.Exists(ctx, id)
}

func (s *graphSource) Get(ctx context.Context, id rdf.IRI) ([]rdf.Triple, string, error) {
	if id == s.id {
		return s.g, "", nil
	}
	return s.rest.Get(ctx, id)
}

// sourceOf is the query.Source of a change view: the bbolt store's
// snapshot through its adapter, another store's view as itself.
func sourceOf(sn store.ChangeView) query.Source {
	if s, ok := sn.(*store.Snapshot); ok {
		return boltsource.NewSource(s)
	}
	if s, ok := sn.(query.Source); ok {
		return s
	}
	return emptySource{}
}

// emptySource is a store that holds nothing: a view that is no
// query.Source shows a filter only the event's own resource.
type emptySource struct{}

func (emptySource) Match(context.Context, rdf.Subject, rdf.Predicate, rdf.Object, func(rdf.Triple) bool) error {
	return nil
}

func (emptySource) Range(context.Context, rdf.IRI, *rdf.Literal, *rdf.Literal, query.RangeOptions, func(rdf.Subject, rdf.Literal) bool) error {
	return nil
}

func (emptySource) Resources(context.Context, rdf.IRI, func(rdf.IRI) bool) error { return nil }

func (emptySource) Exists(context.Context, rdf.IRI) (bool, error) { return false, nil }

func (emptySource) Get(_ context.Context, id rdf.IRI) ([]rdf.Triple, string, error) {
	return nil, "", fmt.Errorf("%s: %w", id, query.ErrNotFound)
}
