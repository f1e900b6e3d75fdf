package sparql

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
)

// Source is the store as the query engine reads it (query.Source), one
// SPARQL query per call.
type Source struct{ d *DB }

var _ query.Source = (*Source)(nil)

// graphFilter limits ?g to the store's graphs when they have a prefix.
func (d *DB) graphFilter(b *strings.Builder) {
	if d.opt.GraphPrefix != "" {
		b.WriteString(" FILTER(STRSTARTS(STR(?g), ")
		writeString(b, d.opt.GraphPrefix)
		b.WriteString("))")
	}
}

// Match calls fn with each distinct triple matching s, p and o; with s
// nil and p set, those whose object is a number or a dateTime come last.
func (s *Source) Match(ctx context.Context, subj rdf.Subject, pred rdf.Predicate, obj rdf.Object, fn func(t rdf.Triple) bool) error {
	var b strings.Builder
	b.WriteString("SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ")
	pos := func(t rdf.Term, v string) {
		if t == nil {
			b.WriteString(v)
		} else {
			writeTerm(&b, t)
		}
		b.WriteByte(' ')
	}
	pos(subj, "?s")
	pos(pred, "?p")
	pos(obj, "?o")
	b.WriteString("}")
	if pred == nil {
		b.WriteString(" FILTER(!STRSTARTS(STR(?p), \"" + ns + "\"))")
	}
	s.d.graphFilter(&b)
	b.WriteString(" }")
	rows, err := s.d.c.selectRows(ctx, b.String())
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	ts := make([]rdf.Triple, 0, len(rows))
	for _, r := range rows {
		t := rdf.Triple{Subj: subj, Pred: pred, Obj: obj}
		if subj == nil {
			x, err := decodeTerm(r["s"])
			if err != nil {
				return err
			}
			t.Subj = x.(rdf.Subject)
		}
		if pred == nil {
			x, err := decodeTerm(r["p"])
			if err != nil {
				return err
			}
			p, ok := x.(rdf.Predicate)
			if !ok {
				continue
			}
			t.Pred = p
		}
		if obj == nil {
			x, err := decodeTerm(r["o"])
			if err != nil {
				return err
			}
			t.Obj = x.(rdf.Object)
		}
		ts = append(ts, t)
	}
	if subj == nil && pred != nil {
		ordered := func(t rdf.Triple) bool {
			l, ok := t.Obj.(rdf.Literal)
			if !ok {
				return false
			}
			_, n := numberOf(l)
			_, d := timeOf(l)
			return n || d
		}
		slices.SortStableFunc(ts, func(a, b rdf.Triple) int {
			oa, ob := ordered(a), ordered(b)
			switch {
			case oa == ob:
				return 0
			case ob:
				return -1
			}
			return 1
		})
	}
	for _, t := range ts {
		if !fn(t) {
			return nil
		}
	}
	return nil
}

