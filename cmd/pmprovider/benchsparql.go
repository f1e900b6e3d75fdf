package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
)

// benchSPARQL loads the data set into the SPARQL store of sc, times the
// query shapes over it as over the bbolt store, and then each shape's
// SPARQL query in the store alone, without the provider: what is left is
// the provider's own cost.
func benchSPARQL(ctx context.Context, sc storeConfig, bulk sparqlBulk, bs *benchSettings, cfg fixture.Config, qs []benchQuery, stdout, stderr io.Writer) error {
	var mu sync.Mutex
	var traced []string
	opt := sc.sparql
	opt.TextPredicates = query.TextPredicates()
	opt.Trace = func(text string) {
		mu.Lock()
		traced = append(traced, text)
		mu.Unlock()
	}
	db, err := sparql.Open(ctx, opt)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintf(stdout, "\nSPARQL store %s\n", opt.Endpoint.Query)
	start := time.Now()
	last := start
	var batch []store.Resource
	var resources, triples int64
	load := func() error {
		if err := db.Load(ctx, batch); err != nil {
			return err
		}
		resources += int64(len(batch))
		batch = batch[:0]
		if now := time.Now(); now.Sub(last) >= 5*time.Second {
			last = now
			el := now.Sub(start)
			fmt.Fprintf(stderr, "sparql load: %d of %d resources, %s: %s resources/s\n",
				resources, cfg.Total(), el.Round(time.Second), rate(resources, el))
		}
		return nil
	}
	if bulk.dir != "" {
		fmt.Fprintf(stdout, "loading in bulk: TriG files of %d resources in %s, each loaded by Virtuoso's loader through %s while the next is written\n", bulk.per, bulk.dir, bulk.isql.Addr)
		resources, triples, err = bulk.load(ctx, db, cfg, stderr)
	} else {
		err = fixture.Generate(cfg, func(r store.Resource) error {
			batch = append(batch, r)
			triples += int64(len(r.Triples))
			if len(batch) < loadBatch {
				return nil
			}
			return load()
		})
		if err == nil {
			err = load()
		}
	}
	if err != nil {
		return fmt.Errorf("bench: sparql load: %w", err)
	}
	el := time.Since(start)
	records := int64(cfg.Records)
	fmt.Fprintf(stdout, "load: %d records (+%d monitored resources), %d triples in %s: %s records/s, %s triples/s\n",
		records, resources-records, triples, el.Round(time.Millisecond), rate(records, el), rate(triples, el))

	// One request per shape while the server runs, to learn its SPARQL.
	texts := map[string][]string{}
	bs.cpuProfile = ""
	bs.after = func(do func(q benchQuery, j int) benchOutcome) {
		for _, q := range qs {
			mu.Lock()
			traced = nil
			mu.Unlock()
			do(q, 0)
			mu.Lock()
			texts[q.name] = slices.Clone(traced)
			mu.Unlock()
		}
	}
	if err := bs.serve(ctx, db, cfg, qs, stdout, stderr); err != nil {
		return err
	}
	pushed, fellBack := db.Pushdowns()
	fmt.Fprintf(stdout, "\nthe store answered %d queries in SPARQL, left %d to the query engine\n", pushed, fellBack)
	fmt.Fprintf(stdout, "each shape's SPARQL queries in the store alone, %d times:\n", bs.queries)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\tSPARQL queries\tp50\tp99\t")
	for _, q := range qs {
		ts := texts[q.name]
		var took []time.Duration
		for j := 0; j < bs.queries && len(ts) > 0; j++ {
			t0 := time.Now()
			for _, text := range ts {
				if _, err := db.Select(ctx, text); err != nil {
					return fmt.Errorf("bench: %s: %w", q.name, err)
				}
			}
			took = append(took, time.Since(t0))
		}
		slices.Sort(took)
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", q.name, len(ts), ms(percentile(took, 50)), ms(percentile(took, 99)))
	}
	return tw.Flush()
}

// sparqlBulk is how bench loads the SPARQL store in bulk: TriG files in
// dir, loaded by Virtuoso's bulk loader.
type sparqlBulk struct {
	dir  string
	isql sparql.VirtuosoLoader
	// per is how many resources a file holds: Virtuoso loads one file
	// while the next is written.
	per int
}

// defaultBulkFile is sparqlBulk.per by default: half a gigabyte of TriG.
const defaultBulkFile = 50000

// load writes the data set as TriG files of b.per resources and loads
// each, while the next is written, removes them and syncs db's change
// log counter.
func (b sparqlBulk) load(ctx context.Context, db *sparql.DB, cfg fixture.Config, stderr io.Writer) (resources, triples int64, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The loader takes a file once it has loaded the one before: at most
	// one is written while one loads.
	type file struct {
		name      string
		resources uint64
	}
	files := make(chan file)
	loaded := make(chan error, 1)
	start := time.Now()
	go func() {
		var err error
		var done uint64
		for f := range files {
			if err == nil {
				if err = b.isql.Load(ctx, f.name); err != nil {
					cancel()
					os.Remove(f.name)
					continue
				}
				done += f.resources
				el := time.Since(start)
				fmt.Fprintf(stderr, "sparql bulk load: %d of %d resources loaded, %s: %s resources/s\n",
					done, cfg.Total(), el.Round(time.Second), rate(int64(done), el))
			}
			os.Remove(f.name)
		}
		loaded <- err
	}()
	var (
		f  *os.File
		bw *sparql.BulkWriter
		// next is the first order of the next file's change-log events.
		next uint64 = 1
	)
	// closeFile hands the file written to the loader.
	closeFile := func() error {
		if f == nil {
			return nil
		}
		name := f.Name()
		err := bw.Flush()
		n := bw.Events()
		next += n
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		f = nil
		if err != nil {
			os.Remove(name)
			return err
		}
		select {
		case files <- file{name, n}:
			return nil
		case <-ctx.Done():
			os.Remove(name)
			return ctx.Err()
		}
	}
	err = fixture.Generate(cfg, func(r store.Resource) error {
		if f == nil {
			var err error
			if f, err = os.CreateTemp(b.dir, "pmprovider-bench-*.trig"); err != nil {
				return err
			}
			bw = sparql.NewBulkWriter(f, db.Options())
			bw.FirstOrder(next)
		}
		resources++
		triples += int64(len(r.Triples))
		if err := bw.Write([]store.Resource{r}); err != nil {
			return err
		}
		if bw.Events() >= uint64(max(1, b.per)) {
			return closeFile()
		}
		return nil
	})
	if err == nil {
		err = closeFile()
	} else if f != nil {
		f.Close()
		os.Remove(f.Name())
	}
	close(files)
	if lerr := <-loaded; lerr != nil {
		// The loader's failure is why the writer stopped, if it did.
		err = lerr
	}
	if err == nil {
		err = db.SyncCounter(ctx)
	}
	return resources, triples, err
}
