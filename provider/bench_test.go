package provider_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/store"
)

// BenchmarkCreateRecordHTTP posts one record per request from 16
// concurrent clients, through real HTTP and an fsync'd store, and
// compares the rate with the raw fsync'd bbolt transaction rate measured
// in the same run (x-raw). On a slow disk the fsyncs bound both; on a
// fast one (TMPDIR on tmpfs shows the limit) the CPU per request does:
// cpu-µs/op is the process's CPU time (server, client and collector) per
// record, which a machine loaded by others inflates less than ns/op.
func BenchmarkCreateRecordHTTP(b *testing.B) {
	ts := newTestServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	b.SetParallelism((16 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	raw := rawTxRate(b, 300*time.Millisecond)
	before := ts.db.CommitStats()
	start, cpu0 := time.Now(), cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", ts.URL+"/oslc/records", strings.NewReader(recordTTL))
			req.Header.Set("Content-Type", "text/turtle")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	rate := float64(b.N) / time.Since(start).Seconds()
	cpu := cpuTime() - cpu0
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	raw = (raw + rawTxRate(b, 300*time.Millisecond)) / 2
	b.ReportMetric(rate, "records/s")
	b.ReportMetric(raw, "raw-tx/s")
	b.ReportMetric(rate/raw, "x-raw")
	cs := ts.db.CommitStats()
	if n := cs.Commits - before.Commits; n > 0 {
		b.ReportMetric(float64(cs.Writes-before.Writes)/float64(n), "records/commit")
	}
}

// rawTxRate returns the rate of fsync'd bbolt transactions that each put
// one small key, from one goroutine, measured for about d: the reference
// of the write benchmarks, measured in their run, on the disk as loaded
// as it is then.
func rawTxRate(tb testing.TB, d time.Duration) float64 {
	tb.Helper()
	bdb, err := bolt.Open(filepath.Join(tb.TempDir(), "raw.db"), 0o600, nil)
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
			return tx.Bucket(name).Put([]byte("key"+strconv.Itoa(n)), []byte("value"))
		})
		require.NoError(tb, err)
	}
	return float64(n) / time.Since(start).Seconds()
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

// BenchmarkGetRecordRDFXML reads one record as RDF/XML.
func BenchmarkGetRecordRDFXML(b *testing.B) {
	ts := newTestServer(b)
	r := ts.do(b, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	if r.status != 201 {
		b.Fatalf("create: %d %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	client := &http.Client{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("GET", loc, nil)
		req.Header.Set("Accept", "application/rdf+xml")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkServeVsStatic measures, in one run, what the serving
// goals compare: requests per second, from 16 keep-alive connections, of
// GET of one record as RDF/XML and of a query page (isPartOf=R, 100
// members and the total, of 1,000), each against a minimal Go server
// that returns the same bytes with the same Content-Type. It reports
// both rates and their ratios (get-ratio, page-ratio).
func BenchmarkServeVsStatic(b *testing.B) {
	ts := newTestServer(b)
	cfg := fixture.Config{BaseURL: ts.URL, Records: 2000, Resources: 2}
	var rs []store.Resource
	require.NoError(b, fixture.Generate(cfg, func(r store.Resource) error { rs = append(rs, r); return nil }))
	require.NoError(b, ts.db.Load(context.Background(), rs))
	record := cfg.RecordIRI(0).String()
	page := ts.URL + "/oslc/records?" + url.Values{
		"oslc.where":  {"dcterms:isPartOf=<" + cfg.ResourceIRI(0).String() + ">"},
		"oslc.prefix": {"dcterms=<http://purl.org/dc/terms/>"},
		"oslc.paging": {"true"}, "oslc.pageSize": {"100"},
	}.Encode()
	const accept = "application/rdf+xml"
	type target struct{ name, url, static string }
	targets := []target{{name: "get", url: record}, {name: "page", url: page}}
	for i := range targets {
		t := &targets[i]
		body, ct := fetch(b, t.url, accept)
		require.NotEmpty(b, body)
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		})
		hs := httptest.NewServer(mux)
		b.Cleanup(hs.Close)
		u, _ := url.Parse(t.url)
		t.static = hs.URL + u.RequestURI()
	}
	const dur = 2 * time.Second
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, t := range targets {
			ours := throughput(b, t.url, accept, dur)
			static := throughput(b, t.static, accept, dur)
			b.ReportMetric(ours, t.name+"-req/s")
			b.ReportMetric(static, t.name+"-static-req/s")
			b.ReportMetric(ours/static, t.name+"-ratio")
			b.Logf("%s: ours %.0f req/s, static %.0f req/s, ratio %.3f", t.name, ours, static, ours/static)
		}
	}
}

// fetch GETs u and returns its body and Content-Type.
func fetch(b *testing.B, u, accept string) ([]byte, string) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(b, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b, err)
	require.Equal(b, 200, resp.StatusCode, "%s", body)
	return body, resp.Header.Get("Content-Type")
}

// throughput GETs u from 16 keep-alive connections for d and returns the
// requests per second.
func throughput(b *testing.B, u, accept string, d time.Duration) float64 {
	const conns = 16
	tr := &http.Transport{MaxIdleConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var n atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest("GET", u, nil)
				req.Header.Set("Accept", accept)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("GET %s: status %d", u, resp.StatusCode)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}
