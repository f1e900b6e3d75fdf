package sparql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
)

// The change log: each write of a resource adds, in the same SPARQL
// Update request as the write and only if the write took place, an event
// (order, kind, time, resource) to the log graph, its order taken from a
// counter that the request increments (delete and insert of its value).
// Orders start at 1 and are never reused, also after TrimChanges: a
// writer that finds another writer's event on its order (two requests
// read the counter at once) moves its own to a new order (fixOrder).
const (
	counterIRI = ns + "counter"    // subject and graph name of the counter
	logIRI     = ns + "changes"    // graph name of the log
	eventNS    = ns + "change:"    // an event: eventNS + order
	predNext   = ns + "next"       // counter: the last order taken
	predOrder  = ns + "order"      // event: its order, an xsd:integer
	predKind   = ns + "kind"       // event: "C", "M" or "D" (store.ChangeKind)
	predTime   = ns + "time"       // event: the writer's clock, Unix nanoseconds
	predID     = ns + "resource"   // event: the resource written
	predToken  = ns + "eventToken" // event: unique per request, to tell races
	changePage = 1000              // events per query of Changes
)

func (d *DB) counterGraph() string { return d.opt.GraphPrefix + counterIRI }
func (d *DB) logGraph() string     { return d.opt.GraphPrefix + logIRI }

// writeEvent appends the operation that logs an event of kind for id if
// the pattern cond holds in id's graph: the write it follows took place.
func (d *DB) writeEvent(b *strings.Builder, id rdf.IRI, kind store.ChangeKind, token string, cond func(b *strings.Builder)) {
	d.writeEventIf(b, id, "\""+string(rune(kind))+"\"", token, func(b *strings.Builder) {
		b.WriteString("GRAPH ")
		writeIRI(b, d.graph(id))
		b.WriteString(" { ")
		cond(b)
		b.WriteString(" } ")
	})
}

// writeEventIf appends the operation that logs an event for id, its kind
// the value of the expression kind, if the patterns where write match.
func (d *DB) writeEventIf(b *strings.Builder, id rdf.IRI, kind, token string, where func(b *strings.Builder)) {
	b.WriteString(";\nDELETE { GRAPH ")
	writeIRI(b, d.counterGraph())
	b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?n } } INSERT { GRAPH ")
	writeIRI(b, d.counterGraph())
	b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?m } GRAPH ")
	writeIRI(b, d.logGraph())
	b.WriteString(" { ?ev <" + predOrder + "> ?m ; <" + predKind + "> ?kind ; <" + predTime + "> " + strconv.FormatInt(time.Now().UnixNano(), 10) + " ; <" + predID + "> ")
	writeIRI(b, id.String())
	b.WriteString(" ; <" + predToken + "> ")
	writeString(b, token)
	b.WriteString(" } } WHERE { ")
	where(b)
	b.WriteString("GRAPH ")
	writeIRI(b, d.counterGraph())
	b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?n } BIND(?n + 1 AS ?m) BIND(IRI(CONCAT(\"" + eventNS + "\", STR(?m))) AS ?ev) BIND(" + kind + " AS ?kind) }")
}

// loaded is a resource of a batch of Load: its token, and whether it
// was there before the batch (read just before: the kind of its event).
type loaded struct {
	id     rdf.IRI
	token  string
	before bool
	again  bool // listed before in the batch
}

// existing tells which of the batch's resources are there, in one query.
func (d *DB) existing(ctx context.Context, batch []loaded) error {
	var b strings.Builder
	b.WriteString("SELECT DISTINCT ?r WHERE { VALUES (?r ?g) {")
	for _, l := range batch {
		b.WriteString(" (")
		writeIRI(&b, l.id.String())
		b.WriteByte(' ')
		writeIRI(&b, d.graph(l.id))
		b.WriteString(")")
	}
	b.WriteString(" } GRAPH ?g { ?r <" + predETag + "> ?x } }")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return err
	}
	there := map[string]bool{}
	for _, r := range rows {
		there[r["r"].Value] = true
	}
	for i := range batch {
		batch[i].before = there[batch[i].id.String()] || batch[i].again
	}
	return nil
}

