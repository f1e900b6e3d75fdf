package sparql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
)

// recordBatch is how many resources one query of Records reads whole.
const recordBatch = 100

// Records calls fn with each resource that q selects, once for each
// target that lists it, in IRI order, as store.Snapshot.Records does
// (ad-hoc collections read records so): one query finds the subjects,
// then one query per recordBatch of them reads their graphs whole.
func (s *Source) Records(ctx context.Context, q store.RecordQuery, fn func(rec *store.Record) bool) error {
	if len(q.Targets) == 0 {
		return nil
	}
	d := s.d
	var b strings.Builder
	b.WriteString("SELECT DISTINCT ?s ?t WHERE { VALUES ?t {")
	for _, t := range q.Targets {
		b.WriteByte(' ')
		writeTerm(&b, t)
	}
	b.WriteString(" } GRAPH ?g { ?s ")
	writeIRI(&b, q.Link.String())
	b.WriteString(" ?t } FILTER(isIRI(?s) && !STRSTARTS(STR(?s), ")
	writeString(&b, blankNS)
	b.WriteString(") && STRSTARTS(STR(?s), ")
	writeString(&b, q.Prefix)
	b.WriteString("))")
	d.graphFilter(&b)
	b.WriteString(" } ORDER BY STR(?s)")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return fmt.Errorf("records: %w", err)
	}
	var ids []rdf.IRI
	for _, r := range rows {
		id, err := rdf.NewIRI(r["s"].Value)
		if err != nil {
			return fmt.Errorf("records: %w", err)
		}
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		n := min(len(ids), recordBatch)
		batch := ids[:n]
		ids = ids[n:]
		graphs, err := d.bodies(ctx, batch)
		if err != nil {
			return err
		}
		for _, id := range batch {
			g, ok := graphs[id.String()]
			if !ok {
				continue // names no resource
			}
			rec := store.RecordOf(id, g, q)
			if !fn(&rec) {
				return nil
			}
		}
	}
	return nil
}

// bodies reads the triples of the resources ids that exist, in one query
// (again if it met a torn body: see rereadTorn).
func (d *DB) bodies(ctx context.Context, ids []rdf.IRI) (out map[string][]rdf.Triple, err error) {
	err = rereadTorn(ctx, func() error {
		out, err = d.readBodies(ctx, ids)
		return err
	})
	return out, err
}

func (d *DB) readBodies(ctx context.Context, ids []rdf.IRI) (map[string][]rdf.Triple, error) {
	var b strings.Builder
	b.WriteString("SELECT ?s ?b WHERE { VALUES (?s ?g) {")
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id.String()] {
			continue
		}
		seen[id.String()] = true
		b.WriteString(" (")
		writeIRI(&b, id.String())
		b.WriteByte(' ')
		writeIRI(&b, d.graph(id))
		b.WriteString(")")
	}
	b.WriteString(" } GRAPH ?g { ?s <" + predBody + "> ?b } }")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return nil, fmt.Errorf("read resources: %w", err)
	}
	out := make(map[string][]rdf.Triple, len(rows))
	for _, r := range rows {
		g, err := decodeBody(r["b"].Value)
		if err != nil {
			return nil, err
		}
		out[r["s"].Value] = g
	}
	return out, nil
}

// Walk calls fn with each resource and its triples, in IRI order, until
// fn returns false: export reads the store so, recordBatch resources per
// query.
func (d *DB) Walk(ctx context.Context, fn func(id rdf.IRI, g []rdf.Triple) bool) error {
	var ids []rdf.IRI
	stopped := false
	flush := func() error {
		graphs, err := d.bodies(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if g, ok := graphs[id.String()]; ok && !fn(id, g) {
				stopped = true
				return nil
			}
		}
		ids = ids[:0]
		return nil
	}
	var ferr error
	err := d.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool {
		ids = append(ids, id)
		if len(ids) == recordBatch {
			ferr = flush()
		}
		return ferr == nil && !stopped
	})
	if err != nil || ferr != nil || stopped || len(ids) == 0 {
		return errors.Join(err, ferr)
	}
	return flush()
}
