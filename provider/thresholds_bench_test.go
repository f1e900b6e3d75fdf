package provider_test

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
	"strconv"
	"testing"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// envInt reads a benchmark knob from the environment.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkThresholdLag runs jobs with the synthetic collector in real
// time, without thresholds and with one threshold per monitored resource
// (pm:CpuUsed rising at PM_BENCH_THRESHOLD, default 90, offset 10: the
// synthetic CPU is uniform in 0..100, so about one record in six crosses
// one way or the other, an alarm storm), and reports the engine's period
// lag (period end to records durable) and how many alarms were raised
// and cleared. Knobs: PM_BENCH_JOBS (default 100), PM_BENCH_RESOURCES
// (10), PM_BENCH_SECONDS (30). The figure is PM_BENCH_JOBS=1000:
// 10,000 thresholds.
func BenchmarkThresholdLag(b *testing.B) {
	jobs := envInt("PM_BENCH_JOBS", 100)
	per := envInt("PM_BENCH_RESOURCES", 10)
	secs := envInt("PM_BENCH_SECONDS", 30)
	level := envInt("PM_BENCH_THRESHOLD", 90)
	for _, n := range []int{0, jobs * per} {
		b.Run(fmt.Sprintf("thresholds=%d", n), func(b *testing.B) {
			for range b.N {
				st, evaluated, crossings := runThresholdLag(b, jobs, per, n, level, time.Duration(secs)*time.Second)
				lags := st.Lags
				b.ReportMetric(float64(st.Records), "records")
				b.ReportMetric(float64(st.Missed), "missed-periods")
				b.ReportMetric(float64(pctOf(lags, 50).Microseconds())/1000, "p50-lag-ms")
				b.ReportMetric(float64(pctOf(lags, 99).Microseconds())/1000, "p99-lag-ms")
				b.ReportMetric(float64(evaluated), "records-evaluated")
				b.ReportMetric(float64(crossings), "crossings")
			}
		})
	}
}

func pctOf(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func runThresholdLag(b *testing.B, nJobs, per, thresholds, level int, d time.Duration) (st jobs.Stats, evaluated, crossings uint64) {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(filepath.Join(b.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const base = "http://127.0.0.1:8080"
	res := func(i int) rdf.IRI { return vocab.IRI(base+"/oslc/resources/", fmt.Sprintf("bench-%06d", i)) }
	var rs []store.Resource
	for i := 0; i < nJobs*per; i++ {
		id := res(i)
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{
			{Subj: id, Pred: vocab.RDFType, Obj: vocab.IRI(vocab.CRTV, "ComputerSystem")},
		}})
	}
	// The thresholds are in the store before the provider starts, as
	// after a restart: it loads them.
	for i := 0; i < thresholds; i++ {
		id := vocab.IRI(base+"/oslc/thresholds/", fmt.Sprintf("t-%06d", i))
		p := func(l string) rdf.IRI { return vocab.PMJTerm(l) }
		num := func(v float64) rdf.Literal {
			return rdf.NewTypedLiteral(strconv.FormatFloat(v, 'g', -1, 64), vocab.XSDDouble)
		}
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{
			{Subj: id, Pred: vocab.RDFType, Obj: p("Threshold")},
			{Subj: id, Pred: p("monitoredObject"), Obj: res(i % (nJobs * per))},
			{Subj: id, Pred: p("performanceIndicator"), Obj: vocab.IRI(vocab.PM, "CpuUsed")},
			{Subj: id, Pred: p("thresholdValue"), Obj: num(float64(level))},
			{Subj: id, Pred: p("thresholdOffset"), Obj: num(10)},
		}})
	}
	for len(rs) > 0 {
		n := min(len(rs), 1000)
		if err := db.Load(ctx, rs[:n]); err != nil {
			b.Fatal(err)
		}
		rs = rs[n:]
	}
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: base, Collectors: []collect.Collector{collect.NewSynthetic(1)},
		Logger: nil})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	for j := 0; j < nJobs; j++ {
		var objs bytes.Buffer
		for k := 0; k < per; k++ {
			fmt.Fprintf(&objs, "  pmj:monitoredObject <%s> ;\n", res(j*per+k))
		}
		body := fmt.Sprintf(`@prefix pmj: <%s> . @prefix pm: <%s> . @prefix dcterms: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<> a pmj:MeasurementJob ; dcterms:title "bench job %d" ;
  pmj:collector pmj:SyntheticCollector ; pmj:granularity "PT10S"^^xsd:duration ; pmj:reportingPeriod "PT60S"^^xsd:duration ;
%s  pmj:performanceIndicator pm:CpuUsed, pm:RealMemoryUsed, pm:DiskSpaceUsed ;
  pmj:reportingMode pmj:ReportResources .
`, vocab.PMJ, vocab.PM, j, objs.String())
		resp, err := http.Post(hs.URL+"/oslc/jobs", "text/turtle", bytes.NewBufferString(body))
		if err != nil {
			b.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("create job %d: %s: %s", j, resp.Status, msg)
		}
	}
	b.ResetTimer()
	srv.Start()
	time.Sleep(d)
	srv.Close()
	b.StopTimer()
	evaluated, crossings = srv.Thresholds().Stats()
	return srv.Jobs().Stats(), evaluated, crossings
}