// writeLoadEvents appends the operation that logs the writes of a batch
// of Load, before them: one order each, taken from the counter at once, a
// creation or a modification as existing found.
func (d *DB) writeLoadEvents(b *strings.Builder, batch []loaded) {
	now := strconv.FormatInt(time.Now().UnixNano(), 10)
	b.WriteString("DELETE { GRAPH ")
	writeIRI(b, d.counterGraph())
	b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?n } } INSERT { GRAPH ")
	writeIRI(b, d.counterGraph())
	b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?m } GRAPH ")
	writeIRI(b, d.logGraph())
	b.WriteString(" { ?ev <" + predOrder + "> ?o ; <" + predKind + "> ?kind ; <" + predTime + "> " + now + " ; <" + predID + "> ?r ; <" + predToken + "> ?tok } } WHERE { VALUES (?i ?r ?kind ?tok) {")
	for i, l := range batch {
		kind := "C"
		if l.before {
			kind = "M"
		}
		b.WriteString(" (" + strconv.Itoa(i+1) + " ")
		writeIRI(b, l.id.String())
		b.WriteString(" \"" + kind + "\" ")
		writeString(b, l.token)
		b.WriteString(")")
	}
	b.WriteString(" } GRAPH ")
	writeIRI(b, d.counterGraph())
	b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?n } BIND(?n + ?i AS ?o) BIND(IRI(CONCAT(\"" + eventNS + "\", STR(?o))) AS ?ev) BIND(?n + " + strconv.Itoa(len(batch)) + " AS ?m) }")
}

// fixOrders runs fixOrder for the events of tokens that share their order
// with another event.
func (d *DB) fixOrders(ctx context.Context, tokens []string) error {
	if len(tokens) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("SELECT DISTINCT ?t WHERE { VALUES ?t {")
	for _, t := range tokens {
		b.WriteByte(' ')
		writeString(&b, t)
	}
	b.WriteString(" } GRAPH ")
	writeIRI(&b, d.logGraph())
	b.WriteString(" { ?e <" + predToken + "> ?t ; <" + predOrder + "> ?o . ?f <" + predOrder + "> ?o ; <" + predToken + "> ?u } FILTER(STR(?u) != STR(?t)) }")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return fmt.Errorf("change log: %w", err)
	}
	for _, r := range rows {
		if err := d.fixOrder(ctx, r["t"].Value); err != nil {
			return err
		}
	}
	return nil
}

// fixOrder makes the event of token the only one on its order: if a
// writer that read the counter at the same time took the same order, the
// event with the greater token moves to a new one.
func (d *DB) fixOrder(ctx context.Context, token string) error {
	for range maxRaces {
		var b strings.Builder
		b.WriteString("SELECT ?o ?t WHERE { GRAPH ")
		writeIRI(&b, d.logGraph())
		b.WriteString(" { ?e <" + predToken + "> ")
		writeString(&b, token)
		b.WriteString(" ; <" + predOrder + "> ?o . ?f <" + predOrder + "> ?o ; <" + predToken + "> ?t } }")
		rows, err := d.c.selectRows(ctx, b.String())
		if err != nil {
			return fmt.Errorf("change log: %w", err)
		}
		lose := false
		for _, r := range rows {
			lose = lose || r["t"].Value < token // the smaller token keeps the order
		}
		if !lose {
			return nil
		}
		order := rows[0]["o"].Value
		b.Reset()
		b.WriteString("DELETE { GRAPH ")
		writeIRI(&b, d.counterGraph())
		b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?n } GRAPH ")
		writeIRI(&b, d.logGraph())
		b.WriteString(" { ?e ?p ?x } } INSERT { GRAPH ")
		writeIRI(&b, d.counterGraph())
		b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?m } GRAPH ")
		writeIRI(&b, d.logGraph())
		b.WriteString(" { ?ev ?p ?y } } WHERE { GRAPH ")
		writeIRI(&b, d.logGraph())
		b.WriteString(" { ?e <" + predToken + "> ")
		writeString(&b, token)
		b.WriteString(" ; <" + predOrder + "> " + order + " ; ?p ?x } GRAPH ")
		writeIRI(&b, d.counterGraph())
		b.WriteString(" { <" + counterIRI + "> <" + predNext + "> ?n } BIND(?n + 1 AS ?m) BIND(IRI(CONCAT(\"" + eventNS + "\", STR(?m))) AS ?ev) BIND(IF(?p = <" + predOrder + ">, ?m, ?x) AS ?y) }")
		if err := d.c.update(ctx, b.String()); err != nil {
			return fmt.Errorf("change log: %w", err)
		}
	}
	return fmt.Errorf("change log: lost the race for an order %d times", maxRaces)
}

// ViewChanges calls fn with the store's change view: the change log as it
// is when ViewChanges begins (ChangeSpan), read by later queries.
func (d *DB) ViewChanges(ctx context.Context, fn func(cv store.ChangeView) error) error {
	v := changeView{DB: d}
	var b strings.Builder
	b.WriteString("SELECT (MIN(?o) AS ?lo) (MAX(?o) AS ?hi) WHERE { GRAPH ")
	writeIRI(&b, d.logGraph())
	b.WriteString(" { ?e <" + predOrder + "> ?o } }")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return fmt.Errorf("change log: %w", err)
	}
	if len(rows) == 1 && rows[0]["hi"].Value != "" {
		v.oldest, _ = strconv.ParseUint(rows[0]["lo"].Value, 10, 64)
		v.newest, _ = strconv.ParseUint(rows[0]["hi"].Value, 10, 64)
	}
	return fn(v)
}

