package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

const checkUsage = `usage: pmprovider check [--data DIR] [--max N]

Reads the whole embedded store in one snapshot and reports where its parts
disagree: a term a resource uses that the dictionary lacks, a dictionary
entry that does not map back, a resource whose IRI does not map to it, a
triple without its index keys, index keys without a triple, counters off,
text and pair index keys other than those an import would build (missing,
extra, or a different word count). It prints what it counted and the
problems, and exits with status 2 if it found any. The store is opened
read-only: a running server holds it locked, stop it first. At a million
records it takes a few minutes, and sorts the derived index keys through
files in the temporary directory ($TMPDIR).

`

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("pmprovider check", checkUsage, stderr)
	dataDir := fs.String("data", "data", "`directory` of the embedded store")
	max := fs.Int("max", 100, "list at most `N` problems")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("check: unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if *max < 1 {
		return fmt.Errorf("check: --max %d: want at least 1", *max)
	}
	db, err := openStore(*dataDir, true)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	defer db.Close()
	start := time.Now()
	rep, err := db.Check(ctx, *max)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	fmt.Fprintf(stdout, "checked %d resources, %d triples, %d terms, %d spog, %d posg, %d text, %d pair and %d pairvia keys in %s\n",
		rep.Resources, rep.Triples, rep.Terms, rep.SPOG, rep.POSG, rep.Text, rep.Pair, rep.PairVia, time.Since(start).Round(time.Millisecond))
	if rep.Building {
		fmt.Fprintln(stdout, "a bulk load's index build is pending (posg, text and pairs not checked): the next writable open builds it")
	}
	for _, u := range rep.Unchecked {
		fmt.Fprintln(stdout, "not checked:", u)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p)
	}
	if rep.More > 0 {
		fmt.Fprintf(stdout, "and %d more\n", rep.More)
	}
	if !rep.OK() {
		return fmt.Errorf("check: %d problems in the store in %s", int64(len(rep.Problems))+rep.More, *dataDir)
	}
	fmt.Fprintln(stdout, "no problems")
	return nil
}
