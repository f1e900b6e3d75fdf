package provider_test

import (
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// newCollectorEnv is newJobEnv with the given collectors besides the
// synthetic one.
func newCollectorEnv(t *testing.T, cs ...collect.Collector) *jobEnv {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	require.NoError(t, err)
	env := &jobEnv{}
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.h.Load().ServeHTTP(w, r)
	}))
	env.testServer = &testServer{Server: hs, db: db}
	env.clock = &jobClock{t: jobEpoch}
	srv, err := provider.New(boltsource.New(db), provider.Config{
		BaseURL:    "http://" + hs.Listener.Addr().String(),
		Now:        env.clock.Now,
		Collectors: append([]collect.Collector{collect.NewSynthetic(1)}, cs...),
		Logger:     slog.New(slog.NewTextHandler(&env.log, nil)),
	})
	require.NoError(t, err)
	env.srv = srv
	env.h.Store(srv)
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		db.Close()
	})
	return env
}

// createSite creates a monitored software server with a property.
func (env *jobEnv) createSite(t *testing.T, name, prop, url string) string {
	t.Helper()
	body := fmt.Sprintf(`@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:SoftwareServer ; dcterms:title %q ; <%s> <%s> .`, name, prop, url)
	r := env.do(t, "POST", "/oslc/resources", body, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	return r.header.Get("Location")
}

func TestHTTPCollectorJob(t *testing.T) {
	var fail atomic.Bool
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			w.WriteHeader(503)
		}
	}))
	defer site.Close()
	h := collect.NewHTTP()
	h.Allow = testServers
	env := newCollectorEnv(t, h)
	res := env.createSite(t, "web", collect.PropProbeURL, site.URL+"/health")

	caps := env.do(t, "GET", "/oslc/capabilities", "", "Accept", "application/n-triples")
	assert.Contains(t, string(caps.body), pmj("HttpCollector"))

	job, _ := env.createJob(t, jobTTL([]string{res}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:HttpCollector"
		p["pmj:performanceIndicator"] = "pm:ResponseTime, pmj:HttpStatusCode"
		p["pmj:timeZone"] = ""
	}))
	env.advance(t, jobEpoch.Add(27*time.Second)) // periods ending 10:00:10, :20
	fail.Store(true)
	env.advance(t, jobEpoch.Add(37*time.Second)) // :30

	ids, g, _ := env.find(t, "/oslc/records", "oslc.where", producedBy(job), "oslc.select", "pm:availabilityStatus,dcterms:date", "oslc.orderBy", "+dcterms:date")
	require.Len(t, ids, 3)
	var status []string
	for _, id := range ids {
		status = append(status, strings.TrimPrefix(one(t, g, mustIRI(t, id), vocab.PM+"availabilityStatus").String(), vocab.PM))
	}
	assert.Equal(t, []string{"Running", "Running", "NotRunning"}, status)

	// The records hold the response time and status code, in the report's
	// CSV too.
	env.advance(t, jobEpoch.Add(57*time.Second+10*time.Second))
	reps, _, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job))
	require.NotEmpty(t, reps)
	r := env.do(t, "GET", reps[len(reps)-1]+"?format=csv", "")
	require.Equal(t, 200, r.status, "%s", r.body)
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	require.NoError(t, err)
	var codes []string
	for _, row := range rows[1:] {
		if row[5] == pmj("HttpStatusCode") {
			codes = append(codes, row[6])
		}
	}
	assert.Contains(t, codes, "503")
	assert.Contains(t, codes, "200")
}

