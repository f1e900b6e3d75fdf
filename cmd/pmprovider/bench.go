package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

const benchUsage = `usage: pmprovider bench [--records N] [--resources R] [--data DIR] [--queries N]
                       [--only TEXT] [--cpuprofile FILE]
                       [--store sparql --sparql-query URL [--sparql-graph-prefix P] ...
                        [--sparql-bulk-dir DIR --virtuoso-isql HOST:PORT [--sparql-bulk-file N]]
                        [--sparql-timeout D]]

Generates fixture data (see 'pmprovider generate'), loads it into a store
in batches of 1000 resources, reporting the load rate and peak memory,
then serves it with the provider on 127.0.0.1 and times --queries HTTP GETs
of each query shape against the records query base, one at a time after a
warm-up, printing p50 and p99 latency. A --data directory that already
holds exactly this data set is reused without loading.

With --store sparql it then does the same over the SPARQL store, in the
same run (load rate, each shape's p50 and p99), and times each shape's
translated SPARQL query in the store alone, so that the provider's own
cost is known. Load it into an empty --sparql-graph-prefix. With
--sparql-bulk-dir and --virtuoso-isql, the SPARQL store is loaded as
'pmprovider import --sparql-bulk' and Virtuoso's bulk loader would (TriG
files of --sparql-bulk-file resources in DIR, which the server's
DirsAllowed must list, each loaded through isql-vt at HOST:PORT while the
next is written), not by SPARQL Update requests. Over a large store, raise
--sparql-timeout (and Virtuoso's MaxQueryExecutionTime) for the shapes
that read every record.

`

// benchTarget is the p50 latency a query should stay under.
const benchTarget = 10 * time.Millisecond

// benchPrefixes is the oslc.prefix every bench query passes.
const benchPrefixes = "dcterms=<" + vocab.DCTerms + ">,ems=<" + vocab.EMS + ">,pm=<" + vocab.PM + ">,xsd=<" + vocab.XSD + ">"

// loadBatch is the number of resources per store.Load: measured fastest.
const loadBatch = 1000

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("pmprovider bench", benchUsage, stderr)
	var ff fixtureFlags
	ff.register(fs, 1000000)
	dataDir := fs.String("data", "", "`directory` of the store (default: a temporary directory, removed after)")
	queries := fs.Int("queries", 200, "`requests` per query shape")
	warmup := fs.Int("warmup", 10, "untimed `requests` per query shape first")
	accept := fs.String("accept", "text/turtle", "`media type` the queries ask for")
	only := fs.String("only", "", "time only the query shapes whose name contains `text`")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the timed queries to `file`")
	terms := fs.Int("term-cache", 0, "decoded terms kept in memory (default: 4 per record, at least the store's default)")
	var sc storeConfig
	addStoreFlags(fs, &sc)
	var bulk sparqlBulk
	fs.StringVar(&bulk.dir, "sparql-bulk-dir", "", "with --store sparql, load it in bulk: write a TriG file in `directory`, which the Virtuoso server may read (DirsAllowed), and load it with its bulk loader (--virtuoso-isql)")
	fs.StringVar(&bulk.isql.Addr, "virtuoso-isql", "", "`host:port` of the Virtuoso SQL server that --sparql-bulk-dir loads through (isql-vt; user and password dba, or $PM_VIRTUOSO_USER and $PM_VIRTUOSO_PASSWORD)")
	fs.IntVar(&bulk.per, "sparql-bulk-file", defaultBulkFile, "with --sparql-bulk-dir, `resources` per TriG file: Virtuoso loads one while the next is written")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if (bulk.dir == "") != (bulk.isql.Addr == "") || (bulk.dir != "" && sc.kind != "sparql") {
		return errors.New("bench: --sparql-bulk-dir and --virtuoso-isql go together, with --store sparql")
	}
	if bulk.per < 1 {
		return fmt.Errorf("bench: --sparql-bulk-file %d: want at least 1", bulk.per)
	}
	bulk.isql.User, bulk.isql.Password = os.Getenv("PM_VIRTUOSO_USER"), os.Getenv("PM_VIRTUOSO_PASSWORD")
	cfg, err := ff.config(fixture.DefaultBaseURL)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if *queries < 1 || *warmup < 0 {
		return fmt.Errorf("bench: --queries %d, --warmup %d: want at least 1 and 0", *queries, *warmup)
	}
	if err := sc.check(); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	format, ok := codec.FormatOf(*accept)
	if !ok {
		return fmt.Errorf("bench: --accept %q: not an RDF media type the provider speaks", *accept)
	}

	dir := *dataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "pmprovider-bench-"); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench: --data: %w", err)
	}
	// Bulk loads can be redone: skip fsync, as the store allows for that.
	if *terms <= 0 {
		*terms = max(4*cfg.Records, store.DefaultTermCacheSize)
	}
	db, err := store.Open(filepath.Join(dir, "pm.db"), storeOptions(store.Options{NoSync: true, Timeout: 2 * time.Second, TermCacheSize: *terms}))
	if err != nil {
		return fmt.Errorf("bench: open store in %s: %w", dir, err)
	}
	defer db.Close()

	fmt.Fprintf(stdout, "data: %d records of %d monitored resources, one every %s from %s (seed %d), store in %s\n",
		cfg.Records, ff.resources, ff.step, ff.start, ff.seed, dir)
	if err := benchLoad(ctx, db, cfg, stdout, stderr); err != nil {
		return fmt.Errorf("bench: load: %w", err)
	}

	qs := benchQueries(cfg)
	if *only != "" {
		qs = slices.DeleteFunc(qs, func(q benchQuery) bool { return !strings.Contains(q.name, *only) })
		if len(qs) == 0 {
			return fmt.Errorf("bench: --only %q: no query shape has that in its name", *only)
		}
	}
	bs := &benchSettings{queries: *queries, warmup: *warmup, accept: *accept, format: format, cpuProfile: *cpuProfile,
		timeout: max(2*time.Minute, sc.sparql.Endpoint.Timeout+30*time.Second)}
	if err := bs.serve(ctx, boltsource.New(db), cfg, qs, stdout, stderr); err != nil {
		return err
	}
	if sc.kind == "sparql" {
		return benchSPARQL(ctx, sc, bulk, bs, cfg, qs, stdout, stderr)
	}
	return nil
}

