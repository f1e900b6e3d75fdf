package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

var recordQuery = store.RecordQuery{
	Link: exPartOf, Prefix: "http://example.org/rec/",
	Props:     []rdf.IRI{exPartOf, exDate},
	Via:       exObserves,
	NodeProps: []rdf.IRI{exMetric, exValue},
}

// recordsByGet is Records the straightforward way: Match, then Get.
func recordsByGet(t *testing.T, db *store.DB, q store.RecordQuery) []string {
	var out []string
	ctx := context.Background()
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		var ids []rdf.IRI // once per target listing it
		for _, target := range q.Targets {
			var these []rdf.IRI
			err := sn.Match(ctx, nil, q.Link, target, func(t rdf.Triple) bool {
				if i, ok := t.Subj.(rdf.IRI); ok && strings.HasPrefix(i.String(), q.Prefix) && !slices.Contains(these, i) {
					these = append(these, i)
				}
				return true
			})
			if err != nil {
				return err
			}
			ids = append(ids, these...)
		}
		for _, id := range ids {
			g, _, err := sn.Get(ctx, id)
			if err != nil {
				continue
			}
			rec := store.Record{ID: id}
			var nodes []rdf.IRI
			for _, t := range g {
				if t.Subj != rdf.Subject(id) {
					continue
				}
				if o, ok := t.Obj.(rdf.IRI); ok && t.Pred == q.Via && !slices.Contains(nodes, o) {
					nodes = append(nodes, o)
				}
				if slices.Contains(q.Props, t.Pred.(rdf.IRI)) {
					rec.Props = append(rec.Props, store.Prop{Pred: t.Pred.(rdf.IRI), Obj: t.Obj})
				}
			}
			for _, n := range nodes {
				var props []store.Prop
				for _, t := range g {
					if t.Subj == rdf.Subject(n) && slices.Contains(q.NodeProps, t.Pred.(rdf.IRI)) {
						props = append(props, store.Prop{Pred: t.Pred.(rdf.IRI), Obj: t.Obj})
					}
				}
				rec.Nodes = append(rec.Nodes, props)
			}
			out = append(out, formatRecord(&rec))
		}
		return nil
	}))
	slices.Sort(out)
	return out
}

func recordsByIndex(t *testing.T, db *store.DB, q store.RecordQuery) []string {
	var out []string
	ctx := context.Background()
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		return sn.Records(ctx, q, func(rec *store.Record) bool {
			out = append(out, formatRecord(rec))
			return true
		})
	}))
	slices.Sort(out)
	return out
}

func formatRecord(rec *store.Record) string {
	var b strings.Builder
	b.WriteString(nt(rec.ID))
	for _, p := range rec.Props {
		fmt.Fprintf(&b, " %s %s;", nt(p.Pred), nt(p.Obj))
	}
	for _, n := range rec.Nodes {
		b.WriteString(" [")
		for _, p := range n {
			fmt.Fprintf(&b, " %s %s;", nt(p.Pred), nt(p.Obj))
		}
		b.WriteString("]")
	}
	return b.String()
}

// A node is an IRI or a blank node.
type node interface {
	rdf.Subject
	rdf.Object
}

