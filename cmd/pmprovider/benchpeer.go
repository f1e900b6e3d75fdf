package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

const benchPeerUsage = `usage: pmprovider bench-peer [--records N] [--dir DIR] [--queries N]
                            [--virtuoso-script FILE]

Compares the provider with Virtuoso 7 on the same data and questions, in
one run: it writes the N-Triples of 'pmprovider generate', loads the file
into a fresh store with 'pmprovider import' (a child process, whose peak
RSS is its own) and into a throwaway loopback Virtuoso started with
--virtuoso-script (.ci/virtuoso.sh) with ld_dir and rdf_loader_run, its
full-text index on the predicates the provider indexes
(vocab.TextIndexed) built before the load ends; then it times --queries
GETs of each query shape of 'pmprovider bench', on the provider's query
base and, as SPARQL (the page, then the count), on Virtuoso's /sparql.
It prints bytes per triple, load rate, peak RSS and each shape's p50 and
p99 side by side, with the ratio ours/Virtuoso (below 1 is better for us
in every row but the load rate), and the members and totals each side
found. Needs virtuoso-t and isql-vt (Debian virtuoso-opensource).

`

func runBenchPeer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("pmprovider bench-peer", benchPeerUsage, stderr)
	var ff fixtureFlags
	ff.register(fs, 100000)
	dir := fs.String("dir", "", "`directory` for the data file and both stores (default: a temporary directory, removed after)")
	queries := fs.Int("queries", 100, "timed `requests` per query shape and side")
	warmup := fs.Int("warmup", 10, "untimed `requests` per query shape and side first")
	script := fs.String("virtuoso-script", ".ci/virtuoso.sh", "`script` that starts and stops a throwaway Virtuoso")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench-peer: unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if *queries < 1 || *warmup < 0 {
		return fmt.Errorf("bench-peer: --queries %d, --warmup %d: want at least 1 and 0", *queries, *warmup)
	}
	cfg, err := ff.config(fixture.DefaultBaseURL)
	if err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	for _, prog := range []string{"virtuoso-t", "isql-vt"} {
		if _, err := exec.LookPath(prog); err != nil {
			return fmt.Errorf("bench-peer: %s not found: install virtuoso-opensource (.ci/install-deps.sh)", prog)
		}
	}
	if *script, err = filepath.Abs(*script); err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	if _, err := os.Stat(*script); err != nil {
		return fmt.Errorf("bench-peer: --virtuoso-script: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	root := *dir
	if root == "" {
		if root, err = os.MkdirTemp("", "pmprovider-bench-peer-"); err != nil {
			return fmt.Errorf("bench-peer: %w", err)
		}
		defer os.RemoveAll(root)
	}
	if root, err = filepath.Abs(root); err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	oursDir, peerDir := filepath.Join(root, "ours"), filepath.Join(root, "virtuoso")
	for _, d := range []string{oursDir, peerDir} {
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("bench-peer: %w", err)
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("bench-peer: %w", err)
		}
	}

	// The data file lies in Virtuoso's directory: it reads only there.
	data := filepath.Join(peerDir, "data.nt")
	fmt.Fprintf(stdout, "data: %d records of %d monitored resources (seed %d), in %s\n", cfg.Records, ff.resources, ff.seed, root)
	triples, err := writeData(ctx, data, ff)
	if err != nil {
		return fmt.Errorf("bench-peer: generate: %w", err)
	}
	fmt.Fprintf(stdout, "data: %d triples\n", triples)

	var ours, peer peerSide
	ours.name, peer.name = "ours", "Virtuoso 7"

	// Ours: load.
	fmt.Fprintln(stderr, "bench-peer: loading into the provider's store")
	ours.load, ours.rss, err = child(ctx, stderr, self, "import", "--data", oursDir, data)
	if err != nil {
		return fmt.Errorf("bench-peer: import: %w", err)
	}
	if ours.bytes, err = fileSize(filepath.Join(oursDir, "pm.db")); err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}

	// Virtuoso: start, load with its text index, checkpoint.
	sqlPort, err := freePort()
	if err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	httpPort, err := freePort()
	if err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	fmt.Fprintf(stderr, "bench-peer: starting Virtuoso on 127.0.0.1:%d (SQL), :%d (HTTP)\n", sqlPort, httpPort)
	start := exec.CommandContext(ctx, *script, "start", peerDir, strconv.Itoa(sqlPort), strconv.Itoa(httpPort))
	start.Stdout, start.Stderr = stderr, stderr
	if err := start.Run(); err != nil {
		return fmt.Errorf("bench-peer: start Virtuoso: %w", err)
	}
	defer func() {
		stop := exec.Command(*script, "stop", peerDir)
		stop.Stdout, stop.Stderr = stderr, stderr
		if err := stop.Run(); err != nil {
			fmt.Fprintf(stderr, "bench-peer: stop Virtuoso: %v\n", err)
		}
	}()
	pidText, err := os.ReadFile(filepath.Join(peerDir, "virtuoso.pid"))
	if err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	pid := strings.TrimSpace(string(pidText))
	isql := func(sql string) error {
		cmd := exec.CommandContext(ctx, "isql-vt", "127.0.0.1:"+strconv.Itoa(sqlPort), "dba", "dba", "exec="+sql)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "*** Error") {
			return fmt.Errorf("isql %q: %v: %s", sql, err, out)
		}
		return nil
	}
	var rules strings.Builder
	for _, p := range vocab.TextIndexed {
		fmt.Fprintf(&rules, "DB.DBA.RDF_OBJ_FT_RULE_ADD (null, '%s', 'pmbench'); ", p.String())
	}
	if err := isql(rules.String()); err != nil {
		return fmt.Errorf("bench-peer: text index rules: %w", err)
	}
	fmt.Fprintln(stderr, "bench-peer: loading into Virtuoso")
	t0 := time.Now()
	load := fmt.Sprintf("ld_dir('%s', 'data.nt', 'urn:pmprovider:bench'); rdf_loader_run(); DB.DBA.VT_INC_INDEX_DB_DBA_RDF_OBJ(); checkpoint;", peerDir)
	if err := isql(load); err != nil {
		return fmt.Errorf("bench-peer: load: %w", err)
	}
	peer.load = time.Since(t0)
	if peer.bytes, err = fileSize(filepath.Join(peerDir, "virtuoso.db")); err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	peer.rss = procHWM(pid)

	// Ours: serve the loaded store, as 'pmprovider bench' does.
	db, err := store.Open(filepath.Join(oursDir, "pm.db"), storeOptions(store.Options{Timeout: 2 * time.Second, TermCacheSize: max(4*cfg.Records, store.DefaultTermCacheSize)}))
	if err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: cfg.BaseURL, Logger: log})
	if err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("bench-peer: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	b := &bencher{ctx: ctx, client: &http.Client{Timeout: 2 * time.Minute}, base: "http://" + ln.Addr().String() + "/oslc/records", accept: "text/turtle", format: codec.Turtle}
	sp := &sparqlBencher{ctx: ctx, client: &http.Client{Timeout: 2 * time.Minute}, endpoint: fmt.Sprintf("http://127.0.0.1:%d/sparql", httpPort)}

	qs := benchQueries(cfg)
	sq := sparqlQueries(cfg)
	for _, q := range qs {
		if sq[q.name] == nil {
			return fmt.Errorf("bench-peer: query shape %q has no SPARQL", q.name)
		}
	}
	fmt.Fprintf(stderr, "bench-peer: %d queries of %d shapes on each side\n", *queries, len(qs))
	for _, q := range qs {
		o, p := &benchResult{query: q}, &benchResult{query: q}
		for j := 0; j < *warmup+*queries; j++ {
			a, c := b.do(q, j), sp.do(sq[q.name], j)
			if j >= *warmup {
				o.add(a)
				p.add(c)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		ours.results, peer.results = append(ours.results, o), append(peer.results, p)
	}
	printPeer(stdout, triples, &ours, &peer)
	return nil
}

// peerSide is what one side measured.
type peerSide struct {
	name    string
	bytes   int64         // the store's files
	load    time.Duration // of the whole file, text index included
	rss     uint64        // peak resident set size while loading, bytes; 0 unknown
	results []*benchResult
}

// writeData writes the N-Triples of 'pmprovider generate' to name and
// returns the number of triples.
func writeData(ctx context.Context, name string, ff fixtureFlags) (int64, error) {
	f, err := os.Create(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	args := []string{"--records", strconv.Itoa(ff.records), "--resources", strconv.Itoa(ff.resources), "--seed", strconv.FormatInt(ff.seed, 10), "--step", ff.step.String(), "--start", ff.start}
	if err := runGenerate(ctx, args, f, io.Discard); err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	// One triple a line.
	r, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var n int64
	buf := make([]byte, 1<<20)
	for {
		k, err := r.Read(buf)
		for _, c := range buf[:k] {
			if c == '\n' {
				n++
			}
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// child runs name with args and returns its wall time and peak RSS.
func child(ctx context.Context, stderr io.Writer, name string, args ...string) (time.Duration, uint64, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	t0 := time.Now()
	err := cmd.Run()
	el := time.Since(t0)
	if err != nil {
		return el, 0, err
	}
	var rss uint64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = uint64(ru.Maxrss) << 10 // kilobytes on Linux
	}
	return el, rss, nil
}

func fileSize(name string) (int64, error) {
	st, err := os.Stat(name)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// procHWM is the peak RSS of process pid, from Linux's /proc, or 0.
func procHWM(pid string) uint64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// freePort returns a TCP port on 127.0.0.1 that nothing listened on a
// moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// A sparqlQuery is a bench shape in SPARQL: the page and the count of its
// j-th request.
type sparqlQuery func(j int) (page, count string)

const sparqlPrefixes = "PREFIX dcterms: <" + vocab.DCTerms + "> PREFIX ems: <" + vocab.EMS + "> PREFIX pm: <" + vocab.PM + "> PREFIX xsd: <" + vocab.XSD + "> PREFIX rdf: <" + vocab.RDF + "> "

// sparqlQueries are benchQueries in SPARQL, by name: the same members in
// the same order (IRI order where the provider pages in IRI order), and
// the same total. Records are the resources of type
// pm:PerformanceMonitoringRecord, which on this data are exactly those
// under the records query base.
func sparqlQueries(cfg fixture.Config) map[string]sparqlQuery {
	observed := max(1, cfg.Observed())
	resource := func(j int) string { return "<" + cfg.ResourceIRI(j%observed).String() + ">" }
	date := func(t time.Time) string { return `"` + t.UTC().Format("2006-01-02T15:04:05Z") + `"^^xsd:dateTime` }
	q := func(body, page, order string) (string, string) {
		return sparqlPrefixes + "SELECT DISTINCT ?s WHERE { ?s a pm:PerformanceMonitoringRecord . " + body + " } ORDER BY " + order + " LIMIT " + page,
			sparqlPrefixes + "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a pm:PerformanceMonitoringRecord . " + body + " }"
	}
	var text []string
	for _, p := range vocab.TextIndexed {
		text = append(text, "<"+p.String()+">")
	}
	return map[string]sparqlQuery{
		"first page, no query": func(j int) (string, string) { return q("", "100", "?s") },
		"isPartOf=R, page of 100": func(j int) (string, string) {
			return q("?s dcterms:isPartOf "+resource(j)+" .", "100", "?s")
		},
		"isPartOf=R, one hour": func(j int) (string, string) {
			from, to := cfg.Window(j * 7)
			return q("?s dcterms:isPartOf "+resource(j)+" ; dcterms:date ?d . FILTER (?d >= "+date(from)+" && ?d < "+date(to)+")", "100", "?s")
		},
		"CpuUsed>90, page of 100": func(j int) (string, string) {
			return q("?s ems:observes ?m . ?m ems:metric pm:CpuUsed ; ems:numericValue ?v . FILTER (?v > 90)", "100", "?s")
		},
		"isPartOf=R, latest 10": func(j int) (string, string) {
			page, count := q("?s dcterms:isPartOf "+resource(j)+" ; dcterms:date ?d .", "10", "DESC(?d) ?s")
			return strings.Replace(page, "SELECT DISTINCT ?s", "SELECT DISTINCT ?s ?d", 1), count
		},
		"orderBy a measure's value, page of 100": func(j int) (string, string) {
			// A record sorts by its smallest value; records without one
			// come last.
			page := sparqlPrefixes + "SELECT ?s ?k WHERE { { SELECT ?s (MIN(?v) AS ?k) WHERE { ?s a pm:PerformanceMonitoringRecord . OPTIONAL { ?s ems:observes ?m . ?m ems:numericValue ?v } } GROUP BY ?s } } ORDER BY ?k ?s LIMIT 100"
			_, count := q("", "", "")
			return page, count
		},
		`searchTerms "` + fixture.SearchWord + `"`: func(j int) (string, string) {
			body := "?s ?p ?o . ?o bif:contains '\"" + fixture.SearchWord + "\"' OPTION (score ?sc) . FILTER (?p IN (" + strings.Join(text, ", ") + "))"
			page := sparqlPrefixes + "SELECT ?s (MAX(?sc) AS ?score) WHERE { ?s a pm:PerformanceMonitoringRecord . " + body + " } GROUP BY ?s ORDER BY DESC(?score) ?s LIMIT 100"
			_, count := q(body, "", "")
			return page, count
		},
	}
}

// sparqlBencher sends SPARQL queries to an endpoint.
type sparqlBencher struct {
	ctx      context.Context
	client   *http.Client
	endpoint string
}

// do times the page and the count of q's j-th request, one after the
// other, as one outcome.
func (b *sparqlBencher) do(q sparqlQuery, j int) benchOutcome {
	page, count := q(j)
	start := time.Now()
	rows, msg := b.get(page)
	if msg != "" {
		return benchOutcome{took: time.Since(start), msg: msg}
	}
	crow, msg := b.get(count)
	o := benchOutcome{status: http.StatusOK, took: time.Since(start), members: len(rows), total: -1}
	if msg != "" {
		return benchOutcome{took: o.took, msg: msg}
	}
	if len(crow) == 1 {
		for _, v := range crow[0] {
			if n, err := strconv.Atoi(v.Value); err == nil {
				o.total = n
			}
		}
	}
	return o
}

type sparqlValue struct {
	Value string `json:"value"`
}

// get runs query and returns its rows, or what went wrong.
func (b *sparqlBencher) get(query string) ([]map[string]sparqlValue, string) {
	req, err := http.NewRequestWithContext(b.ctx, http.MethodGet, b.endpoint+"?"+url.Values{"query": {query}}.Encode(), nil)
	if err != nil {
		return nil, err.Error()
	}
	req.Header.Set("Accept", "application/sparql-results+json")
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		s := strings.Join(strings.Fields(string(body)), " ")
		if len(s) > 300 {
			s = s[:300] + "..."
		}
		return nil, fmt.Sprintf("status %d: %s", resp.StatusCode, s)
	}
	var res struct {
		Results struct {
			Bindings []map[string]sparqlValue `json:"bindings"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, "unreadable results: " + err.Error()
	}
	return res.Results.Bindings, ""
}

// printPeer prints the side-by-side table.
func printPeer(w io.Writer, triples int64, ours, peer *peerSide) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "measure (same run)\t%s\t%s\tratio ours/%s\t\n", ours.name, peer.name, peer.name)
	ratio := func(a, b float64) string {
		if a <= 0 || b <= 0 {
			return "-"
		}
		if r := a / b; r < 0.1 {
			return fmt.Sprintf("%.3f×", r)
		}
		return fmt.Sprintf("%.2f×", a/b)
	}
	bpt := func(s *peerSide) float64 { return float64(s.bytes) / float64(max(1, triples)) }
	fmt.Fprintf(tw, "store bytes per triple\t%.1f B (%s)\t%.1f B (%s)\t%s\t\n", bpt(ours), mib(uint64(ours.bytes)), bpt(peer), mib(uint64(peer.bytes)), ratio(bpt(ours), bpt(peer)))
	tps := func(s *peerSide) float64 { return float64(triples) / s.load.Seconds() }
	fmt.Fprintf(tw, "load, triples/s (text index incl.)\t%.0f (%s)\t%.0f (%s)\t%s\t\n", tps(ours), ours.load.Round(time.Millisecond), tps(peer), peer.load.Round(time.Millisecond), ratio(tps(ours), tps(peer)))
	fmt.Fprintf(tw, "peak RSS loading\t%s\t%s\t%s\t\n", mib(ours.rss), mib(peer.rss), ratio(float64(ours.rss), float64(peer.rss)))
	for i, o := range ours.results {
		p := peer.results[i]
		slices.Sort(o.took)
		slices.Sort(p.took)
		for _, pc := range []int{50, 99} {
			a, b := percentile(o.took, pc), percentile(p.took, pc)
			fmt.Fprintf(tw, "%s, p%d\t%s\t%s\t%s\t\n", o.query.name, pc, ms(a), ms(b), ratio(float64(a), float64(b)))
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "query\tstatus ours\tstatus %s\tmembers ours\tmembers %s\ttotal ours\ttotal %s\t\n", peer.name, peer.name, peer.name)
	for i, o := range ours.results {
		p := peer.results[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", o.query.name, o.status(), p.status(), span(o.members), span(p.members), span(o.totals), span(p.totals))
	}
	tw.Flush()
	var differ []string
	for i, o := range ours.results {
		p := peer.results[i]
		if span(o.members) != span(p.members) || span(o.totals) != span(p.totals) {
			differ = append(differ, o.query.name)
		}
	}
	if len(differ) == 0 {
		fmt.Fprintf(w, "agreement: the same numbers of members and totals on all %d query shapes\n", len(ours.results))
	} else {
		fmt.Fprintf(w, "DISAGREEMENT on %d query shapes: %s\n", len(differ), strings.Join(differ, "; "))
	}
	for _, s := range []*peerSide{ours, peer} {
		for _, r := range s.results {
			for c, msg := range r.msgs {
				fmt.Fprintf(w, "  %s: %s: %d: %s\n", s.name, r.query.name, c, msg)
			}
		}
	}
}
