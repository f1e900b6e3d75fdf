package provider_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// BenchmarkTRSBase reads the base of a tracked resource set of
// PM_TRS_BENCH_RECORDS records (default 20,000; the README quotes
// 1,000,000) in pages of the default size, as Turtle over HTTP: one page
// from the middle (page), the first page, which also finds the cutoff
// event (first), and the whole base, page after page (all; one op is one
// full read).
func BenchmarkTRSBase(b *testing.B) {
	n := 20000
	if v := os.Getenv("PM_TRS_BENCH_RECORDS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("PM_TRS_BENCH_RECORDS=%q: want a number of records", v)
		}
	}
	db, err := store.Open(filepath.Join(b.TempDir(), "pm.db"), pmStoreOptions(store.Options{NoSync: true}))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	ctx := context.Background()
	start := time.Now()
	rs := make([]store.Resource, 0, 1000)
	for i := range n {
		id, _ := rdf.NewIRI(fmt.Sprintf("%s/oslc/records/r%08d", base, i))
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{
			{Subj: id, Pred: vocab.RDFType, Obj: vocab.PMRecord},
			{Subj: id, Pred: vocab.DCTitle, Obj: vocab.Str(fmt.Sprint("record ", i))},
			{Subj: id, Pred: vocab.DCDate, Obj: rdf.NewTypedLiteral(time.Date(2026, 11, 1, 0, 0, i%86400, 0, time.UTC).Format(time.RFC3339), vocab.XSDDateTime)},
		}})
		if len(rs) == cap(rs) || i == n-1 {
			if err := db.Load(ctx, rs); err != nil {
				b.Fatal(err)
			}
			rs = rs[:0]
		}
	}
	b.Logf("loaded %d records in %s", n, time.Since(start).Round(time.Millisecond))
	srv, err := provider.New(boltsource.New(db), provider.Config{BaseURL: base})
	if err != nil {
		b.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	defer hs.Close()
	client := &http.Client{}
	get := func(b *testing.B, url string) (next string) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Accept", "text/turtle")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
		return linkNext(resp.Header)
	}
	middle := fmt.Sprintf("%s/oslc/trs/base?cutoff=1&after=%s/oslc/records/r%08d", base, base, n/2)
	b.Run(fmt.Sprintf("records=%d/page", n), func(b *testing.B) {
		for range b.N {
			get(b, middle)
		}
		b.ReportMetric(float64(b.N*min(provider.DefaultTRSBasePageSize, n/2))/b.Elapsed().Seconds(), "members/s")
	})
	b.Run(fmt.Sprintf("records=%d/first", n), func(b *testing.B) {
		for range b.N {
			get(b, base+"/oslc/trs/base")
		}
	})
	b.Run(fmt.Sprintf("records=%d/all", n), func(b *testing.B) {
		pages := 0
		for range b.N {
			for url := base + "/oslc/trs/base"; url != ""; pages++ {
				url = get(b, url)
			}
		}
		b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "members/s")
	})
}
