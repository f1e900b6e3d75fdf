package query_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The generated store of the benchmarks: -records records of -hosts
// resources, one record per resource per minute from benchStart, each with
// three measures (CPU, real and disk memory use in percent) and a title;
// about one in a hundred titles says "overload". For the 1,000,000-record
// figures: go test ./query/ -run '^$' -bench Where -args -records 1000000
var (
	benchRecords = flag.Int("records", 50000, "records in the benchmarks' generated store")
	benchHosts   = flag.Int("hosts", 100, "monitored resources in the benchmarks' generated store")
	benchFile    = flag.String("benchdb", "", "keep the benchmarks' generated store in this file, and reuse it if it exists")
	benchNoTypes = flag.Bool("notypes", false, "query the records as the provider does: by prefix, without types")
	benchStaged  = flag.Int("staged", 0, "of the generated records, the newest `n` are staged (store.DB.Stage) and left in the overlay, unmerged")
)

var benchStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

var bench struct {
	once sync.Once
	dir  string
	db   *store.DB
	err  error
}

func TestMain(m *testing.M) {
	code := sparqltest.Main(m) // TestContractAgrees runs on a Virtuoso too
	if bench.db != nil {
		_ = bench.db.Close()
	}
	if bench.dir != "" {
		_ = os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// benchDB builds the generated store once per test binary, or opens the
// one -benchdb names.
func benchDB(b *testing.B) *store.DB {
	bench.once.Do(func() {
		path := *benchFile
		if path == "" {
			if bench.dir, bench.err = os.MkdirTemp("", "query-bench-"); bench.err != nil {
				return
			}
			path = filepath.Join(bench.dir, "pm.db")
		}
		_, statErr := os.Stat(path)
		bench.db, bench.err = store.Open(path, pmStoreOptions(store.Options{NoSync: true, HoldMerges: *benchStaged > 0}))
		if bench.err != nil || statErr == nil {
			return
		}
		bench.err = generate(context.Background(), b, bench.db, *benchRecords, *benchHosts)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.db
}

func benchHost(h int) rdf.IRI { return iri(fmt.Sprintf("%shost-%03d", hosts, h)) }

// generate loads n records of the given number of hosts, in creation
// order, so that record IRIs sort by date as the provider's do.
func generate(ctx context.Context, tb testing.TB, db *store.DB, n, nhosts int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"usage", "report", "sample", "nightly", "batch", "peak", "idle", "normal", "backup", "load"}
	base := make([]float64, nhosts) // each host's usual CPU load
	var rs []store.Resource
	for h := range nhosts {
		base[h] = 10 + rng.Float64()*60
		id := benchHost(h)
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{
			tr(id, vocab.RDFType, crtvComputer),
			tr(id, vocab.DCTitle, str(fmt.Sprintf("Host %03d", h))),
		}})
	}
	rs = append(rs, vocabResource(tb))
	measures := []rdf.IRI{pmCpuUsed, pmRealMemUsed, pm("DiskSpaceUsed")}
	for i := range n {
		h := i % nhosts
		id := iri(fmt.Sprintf("%sr%08d", records, i))
		at := benchStart.Add(time.Duration(i/nhosts) * time.Minute)
		title := fmt.Sprintf("%s %s of host %03d", words[rng.IntN(len(words))], words[rng.IntN(len(words))], h)
		if rng.IntN(100) == 0 {
			title += " overload"
		}
		g := []rdf.Triple{
			tr(id, vocab.RDFType, vocab.PMRecord),
			tr(id, vocab.DCDate, typed(at.Format(time.RFC3339), vocab.XSDDateTime)),
			tr(id, vocab.DCIsPartOf, benchHost(h)),
			tr(id, vocab.DCTitle, str(title)),
			tr(id, vocab.DCIdentifier, str(fmt.Sprintf("r%08d", i))),
			tr(id, vocab.PMAvailabilityStatus, pmRunning),
		}
		for j, metric := range measures {
			v := base[h] + rng.NormFloat64()*12
			if j > 0 {
				v = 20 + rng.Float64()*60
			}
			v = max(0, min(100, v))
			var node rdf.Term = blank(fmt.Sprintf("m%d", j))
			if i >= n-*benchStaged {
				node = iri(fmt.Sprintf("%s#m%d", id, j)) // a staged record's own
			}
			m := node.(rdf.Subject)
			g = append(g,
				tr(id, vocab.EMSObserves, node.(rdf.Object)),
				tr(m, vocab.RDFType, vocab.EMSMeasure),
				tr(m, vocab.EMSMetric, metric),
				tr(m, vocab.EMSNumericValue, typed(fmt.Sprintf("%.1f", v), vocab.XSDDouble)))
		}
		rs = append(rs, store.Resource{ID: id, Triples: g})
		if len(rs) == 1000 || i == n-1 || i == n-*benchStaged-1 {
			write := db.Load
			if i >= n-*benchStaged {
				write = db.Stage
			}
			if err := write(ctx, rs); err != nil {
				return err
			}
			rs = rs[:0]
		}
	}
	return nil
}

// benchQuery is one query shape of the benchmarks.
type benchQuery struct {
	name                        string
	where, orderBy, search, sel string
	size                        int
}

var benchQueries = []benchQuery{
	// The records of one resource, first page of 100.
	{name: "ResourcePage", where: "dcterms:isPartOf=<" + benchHost(42).String() + ">", size: 100},
	// One resource in a one-hour window.
	{name: "ResourceHour", where: "dcterms:isPartOf=<" + benchHost(42).String() + `> and dcterms:date>="2026-11-01T03:00:00Z" and dcterms:date<"2026-11-01T04:00:00Z"`, size: 100},
	// Records with a CPU measure above 90, first page of 100.
	{name: "NestedMetric", where: "ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>90}", size: 100},
	// The first page of all records.
	{name: "AllPage", size: 100},
	// The 10 newest records of one resource.
	{name: "Newest10", where: "dcterms:isPartOf=<" + benchHost(42).String() + ">", orderBy: "-dcterms:date", size: 10},
	// A full-text search, first page of 100.
	{name: "Search", search: `"overload"`, size: 100},
	// The 10 newest records of all.
	{name: "Newest10All", orderBy: "-dcterms:date", size: 10},
	// A page of all records with their titles and measure values.
	{name: "SelectPage", where: "dcterms:isPartOf=<" + benchHost(42).String() + ">", sel: "dcterms:title,ems:observes{ems:metric,ems:numericValue}", size: 100},
}

// BenchmarkWhere runs the query shapes on the generated store, with and
// without the total, and reports the median latency and the result sizes.
func BenchmarkWhere(b *testing.B) {
	db := benchDB(b)
	scope := recordScope
	if *benchNoTypes {
		scope = query.Scope{Prefix: records}
	}
	for _, bq := range benchQueries {
		for _, noTotal := range []bool{false, true} {
			name := bq.name
			if noTotal {
				name += "/nototal"
			}
			b.Run(name, func(b *testing.B) {
				q, err := parseQuery(bq.where, bq.orderBy, bq.sel, bq.search)
				if err != nil {
					b.Fatal(err)
				}
				page := query.Page{Size: bq.size, NoTotal: noTotal}
				var times []time.Duration
				var res *query.Result
				cpu0 := cpuTime()
				for b.Loop() {
					start := time.Now()
					err := db.View(b.Context(), func(s *store.Snapshot) error {
						res, err = query.Run(b.Context(), boltsource.NewSource(s), scope, q, page)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(start))
				}
				cpu := cpuTime() - cpu0
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(times)), "cpu-ms/op")
				b.ReportMetric(float64(len(res.Members)), "members")
				if !noTotal {
					b.ReportMetric(float64(res.Total), "total")
				}
			})
		}
	}
}

// cpuTime is the CPU time the process has used, which, unlike wall time,
// other processes on a busy machine do not inflate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSourceMatch is the reference for the figures above: one
// Match(s, p, ?) of a record's date in a snapshot, the engine's unit of
// per-candidate work, over 1000 records read again and again (warm) and
// over all records (cold pages).
func BenchmarkSourceMatch(b *testing.B) {
	db := benchDB(b)
	for _, spread := range []int{1000, *benchRecords} {
		b.Run(fmt.Sprint("records=", spread), func(b *testing.B) {
			err := db.View(b.Context(), func(s *store.Snapshot) error {
				i := 0
				for b.Loop() {
					id := iri(fmt.Sprintf("%sr%08d", records, i*7919%spread))
					i++
					n := 0
					if err := s.Match(b.Context(), id, vocab.DCDate, nil, func(rdf.Triple) bool { n++; return true }); err != nil {
						return err
					}
					if n != 1 {
						return fmt.Errorf("%d dates", n)
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
