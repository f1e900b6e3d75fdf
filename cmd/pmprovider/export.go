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

const exportUsage = `usage: pmprovider export [--data DIR] [--format ntriples|turtle]

Writes every resource in the store to standard output, in IRI order, from
one consistent snapshot. N-Triples is one document; Turtle is one document
per resource, concatenated (prefixes are declared again in each). The
store is opened read-only: a running server holds it locked, stop it first.

`

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("pmprovider export", exportUsage, stderr)
	dataDir := fs.String("data", "data", "`directory` of the embedded store")
	format := fs.String("format", "ntriples", "output `format`: ntriples or turtle")
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
	db, err := openStore(*dataDir, true)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer db.Close()

	start := time.Now()
	w := bufio.NewWriterSize(stdout, 256<<10)
	var resources, triples int64
	err = db.View(ctx, func(s *store.Snapshot) error {
		var werr error
		err := s.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool {
			g, _, err := s.Get(ctx, id)
			if err != nil {
				werr = err
				return false
			}
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
		})
		return errors.Join(err, werr)
	})
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
