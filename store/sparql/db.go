package sparql

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
)

// Options configure a DB.
type Options struct {
	Endpoint Endpoint
	// GraphPrefix, if set, is prepended to a resource's IRI to name its
	// graph, and the store reads only the graphs that start with it;
	// otherwise the graph of a resource is named by the resource's IRI.
	GraphPrefix string
	// TextPredicates are the properties whose string literals the store
	// keeps the search tokens of, for oslc.searchTerms pushed down (see
	// Source.Answer): query.TextPredicates(). Without them, searches are
	// left to the query engine.
	TextPredicates []rdf.IRI
	// Trace, if set, is called with the text of each query Answer sends
	// (the benchmark times them apart).
	Trace func(query string)
	// BatchTriples is about how many triples one update of Load holds;
	// 0 means 20,000. One update holds at most maxBatchResources
	// resources: Virtuoso 7 refuses requests of many more operations.
	BatchTriples int
}

// DB keeps resources in a SPARQL 1.1 store, one named graph each. It is
// safe for concurrent use, also by several processes over one store:
// every write is one SPARQL Update request, conditional on the ETag it
// read (see Replace).
type DB struct {
	c     *client
	batch int
	text  map[string]bool
	opt   Options

	pushed, fellBack atomic.Int64
}

// Open returns a DB over the endpoint of opt, after checking that it
// answers.
func Open(ctx context.Context, opt Options) (*DB, error) {
	if opt.Endpoint.Query == "" {
		return nil, errors.New("sparql: no query endpoint")
	}
	d := &DB{c: newClient(opt.Endpoint), batch: opt.BatchTriples, opt: opt}
	d.text = map[string]bool{}
	for _, p := range opt.TextPredicates {
		d.text[p.String()] = true
	}
	if d.batch <= 0 {
		d.batch = 20000
	}
	if _, err := d.c.ask(ctx, "ASK {}"); err != nil {
		return nil, fmt.Errorf("sparql: %s: %w", opt.Endpoint.Query, err)
	}
	if err := d.checkLayout(ctx); err != nil {
		return nil, fmt.Errorf("sparql: layout: %w", err)
	}
	if err := d.SyncCounter(ctx); err != nil {
		return nil, fmt.Errorf("sparql: change log: %w", err)
	}
	return d, nil
}

// Options returns the options d was opened with.
func (d *DB) Options() Options { return d.opt }

// graph is the name of resource id's graph.
func (d *DB) graph(id rdf.IRI) string { return d.opt.GraphPrefix + id.String() }

func newETag() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return `"` + hex.EncodeToString(b[:]) + `"`
}

// writeGraph appends, as the triples of a GRAPH block, resource id with
// the triples g (relabelled), its ETag and its body.
func (d *DB) writeGraph(b *strings.Builder, id rdf.IRI, g []rdf.Triple, etag string) {
	b.WriteString("GRAPH ")
	writeIRI(b, d.graph(id))
	b.WriteString(" {\n")
	writeIRI(b, id.String())
	b.WriteString(" <" + predETag + "> ")
	writeString(b, etag)
	b.WriteString(" .\n")
	writeIRI(b, id.String())
	b.WriteString(" <" + predBody + "> ")
	writeString(b, encodeBody(g))
	b.WriteString(" .\n")
	writeIRI(b, id.String())
	b.WriteString(" <" + predIRI + "> ")
	writeString(b, id.String())
	b.WriteString(" .\n")
	for _, t := range g {
		writeTerm(b, t.Subj)
		b.WriteByte(' ')
		writeTerm(b, t.Pred)
		b.WriteByte(' ')
		writeTerm(b, t.Obj)
		b.WriteString(" .\n")
		valueTriple(b, t)
		keyTriple(b, t)
		if d.text[t.Pred.String()] {
			textTriples(b, t)
		}
	}
	b.WriteString("}\n")
}

func checkID(id rdf.IRI) error {
	if id.String() == "" {
		return fmt.Errorf("%w: empty resource IRI", store.ErrInvalid)
	}
	return nil
}

