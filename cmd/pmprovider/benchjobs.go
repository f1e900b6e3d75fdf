package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

const benchJobsUsage = `usage: pmprovider bench-jobs [flags]

Runs many measurement jobs with the synthetic collector against a fresh
store, in real time, and reports how far the job engine lags behind the
granularity period boundaries and how many records per second it writes.
`

// runBenchJobs is the job engine benchmark.
func runBenchJobs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("pmprovider bench-jobs", benchJobsUsage, stderr)
	jobs := fs.Int("jobs", 1000, "active `jobs`")
	resources := fs.Int("resources", 10, "monitored `resources` per job")
	metrics := fs.String("metrics", "pm:CpuUsed,pm:RealMemoryUsed,pm:DiskSpaceUsed", "comma-separated `metrics` each job measures")
	gran := fs.Duration("granularity", 10*time.Second, "granularity `period`: 10s, 1m, 5m...")
	reporting := fs.Duration("reporting", time.Minute, "reporting `period`, a multiple of the granularity")
	dur := fs.Duration("duration", time.Minute, "how long to `run` the jobs")
	dataDir := fs.String("data", "", "`directory` of the store (default: a temporary directory, removed after)")
	noSync := fs.Bool("nosync", false, "do not fsync commits (faster, not crash-safe)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to `file`")
	gcFloor := fs.Int("gc-floor", defaultGCFloor, "`MiB` the heap may grow by before the garbage collector runs, as serve's --gc-floor")
	if err := fs.Parse(args); err != nil {
		return err
	}
	setGCFloor(*gcFloor)
	if fs.NArg() > 0 {
		return fmt.Errorf("bench-jobs: unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	if *jobs < 1 || *resources < 1 || *dur < *gran {
		return fmt.Errorf("bench-jobs: want --jobs and --resources of at least 1 and a --duration of at least one --granularity")
	}
	dir := *dataDir
	var err error
	if dir == "" {
		if dir, err = os.MkdirTemp("", "pmprovider-benchjobs-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	db, err := store.Open(filepath.Join(dir, "pm.db"), storeOptions(store.Options{NoSync: *noSync, Timeout: 2 * time.Second}))
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: "http://127.0.0.1:8080", Collectors: []collect.Collector{collect.NewSynthetic(1)}})
	if err != nil {
		return err
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	// Monitored resources, in bulk.
	var rs []store.Resource
	for i := 0; i < *jobs**resources; i++ {
		id := vocab.IRI(srv.URL("/oslc/resources/"), fmt.Sprintf("bench-%06d", i))
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{
			{Subj: id, Pred: vocab.RDFType, Obj: vocab.IRI(vocab.CRTV, "ComputerSystem")},
			{Subj: id, Pred: vocab.IRI(vocab.CRTV, "shortHostName"), Obj: rdf.NewTypedLiteral(fmt.Sprintf("bench-%06d", i), vocab.XSDString)},
		}})
	}
	for len(rs) > 0 {
		n := min(len(rs), 1000)
		if err := db.Load(ctx, rs[:n]); err != nil {
			return err
		}
		rs = rs[n:]
	}
	// Jobs, over HTTP, as clients create them.
	var inds strings.Builder
	for _, m := range strings.Split(*metrics, ",") {
		if m = strings.TrimSpace(m); m != "" {
			fmt.Fprintf(&inds, "  pmj:performanceIndicator %s ;\n", m)
		}
	}
	created := time.Now()
	for j := 0; j < *jobs; j++ {
		var objs strings.Builder
		for k := 0; k < *resources; k++ {
			fmt.Fprintf(&objs, "  pmj:monitoredObject <%s> ;\n", srv.URL(fmt.Sprintf("/oslc/resources/bench-%06d", j**resources+k)))
		}
		body := fmt.Sprintf(`@prefix pmj: <%s> . @prefix pm: <%s> . @prefix dcterms: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<> a pmj:MeasurementJob ; dcterms:title "bench job %d" ;
  pmj:collector pmj:SyntheticCollector ; pmj:granularity "PT%dS"^^xsd:duration ; pmj:reportingPeriod "PT%dS"^^xsd:duration ;
%s%s  pmj:reportingMode pmj:ReportResources .
`, vocab.PMJ, vocab.PM, j, int(gran.Seconds()), int(reporting.Seconds()), objs.String(), inds.String())
		resp, err := http.Post(hs.URL+"/oslc/jobs", "text/turtle", bytes.NewBufferString(body))
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("create job %d: %s: %s", j, resp.Status, msg)
		}
	}
	fmt.Fprintf(stdout, "created %d jobs of %d resources (%d metrics each, granularity %s, reporting period %s) in %s; running for %s\n",
		*jobs, *resources, strings.Count(inds.String(), "pmj:performanceIndicator"), *gran, *reporting, time.Since(created).Round(time.Millisecond), *dur)

	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cpu0 := cpuTime()
	start := time.Now()
	srv.Start()
	select {
	case <-time.After(*dur):
	case <-ctx.Done():
	}
	srv.Close()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	st := srv.Jobs().Stats()
	expected := 0
	// Each job collects every period that starts at or after its creation
	// and ends while the engine ran.
	first := created.Truncate(*gran).Add(*gran)
	for t := first.Add(*gran); !t.After(start.Add(elapsed)); t = t.Add(*gran) {
		if t.After(start) {
			expected += *jobs
		}
	}
	fmt.Fprintf(stdout, "periods handled %d (about %d due), missed %d, records %d: %.0f records/s over %s\n",
		st.Periods, expected, st.Missed, st.Records, float64(st.Records)/elapsed.Seconds(), elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "lag, period end to collected:  p50 %s  p99 %s  max %s\n", pct(st.Collect, 50), pct(st.Collect, 99), pct(st.Collect, 100))
	fmt.Fprintf(stdout, "lag, period end to durable:    p50 %s  p99 %s  max %s\n", pct(st.Lags, 50), pct(st.Lags, 99), pct(st.Lags, 100))
	if f := fifths(st.Lags, 99); f != "" {
		// The store grows during the run, and a burst costs more
		// the larger it is: the trend tells a short run from the
		// steady state.
		fmt.Fprintf(stdout, "  p99 by fifth of the run:      %s\n", f)
	}
	if st.Txs > 0 {
		fmt.Fprintf(stdout, "writer: %d transactions of %d resources on average, %s each on average, %s at most\n",
			st.Txs, st.TxResources/st.Txs, (st.TxTime / time.Duration(st.Txs)).Round(time.Millisecond), st.TxMax.Round(time.Millisecond))
	}
	if st.Records > 0 {
		fmt.Fprintf(stdout, "CPU %s over the run (%.2f cores), %s per record\n", cpu.Round(time.Millisecond), cpu.Seconds()/elapsed.Seconds(), (cpu / time.Duration(st.Records)).Round(time.Microsecond))
	}
	fmt.Fprintf(stdout, "peak RSS %s\n", vmHWM())
	return nil
}

// cpuTime is the CPU time the process used so far, user and system: on a
// shared machine, where wall time depends on the others, it says what the
// work cost.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fifths returns the p-th percentile of each fifth of ds, which is in
// the order of the commits, or "" if a fifth would be empty.
func fifths(ds []time.Duration, p int) string {
	if len(ds) < 5 {
		return ""
	}
	var parts []string
	for i := range 5 {
		parts = append(parts, pct(ds[len(ds)*i/5:len(ds)*(i+1)/5], p))
	}
	return strings.Join(parts, "  ")
}

func pct(ds []time.Duration, p int) string {
	if len(ds) == 0 {
		return "n/a"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s) - 1) * p / 100
	return s[i].Round(time.Millisecond).String()
}
