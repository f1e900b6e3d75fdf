package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store/sparql"
)

// storeConfig says which store the provider runs over: the embedded
// bbolt store (--store bolt, the default) or a SPARQL 1.1 store.
type storeConfig struct {
	kind   string
	sparql sparql.Options
	// instance names this process among those sharing a SPARQL store;
	// jobLease is the shortest lease of a job (0: no leases).
	instance string
	jobLease time.Duration
}

// defaultInstance names this process: its host and pid.
func defaultInstance() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// addStoreFlags adds --store and the --sparql-* flags to fs.
func addStoreFlags(fs *flag.FlagSet, c *storeConfig) {
	fs.StringVar(&c.kind, "store", "", "where the triples are kept: `bolt` (the embedded store in --data; the default) or sparql (a SPARQL 1.1 store: --sparql-query, --sparql-update)")
	fs.StringVar(&c.sparql.Endpoint.Query, "sparql-query", "", "SPARQL 1.1 query endpoint `URL` (--store sparql)")
	fs.StringVar(&c.sparql.Endpoint.Update, "sparql-update", "", "SPARQL 1.1 update endpoint `URL` (default --sparql-query)")
	fs.StringVar(&c.sparql.Endpoint.User, "sparql-user", "", "HTTP Basic `user` of the SPARQL endpoints; the password is $PM_SPARQL_PASSWORD or --sparql-password")
	fs.StringVar(&c.sparql.Endpoint.Password, "sparql-password", "", "HTTP Basic `password` of the SPARQL endpoints (prefer $PM_SPARQL_PASSWORD: flags show in ps)")
	fs.StringVar(&c.sparql.Endpoint.Token, "sparql-token", "", "bearer `token` for the SPARQL endpoints (prefer $PM_SPARQL_TOKEN)")
	fs.StringVar(&c.instance, "instance", defaultInstance(), "`name` of this instance in the leases of the jobs it runs; unique among the instances sharing a store")
	fs.DurationVar(&c.jobLease, "job-lease", -1, "shortest lease of a job: instances over one store (--store sparql) share the jobs, each run by the instance that holds its lease, renewed every quarter of it; a job's lease lasts half its granularity period but at least this. Default 5s with --store sparql, 0 (every job runs here) with bolt, which one process owns")
	fs.DurationVar(&c.sparql.Endpoint.Timeout, "sparql-timeout", sparql.DefaultTimeout, "longest a request to the SPARQL endpoints may take (with a longer one, raise --request-timeout too, and the store's own limit: Virtuoso's MaxQueryExecutionTime)")
	fs.StringVar(&c.sparql.GraphPrefix, "sparql-graph-prefix", "", "`prefix` of the names of the provider's graphs: each resource is the graph <prefix><resource IRI> (default: the resource IRI itself)")
}

// check validates the store flags and reads the secrets of the
// environment.
func (c *storeConfig) check() error {
	switch c.kind {
	case "", "bolt":
		return nil
	case "sparql":
	default:
		return fmt.Errorf("--store %q: want bolt or sparql", c.kind)
	}
	if c.sparql.Endpoint.Query == "" {
		return errors.New("--store sparql needs --sparql-query")
	}
	if c.sparql.Endpoint.Password == "" {
		c.sparql.Endpoint.Password = os.Getenv("PM_SPARQL_PASSWORD")
	}
	if c.sparql.Endpoint.Token == "" {
		c.sparql.Endpoint.Token = os.Getenv("PM_SPARQL_TOKEN")
	}
	if c.sparql.Endpoint.Token != "" && c.sparql.Endpoint.User != "" {
		return errors.New("--sparql-user and --sparql-token: give one of them")
	}
	if c.sparql.Endpoint.Timeout <= 0 {
		return fmt.Errorf("--sparql-timeout %s: want a positive duration", c.sparql.Endpoint.Timeout)
	}
	return nil
}

// openSPARQL opens the SPARQL store of c as the provider's store.
func openSPARQL(ctx context.Context, c storeConfig) (provider.Store, error) {
	db, err := openSPARQLDB(ctx, c)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// openSPARQLDB opens the SPARQL store of c.
func openSPARQLDB(ctx context.Context, c storeConfig) (*sparql.DB, error) {
	opt := c.sparql
	opt.TextPredicates = query.TextPredicates()
	return sparql.Open(ctx, opt)
}

// lease is the job engine's shortest lease: --job-lease, or by default
// 5 s over SPARQL, which several instances may share, and none over
// bbolt, whose file one process locks.
func (c *storeConfig) lease() time.Duration {
	switch {
	case c.jobLease >= 0:
		return c.jobLease
	case c.kind == "sparql":
		return 5 * time.Second
	}
	return 0
}