// benchSettings are how bench times the query shapes.
type benchSettings struct {
	queries, warmup int
	accept          string
	format          codec.Format
	cpuProfile      string
	timeout         time.Duration // of one GET
	// after, if set, runs while the server still serves, with what
	// sends a query shape's j-th request.
	after func(do func(q benchQuery, j int) benchOutcome)
}

// serve serves st with a provider on loopback and times the query shapes
// qs against it.
func (bs *benchSettings) serve(ctx context.Context, st provider.Store, cfg fixture.Config, qs []benchQuery, stdout, stderr io.Writer) error {
	queries, warmup, accept, format, cpuProfile := &bs.queries, &bs.warmup, &bs.accept, bs.format, &bs.cpuProfile
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// No StoreVersion: a page asked again would come from the cache, and
	// the bench times the query engine.
	srv, err := provider.New(st, provider.Config{BaseURL: cfg.BaseURL, Logger: log})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()

	b := &bencher{
		ctx:    ctx,
		client: &http.Client{Timeout: bs.timeout},
		base:   "http://" + ln.Addr().String() + "/oslc/records",
		accept: *accept,
		format: format,
	}
	for _, q := range qs {
		for j := 0; j < *warmup; j++ {
			b.do(q, j)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nqueries: %d GETs of each shape on %s (Accept: %s), after %d to warm up; R rotates over %d resources\n",
		*queries, "/oslc/records", *accept, *warmup, max(1, cfg.Observed()))
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer stopProfile()
	results := make([]*benchResult, len(qs))
	for i, q := range qs {
		r := &benchResult{query: q}
		for j := 0; j < *queries; j++ {
			r.add(b.do(q, *warmup+j))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		results[i] = r
	}
	printResults(stdout, results)
	if bs.after != nil {
		bs.after(b.do)
	}
	return nil
}

// benchLoad generates cfg into db, unless db already holds it.
func benchLoad(ctx context.Context, db *store.DB, cfg fixture.Config, stdout, stderr io.Writer) error {
	st, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	if st.Resources > 0 {
		// The provider also keeps its vocabulary documents in the store.
		if n := st.Resources; n != int64(cfg.Total()) && n != int64(cfg.Total()+len(vocab.Documents)) {
			return fmt.Errorf("the store holds %d resources, not the %d of this data set: use an empty --data directory", st.Resources, cfg.Total())
		}
		fmt.Fprintf(stdout, "load: reusing the %d resources, %d triples in the store: %s, %s bytes/triple\n", st.Resources, st.Triples, mib(uint64(st.Size)), bytesPerTriple(st))
		return nil
	}

	// The store is empty: build its indexes at the end, as import does.
	bulk, err := db.BeginBulk(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []store.Resource, 4)
	genErr := make(chan error, 1)
	go func() {
		defer close(batches)
		send := func(b []store.Resource) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		batch := make([]store.Resource, 0, loadBatch)
		err := fixture.Generate(cfg, func(r store.Resource) error {
			batch = append(batch, r)
			if len(batch) < loadBatch {
				return nil
			}
			b := batch
			batch = make([]store.Resource, 0, loadBatch)
			return send(b)
		})
		if err == nil && len(batch) > 0 {
			err = send(batch)
		}
		genErr <- err
	}()

	peak := sampleHeap()
	start := time.Now()
	last := start
	var resources, triples int64
	for b := range batches {
		if err := db.Load(ctx, b); err != nil {
			cancel()
			for range batches {
			}
			return err
		}
		resources += int64(len(b))
		for _, r := range b {
			triples += int64(len(r.Triples))
		}
		if now := time.Now(); now.Sub(last) >= 5*time.Second {
			last = now
			el := now.Sub(start)
			fmt.Fprintf(stderr, "load: %d of %d resources, %d triples, %s: %s resources/s\n",
				resources, cfg.Total(), triples, el.Round(time.Second), rate(resources, el))
		}
	}
	if err := <-genErr; err != nil {
		return err
	}
	if bulk {
		if err := db.EndBulk(ctx); err != nil {
			return err
		}
	}
	el := time.Since(start)
	heap := peak()
	st, err = db.Stats(ctx)
	if err != nil {
		return err
	}
	records := int64(cfg.Records)
	fmt.Fprintf(stdout, "load: %d records (+%d monitored resources), %d triples in %s: %s records/s, %s triples/s\n",
		records, resources-records, triples, el.Round(time.Millisecond), rate(records, el), rate(triples, el))
	fmt.Fprintf(stdout, "memory: peak RSS %s (VmHWM, counts the store's memory map), peak Go heap %s; store %s, %d terms, %s bytes/triple\n",
		vmHWM(), mib(heap), mib(uint64(st.Size)), st.Terms, bytesPerTriple(st))
	return nil
}

// bytesPerTriple is the store's size per triple it holds.
func bytesPerTriple(st store.Stats) string {
	if st.Triples == 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(st.Size)/float64(st.Triples), 'f', 0, 64)
}

// sampleHeap samples the Go heap until the returned function is called,
// which returns the largest sample.
func sampleHeap() func() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[0].Value.Uint64()
	}
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var peak uint64
		for {
			peak = max(peak, read())
			select {
			case <-t.C:
			case <-done:
				result <- peak
				return
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-result
	}
}

