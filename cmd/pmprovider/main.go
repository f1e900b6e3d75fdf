// Command pmprovider runs the OSLC Performance Monitoring provider: an HTTP
// server of linked data over an embedded bbolt triple store, or over a
// SPARQL 1.1 store (--store sparql).
//
// Usage:
//
//	pmprovider [--addr 127.0.0.1:8080] [--base-url URL] [--data ./data]
//	pmprovider --store sparql --sparql-query URL [--sparql-update URL] ...
//	pmprovider import [--data ./data] [--base-url URL] FILE...   load N-Triples or Turtle in bulk
//	pmprovider export [--data ./data] [--format ntriples|turtle] load everything out again
//	pmprovider check [--data ./data]                              check the store's parts agree
//	pmprovider generate [--records N] [--seed S] [--base-url URL]  deterministic fixture data as N-Triples
//	pmprovider bench [--records N] [--store sparql ...]           load generated data and time queries
//	pmprovider bench-peer [--records N]                          the same, side by side with Virtuoso 7
//	pmprovider user add|remove|list ...                          users of HTTP Basic authentication
//	pmprovider token create|revoke|list ...                      API tokens (Bearer)
//	pmprovider consumer add|remove|list|revoke-tokens ...        OAuth 1.0a consumers (Jazz friends)
//	pmprovider config check FILE                                 check a --config file
//
// Every flag of the server may also be set by the environment variable
// PMPROVIDER_<NAME> (upper case, - as _) or by a line "name = value" of
// the --config file; a flag beats the environment, which beats the file.
//
// Off a loopback address the server needs authentication: users, API
// tokens, an OpenID Connect issuer or OAuth consumers (--users, --tokens,
// --oidc-issuer, --oauth-consumers).
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
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/netutil"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/provider/ops"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"

	_ "time/tzdata" // time zones of jobs and pages without the system's zoneinfo
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
		case "check":
			return runCheck(ctx, args[1:], stdout, stderr)
		case "generate":
			return runGenerate(ctx, args[1:], stdout, stderr)
		case "bench":
			return runBench(ctx, args[1:], stdout, stderr)
		case "bench-peer":
			return runBenchPeer(ctx, args[1:], stdout, stderr)
		case "bench-jobs":
			return runBenchJobs(ctx, args[1:], stdout, stderr)
		case "user":
			return runUser(args[1:], stdin, stdout, stderr)
		case "token":
			return runToken(args[1:], stdout, stderr)
		case "consumer":
			return runConsumer(args[1:], stdin, stdout, stderr)
		case "config":
			return runConfig(args[1:], stdout, stderr)
		}
	}
	return run(ctx, args, stderr)
}

// storeOptions returns opt with the indexes the provider asks of its
// store: the full-text index of vocab.TextIndexed and the pair indexes of
// vocab.MeasurePair and vocab.DatePair. Every command opens the store with them, so that none
// rebuilds the indexes another built.
func storeOptions(opt store.Options) *store.Options {
	opt.TextPredicates = vocab.TextIndexed
	opt.Pairs = []store.Pair{store.Pair(vocab.MeasurePair), store.Pair(vocab.DatePair)}
	return &opt
}

// startCPUProfile writes a CPU profile to the file at path until the
// returned stop is called; an empty path profiles nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
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
	gcFloor int // MiB, see setGCFloor
	ui      provider.UIConfig

	tlsCert, tlsKey string
	// Timeouts of the HTTP server and of each request's work, and the
	// most connections served at once.
	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout, requestTimeout time.Duration
	maxConns                                                                  int
	queryBudget                                                               int
	// trs configures the tracked resource set's change log.
	trs provider.TRSConfig

	auth authConfig
	// collectAllow is where the http and prometheus collectors may fetch
	// from; nil means collect.DefaultAllowList.
	collectAllow       *collect.AllowList
	shortGranularities bool
	// notify configures event subscriptions and the Alertmanager push.
	notify notify.Config
	// store chooses the store: bbolt (the default) or a SPARQL endpoint.
	store storeConfig
	// logFormat is text or json; accessLog logs every request.
	logFormat string
	accessLog bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	return parseFlagsEnv(args, stderr, os.Getenv)
}

// parseFlagsEnv reads the configuration from args, then the environment
// (getenv), then the --config file (see config.go).
func parseFlagsEnv(args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	var c config
	fs := serveFlags(&c, stderr)
	if err := parseLayered(fs, args, getenv); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	return c, c.check()
}