// Create stores a new resource id with the triples g and returns its ETag,
// or store.ErrExists. Blank nodes are relabelled with labels unique in the
// store; Get returns them so.
func (d *DB) Create(ctx context.Context, id rdf.IRI, g []rdf.Triple) (string, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	g = relabel(id, g)
	etag := newETag()
	var b strings.Builder
	b.WriteString("INSERT {\n")
	d.writeGraph(&b, id, g, etag)
	// A count, not FILTER NOT EXISTS, which Virtuoso 7 ignores in an
	// otherwise empty WHERE, nor OPTIONAL and !BOUND, which it answers
	// with no solution for an IRI it has never stored.
	b.WriteString("} WHERE { { SELECT (COUNT(?e) AS ?n) WHERE { GRAPH ")
	writeIRI(&b, d.graph(id))
	b.WriteString(" { ")
	writeIRI(&b, id.String())
	b.WriteString(" <" + predETag + "> ?e } } } FILTER(?n = 0) }")
	d.writeEvent(&b, id, store.Created, etag, func(b *strings.Builder) {
		writeIRI(b, id.String())
		b.WriteString(" <" + predETag + "> ")
		writeString(b, etag)
	})
	if err := d.c.update(ctx, b.String()); err != nil {
		return "", fmt.Errorf("create %s: %w", id.String(), err)
	}
	got, err := d.etag(ctx, id)
	if err != nil {
		return "", err
	}
	if got != etag {
		return "", store.ErrExists
	}
	return etag, d.fixOrder(ctx, etag)
}

// etag reads the ETag of id, "" if there is no such resource.
func (d *DB) etag(ctx context.Context, id rdf.IRI) (string, error) {
	var b strings.Builder
	b.WriteString("SELECT ?e WHERE { GRAPH ")
	writeIRI(&b, d.graph(id))
	b.WriteString(" { ")
	writeIRI(&b, id.String())
	b.WriteString(" <" + predETag + "> ?e } }")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return "", fmt.Errorf("read %s: %w", id.String(), err)
	}
	if len(rows) == 0 {
		return "", nil
	}
	if len(rows) > 1 {
		return "", fmt.Errorf("%w: %s has %d ETags", store.ErrCorrupt, id.String(), len(rows))
	}
	return rows[0]["e"].Value, nil
}

// Get returns the triples of resource id, in the order written, and its
// ETag, or an error that is both store.ErrNotFound and query.ErrNotFound.
func (d *DB) Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error) {
	err = rereadTorn(ctx, func() error {
		g, etag, err = d.get(ctx, id)
		return err
	})
	return g, etag, err
}

// maxTornReads is how often a read that met a torn body (errTornBody)
// is made before its error is returned.
const maxTornReads = 5

// rereadTorn runs read again, a little later each time, while it fails
// with errTornBody, at most maxTornReads times in all.
func rereadTorn(ctx context.Context, read func() error) error {
	var err error
	for try := range maxTornReads {
		if err = read(); !errors.Is(err, errTornBody) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(try+1) * 20 * time.Millisecond):
		}
	}
	return err
}

func (d *DB) get(ctx context.Context, id rdf.IRI) ([]rdf.Triple, string, error) {
	var b strings.Builder
	b.WriteString("SELECT ?e ?b WHERE { GRAPH ")
	writeIRI(&b, d.graph(id))
	b.WriteString(" { ")
	writeIRI(&b, id.String())
	b.WriteString(" <" + predETag + "> ?e ; <" + predBody + "> ?b } }")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", id.String(), err)
	}
	if len(rows) == 0 {
		return nil, "", notFound{}
	}
	if len(rows) > 1 {
		return nil, "", fmt.Errorf("%w: %s has %d ETags", store.ErrCorrupt, id.String(), len(rows))
	}
	g, err := decodeBody(rows[0]["b"].Value)
	if err != nil {
		return nil, "", err
	}
	return g, rows[0]["e"].Value, nil
}

// notFound is store.ErrNotFound and query.ErrNotFound.
type notFound struct{}

func (notFound) Error() string { return store.ErrNotFound.Error() }
func (notFound) Is(target error) bool {
	return target == store.ErrNotFound || target == query.ErrNotFound
}

