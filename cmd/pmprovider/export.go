package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/store"
)

const exportUsage = `usage: pmprovider export [--data DIR | --store sparql --sparql-query URL ...] [--format ntriples|turtle]

Writes every resource in the store to standard output, in IRI order, from
one consistent snapshot. N-Triples is one document; Turtle is one document
per resource, concatenated (prefixes are declared again in each). The
store is opened read-only: a running server holds it locked, stop it first.
With --store sparql, resources are read from the SPARQL store, 100 per
query, while servers may run.

`

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("pmprovider export", exportUsage, stderr)
	dataDir := fs.String("data", "data", "`directory` of the embedded store")
	format := fs.String("format", "ntriples", "output `format`: ntriples or turtle")
	var sc storeConfig
	addStoreFlags(fs, &sc)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	var f codec.Format
	switch *format {
	case "ntriples", "nt":
		f = codec.NTriples
	case "turtle", "ttl":
		f = codec.Turtle
	default:
		return fmt.Errorf("export: --format %q: want ntriples or turtle", *format)
	}
	if err := sc.check(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	start := time.Now()
	w := bufio.NewWriterSize(stdout, 256<<10)
	var resources, triples int64
	var werr error
	write := func(id rdf.IRI, g []rdf.Triple) bool {
		if f == codec.Turtle && resources > 0 {
			if werr = w.WriteByte('\n'); werr != nil {
				return false
			}
		}
		if werr = codec.Encode(w, f, g, &codec.Options{Root: id}); werr != nil {
			werr = fmt.Errorf("%s: %w", id, werr)
			return false
		}
		resources++
		triples += int64(len(g))
		return true
	}
	var err error
	if sc.kind == "sparql" {
		// A SPARQL endpoint keeps no snapshot: resources written while
		// the export runs may or may not be in it.
		sdb, oerr := openSPARQLDB(ctx, sc)
		if oerr != nil {
			return fmt.Errorf("export: %w", oerr)
		}
		err = errors.Join(sdb.Walk(ctx, write), werr)
	} else {
		db, oerr := openStore(*dataDir, true)
		if oerr != nil {
			return fmt.Errorf("export: %w", oerr)
		}
		defer db.Close()
		err = db.View(ctx, func(s *store.Snapshot) error {
			err := s.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool {
				g, _, err := s.Get(ctx, id)
				if err != nil {
					werr = err
					return false
				}
				return write(id, g)
			})
			return errors.Join(err, werr)
		})
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	el := time.Since(start)
	fmt.Fprintf(stderr, "export: %d resources, %d triples in %s: %s triples/s\n", resources, triples, el.Round(time.Millisecond), rate(triples, el))
	return nil
}
