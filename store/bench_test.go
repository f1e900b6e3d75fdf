package store_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/store"
)

// records returns n PM records numbered from first.
func records(first, n int) []store.Resource {
	rs := make([]store.Resource, n)
	for i := range rs {
		id, g := sampleRecord(first + i)
		rs[i] = store.Resource{ID: id, Triples: g}
	}
	return rs
}

// loaded returns a store holding n PM records.
func loaded(b *testing.B, n int) *store.DB {
	b.Helper()
	db, _ := openDB(b, &store.Options{NoSync: true})
	for i := 0; i < n; i += 1000 {
		require.NoError(b, db.Load(b.Context(), records(i, min(1000, n-i))))
	}
	return db
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportRate(b *testing.B, n int, unit string) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), unit)
}

// BenchmarkLoad bulk-loads PM records (20 triples each) in Loads of 1000.
func BenchmarkLoad(b *testing.B) {
	for _, bulk := range []bool{false, true} {
		for _, sync := range []bool{false, true} {
			b.Run(fmt.Sprintf("bulk=%v/sync=%v", bulk, sync), func(b *testing.B) {
				db, _ := openDB(b, &store.Options{NoSync: !sync})
				rs := records(0, b.N)
				triples := 0
				for _, r := range rs {
					triples += len(r.Triples)
				}
				b.ResetTimer()
				cpu0 := cpuTime()
				if bulk {
					if _, err := db.BeginBulk(b.Context()); err != nil {
						b.Fatal(err)
					}
				}
				for i := 0; i < len(rs); i += 1000 {
					if err := db.Load(b.Context(), rs[i:min(i+1000, len(rs))]); err != nil {
						b.Fatal(err)
					}
				}
				if err := db.EndBulk(b.Context()); err != nil {
					b.Fatal(err)
				}
				cpu := cpuTime() - cpu0
				b.StopTimer()
				reportRate(b, b.N, "records/s")
				reportRate(b, triples, "triples/s")
				// CPU time, unlike wall time, is not inflated by other
				// processes on a busy machine.
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(triples), "cpu-ns/triple")
			})
		}
	}
}

// BenchmarkCreateParallel creates one record per call from 16 goroutines,
// with fsync on, so that group commit shares each fsync; with the default
// batch delay and with bbolt's.
func BenchmarkCreateParallel(b *testing.B) {
	for _, delay := range []time.Duration{store.DefaultMaxBatchDelay, 10 * time.Millisecond} {
		name := fmt.Sprint("delay=", delay)
		b.Run(name, func(b *testing.B) {
			const goroutines = 16
			db, _ := openDB(b, &store.Options{MaxBatchDelay: delay})
			rs := records(0, b.N)
			raw := RawTxRate(b, b.TempDir(), 300*time.Millisecond)
			b.ResetTimer()
			var wg sync.WaitGroup
			for w := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < len(rs); i += goroutines {
						if _, err := db.Create(b.Context(), rs[i].ID, rs[i].Triples); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			rate := float64(b.N) / b.Elapsed().Seconds()
			raw = (raw + RawTxRate(b, b.TempDir(), 300*time.Millisecond)) / 2
			b.ReportMetric(rate, "records/s")
			b.ReportMetric(raw, "raw-tx/s")
			b.ReportMetric(rate/raw, "x-raw")
			// Pages written per record: what the group commit shares, and
			// what the disk has to take, whatever the machine's load.
			b.ReportMetric(float64(db.PagesWrittenForTest())/float64(b.N), "pages/record")
			reportCommits(b, db)
		})
	}
}

// reportCommits reports how the group commits batched and where their
// time went: running the writes (index work) and bbolt's commit, split
// into spilling nodes to pages and writing them with the fsyncs.
func reportCommits(b *testing.B, db *store.DB) {
	cs := db.CommitStats()
	if cs.Commits == 0 {
		return
	}
	apply, finish := cs.Apply, cs.Commit
	st := db.BoltStatsForTest()
	n := float64(cs.Commits)
	b.ReportMetric(float64(cs.Writes)/n, "records/commit")
	b.ReportMetric(float64(st.GetWrite())/n, "pages/commit")
	b.ReportMetric(float64(apply.Microseconds())/n, "µs-apply/commit")
	b.ReportMetric(float64(finish.Microseconds())/n, "µs-commit/commit")
	b.ReportMetric(float64(st.GetSpillTime().Microseconds())/n, "µs-spill/commit")
	b.ReportMetric(float64(st.GetWriteTime().Microseconds())/n, "µs-write+sync/commit")
}

// BenchmarkGet reads one record of 10,000.
func BenchmarkGet(b *testing.B) {
	const n = 10000
	db := loaded(b, n)
	ids := make([]rdf.IRI, n)
	for i := range ids {
		ids[i], _ = sampleRecord(i)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		g, _, err := db.Get(b.Context(), ids[i*7919%n])
		if err != nil || len(g) != 20 {
			b.Fatal(len(g), err)
		}
	}
	reportRate(b, b.N, "gets/s")
}

// BenchmarkRange scans the measure values of 10,000 records (30,000 values)
// and their dates.
func BenchmarkRange(b *testing.B) {
	db := loaded(b, 10000)
	lit := func(l rdf.Literal) *rdf.Literal { return &l }
	tests := []struct {
		name   string
		p      rdf.IRI
		lo, hi *rdf.Literal
		limit  int
		opt    store.RangeOptions
	}{
		// About 1% of the values.
		{"numbers/narrow", exValue, lit(intl("42")), lit(intl("43")), 0, store.RangeOptions{LoInclusive: true}},
		// The top 100 of a wide range, as a page of results.
		{"numbers/page100-desc", exValue, lit(dbl("10")), nil, 100, store.RangeOptions{Desc: true}},
		// One hour of records.
		{"dates/hour", exDate, lit(dt("2026-11-01T01:00:00+00:00")), lit(dt("2026-11-01T04:00:00+02:00")), 0, store.RangeOptions{LoInclusive: true}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			results := 0
			for b.Loop() {
				err := db.Range(b.Context(), tt.p, tt.lo, tt.hi, tt.opt, func(rdf.Subject, rdf.Literal) bool {
					results++
					return tt.limit == 0 || results%tt.limit != 0
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(results)/float64(b.N), "results/op")
			reportRate(b, results, "results/s")
		})
	}
}

// BenchmarkText searches 100,000 PM records, each with a description
// whose token "w<i%100>" is in 1% of them.
func BenchmarkText(b *testing.B) {
	const n = 100000
	db, _ := openDB(b, &store.Options{NoSync: true})
	for i := 0; i < n; i += 1000 {
		rs := records(i, 1000)
		for j := range rs {
			rs[j].Triples = append(rs[j].Triples, tr(rs[j].ID, exDescription,
				str(fmt.Sprintf("Nightly run w%d on cluster c%d", (i+j)%100, (i+j)%7))))
		}
		require.NoError(b, db.Load(b.Context(), rs))
	}
	tests := []struct {
		name   string
		token  string
		prefix bool
		limit  int
		want   int // results/op
	}{
		{"token-1%", "w42", false, 0, n / 100},
		// A page of a token in every record.
		{"token-100%-page100", "sample", false, 100, 100},
		// w4, w40…w49: 11% of the records.
		{"prefix-11%", "w4", true, 0, n * 11 / 100},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			results := 0
			for b.Loop() {
				got := 0
				more := func() bool { got++; return tt.limit == 0 || got < tt.limit }
				var err error
				if tt.prefix {
					err = db.TextPrefix(b.Context(), tt.token, func(string, rdf.Subject, rdf.IRI, int) bool { return more() })
				} else {
					err = db.Text(b.Context(), tt.token, func(rdf.Subject, rdf.IRI, int) bool { return more() })
				}
				if err != nil || got != tt.want {
					b.Fatal(got, err)
				}
				results += got
			}
			b.ReportMetric(float64(results)/float64(b.N), "results/op")
			reportRate(b, results, "results/s")
		})
	}
}