// serveFlags returns the server's flag set, which sets c.
func serveFlags(c *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("pmprovider", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String(configFlag, "", "configuration `file`: lines of name = value, the names of these flags; flags and PMPROVIDER_<NAME> environment variables take precedence")
	fs.StringVar(&c.logFormat, "log-format", "text", "log `format`: text or json")
	fs.BoolVar(&c.accessLog, "access-log", true, "log every request, with its request id")
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
	fs.Func("collect-allow", "comma-separated `targets` the http and prometheus collectors may fetch from: CIDR prefixes, IP addresses and host names (*.example.org for those under it), each but prefixes with an optional :port; \"any\" is every address but loopback, link-local (cloud metadata), unspecified and multicast ones, which must be listed to be allowed (default any)", func(v string) error {
		a, err := collect.ParseAllowList(v)
		c.collectAllow = a
		return err
	})
	fs.StringVar(&c.notify.Alertmanager, "alertmanager", "", "base `URL` of a Prometheus Alertmanager to push alarms to (POST /api/v2/alerts), e.g. http://127.0.0.1:9093")
	fs.DurationVar(&c.notify.AlertResend, "alertmanager-resend", notify.DefaultAlertResend, "how often active alarms are sent again to the Alertmanager")
	fs.DurationVar(&c.notify.Retry.First, "notify-retry", notify.DefaultRetryFirst, "wait before retrying a failed webhook delivery; it doubles per attempt, up to 5m")
	fs.IntVar(&c.notify.Retry.Attempts, "notify-attempts", notify.DefaultAttempts, "attempts at a webhook delivery before its event is dead-lettered")
	fs.BoolVar(&c.shortGranularities, "short-granularities", false, "also offer jobs granularities of 1, 2 and 5 s, below MEF's 10 s (for tests and demonstrations)")
	fs.IntVar(&c.terms, "term-cache", store.DefaultTermCacheSize, "decoded terms kept in memory: about 4 per record queries touch, for warm queries")
	fs.IntVar(&c.gcFloor, "gc-floor", defaultGCFloor, "`MiB` the heap may grow by before the garbage collector runs, whatever GOGC says: fewer collections in a burst of writes; 0 for none")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM `file` of the server's certificate chain: serve HTTPS (and HTTP/2); needs --tls-key")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM `file` of the private key of --tls-cert")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 10*time.Second, "longest a client may take to send a request's headers")
	fs.DurationVar(&c.readTimeout, "read-timeout", time.Minute, "longest a client may take to send a whole request, body included")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 2*time.Minute, "longest an answer may take to write (event streams excepted)")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 2*time.Minute, "how long an idle keep-alive connection is kept")
	fs.DurationVar(&c.requestTimeout, "request-timeout", time.Minute, "longest the server works on one request (event streams excepted); 0 for no limit")
	fs.IntVar(&c.maxConns, "max-conns", 1024, "most connections served at once; others wait to be accepted (0 for no limit)")
	fs.IntVar(&c.queryBudget, "query-budget", 0, "most query result members held at once by concurrent queries; past it, queries wait, then answer 503 (default 2 pages of the largest size, 20000)")
	fs.DurationVar(&c.trs.Keep, "trs-keep", provider.DefaultTRSKeep, "how long the tracked resource set's change log keeps an event; an indexer that polls less often reads the base again (negative: no age limit)")
	fs.IntVar(&c.trs.MaxChanges, "trs-max-events", provider.DefaultTRSMaxChanges, "most events the tracked resource set's change log keeps, about 100 bytes each (negative: no limit)")
	fs.StringVar(&c.auth.users, "users", "", "users `file` of HTTP Basic authentication (pmprovider user add); default <data>/"+usersFileName+" when it exists")
	fs.StringVar(&c.auth.tokens, "tokens", "", "API tokens `file` (pmprovider token create); default <data>/"+tokensFileName+" when it exists")
	fs.StringVar(&c.auth.consumers, "oauth-consumers", "", "OAuth 1.0a consumers `file` (pmprovider consumer add); default <data>/"+consumersFileName+" when it exists")
	fs.StringVar(&c.auth.oidc.Issuer, "oidc-issuer", "", "OpenID Connect issuer `URL` whose JWTs authenticate requests (Bearer); needs --oidc-audience")
	fs.StringVar(&c.auth.oidc.JWKSFile, "oidc-jwks", "", "JWK Set `file` of the issuer's keys, instead of fetching them from the issuer")
	fs.StringVar(&c.auth.oidc.Audience, "oidc-audience", "", "the `audience` (aud) JWTs must be made for")
	fs.StringVar(&c.auth.oidc.RoleClaim, "oidc-role-claim", auth.DefaultRoleClaim, "JWT `claim` holding the role (a string or an array; dotted names reach into objects)")
	fs.StringVar(&c.auth.roleMap, "oidc-role-map", "", "map claim values to roles: `VALUE=ROLE,...` (default: the values are role names)")
	addStoreFlags(fs, &c.store)
	return fs
}

