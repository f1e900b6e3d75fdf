package provider_test

import (
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BenchmarkCreateRecordHTTP posts one record per request from 16
// concurrent clients, through real HTTP and an fsync'd store.
func BenchmarkCreateRecordHTTP(b *testing.B) {
	ts := newTestServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	b.SetParallelism((16 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	start := time.Now()
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
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
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