// RawTxRate returns the rate of the reference (see BenchmarkBoltTxRaw)
// measured for about d in a new file in dir, so that a benchmark can give
// its ratio to it in the same run, on the disk as loaded as it is then.
func RawTxRate(tb testing.TB, dir string, d time.Duration) float64 {
	tb.Helper()
	bdb, err := bolt.Open(filepath.Join(dir, "raw.db"), 0o600, nil)
	require.NoError(tb, err)
	defer bdb.Close()
	name := []byte("b")
	require.NoError(tb, bdb.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket(name)
		return err
	}))
	start := time.Now()
	n := 0
	for ; time.Since(start) < d; n++ {
		err := bdb.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(name).Put([]byte(fmt.Sprint("key", n)), []byte("value"))
		})
		require.NoError(tb, err)
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkBoltTxRaw is the reference: fsync'd bbolt Update transactions,
// each writing one small key, one goroutine.
func BenchmarkBoltTxRaw(b *testing.B) {
	bdb, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, nil)
	require.NoError(b, err)
	defer bdb.Close()
	name := []byte("b")
	require.NoError(b, bdb.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket(name)
		return err
	}))
	for i := 0; b.Loop(); i++ {
		err := bdb.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(name).Put([]byte(fmt.Sprint("key", i)), []byte("value"))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, b.N, "tx/s")
}

// BenchmarkStage stages PM records, 2,000 per call as the job engine's
// writer hands them over, fsync on, into a store of 20,000: the cost of
// acknowledging a record (its encoding, the overlay's segments, the stage
// bucket's put and the commit). The merger is held, and the records are
// merged with the timer stopped.
func BenchmarkStage(b *testing.B) {
	const batch = 2000
	db, _ := openDB(b, &store.Options{HoldMerges: true})
	for i := 0; i < 20000; i += batch {
		require.NoError(b, db.Load(b.Context(), records(i, batch)))
	}
	next := 20000
	b.ReportAllocs()
	b.ResetTimer()
	var cpu time.Duration
	for range b.N {
		b.StopTimer()
		rs := make([]store.Resource, batch)
		for i := range rs {
			id, g := overlayRecord(next + i)
			rs[i] = store.Resource{ID: id, Triples: g}
		}
		next += batch
		b.StartTimer()
		cpu0 := cpuTime()
		if err := db.Stage(b.Context(), rs); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - cpu0
		b.StopTimer()
		if n := db.Overlaid(); n != batch {
			b.Fatalf("%d records in the overlay, want %d", n, batch)
		}
		if _, err := db.Merge(b.Context(), 0); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*batch), "cpu-µs/record")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*batch), "µs/record")
}
