package promapi_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/promapi"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// TestLabelsWithoutRange checks that label names and values over all
// time, which are read from witness records, are those that reading
// every record gives (a start and an end around all the data), over
// the bbolt store and a plain query.Source, with records that a scan
// stopping too early would miss: a job and a metric only in the last
// record of the last resource, and a metric only in an ad-hoc
// collection's records, which has no series.
func TestLabelsWithoutRange(t *testing.T) {
	e := newEnv(t, 6, time.Minute, 12*time.Minute)
	iri := func(s string) rdf.IRI {
		i, err := rdf.NewIRI(s)
		require.NoError(t, err)
		return i
	}
	var late, adhocOnly rdf.IRI // metrics the fixture records never hold
	for _, m := range promapi.DefaultMetrics() {
		n, _ := promapi.MetricName(m)
		if _, ok := e.data[n]; ok {
			continue
		}
		if late == (rdf.IRI{}) {
			late = m
		} else if adhocOnly == (rdf.IRI{}) {
			adhocOnly = m
		}
	}
	require.NotEqual(t, rdf.IRI{}, adhocOnly)
	last := e.resource[len(e.resource)-1]
	at := e.start().Add(time.Hour)
	record := func(id, job string, metric rdf.IRI) store.Resource {
		r, m := iri(base+"/oslc/records/"+id), iri(base+"/oslc/records/"+id+"#m1")
		return store.Resource{ID: r, Triples: []rdf.Triple{
			{Subj: r, Pred: vocab.RDFType, Obj: vocab.IRI(vocab.PM, "PerformanceMonitoringRecord")},
			{Subj: r, Pred: vocab.DCIsPartOf, Obj: iri(last)},
			{Subj: r, Pred: vocab.DCDate, Obj: rdf.NewTypedLiteral(at.Format(time.RFC3339), vocab.XSDDateTime)},
			{Subj: r, Pred: vocab.PMJTerm("producedBy"), Obj: iri(job)},
			{Subj: r, Pred: vocab.EMSObserves, Obj: m},
			{Subj: m, Pred: vocab.EMSMetric, Obj: metric},
			{Subj: m, Pred: vocab.EMSNumericValue, Obj: rdf.NewTypedLiteral("7", vocab.IRI("http://www.w3.org/2001/XMLSchema#", "decimal"))},
		}}
	}
	require.NoError(t, e.db.Load(t.Context(), []store.Resource{
		record("zz-late", base+"/oslc/jobs/j1", late),
		record("zz-adhoc", base+"/oslc/adhoc/a1", adhocOnly),
	}))
	lateName, _ := promapi.MetricName(late)
	adhocName, _ := promapi.MetricName(adhocOnly)

	everything := url.Values{"start": {"0"}, "end": {unix(at.Add(time.Hour))}}
	asks := []struct {
		path  string
		match string
	}{
		{"/api/v1/labels", ""},
		{"/api/v1/labels", `pm_cpu_used`},
		{"/api/v1/labels", lateName},
		{"/api/v1/label/__name__/values", ""},
		{"/api/v1/label/__name__/values", `{resource_class=~".*Database"}`},
		{"/api/v1/label/__name__/values", `{resource=` + quote(last) + `}`},
		{"/api/v1/label/resource/values", ""},
		{"/api/v1/label/resource/values", `pm_cpu_used`},
		{"/api/v1/label/resource/values", lateName},
		{"/api/v1/label/resource_class/values", ""},
		{"/api/v1/label/resource_class/values", `{__name__=~"pm_(cpu|db).*"}`},
		{"/api/v1/label/job/values", ""},
		{"/api/v1/label/unit/values", ""},
	}
	for _, srv := range []struct {
		name string
		url  string
	}{{"bbolt", e.URL}, {"plain", serveAPI(t, plain{boltsource.New(e.db)}).URL}} {
		for _, ask := range asks {
			t.Run(srv.name+ask.path+"?"+ask.match, func(t *testing.T) {
				q := url.Values{}
				if ask.match != "" {
					q.Set("match[]", ask.match)
				}
				_, fast := body(t, srv.url+ask.path+"?"+q.Encode())
				for k, v := range everything {
					q[k] = v
				}
				_, full := body(t, e.URL+ask.path+"?"+q.Encode())
				assert.Contains(t, full, `"status":"success"`)
				assert.JSONEq(t, full, fast)
			})
		}
	}
	_, names := body(t, e.URL+"/api/v1/label/__name__/values")
	assert.Contains(t, names, `"`+lateName+`"`)
	assert.NotContains(t, names, `"`+adhocName+`"`)
	_, ls := body(t, e.URL+"/api/v1/labels")
	assert.Contains(t, ls, `"job"`)
}

func quote(s string) string { return `"` + s + `"` }