// Exists reports whether resource id is there.
func (d *DB) Exists(ctx context.Context, id rdf.IRI) (bool, error) {
	e, err := d.etag(ctx, id)
	return e != "", err
}

// maxRaces is how often an unconditional write retries when another
// writer changed the resource between its read and its write.
const maxRaces = 20

// Replace replaces the triples of resource id with g and returns the new
// ETag. It returns store.ErrNotFound if id is not there, and
// store.ErrPreconditionFailed if ifMatch is neither empty, "*", nor the
// current ETag.
//
// The write is one SPARQL Update request, compare-and-set on the ETag
// read just before: it deletes the graph and marks it claimed only if the
// ETag is still that one, and inserts the new triples only under its own
// claim. Reading the ETag back tells whether it won; a writer that lost
// the race to another provider answers ErrPreconditionFailed when it had
// a condition, and retries when it had none.
func (d *DB) Replace(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch string) (string, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	g = relabel(id, g)
	return d.swap(ctx, "replace", id, ifMatch, store.Modified, func(b *strings.Builder, etag string) { d.writeGraph(b, id, g, etag) })
}

// swap runs the compare-and-set of Replace (insert writes the new GRAPH
// block under the new ETag) and of Delete (insert is nil), retrying when
// it had no condition and lost, and returns the token it won with.
func (d *DB) swap(ctx context.Context, op string, id rdf.IRI, ifMatch string, kind store.ChangeKind, insert func(b *strings.Builder, etag string)) (string, error) {
	for range maxRaces {
		old, err := d.etag(ctx, id)
		if err != nil {
			return "", err
		}
		switch {
		case old == "":
			return "", store.ErrNotFound
		case ifMatch != "" && ifMatch != "*" && ifMatch != old:
			return "", store.ErrPreconditionFailed
		}
		token := newETag()
		var ins func(b *strings.Builder)
		if insert != nil {
			ins = func(b *strings.Builder) { insert(b, token) }
		}
		var b strings.Builder
		d.writeSwap(&b, id, old, token, kind, ins)
		if err := d.c.update(ctx, b.String()); err != nil {
			return "", fmt.Errorf("%s %s: %w", op, id.String(), err)
		}
		got, err := d.etag(ctx, id)
		if err != nil {
			return "", err
		}
		// The winner's graph holds its token as ETag, or is gone.
		if (insert != nil && got == token) || (insert == nil && got == "") {
			return token, d.fixOrder(ctx, token)
		}
		if ifMatch != "" && ifMatch != "*" {
			return "", store.ErrPreconditionFailed
		}
	}
	return "", fmt.Errorf("%s %s: lost the race to other writers %d times", op, id.String(), maxRaces)
}

// writeSwap appends the update that, if id's ETag is still old, empties
// its graph and then runs insert's GRAPH block (none to delete): the
// first operation leaves a claim that only this request's token names,
// the second inserts under it, the third removes it.
func (d *DB) writeSwap(b *strings.Builder, id rdf.IRI, old, token string, kind store.ChangeKind, insert func(b *strings.Builder)) {
	graph := func() {
		b.WriteString("GRAPH ")
		writeIRI(b, d.graph(id))
	}
	claim := func() {
		writeIRI(b, id.String())
		b.WriteString(" <" + ns + "claim> ")
		writeString(b, token)
	}
	b.WriteString("DELETE { ")
	graph()
	b.WriteString(" { ?s ?p ?o } } INSERT { ")
	graph()
	b.WriteString(" { ")
	claim()
	b.WriteString(" } } WHERE { ")
	graph()
	b.WriteString(" { ")
	writeIRI(b, id.String())
	b.WriteString(" <" + predETag + "> ")
	writeString(b, old)
	b.WriteString(" . ?s ?p ?o } }")
	if insert != nil {
		b.WriteString(" ;\n")
		b.WriteString("INSERT {\n")
		insert(b)
		b.WriteString("} WHERE { ")
		graph()
		b.WriteString(" { ")
		claim()
		b.WriteString(" } }")
	}
	d.writeEvent(b, id, kind, token, func(*strings.Builder) { claim() })
	b.WriteString(" ;\nDELETE DATA { ")
	graph()
	b.WriteString(" { ")
	claim()
	b.WriteString(" } }")
}