// check checks what the flags say together, and fills in what follows
// from them (the base URL).
func (c *config) check() error {
	if err := c.store.check(); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(c.addr)
	if err != nil {
		return fmt.Errorf("--addr %q: want host:port: %v", c.addr, err)
	}
	if p, err := net.LookupPort("tcp", port); err != nil || p <= 0 {
		return fmt.Errorf("--addr %q: bad port %q", c.addr, port)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together: set both, or neither")
	}
	if c.baseURL == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		scheme := "http"
		if c.tlsCert != "" {
			scheme = "https"
		}
		c.baseURL = scheme + "://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(c.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--base-url %q: want an absolute http(s) URL without query or fragment", c.baseURL)
	}
	if c.dataDir == "" {
		return errors.New("--data: want a directory")
	}
	if c.gcFloor < 0 {
		return errors.New("--gc-floor: want a size of 0 or more")
	}
	if c.terms < 0 {
		return errors.New("--term-cache: want a size of 0 or more")
	}
	if c.trs.Keep == 0 || c.trs.MaxChanges == 0 {
		return errors.New("--trs-keep and --trs-max-events: want a positive bound, or a negative value for none")
	}
	if c.maxConns < 0 || c.queryBudget < 0 {
		return errors.New("--max-conns and --query-budget: want 0 or more")
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return fmt.Errorf("--log-format %q: want text or json", c.logFormat)
	}
	return nil
}

// loopback says whether host (of --addr) is reachable only from this
// machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(c.logFormat, stderr)
	setGCFloor(c.gcFloor)
	metrics := ops.NewMetrics()
	if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
		return fmt.Errorf("--data: %w", err)
	}
	var st provider.Store
	if c.store.kind == "sparql" {
		if st, err = openSPARQL(ctx, c.store); err != nil {
			return err
		}
	} else {
		db, err := store.Open(filepath.Join(c.dataDir, "pm.db"), storeOptions(store.Options{Timeout: 2 * time.Second, TermCacheSize: c.terms, ObserveCommit: metrics.ObserveCommit}))
		if err != nil {
			return fmt.Errorf("open store in %s: %w", c.dataDir, err)
		}
		defer db.Close()
		st = boltsource.New(db)
	}
	authn, err := authenticators(ctx, c, log)
	if err != nil {
		return err
	}
	consumers, err := oauthConsumers(c)
	if err != nil {
		return err
	}
	probes, scrapes := collect.NewHTTP(), collect.NewPrometheus()
	probes.Allow, scrapes.Allow = c.collectAllow, c.collectAllow
	var version func() uint64 // the bbolt store's, for the cache of query pages
	if bdb, ok := st.(*boltsource.DB); ok {
		version = bdb.Version
	}
	srv, err := provider.New(st, provider.Config{
		StoreVersion:   version,
		BaseURL:        c.baseURL,
		Logger:         log,
		UI:             c.ui,
		Collectors:     []collect.Collector{collect.NewHost(), collect.NewSynthetic(1), probes, scrapes},
		JobLease:       c.store.lease(),
		Instance:       c.store.instance,
		RequestTimeout: c.requestTimeout,
		Authenticators: authn,
		OAuth1:         consumers,
		QueryBudget:    c.queryBudget,
		TRS:            c.trs,
		Notify:         notifyConfig(c),
		Metrics:        metrics,
		AccessLog:      c.accessLog,
	})
	if err != nil {
		return err
	}
	if c.store.kind == "sparql" {
		// Ready only while the endpoint answers a query.
		srv.AddReadiness("sparql store", func(ctx context.Context) error {
			root, err := rdf.NewIRI(c.baseURL + "/")
			if err != nil {
				return err
			}
			return st.View(ctx, func(src query.Source) error {
				_, err := src.Exists(ctx, root)
				return err
			})
		})
	}
	if c.shortGranularities {
		srv.Jobs().AllowGranularities(time.Second, 2*time.Second, 5*time.Second)
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
	if c.maxConns > 0 {
		ln = netutil.LimitListener(ln, c.maxConns)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: c.readHeaderTimeout,
		ReadTimeout:       c.readTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       c.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("pmprovider listening", "addr", ln.Addr().String(), "tls", c.tlsCert != "", "catalog", srv.CatalogURL(), "rootservices", srv.URL("/rootservices"), "data", c.dataDir)
	errc := make(chan error, 1)
	go func() {
		if c.tlsCert != "" {
			// ServeTLS offers HTTP/2 by ALPN.
			errc <- hs.ServeTLS(ln, c.tlsCert, c.tlsKey)
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// The jobs and the hub stop first, so that no period is collected and
	// no event sent after the signal while the connections drain, which
	// can take seconds: net/http waits up to 5 s for a connection that a
	// client opened and has not yet sent a request on.
	srv.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}

// notifyConfig is the hub's configuration: callbacks pass the
// collectors' allow-list.
func notifyConfig(c config) notify.Config {
	n := c.notify
	n.Allow = c.collectAllow
	return n
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
