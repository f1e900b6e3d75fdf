package sparql

import (
	"bufio"
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/oslc-pm/pmprovider/store"
)

// A BulkWriter writes, as a TriG document, what Load would store for a
// stream of resources in an empty store: the layout version, each
// resource's graph and the creation event of its change log. An RDF database's own bulk loader
// (Virtuoso's ld_dir and rdf_loader_run, Jena's tdb2.tdbloader, GraphDB's
// importrdf, Oxigraph's load) reads it many times faster than it applies
// SPARQL Update requests. The next Open sets the log's counter past the
// loaded events (see SyncCounter).
//
// The document is for a store that holds none of the resources: a
// resource must be written once, with all its triples.
type BulkWriter struct {
	d       *DB
	w       *bufio.Writer
	first   uint64 // order of the first event
	next    uint64 // order of the next event
	now     string
	seed    maphash.Seed
	written map[uint64]struct{}
	b       strings.Builder
}

// NewBulkWriter returns a BulkWriter to w laying out graphs and text
// tokens as a DB opened with opt does (its GraphPrefix and
// TextPredicates; the endpoint is not used).
func NewBulkWriter(w io.Writer, opt Options) *BulkWriter {
	d := &DB{opt: opt, text: map[string]bool{}}
	for _, p := range opt.TextPredicates {
		d.text[p.String()] = true
	}
	bw := &BulkWriter{
		d: d, w: bufio.NewWriterSize(w, 1<<20), first: 1, next: 1,
		now:     strconv.FormatInt(time.Now().UnixNano(), 10),
		seed:    maphash.MakeSeed(),
		written: map[uint64]struct{}{},
	}
	d.writeLayout(&bw.b)
	bw.w.WriteString(strings.TrimPrefix(bw.b.String(), "GRAPH "))
	return bw
}

// Write writes the resources rs.
func (bw *BulkWriter) Write(rs []store.Resource) error {
	for _, r := range rs {
		if err := checkID(r.ID); err != nil {
			return err
		}
		h := maphash.String(bw.seed, r.ID.String())
		if _, ok := bw.written[h]; ok {
			return fmt.Errorf("%w: <%s> written twice: a bulk load keeps a resource's triples together", store.ErrInvalid, r.ID.String())
		}
		bw.written[h] = struct{}{}
		etag := newETag()
		bw.b.Reset()
		bw.d.writeGraph(&bw.b, r.ID, relabel(r.ID, r.Triples), etag)
		// TriG without the GRAPH keyword, which Virtuoso 7 refuses.
		bw.w.WriteString(strings.TrimPrefix(bw.b.String(), "GRAPH "))
		bw.b.Reset()
		order := strconv.FormatUint(bw.next, 10)
		writeIRI(&bw.b, bw.d.logGraph())
		bw.b.WriteString(" {\n")
		writeIRI(&bw.b, eventNS+order)
		bw.b.WriteString(" <" + predOrder + "> " + order + " ; <" + predKind + "> \"C\" ; <" + predTime + "> " + bw.now + " ; <" + predID + "> ")
		writeIRI(&bw.b, r.ID.String())
		bw.b.WriteString(" ; <" + predToken + "> ")
		writeString(&bw.b, etag)
		bw.b.WriteString(" .\n}\n")
		if _, err := bw.w.WriteString(bw.b.String()); err != nil {
			return err
		}
		bw.next++
	}
	return nil
}

// FirstOrder makes n the change-log order of the first event bw writes
// (1 by default): a load split into several documents numbers the events
// of each on from those of the one before. Call it before Write.
func (bw *BulkWriter) FirstOrder(n uint64) { bw.first, bw.next = n, n }

// Events returns how many events (resources) bw has written.
func (bw *BulkWriter) Events() uint64 { return bw.next - bw.first }

// Flush writes what bw buffers.
func (bw *BulkWriter) Flush() error { return bw.w.Flush() }

// SyncCounter makes the change log's counter one value, at least the
// largest order in the log: after a bulk load of a BulkWriter's
// document (which has events but leaves the counter alone), and on a
// store that has no counter yet, where it starts at 0. Open calls it.
func (d *DB) SyncCounter(ctx context.Context) error {
	var b strings.Builder
	b.WriteString("SELECT ?n WHERE { GRAPH ")
	writeIRI(&b, d.counterGraph())
	b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?n } }")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return err
	}
	values := len(rows)
	var counter uint64
	for _, r := range rows {
		n, err := strconv.ParseUint(r["n"].Value, 10, 64)
		if err != nil {
			return fmt.Errorf("counter value %q: %w", r["n"].Value, err)
		}
		counter = max(counter, n)
	}
	b.Reset()
	b.WriteString("SELECT (MAX(?o) AS ?hi) WHERE { GRAPH ")
	writeIRI(&b, d.logGraph())
	b.WriteString(" { ?e <" + predOrder + "> ?o } }")
	rows, err = d.c.selectRows(ctx, b.String())
	if err != nil {
		return err
	}
	var hi uint64
	if len(rows) == 1 && rows[0]["hi"].Value != "" {
		if hi, err = strconv.ParseUint(rows[0]["hi"].Value, 10, 64); err != nil {
			return fmt.Errorf("largest order %q: %w", rows[0]["hi"].Value, err)
		}
	}
	if values == 1 && counter >= hi {
		return nil
	}
	// Writers racing with this one move their events if they take an
	// order twice (fixOrder).
	b.Reset()
	b.WriteString("DELETE WHERE { GRAPH ")
	writeIRI(&b, d.counterGraph())
	b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?n } } ;\nINSERT DATA { GRAPH ")
	writeIRI(&b, d.counterGraph())
	b.WriteString(" { <" + counterIRI + "> <" + predNext + "> " + strconv.FormatUint(max(counter, hi), 10) + " } }")
	return d.c.update(ctx, b.String())
}