func TestRecordsAgreeWithGet(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t, &store.Options{NoSync: true})
	res, other := ex("res/a"), ex("res/b")
	cpu, mem := ex("CpuUsed"), ex("MemUsed")
	record := func(id rdf.IRI, of rdf.IRI, date string, m1 node, v1 string, m2 node, v2 string) []rdf.Triple {
		return []rdf.Triple{
			{Subj: id, Pred: rdfType, Obj: exRecord},
			{Subj: id, Pred: exPartOf, Obj: of},
			{Subj: id, Pred: exDate, Obj: dt(date)},
			{Subj: id, Pred: exObserves, Obj: m1},
			{Subj: m1, Pred: exMetric, Obj: cpu},
			{Subj: m1, Pred: exValue, Obj: dbl(v1)},
			{Subj: m1, Pred: exUnit, Obj: ex("Percent")},
			{Subj: id, Pred: exObserves, Obj: m2},
			{Subj: m2, Pred: exMetric, Obj: mem},
			{Subj: m2, Pred: exValue, Obj: dbl(v2)},
		}
	}
	var rs []store.Resource
	for i := range 300 {
		id := ex(fmt.Sprintf("rec/%03d", i))
		m1, m2 := iri(id.String()+"#m1"), iri(id.String()+"#m2")
		of := res
		if i%3 == 0 {
			of = other
		}
		g := record(id, of, fmt.Sprintf("2026-11-24T10:%02d:00Z", i%60), m1, fmt.Sprint(i%7), m2, fmt.Sprint(i*1000))
		switch i % 10 {
		case 1: // blank measures are not nodes
			g = record(id, of, "2026-11-24T10:00:00Z", blank("x"), "1", m2, "2")
		case 2: // two parents, a second date and value, a literal via
			g = append(g,
				rdf.Triple{Subj: id, Pred: exPartOf, Obj: other},
				rdf.Triple{Subj: id, Pred: exDate, Obj: str("not a date")},
				rdf.Triple{Subj: m1, Pred: exValue, Obj: dbl("42")},
				rdf.Triple{Subj: id, Pred: exObserves, Obj: str("m3")})
		case 4: // a node that is the record itself
			g = append(g, rdf.Triple{Subj: id, Pred: exObserves, Obj: id}, rdf.Triple{Subj: id, Pred: exMetric, Obj: cpu})
		}
		rs = append(rs, store.Resource{ID: id, Triples: g})
	}
	// Stated by others: about a record, about a resource that is not one,
	// and records outside the prefix.
	rs = append(rs,
		store.Resource{ID: ex("elsewhere"), Triples: []rdf.Triple{
			{Subj: ex("rec/005"), Pred: exPartOf, Obj: other},
			{Subj: ex("rec/ghost"), Pred: exPartOf, Obj: res},
			{Subj: ex("rec/005#m1"), Pred: exValue, Obj: dbl("7")},
		}},
		store.Resource{ID: ex("misc/1"), Triples: record(ex("misc/1"), res, "2026-11-24T10:00:00Z", ex("misc/1#m"), "1", ex("misc/1#n"), "2")},
	)
	require.NoError(t, db.Load(ctx, rs))
	// Staged over merged: read as Get reads it.
	id := ex("rec/007")
	require.NoError(t, db.Stage(ctx, []store.Resource{{ID: id, Triples: record(id, other, "2026-11-25T00:00:00Z", iri(id.String()+"#m9"), "9", iri(id.String()+"#m8"), "8")}}))

	for name, targets := range map[string][]rdf.Object{
		"one":     {res},
		"other":   {other},
		"both":    {res, other, ex("res/none")}, // records of both come twice
		"none":    {ex("res/none"), str("literal")},
		"nothing": nil,
	} {
		t.Run(name, func(t *testing.T) {
			q := recordQuery
			q.Targets = targets
			want := recordsByGet(t, db, q)
			assert.Equal(t, want, recordsByIndex(t, db, q))
			if name != "none" && name != "nothing" {
				assert.NotEmpty(t, want)
			}
		})
	}
	t.Run("no via", func(t *testing.T) {
		q := recordQuery
		q.Targets, q.Via = []rdf.Object{other}, rdf.IRI{}
		assert.Equal(t, recordsByGet(t, db, q), recordsByIndex(t, db, q))
	})
	t.Run("stop", func(t *testing.T) {
		q := recordQuery
		q.Targets = []rdf.Object{res}
		n := 0
		require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
			return sn.Records(ctx, q, func(*store.Record) bool { n++; return n < 3 })
		}))
		assert.Equal(t, 3, n)
	})
}