// vmHWM is the process's peak resident set size, from Linux's
// /proc/self/status, or "n/a".
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return "n/a"
			}
			return mib(kb << 10)
		}
	}
	return "n/a"
}

func mib(n uint64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// A benchQuery is a query shape: the parameters of its j-th request.
type benchQuery struct {
	name   string
	params func(j int) url.Values
}

// benchQueries are the shapes timed, each rotating over the monitored
// resources and hours of data.
func benchQueries(cfg fixture.Config) []benchQuery {
	observed := max(1, cfg.Observed())
	resource := func(j int) string { return "<" + cfg.ResourceIRI(j%observed).String() + ">" }
	date := func(t time.Time) string { return `"` + t.UTC().Format("2006-01-02T15:04:05Z") + `"^^xsd:dateTime` }
	q := func(kv ...string) url.Values {
		v := url.Values{"oslc.prefix": {benchPrefixes}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	return []benchQuery{
		{"first page, no query", func(j int) url.Values {
			return q("oslc.paging", "true", "oslc.pageSize", "100")
		}},
		{"isPartOf=R, page of 100", func(j int) url.Values {
			return q("oslc.where", "dcterms:isPartOf="+resource(j), "oslc.paging", "true", "oslc.pageSize", "100")
		}},
		{"isPartOf=R, one hour", func(j int) url.Values {
			from, to := cfg.Window(j * 7)
			return q("oslc.where", "dcterms:isPartOf="+resource(j)+" and dcterms:date>="+date(from)+" and dcterms:date<"+date(to))
		}},
		{"CpuUsed>90, page of 100", func(j int) url.Values {
			return q("oslc.where", "ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>90}", "oslc.pageSize", "100", "oslc.paging", "true")
		}},
		{"isPartOf=R, latest 10", func(j int) url.Values {
			return q("oslc.where", "dcterms:isPartOf="+resource(j), "oslc.orderBy", "-dcterms:date", "oslc.pageSize", "10", "oslc.paging", "true")
		}},
		{"orderBy a measure's value, page of 100", func(j int) url.Values {
			return q("oslc.orderBy", "ems:observes{+ems:numericValue}", "oslc.pageSize", "100", "oslc.paging", "true")
		}},
		{`searchTerms "` + fixture.SearchWord + `"`, func(j int) url.Values {
			return q("oslc.searchTerms", `"`+fixture.SearchWord+`"`, "oslc.pageSize", "100", "oslc.paging", "true")
		}},
	}
}

// bencher sends the bench queries.
type bencher struct {
	ctx    context.Context
	client *http.Client
	base   string // URL of the query base
	accept string
	format codec.Format
}

// benchOutcome is one request's result: status 0 is a failed request.
type benchOutcome struct {
	status  int
	took    time.Duration
	members int
	total   int    // oslc:totalCount, -1 if none
	msg     string // why it failed, for other statuses than 200
}

func (b *bencher) do(q benchQuery, j int) benchOutcome {
	u := b.base + "?" + q.params(j).Encode()
	req, err := http.NewRequestWithContext(b.ctx, http.MethodGet, u, nil)
	if err != nil {
		return benchOutcome{msg: err.Error()}
	}
	req.Header.Set("Accept", b.accept)
	start := time.Now()
	resp, err := b.client.Do(req)
	if err != nil {
		return benchOutcome{took: time.Since(start), msg: err.Error()}
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	o := benchOutcome{status: resp.StatusCode, took: time.Since(start), total: -1}
	if err != nil {
		return benchOutcome{took: o.took, msg: err.Error()}
	}
	g, derr := codec.Decode(bytes.NewReader(body), b.format, u)
	if o.status != http.StatusOK {
		o.msg = errorMessage(g, body)
		return o
	}
	if derr != nil {
		o.status, o.msg = 0, "unreadable response: "+derr.Error()
		return o
	}
	for _, t := range g {
		switch t.Pred {
		case vocab.RDFSMember:
			o.members++
		case vocab.IRI(vocab.OSLC, "totalCount"):
			if l, ok := t.Obj.(rdf.Literal); ok {
				if n, err := strconv.Atoi(l.String()); err == nil {
					o.total = n
				}
			}
		}
	}
	return o
}

// errorMessage is the oslc:message of an error response, or its start.
func errorMessage(g []rdf.Triple, body []byte) string {
	for _, t := range g {
		if t.Pred == vocab.OSLCMessage {
			return t.Obj.String()
		}
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// benchResult gathers the outcomes of one query shape.
type benchResult struct {
	query    benchQuery
	took     []time.Duration
	statuses map[int]int
	members  []int // of 200 responses
	totals   []int // of 200 responses with a total
	msgs     map[int]string
}

func (r *benchResult) add(o benchOutcome) {
	if r.statuses == nil {
		r.statuses, r.msgs = map[int]int{}, map[int]string{}
	}
	r.took = append(r.took, o.took)
	r.statuses[o.status]++
	if o.status == http.StatusOK {
		r.members = append(r.members, o.members)
		if o.total >= 0 {
			r.totals = append(r.totals, o.total)
		}
	} else if _, ok := r.msgs[o.status]; !ok {
		r.msgs[o.status] = o.msg
	}
}

// percentile returns the nearest-rank p-th percentile of sorted ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := (len(ds)*p + 99) / 100
	return ds[max(0, i-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func (r *benchResult) status() string {
	codes := make([]int, 0, len(r.statuses))
	for c := range r.statuses {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		name := strconv.Itoa(c)
		if c == 0 {
			name = "error"
		}
		parts[i] = name
		if len(codes) > 1 {
			parts[i] += fmt.Sprintf(" x%d", r.statuses[c])
		}
	}
	return strings.Join(parts, ", ")
}

// span prints the range of ns.
func span(ns []int) string {
	if len(ns) == 0 {
		return "-"
	}
	lo, hi := slices.Min(ns), slices.Max(ns)
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func printResults(w io.Writer, results []*benchResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\tGETs\tstatus\tp50\tp99\tmembers\ttotal\tp50 < 10 ms\t")
	met, ok := 0, 0
	for _, r := range results {
		slices.Sort(r.took)
		p50 := percentile(r.took, 50)
		verdict := "-"
		if r.statuses[http.StatusOK] == len(r.took) {
			ok++
			verdict = "no"
			if p50 < benchTarget {
				verdict = "yes"
				met++
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.query.name, len(r.took), r.status(), ms(p50), ms(percentile(r.took, 99)), span(r.members), span(r.totals), verdict)
	}
	tw.Flush()
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "\np50 target: < %d ms\n", benchTarget.Milliseconds())
	fmt.Fprintf(bw, "met by %d of %d query shapes; %d answered 200 throughout\n", met, len(results), ok)
	for _, r := range results {
		codes := make([]int, 0, len(r.msgs))
		for c := range r.msgs {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		for _, c := range codes {
			name := strconv.Itoa(c)
			if c == 0 {
				name = "failed"
			}
			fmt.Fprintf(bw, "  %s: %s: %s\n", r.query.name, name, r.msgs[c])
		}
	}
	bw.Flush()
}