// Range calls fn with the subject and object of each triple of p whose
// object is a number or a dateTime between lo and hi, in value order. The
// store compares the companions (valueTriple); each row is checked
// against its own literal, since a subject may have several values.
func (s *Source) Range(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt query.RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) error {
	kinds := []bool{false, true} // numbers, then dateTimes
	if lo != nil || hi != nil {
		b := lo
		if b == nil {
			b = hi
		}
		_, isTime := timeOf(*b)
		kinds = []bool{isTime}
	}
	if opt.Desc {
		slices.Reverse(kinds)
	}
	for _, isTime := range kinds {
		more, err := s.rangeKind(ctx, p, lo, hi, opt, isTime, fn)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

type rangeRow struct {
	s   rdf.Subject
	o   rdf.Literal
	num float64
	us  int64
}

func (s *Source) rangeKind(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt query.RangeOptions, isTime bool, fn func(s rdf.Subject, o rdf.Literal) bool) (bool, error) {
	comp := numNS
	if isTime {
		comp = timeNS
	}
	var b strings.Builder
	b.WriteString("SELECT DISTINCT ?s ?o WHERE { GRAPH ?g { ?s ")
	writeIRI(&b, comp+p.String())
	b.WriteString(" ?v . ?s ")
	writeIRI(&b, p.String())
	b.WriteString(" ?o }")
	bound := func(l *rdf.Literal, op string) {
		if l == nil {
			return
		}
		b.WriteString(" FILTER(?v " + op + " ")
		b.WriteString(valueLiteral(*l, isTime))
		b.WriteString(")")
	}
	bound(lo, map[bool]string{true: ">=", false: ">"}[opt.LoInclusive])
	bound(hi, map[bool]string{true: "<=", false: "<"}[opt.HiInclusive])
	s.d.graphFilter(&b)
	b.WriteString(" }")
	rows, err := s.d.c.selectRows(ctx, b.String())
	if err != nil {
		return false, fmt.Errorf("range: %w", err)
	}
	var lv, hv rangeRow
	if lo != nil {
		lv = valueOf(*lo, isTime)
	}
	if hi != nil {
		hv = valueOf(*hi, isTime)
	}
	cmp := func(a, b rangeRow) int {
		if isTime {
			return cmpOrdered(a.us, b.us)
		}
		return cmpOrdered(a.num, b.num)
	}
	out := make([]rangeRow, 0, len(rows))
	for _, r := range rows {
		st, err := decodeTerm(r["s"])
		if err != nil {
			return false, err
		}
		ot, err := decodeTerm(r["o"])
		if err != nil {
			return false, err
		}
		l, ok := ot.(rdf.Literal)
		if !ok {
			continue
		}
		var row rangeRow
		if isTime {
			if row.us, ok = timeOf(l); !ok {
				continue
			}
		} else if row.num, ok = numberOf(l); !ok {
			continue
		}
		if lo != nil {
			if c := cmp(row, lv); c < 0 || (c == 0 && !opt.LoInclusive) {
				continue
			}
		}
		if hi != nil {
			if c := cmp(row, hv); c > 0 || (c == 0 && !opt.HiInclusive) {
				continue
			}
		}
		row.s, row.o = st.(rdf.Subject), l
		out = append(out, row)
	}
	slices.SortStableFunc(out, func(a, b rangeRow) int {
		c := cmp(a, b)
		if c == 0 {
			c = strings.Compare(termKey(a.s), termKey(b.s))
		}
		if c == 0 {
			c = strings.Compare(termKey(a.o), termKey(b.o))
		}
		if opt.Desc {
			c = -c
		}
		return c
	})
	for _, r := range out {
		if !fn(r.s, r.o) {
			return false, nil
		}
	}
	return true, nil
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func valueOf(l rdf.Literal, isTime bool) rangeRow {
	var r rangeRow
	if isTime {
		r.us, _ = timeOf(l)
	} else {
		r.num, _ = numberOf(l)
	}
	return r
}

// valueLiteral is bound l as the companions hold values.
func valueLiteral(l rdf.Literal, isTime bool) string {
	v := valueOf(l, isTime)
	if isTime {
		return fmt.Sprintf(`"%d"^^<%sinteger>`, v.us, xsdNS)
	}
	return `"` + formatDouble(v.num) + `"^^<` + xsdNS + `double>`
}

// Resources calls fn with the IRI of each resource after after, in byte
// order.
func (s *Source) Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	return s.d.Resources(ctx, after, fn)
}

// Exists reports whether id names a resource.
func (s *Source) Exists(ctx context.Context, id rdf.IRI) (bool, error) {
	return s.d.Exists(ctx, id)
}

// Get returns the triples of resource id and its ETag.
func (s *Source) Get(ctx context.Context, id rdf.IRI) ([]rdf.Triple, string, error) {
	return s.d.Get(ctx, id)
}

// subjectBatch is how many subjects one query of MatchSubjects reads.
const subjectBatch = 200

var _ query.SubjectReader = (*Source)(nil)

// MatchSubjects calls fn with each distinct triple of one of subjects, a
// query per subjectBatch subjects.
func (s *Source) MatchSubjects(ctx context.Context, subjects []rdf.Subject, fn func(t rdf.Triple) bool) error {
	for len(subjects) > 0 {
		n := min(len(subjects), subjectBatch)
		var b strings.Builder
		b.WriteString("SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?s {")
		for _, subj := range subjects[:n] {
			b.WriteByte(' ')
			writeTerm(&b, subj)
		}
		b.WriteString(" } GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?p), \"" + ns + "\"))")
		s.d.graphFilter(&b)
		b.WriteString(" }")
		subjects = subjects[n:]
		rows, err := s.d.c.selectRows(ctx, b.String())
		if err != nil {
			return fmt.Errorf("match subjects: %w", err)
		}
		for _, r := range rows {
			var ts [3]rdf.Term
			for i, v := range []string{"s", "p", "o"} {
				t, err := decodeTerm(r[v])
				if err != nil {
					return err
				}
				ts[i] = t
			}
			subj, ok1 := ts[0].(rdf.Subject)
			p, ok2 := ts[1].(rdf.Predicate)
			o, ok3 := ts[2].(rdf.Object)
			if !ok1 || !ok2 || !ok3 {
				continue
			}
			if !fn(rdf.Triple{Subj: subj, Pred: p, Obj: o}) {
				return nil
			}
		}
	}
	return nil
}