func TestPrometheusCollectorJob(t *testing.T) {
	var ticks atomic.Int64
	exporter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := float64(ticks.Add(1))
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, `# TYPE node_cpu_seconds_total counter
node_cpu_seconds_total{cpu="0",mode="idle"} %g
node_cpu_seconds_total{cpu="0",mode="system"} %g
# TYPE node_memory_MemTotal_bytes gauge
node_memory_MemTotal_bytes 4e9
# TYPE node_memory_MemAvailable_bytes gauge
node_memory_MemAvailable_bytes 1e9
`, 100+7.5*n, 50+2.5*n)
	}))
	defer exporter.Close()
	p := collect.NewPrometheus()
	p.Allow = testServers
	env := newCollectorEnv(t, p)
	res := env.createSite(t, "node", collect.PropScrapeURL, exporter.URL+"/metrics")

	// A mapping that does not parse is refused with the job.
	r := env.do(t, "POST", "/oslc/jobs", jobTTL([]string{res}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:PrometheusCollector"
		p["pmj:metricMapping"] = `"pm:CpuUsed = avg(x)"`
	}), "Content-Type", "text/turtle")
	require.Equal(t, 400, r.status)
	assert.Contains(t, oslcError(t, r), "pmj:metricMapping")

	job, _ := env.createJob(t, jobTTL([]string{res}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:PrometheusCollector"
		p["pmj:performanceIndicator"] = "pm:CpuUsed, pm:RealMemoryUsed"
	}))
	env.advance(t, jobEpoch.Add(27*time.Second))
	ids, g, _ := env.find(t, "/oslc/records", "oslc.where", producedBy(job), "oslc.select", "dcterms:date,ems:observes{ems:metric,ems:numericValue}", "oslc.orderBy", "+dcterms:date")
	require.Len(t, ids, 2)
	values := func(id string) map[string]string {
		out := map[string]string{}
		for _, m := range objects(g, mustIRI(t, id), vocab.EMS+"observes") {
			out[one(t, g, m, vocab.EMS+"metric").String()] = one(t, g, m, vocab.EMS+"numericValue").String()
		}
		return out
	}
	first, second := values(ids[0]), values(ids[1])
	assert.Equal(t, "3e+09", first[vocab.PM+"RealMemoryUsed"])
	assert.NotContains(t, first, vocab.PM+"CpuUsed", "a rate needs two scrapes")
	assert.Equal(t, "25", second[vocab.PM+"CpuUsed"], "2.5 s busy of 10 s")
}

// newReportJob runs a synthetic job for three reporting periods of a
// minute and returns it and its reports.
func newReportJob(t *testing.T, env *jobEnv, edit func(p map[string]string)) (job string, reports []string, res []string) {
	t.Helper()
	res = []string{env.createResource(t, "web1"), env.createResource(t, "web2")}
	j, _ := env.createJob(t, jobTTL(res, edit))
	env.advance(t, jobEpoch.Add(3*time.Minute))
	reports, _, _ = env.find(t, "/oslc/reports", "oslc.where", producedBy(j), "oslc.orderBy", "+pmj:periodEnd")
	return j.String(), reports, res
}

func TestReportDownloads(t *testing.T) {
	env := newJobEnv(t)
	job, reports, res := newReportJob(t, env, func(p map[string]string) { p["pmj:performanceIndicator"] = "pm:CpuUsed, pm:RealMemoryUsed" })
	require.Len(t, reports, 3)
	rep := reports[1] // a full minute: 6 periods of 10 s

	// RDF stays as it was, application/xml included.
	for _, accept := range []string{"", "application/rdf+xml", "application/xml", "text/turtle", "text/csv;q=0.5, text/turtle"} {
		r := env.do(t, "GET", rep, "", "Accept", accept)
		require.Equal(t, 200, r.status)
		assert.NotContains(t, r.header.Get("Content-Type"), "csv", accept)
		assert.NotContains(t, r.header.Get("Content-Type"), "3gpp", accept)
	}

	for _, tc := range []struct{ name, query, accept, want string }{
		{"csv by accept", "", "text/csv", "text/csv"},
		{"csv by format", "?format=csv", "", "text/csv"},
		{"3gpp by accept", "", provider.Media3GPP, provider.Media3GPP},
		{"3gpp by format", "?format=3gpp", "text/turtle", provider.Media3GPP},
		{"csv preferred", "", "text/csv, text/turtle;q=0.5", "text/csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := env.do(t, "GET", rep+tc.query, "", "Accept", tc.accept)
			require.Equal(t, 200, r.status, "%s", r.body)
			assert.True(t, strings.HasPrefix(r.header.Get("Content-Type"), tc.want), r.header.Get("Content-Type"))
		})
	}

	// CSV: one row per resource, period and metric.
	r := env.do(t, "GET", rep+"?format=csv", "")
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"report", "job", "resource", "periodStart", "periodEnd", "metric", "value", "unit", "sampleCount"}, rows[0])
	require.Len(t, rows, 1+6*2*2)
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		assert.Equal(t, rep, row[0])
		assert.Equal(t, job, row[1])
		assert.Contains(t, res, row[2])
		assert.True(t, strings.HasSuffix(row[4], "+01:00"), "times keep the job's offset: %s", row[4])
		key := row[2] + row[4] + row[5]
		assert.False(t, seen[key], "one row per resource, period and metric")
		seen[key] = true
	}

	// 3GPP TS 32.435: a measInfo per granularity period.
	r = env.do(t, "GET", rep+"?format=3gpp", "")
	var f struct {
		XMLName xml.Name
		Header  struct {
			MeasCollec struct {
				BeginTime string `xml:"beginTime,attr"`
			} `xml:"measCollec"`
		} `xml:"fileHeader"`
		Infos []struct {
			Gran struct {
				Duration string `xml:"duration,attr"`
				EndTime  string `xml:"endTime,attr"`
			} `xml:"granPeriod"`
			Types  []string `xml:"measType"`
			Values []struct {
				Ldn string   `xml:"measObjLdn,attr"`
				R   []string `xml:"r"`
			} `xml:"measValue"`
		} `xml:"measData>measInfo"`
		Footer struct {
			MeasCollec struct {
				EndTime string `xml:"endTime,attr"`
			} `xml:"measCollec"`
		} `xml:"fileFooter"`
	}
	require.NoError(t, xml.Unmarshal(r.body, &f), r.body)
	assert.Equal(t, "measCollecFile", f.XMLName.Local)
	assert.Equal(t, "http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec", f.XMLName.Space)
	assert.Equal(t, berlin(jobEpoch.Truncate(time.Minute).Add(time.Minute)), f.Header.MeasCollec.BeginTime)
	assert.Equal(t, berlin(jobEpoch.Truncate(time.Minute).Add(2*time.Minute)), f.Footer.MeasCollec.EndTime)
	require.Len(t, f.Infos, 6)
	for _, mi := range f.Infos {
		assert.Equal(t, "PT10S", mi.Gran.Duration)
		assert.True(t, strings.HasSuffix(mi.Gran.EndTime, "+01:00"))
		assert.Equal(t, []string{vocab.PM + "CpuUsed", vocab.PM + "RealMemoryUsed"}, mi.Types)
		require.Len(t, mi.Values, 2)
		for _, v := range mi.Values {
			assert.Contains(t, res, v.Ldn)
			assert.Len(t, v.R, 2)
		}
	}

	// A format the report does not have.
	r = env.do(t, "GET", rep+"?format=xls", "")
	assert.Equal(t, 406, r.status)
	// CSV is for reports only.
	r = env.do(t, "GET", res[0]+"?format=csv", "")
	assert.Equal(t, 406, r.status)
}

