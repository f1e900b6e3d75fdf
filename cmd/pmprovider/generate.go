package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/store"
)

const generateUsage = `usage: pmprovider generate [--records N] [--resources R] [--seed S] [--base-url URL]

Writes deterministic fixture data to standard output as N-Triples: R
monitored resources (hosts, software servers, processes, databases) and N
performance monitoring records observing them, as the provider at URL
would store them had they been POSTed. The same flags give the same bytes.
Import the output with 'pmprovider import FILE' and serve it with
--base-url URL.

`

// fixtureFlags are the flags that pick fixture data, shared by generate
// and bench.
type fixtureFlags struct {
	records, resources int
	seed               int64
	step               time.Duration
	start              string
}

func (ff *fixtureFlags) register(fs *flag.FlagSet, records int) {
	fs.IntVar(&ff.records, "records", records, "number of performance monitoring `records`")
	fs.IntVar(&ff.resources, "resources", fixture.DefaultResources, "number of monitored `resources`")
	fs.Int64Var(&ff.seed, "seed", 1, "`seed` of the data: equal seeds give equal data")
	fs.DurationVar(&ff.step, "step", fixture.DefaultStep, "`interval` between two records of one resource")
	fs.StringVar(&ff.start, "start", fixture.DefaultStart.Format(time.RFC3339), "`time` of the first records (RFC 3339)")
}

func (ff *fixtureFlags) config(baseURL string) (fixture.Config, error) {
	c := fixture.Config{BaseURL: baseURL, Seed: ff.seed, Resources: ff.resources, Records: ff.records, Step: ff.step}
	if ff.records < 0 {
		return c, fmt.Errorf("--records %d: want 0 or more", ff.records)
	}
	if ff.resources < 1 {
		return c, fmt.Errorf("--resources %d: want 1 or more", ff.resources)
	}
	if ff.step <= 0 {
		return c, fmt.Errorf("--step %s: want a positive duration", ff.step)
	}
	t, err := time.Parse(time.RFC3339, ff.start)
	if err != nil {
		return c, fmt.Errorf("--start %q: want an RFC 3339 time such as 2026-11-01T00:00:00Z", ff.start)
	}
	c.Start = t
	return c, c.Validate()
}

func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("pmprovider generate", generateUsage, stderr)
	var ff fixtureFlags
	ff.register(fs, 1000)
	base := fs.String("base-url", fixture.DefaultBaseURL, "base `URL` of the provider the data belong to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("generate: unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	cfg, err := ff.config(*base)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	n := 0
	err = fixture.Generate(cfg, func(r store.Resource) error {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return codec.Encode(w, codec.NTriples, r.Triples, &codec.Options{Root: r.ID})
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	return nil
}