// TrimChanges deletes the events whose order is below before, and
// returns how many it deleted.
func (d *DB) TrimChanges(ctx context.Context, before uint64) (int, error) {
	var b strings.Builder
	b.WriteString("SELECT (COUNT(?e) AS ?n) WHERE { GRAPH ")
	writeIRI(&b, d.logGraph())
	b.WriteString(" { ?e <" + predOrder + "> ?o } FILTER(?o < " + strconv.FormatUint(before, 10) + ") }")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return 0, fmt.Errorf("trim change log: %w", err)
	}
	n := 0
	if len(rows) == 1 {
		n, _ = strconv.Atoi(rows[0]["n"].Value)
	}
	if n == 0 {
		return 0, nil
	}
	b.Reset()
	b.WriteString("DELETE { GRAPH ")
	writeIRI(&b, d.logGraph())
	b.WriteString(" { ?e ?p ?x } } WHERE { GRAPH ")
	writeIRI(&b, d.logGraph())
	b.WriteString(" { ?e <" + predOrder + "> ?o ; ?p ?x } FILTER(?o < " + strconv.FormatUint(before, 10) + ") }")
	if err := d.c.update(ctx, b.String()); err != nil {
		return 0, fmt.Errorf("trim change log: %w", err)
	}
	return n, nil
}

// changeView is the change log as ViewChanges found it, and the store as
// a query.Source (through DB), for what reads other resources in the same
// view (the hub's filters).
type changeView struct {
	*DB
	oldest, newest uint64
}

func (v changeView) ChangeSpan() (oldest, newest uint64) { return v.oldest, v.newest }

// Changes calls fn with the events whose order is below before (0: all),
// newest first.
func (v changeView) Changes(ctx context.Context, before uint64, fn func(c store.Change) bool) error {
	if before == 0 || before > v.newest+1 {
		before = v.newest + 1
	}
	return v.changes(ctx, before, fn)
}

// ChangesAfter calls fn with the events whose order is above after, up to
// the newest of the view, oldest first.
func (v changeView) ChangesAfter(ctx context.Context, after uint64, fn func(c store.Change) bool) error {
	for after < v.newest {
		var b strings.Builder
		v.selectChanges(&b, fmt.Sprintf("?o > %d && ?o <= %d", after, v.newest), "?o")
		cs, err := v.readChanges(ctx, b.String())
		if err != nil {
			return err
		}
		for _, c := range cs {
			if !fn(c) {
				return nil
			}
			after = c.Order
		}
		if len(cs) < changePage {
			return nil
		}
	}
	return nil
}

// changes lists the events below before, newest first.
func (d *DB) changes(ctx context.Context, before uint64, fn func(c store.Change) bool) error {
	for {
		var b strings.Builder
		d.selectChanges(&b, fmt.Sprintf("?o < %d", before), "DESC(?o)")
		cs, err := d.readChanges(ctx, b.String())
		if err != nil {
			return err
		}
		for _, c := range cs {
			if !fn(c) {
				return nil
			}
			before = c.Order
		}
		if len(cs) < changePage {
			return nil
		}
	}
}

func (d *DB) selectChanges(b *strings.Builder, filter, order string) {
	b.WriteString("SELECT ?o ?k ?t ?id WHERE { GRAPH ")
	writeIRI(b, d.logGraph())
	b.WriteString(" { ?e <" + predOrder + "> ?o ; <" + predKind + "> ?k ; <" + predTime + "> ?t ; <" + predID + "> ?id } FILTER(" + filter + ") } ORDER BY " + order + " LIMIT " + strconv.Itoa(changePage))
}

func (d *DB) readChanges(ctx context.Context, q string) ([]store.Change, error) {
	rows, err := d.c.selectRows(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("change log: %w", err)
	}
	cs := make([]store.Change, 0, len(rows))
	for _, r := range rows {
		o, err := strconv.ParseUint(r["o"].Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: change order %q", store.ErrCorrupt, r["o"].Value)
		}
		ns, err := strconv.ParseInt(r["t"].Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: change time %q", store.ErrCorrupt, r["t"].Value)
		}
		id, err := rdf.NewIRI(r["id"].Value)
		if err != nil || len(r["k"].Value) != 1 {
			return nil, fmt.Errorf("%w: change %d", store.ErrCorrupt, o)
		}
		cs = append(cs, store.Change{Order: o, Kind: store.ChangeKind(r["k"].Value[0]), ID: id, Time: time.Unix(0, ns)})
	}
	return cs, nil
}

func (v changeView) ResourcesUnder(ctx context.Context, prefix string, after rdf.IRI, fn func(id rdf.IRI) bool) error {
	return v.DB.resourcesUnder(ctx, prefix, after, fn)
}
