package sparql

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/oslc-pm/pmprovider/store"
)

// The layout version: what the store's own triples are (see doc.go).
// Version 1 kept a value key for every triple and no predIRI; version 2
// keeps value keys of literals only, and each resource's IRI as a string.
// Open upgrades a version 1 store in place (upgrade).
const (
	layoutVersion = 2
	layoutIRI     = ns + "layout"  // subject and graph name of the version
	predVersion   = ns + "version" // layout: its version, an xsd:integer
)

// upgradeBatch is how many resources upgrade reads per query, and
// upgradeInsert how many it completes per request.
var upgradeBatch = 1000

const (
	upgradeInsert  = 200
	upgradeRetries = 3 // failed requests in a row before upgrade gives up
)

func (d *DB) layoutGraph() string { return d.opt.GraphPrefix + layoutIRI }

// writeLayout appends the layout graph as a GRAPH block.
func (d *DB) writeLayout(b *strings.Builder) {
	b.WriteString("GRAPH ")
	writeIRI(b, d.layoutGraph())
	b.WriteString(" { <" + layoutIRI + "> <" + predVersion + "> " + strconv.Itoa(layoutVersion) + " }\n")
}

// checkLayout reads the store's layout version: it marks an empty store
// as of this version, upgrades one of version 1 (a store without a
// version that holds resources), and refuses a newer one.
func (d *DB) checkLayout(ctx context.Context) error {
	v, err := d.layout(ctx)
	if err != nil {
		return err
	}
	switch {
	case v == layoutVersion:
		return nil
	case v > layoutVersion:
		return fmt.Errorf("%w: the store's layout is version %d, newer than this provider's (%d): run a provider as new as the one that wrote it", store.ErrCorrupt, v, layoutVersion)
	case v == 0:
		var b strings.Builder
		b.WriteString("ASK { GRAPH ?g { ?s <" + predETag + "> ?e }")
		d.graphFilter(&b)
		b.WriteString(" }")
		any, err := d.c.ask(ctx, b.String())
		if err != nil {
			return err
		}
		if any {
			v = 1
		}
	}
	if v == 1 {
		if err := d.upgrade(ctx); err != nil {
			return fmt.Errorf("upgrade the store's layout from version 1 to %d (safe to retry: open the store again): %w", layoutVersion, err)
		}
	}
	var b strings.Builder
	b.WriteString("DELETE WHERE { GRAPH ")
	writeIRI(&b, d.layoutGraph())
	b.WriteString(" { <" + layoutIRI + "> <" + predVersion + "> ?v } } ;\nINSERT DATA { ")
	d.writeLayout(&b)
	b.WriteString("}")
	return d.c.update(ctx, b.String())
}

// layout is the store's layout version, 0 if it has none.
func (d *DB) layout(ctx context.Context) (int, error) {
	var b strings.Builder
	b.WriteString("SELECT ?v WHERE { GRAPH ")
	writeIRI(&b, d.layoutGraph())
	b.WriteString(" { <" + layoutIRI + "> <" + predVersion + "> ?v } }")
	rows, err := d.c.selectRows(ctx, b.String())
	if err != nil {
		return 0, err
	}
	v := 0
	for _, r := range rows {
		n, err := strconv.Atoi(r["v"].Value)
		if err != nil {
			return 0, fmt.Errorf("%w: layout version %q", store.ErrCorrupt, r["v"].Value)
		}
		v = max(v, n)
	}
	return v, nil
}

// upgrade brings a store of layout version 1 to version 2: it adds each
// resource's IRI as a string (predIRI), upgradeBatch resources per
// request, until none lacks it. It is idempotent, and resumes where a
// crash left it. The value keys version 1 kept of IRIs and blank nodes
// stay until the resource is next written: no query reads them.
// Providers of version 1 must be stopped first: what they write lacks
// predIRI.
func (d *DB) upgrade(ctx context.Context) error {
	done, failed := 0, 0
	for {
		var b strings.Builder
		b.WriteString("SELECT ?g ?s WHERE { GRAPH ?g { ?s <" + predETag + "> ?e } FILTER NOT EXISTS { GRAPH ?g { ?s <" + predIRI + "> ?k } }")
		d.graphFilter(&b)
		fmt.Fprintf(&b, " } LIMIT %d", upgradeBatch)
		rows, err := d.c.selectRows(ctx, b.String())
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			if done > 0 {
				slog.Info("sparql: store layout upgraded", "from", 1, "to", layoutVersion, "resources", done)
			}
			return nil
		}
		// INSERT DATA of a few hundred graphs each: Virtuoso 7 refuses a
		// thousand (its SQL grows too long), and fails INSERT templates
		// on rows of VALUES.
		for len(rows) > 0 {
			n := min(len(rows), upgradeInsert)
			b.Reset()
			b.WriteString("INSERT DATA {\n")
			for _, r := range rows[:n] {
				if r["s"].Type != "uri" || r["g"].Type != "uri" {
					return fmt.Errorf("%w: resource %q in graph %q", store.ErrCorrupt, r["s"].Value, r["g"].Value)
				}
				b.WriteString("GRAPH ")
				writeIRI(&b, r["g"].Value)
				b.WriteString(" { ")
				writeIRI(&b, r["s"].Value)
				b.WriteString(" <" + predIRI + "> ")
				writeString(&b, r["s"].Value)
				b.WriteString(" }\n")
			}
			b.WriteString("}")
			if err := d.c.update(ctx, b.String()); err != nil {
				// Virtuoso 7 now and then fails a request of many new
				// strings after storing part of it ("'nodeID://8192'
				// is not valid bnode IRI"), and takes the rest when
				// asked again.
				if failed++; failed > upgradeRetries {
					return err
				}
				slog.Warn("sparql: layout upgrade: asking again", "err", err)
				break
			}
			failed = 0
			rows = rows[n:]
			done += n
		}
		slog.Info("sparql: upgrading the store's layout", "from", 1, "to", layoutVersion, "resources", done)
	}
}