// Delete removes resource id. It returns store.ErrNotFound and
// store.ErrPreconditionFailed as Replace does.
func (d *DB) Delete(ctx context.Context, id rdf.IRI, ifMatch string) error {
	_, err := d.swap(ctx, "delete", id, ifMatch, store.Deleted, nil)
	return err
}

// Load creates or replaces the resources rs, a few thousand triples per
// SPARQL Update request (Options.BatchTriples), each request logging its
// writes as a creation or a modification by whether the resource was
// there when the batch began. A resource listed twice
// ends as its last listing. Each request is atomic where the store makes
// requests atomic; the set is not.
func (d *DB) Load(ctx context.Context, rs []store.Resource) error {
	var b strings.Builder
	n := 0
	var batch []loaded
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := d.existing(ctx, batch); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		var req strings.Builder
		d.writeLoadEvents(&req, batch)
		req.WriteString(" ;\n")
		req.WriteString(b.String())
		err := d.c.update(ctx, req.String())
		if err == nil {
			tokens := make([]string, len(batch))
			for i, l := range batch {
				tokens[i] = l.token
			}
			err = d.fixOrders(ctx, tokens)
		}
		b.Reset()
		n, batch = 0, batch[:0]
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		return nil
	}
	for _, r := range rs {
		if err := checkID(r.ID); err != nil {
			return err
		}
		g := relabel(r.ID, r.Triples)
		etag := newETag()
		if len(batch) > 0 {
			b.WriteString(";\n")
		}
		again := false
		for _, l := range batch {
			again = again || l.id == r.ID
		}
		batch = append(batch, loaded{id: r.ID, token: etag, again: again})
		b.WriteString("DROP SILENT GRAPH ")
		writeIRI(&b, d.graph(r.ID))
		b.WriteString(" ;\nINSERT DATA {\n")
		d.writeGraph(&b, r.ID, g, etag)
		b.WriteString("}")
		n += len(g) + 2
		if n >= d.batch || len(batch) >= maxBatchResources {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// maxBatchResources is the most resources one update of Load writes.
const maxBatchResources = 40

// Resources calls fn with the IRI of each resource after after, in byte
// order, until fn returns false.
func (d *DB) Resources(ctx context.Context, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	return d.resourcesUnder(ctx, "", after, fn)
}

// resourcePage is how many IRIs one query of resourcesUnder reads.
const resourcePage = 5000

func (d *DB) resourcesUnder(ctx context.Context, prefix string, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	from := after.String()
	for {
		var b strings.Builder
		// STR: Virtuoso 7 compares and orders strings of its dictionary
		// by their place in it.
		b.WriteString("SELECT ?id ?k WHERE { GRAPH ?g { ?id <" + predIRI + "> ?k } ")
		if from != "" {
			b.WriteString("FILTER(STR(?k) > ")
			writeString(&b, from)
			b.WriteString(") ")
		}
		if prefix != "" {
			b.WriteString("FILTER(STRSTARTS(STR(?k), ")
			writeString(&b, prefix)
			b.WriteString(")) ")
		}
		d.graphFilter(&b)
		fmt.Fprintf(&b, "} ORDER BY STR(?k) LIMIT %d", resourcePage)
		rows, err := d.c.selectRows(ctx, b.String())
		if err != nil {
			return fmt.Errorf("list resources: %w", err)
		}
		for _, r := range rows {
			id, err := rdf.NewIRI(r["id"].Value)
			if err != nil {
				return err
			}
			if !fn(id) {
				return nil
			}
			from = id.String()
		}
		if len(rows) < resourcePage {
			return nil
		}
	}
}

// View calls fn with a Source over the store. A SPARQL Protocol endpoint
// keeps no snapshot between requests: each read sees what was committed
// when it ran.
func (d *DB) View(ctx context.Context, fn func(src query.Source) error) error {
	return fn(&Source{d: d})
}
