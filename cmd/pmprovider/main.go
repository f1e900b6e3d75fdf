// Command pmprovider runs the OSLC Performance Monitoring provider: an HTTP
// server of linked data over an embedded bbolt triple store.
//
// Usage:
//
//	pmprovider [--addr 127.0.0.1:8080] [--base-url URL] [--data ./data]
//	pmprovider import [--data ./data] [--base-url URL] FILE...   load N-Triples or Turtle in bulk
//	pmprovider export [--data ./data] [--format ntriples|turtle] load everything out again
//	pmprovider generate [--records N] [--seed S] [--base-url URL]  deterministic fixture data as N-Triples
//	pmprovider bench [--records N]                               load generated data and time queries
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "pmprovider:", err)
		}
		os.Exit(2)
	}
}

// dispatch runs the subcommand args name, or the server.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return runImport(ctx, args[1:], stdout, stderr)
		case "export":
			return runExport(ctx, args[1:], stdout, stderr)
		case "generate":
			return runGenerate(ctx, args[1:], stdout, stderr)
		case "bench":
			return runBench(ctx, args[1:], stdout, stderr)
		case "bench-jobs":
			return runBenchJobs(ctx, args[1:], stdout, stderr)
		case "consumer":
			return runConsumer(args[1:], stdin, stdout, stderr)
		}
	}
	return run(ctx, args, stderr)
}

// storeOptions returns opt with the indexes the provider asks of its
// store: the full-text index of vocab.TextIndexed and the pair index of
// vocab.MeasurePair. Every command opens the store with them, so that none
// rebuilds the indexes another built.
func storeOptions(opt store.Options) *store.Options {
	opt.TextPredicates = vocab.TextIndexed
	opt.Pairs = []store.Pair{store.Pair(vocab.MeasurePair)}
	return &opt
}

// newFlagSet returns the flag set of a subcommand: errors are returned,
// and usage prints the subcommand's text, then its flags, to stderr.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// config is what the flags say.
type config struct {
	addr    string
	baseURL string
	dataDir string
	hostJob bool
	terms   int
	ui      provider.UIConfig
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("pmprovider", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on")
	fs.StringVar(&c.baseURL, "base-url", "", "public base `URL` of every IRI the server mints (default http://<addr>)")
	fs.StringVar(&c.dataDir, "data", "data", "`directory` of the embedded store")
	fs.BoolVar(&c.hostJob, "host-job", true, "make sure a job measures this host every 10 s (--host-job=false for none)")
	fs.Func("frame-ancestors", "comma-separated CSP frame-ancestors `sources` that may embed dialogs and previews (default any)", func(v string) error {
		c.ui.FrameAncestors = splitList(v)
		return nil
	})
	fs.Func("cors-origins", "comma-separated `origins` whose scripts may read responses with credentials (default any origin, without credentials)", func(v string) error {
		c.ui.CORSOrigins = splitList(v)
		return nil
	})
	fs.IntVar(&c.terms, "term-cache", store.DefaultTermCacheSize, "decoded terms kept in memory: about 4 per record queries touch, for warm queries")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	host, port, err := net.SplitHostPort(c.addr)
	if err != nil {
		return c, fmt.Errorf("--addr %q: want host:port: %v", c.addr, err)
	}
	if p, err := net.LookupPort("tcp", port); err != nil || p <= 0 {
		return c, fmt.Errorf("--addr %q: bad port %q", c.addr, port)
	}
	if c.baseURL == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		c.baseURL = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(c.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return c, fmt.Errorf("--base-url %q: want an absolute http(s) URL without query or fragment", c.baseURL)
	}
	if c.dataDir == "" {
		return c, errors.New("--data: want a directory")
	}
	if c.terms < 0 {
		return c, errors.New("--term-cache: want a size of 0 or more")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
		return fmt.Errorf("--data: %w", err)
	}
	db, err := store.Open(filepath.Join(c.dataDir, "pm.db"), storeOptions(store.Options{Timeout: 2 * time.Second, TermCacheSize: c.terms}))
	if err != nil {
		return fmt.Errorf("open store in %s: %w", c.dataDir, err)
	}
	defer db.Close()
	srv, err := provider.New(boltsource.New(db), provider.Config{
		BaseURL:    c.baseURL,
		Logger:     log,
		UI:         c.ui,
		Collectors: []collect.Collector{collect.NewHost(), collect.NewSynthetic(1), collect.NewHTTP(), collect.NewPrometheus()},
	})
	if err != nil {
		return err
	}
	if c.hostJob {
		job, err := srv.EnsureHostJob(ctx)
		if err != nil {
			return fmt.Errorf("default job: %w", err)
		}
		log.Info("default job measures this host every 10 s", "job", job.String())
	}
	srv.Start()
	defer srv.Close()
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	log.Info("pmprovider listening", "addr", ln.Addr().String(), "catalog", srv.CatalogURL(), "rootservices", srv.URL("/rootservices"), "data", c.dataDir)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