func TestReportListing(t *testing.T) {
	env := newJobEnv(t)
	job, reports, _ := newReportJob(t, env, nil)
	require.Len(t, reports, 3)
	jobIRI := mustIRI(t, job)

	// MEF-style: by job and by period.
	end := jobEpoch.Truncate(time.Minute).Add(2 * time.Minute)
	ids, _, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(jobIRI)+` and pmj:periodEnd<="`+end.Format(time.RFC3339)+`"^^xsd:dateTime`)
	assert.Len(t, ids, 2)
	// By resource: the reports whose records are of a resource.
	_, g, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(jobIRI), "oslc.select", "dcterms:created")
	// What became available between two times, for a client that missed
	// events: by dcterms:created.
	var created []string
	for _, id := range reports {
		created = append(created, one(t, g, mustIRI(t, id), vocab.DCTerms+"created").String())
	}
	ids, _, _ = env.find(t, "/oslc/reports", "oslc.where", fmt.Sprintf(`dcterms:created>"%s"^^xsd:dateTime and dcterms:created<="%s"^^xsd:dateTime`, created[0], created[2]))
	assert.ElementsMatch(t, reports[1:], ids)
}

func TestReportRetention(t *testing.T) {
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web1")}
	keep, _ := env.createJob(t, jobTTL(res, nil))
	job, _ := env.createJob(t, jobTTL(res, func(p map[string]string) { p["pmj:reportRetention"] = `"PT2M"^^xsd:duration` }))
	env.advance(t, jobEpoch.Add(2*time.Minute))
	before, _, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job), "oslc.orderBy", "+pmj:periodEnd")
	require.Len(t, before, 2)
	first := env.do(t, "GET", before[0], "", "Accept", "application/n-triples")
	firstRecords := objects(graphOf(t, first, env.URL), mustIRI(t, before[0]), pmj("record"))
	require.NotEmpty(t, firstRecords)

	env.advance(t, jobEpoch.Add(3*time.Minute+30*time.Second))
	after, _, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job), "oslc.orderBy", "+pmj:periodEnd")
	assert.NotContains(t, after, before[0], "the report ended more than 2 minutes ago")
	assert.Contains(t, after, before[1])
	assert.Equal(t, 404, env.do(t, "GET", before[0], "").status)
	for _, rec := range firstRecords {
		assert.Equal(t, 404, env.do(t, "GET", rec.String(), "").status, "its records go with it")
	}
	// The other job keeps everything.
	other, _, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(keep))
	assert.Len(t, other, 3)

	r := env.do(t, "POST", "/oslc/jobs", jobTTL(res, func(p map[string]string) { p["pmj:reportRetention"] = `"PT10S"^^xsd:duration` }), "Content-Type", "text/turtle")
	assert.Equal(t, 400, r.status)
}
