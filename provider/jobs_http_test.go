package provider_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/notify"
	"github.com/oslc-pm/pmprovider/vocab"
)

// jobEpoch is when the injected clock starts: a winter day, so that
// Europe/Berlin is at +01:00, and 3 s past a 10 s boundary, so that the
// period the job is created in is not one it collects.
var jobEpoch = time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC)

// berlin writes t as the engine writes times of a Europe/Berlin job.
func berlin(t time.Time) string {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return t.In(loc).Format(time.RFC3339Nano)
}

func pmj(local string) string { return vocab.PMJ + local }

func mustIRI(t testing.TB, s string) rdf.IRI {
	t.Helper()
	i, err := rdf.NewIRI(s)
	require.NoError(t, err)
	return i
}

// jobClock is an injected clock the test moves by hand.
type jobClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *jobClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *jobClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// syncBuffer collects the provider's log.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jobEnv is a provider with the synthetic collector over a fresh store,
// served over real HTTP. The provider can be replaced by a new one over
// the same store at the same base URL, as after a restart.
type jobEnv struct {
	*testServer
	srv   *provider.Server
	clock *jobClock // nil when the provider runs on another clock
	h     atomic.Pointer[provider.Server]
	log   syncBuffer
	authn auth.Chain // the provider's authenticators; none: the loopback user
	// notify configures the provider's event hub (its allow-list of
	// callbacks, its poll); Store, Base, Logger and Now are the provider's.
	notify notify.Config
	st     provider.Store
}

// newJobEnv starts an environment whose clock is a jobClock at jobEpoch.
func newJobEnv(t *testing.T) *jobEnv {
	t.Helper()
	return newJobEnvAt(t, nil)
}

// newJobEnvAt starts an environment on the clock now, or on a jobClock at
// jobEpoch if now is nil. The test fails if the provider logs an error.
func newJobEnvAt(t *testing.T, now func() time.Time) *jobEnv {
	t.Helper()
	return newJobEnvOn(t, &jobEnv{}, now)
}

// newJobEnvWith starts env, configured by its caller (authenticators), as
// newJobEnv does.
func newJobEnvWith(t *testing.T, env *jobEnv) *jobEnv {
	t.Helper()
	return newJobEnvOn(t, env, nil)
}

func newJobEnvOn(t *testing.T, env *jobEnv, now func() time.Time) *jobEnv {
	t.Helper()
	st, db := openStore(t) // the store the test's name asks for (stores_test.go)
	env.st = st
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.h.Load().ServeHTTP(w, r)
	}))
	env.testServer = &testServer{Server: hs, db: db}
	if now == nil {
		env.boot(t, jobEpoch)
	} else {
		env.bootWith(t, now)
	}
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		assert.NotContains(t, env.log.String(), "level=ERROR", "the provider logged errors")
	})
	return env
}

// boot builds a new provider over the environment's store, on a new
// jobClock at now, and serves it in place of the previous one.
func (env *jobEnv) boot(t *testing.T, now time.Time) {
	t.Helper()
	env.clock = &jobClock{t: now}
	env.bootWith(t, env.clock.Now)
}

func (env *jobEnv) bootWith(t *testing.T, now func() time.Time) {
	t.Helper()
	srv, err := provider.New(env.st, provider.Config{
		BaseURL:        "http://" + env.Listener.Addr().String(),
		Now:            now,
		Collectors:     []collect.Collector{collect.NewSynthetic(1)},
		Logger:         slog.New(slog.NewTextHandler(&env.log, nil)),
		Authenticators: env.authn,
		Notify:         env.notify,
	})
	require.NoError(t, err)
	env.srv = srv
	env.h.Store(srv)
}

// advance moves the clock to `to`, ticking the engine at every 10 s
// boundary on the way and at `to`, as the engine's own loop would.
func (env *jobEnv) advance(t *testing.T, to time.Time) {
	t.Helper()
	ctx := context.Background()
	from := env.clock.Now()
	require.False(t, to.Before(from), "the clock runs forwards")
	for b := from.Truncate(10 * time.Second).Add(10 * time.Second); !b.After(to); b = b.Add(10 * time.Second) {
		env.clock.set(b)
		env.srv.Jobs().Tick(ctx, b)
	}
	env.clock.set(to)
	env.srv.Jobs().Tick(ctx, to)
}

// createResource creates a monitored computer system and returns its IRI.
func (env *jobEnv) createResource(t *testing.T, name string) string {
	t.Helper()
	return env.createResourceAs(t, name, nil)
}

// createResourceAs is createResource with the extra headers h
// (credentials).
func (env *jobEnv) createResourceAs(t *testing.T, name string, h []string) string {
	t.Helper()
	body := fmt.Sprintf(`@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title %q ; crtv:fqdn "%s.example.org" .`, name, name)
	r := env.do(t, "POST", "/oslc/resources", body, append([]string{"Content-Type", "text/turtle"}, h...)...)
	require.Equal(t, 201, r.status, "%s", r.body)
	return r.header.Get("Location")
}

const jobPrefixes = `@prefix pmj: <https://oslc-pm.github.io/ns/pmjob#> .
@prefix pm: <http://open-services.net/ns/perfmon#> .
@prefix ems: <http://open-services.net/ns/ems#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
`

// jobTTL writes a job definition in Turtle: a synthetic job measuring
// resources every 10 s, reporting every minute, in Europe/Berlin. edit may
// change its predicate → objects map; an empty value leaves the predicate
// out.
func jobTTL(resources []string, edit func(p map[string]string)) string {
	objs := make([]string, len(resources))
	for i, r := range resources {
		objs[i] = "<" + r + ">"
	}
	p := map[string]string{
		"a":                        "pmj:MeasurementJob",
		"dcterms:title":            `"Web tier"`,
		"pmj:collector":            "pmj:SyntheticCollector",
		"pmj:granularity":          `"PT10S"^^xsd:duration`,
		"pmj:reportingPeriod":      `"PT1M"^^xsd:duration`,
		"pmj:monitoredObject":      strings.Join(objs, ", "),
		"pmj:performanceIndicator": "pm:CpuUsed, pm:MemoryMetrics",
		"pmj:timeZone":             `"Europe/Berlin"`,
	}
	if edit != nil {
		edit(p)
	}
	var lines []string
	for k, v := range p {
		if v != "" {
			lines = append(lines, k+" "+v)
		}
	}
	sort.Strings(lines)
	return jobPrefixes + "<> " + strings.Join(lines, " ;\n  ") + " .\n"
}

// createJob POSTs a job in Turtle and returns its IRI and the response.
func (env *jobEnv) createJob(t *testing.T, body string) (rdf.IRI, response) {
	t.Helper()
	return env.createJobAs(t, body, nil)
}

// createJobAs is createJob with the extra headers h (credentials).
func (env *jobEnv) createJobAs(t *testing.T, body string, h []string) (rdf.IRI, response) {
	t.Helper()
	r := env.do(t, "POST", "/oslc/jobs", body, append([]string{"Content-Type", "text/turtle", "Accept", "text/turtle", "From", "alice@example.org"}, h...)...)
	require.Equal(t, 201, r.status, "%s", r.body)
	return mustIRI(t, r.header.Get("Location")), r
}

// getJob GETs a job and returns its graph and ETag.
func (env *jobEnv) getJob(t *testing.T, job rdf.IRI) ([]rdf.Triple, string) {
	t.Helper()
	r := env.do(t, "GET", job.String(), "", "Accept", "application/n-triples")
	require.Equal(t, 200, r.status, "%s", r.body)
	return graphOf(t, r, job.String()), r.header.Get("ETag")
}

// states returns a job's execution and admin states in g.
func states(t *testing.T, g []rdf.Triple, job rdf.IRI) (exec, admin string) {
	t.Helper()
	return one(t, g, job, pmj("executionState")).String(), one(t, g, job, pmj("adminState")).String()
}

// find runs an OSLC query on the query base at path, with params as
// name, value pairs, and returns the members, the page's graph and its
// oslc:totalCount (-1 if none).
func (env *jobEnv) find(t *testing.T, path string, params ...string) (members []string, g []rdf.Triple, total int) {
	t.Helper()
	v := url.Values{"oslc.pageSize": {"1000"}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	r := env.do(t, "GET", path+"?"+v.Encode(), "", "Accept", "application/n-triples")
	require.Equal(t, 200, r.status, "%s?%s\n%s", path, v.Encode(), r.body)
	g = graphOf(t, r, env.URL)
	for _, m := range objects(g, mustIRI(t, env.URL+path), vocab.RDFS+"member") {
		members = append(members, m.String())
	}
	require.Empty(t, objects(g, nil, vocab.OSLC+"nextPage"), "one page holds them all")
	total = -1
	if tc := objects(g, nil, vocab.OSLC+"totalCount"); len(tc) == 1 {
		n, err := strconv.Atoi(tc[0].String())
		require.NoError(t, err)
		total = n
	}
	return members, g, total
}

func producedBy(job rdf.IRI) string { return "pmj:producedBy=<" + job.String() + ">" }

// jobRecord is a record a job produced.
type jobRecord struct {
	id, partOf, date, start string
}

// records returns the records job produced.
func (env *jobEnv) records(t *testing.T, job rdf.IRI) []jobRecord {
	t.Helper()
	ids, g, total := env.find(t, "/oslc/records", "oslc.where", producedBy(job), "oslc.select", "dcterms:isPartOf,dcterms:date,pmj:periodStart")
	assert.Equal(t, len(ids), total, "oslc:totalCount")
	var out []jobRecord
	for _, id := range ids {
		s := mustIRI(t, id)
		out = append(out, jobRecord{
			id:     id,
			partOf: one(t, g, s, vocab.DCTerms+"isPartOf").String(),
			date:   one(t, g, s, vocab.DCTerms+"date").String(),
			start:  one(t, g, s, pmj("periodStart")).String(),
		})
	}
	return out
}

// tracked is a tracking record of a job.
type tracked struct {
	id, event, creator string
	missed             []string
}

// tracking returns the tracking records of job.
func (env *jobEnv) tracking(t *testing.T, job rdf.IRI) []tracked {
	t.Helper()
	ids, g, _ := env.find(t, "/oslc/tracking", "oslc.where", producedBy(job), "oslc.select", "*")
	return trackedIn(t, ids, g)
}

func trackedIn(t *testing.T, ids []string, g []rdf.Triple) []tracked {
	t.Helper()
	var out []tracked
	for _, id := range ids {
		s := mustIRI(t, id)
		tr := tracked{id: id, event: one(t, g, s, pmj("event")).String()}
		if c := objects(g, s, vocab.DCTerms+"creator"); len(c) == 1 {
			tr.creator = c[0].String()
		}
		for _, m := range objects(g, s, pmj("missedPeriod")) {
			tr.missed = append(tr.missed, m.String())
		}
		out = append(out, tr)
	}
	return out
}

func events(ts []tracked) []string {
	var out []string
	for _, tr := range ts {
		out = append(out, strings.TrimPrefix(tr.event, vocab.PMJ))
	}
	return out
}

// oslcError returns the message of the oslc:Error r holds, checking its
// status code.
func oslcError(t *testing.T, r response) string {
	t.Helper()
	g := graphOf(t, r, "http://error.invalid/")
	var node rdf.Term
	for _, tr := range g {
		if tr.Pred.String() == vocab.RDF+"type" && tr.Obj.String() == vocab.OSLC+"Error" {
			node = tr.Subj
		}
	}
	require.NotNil(t, node, "an oslc:Error in %s", r.body)
	assert.Equal(t, strconv.Itoa(r.status), one(t, g, node, vocab.OSLC+"statusCode").String())
	return one(t, g, node, vocab.OSLC+"message").String()
}

func strs(ts []rdf.Term) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	sort.Strings(out)
	return out
}

func TestJobDiscovery(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	r := env.do(t, "GET", "/oslc/provider", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status)
	sp := mustIRI(t, env.URL+"/oslc/provider")
	g := graphOf(t, r, sp.String())
	assert.Equal(t, env.URL+"/oslc/capabilities", one(t, g, sp, pmj("capabilities")).String())

	// resourceType → factory creation URLs and query bases, per domain.
	type offers struct{ factories, queries map[string][]string }
	byDomain := make(map[string]offers)
	for _, svc := range objects(g, sp, vocab.OSLC+"service") {
		d := one(t, g, svc, vocab.OSLC+"domain").String()
		o := offers{map[string][]string{}, map[string][]string{}}
		for _, cf := range objects(g, svc, vocab.OSLC+"creationFactory") {
			for _, rt := range objects(g, cf, vocab.OSLC+"resourceType") {
				o.factories[rt.String()] = append(o.factories[rt.String()], one(t, g, cf, vocab.OSLC+"creation").String())
			}
		}
		for _, qc := range objects(g, svc, vocab.OSLC+"queryCapability") {
			for _, rt := range objects(g, qc, vocab.OSLC+"resourceType") {
				o.queries[rt.String()] = append(o.queries[rt.String()], one(t, g, qc, vocab.OSLC+"queryBase").String())
			}
		}
		byDomain[d] = o
	}
	require.Contains(t, byDomain, vocab.PM)
	require.Contains(t, byDomain, vocab.PMLegacy)
	pmSvc, legacy := byDomain[vocab.PM], byDomain[vocab.PMLegacy]

	assert.Equal(t, []string{env.URL + "/oslc/jobs"}, pmSvc.factories[pmj("MeasurementJob")])
	assert.Equal(t, []string{env.URL + "/oslc/jobs"}, pmSvc.queries[pmj("MeasurementJob")])
	for class, path := range map[string]string{
		"PerformanceReport": "/oslc/reports",
		"TrackingRecord":    "/oslc/tracking",
		"Notification":      "/oslc/notifications",
	} {
		assert.Equal(t, []string{env.URL + path}, pmSvc.queries[pmj(class)], "query capability for pmj:%s", class)
		assert.Empty(t, pmSvc.factories[pmj(class)], "no creation factory for pmj:%s", class)
	}
	for rt := range legacy.factories {
		assert.False(t, strings.HasPrefix(rt, vocab.PMJ), "legacy service offers a factory for %s", rt)
	}
	for rt, qb := range legacy.queries {
		assert.False(t, strings.HasPrefix(rt, vocab.PMJ), "legacy service offers a query for %s", rt)
		for _, b := range qb {
			assert.NotContains(t, []string{"/oslc/jobs", "/oslc/reports", "/oslc/tracking", "/oslc/notifications"}, strings.TrimPrefix(b, env.URL))
		}
	}
	assert.NotEmpty(t, legacy.factories[vocab.PM+"PerformanceMonitoringRecord"], "the legacy service keeps the records")

	// The advertised job factory is the one discover() finds too.
	factory, queryBase := discover(t, env.testServer, pmj("MeasurementJob"))
	assert.Equal(t, env.URL+"/oslc/jobs", factory)
	assert.Equal(t, env.URL+"/oslc/jobs", queryBase)

	// The job shape and the vocabulary are served.
	r = env.do(t, "GET", "/oslc/shapes/job", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status, "%s", r.body)
	shape := mustIRI(t, env.URL+"/oslc/shapes/job")
	sg := graphOf(t, r, shape.String())
	assert.Equal(t, []string{pmj("MeasurementJob")}, strs(objects(sg, shape, vocab.OSLC+"describes")))
	var defs []string
	for _, p := range objects(sg, shape, vocab.OSLC+"property") {
		defs = append(defs, strs(objects(sg, p, vocab.OSLC+"propertyDefinition"))...)
	}
	for _, p := range []string{"granularity", "reportingPeriod", "collector", "monitoredObject", "executionState", "adminState", "timeZone"} {
		assert.Contains(t, defs, pmj(p))
	}

	r = env.do(t, "GET", "/ns/pmjob", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status, "%s", r.body)
	vg := graphOf(t, r, env.URL+"/ns/pmjob")
	assert.Contains(t, strs(objects(vg, mustIRI(t, pmj("MeasurementJob")), vocab.RDF+"type")), vocab.RDFS+"Class")
	assert.Contains(t, strs(objects(vg, mustIRI(t, pmj("SyntheticCollector")), vocab.RDF+"type")), pmj("Collector"))
}

func TestJobCapabilities(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	r := env.do(t, "GET", "/oslc/capabilities", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status, "%s", r.body)
	c := mustIRI(t, env.URL+"/oslc/capabilities")
	g := graphOf(t, r, c.String())
	assert.Equal(t, []string{pmj("Capabilities")}, strs(objects(g, c, vocab.RDF+"type")))
	assert.ElementsMatch(t, []string{"PT10S", "PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "P1D"}, strs(objects(g, c, pmj("supportedGranularity"))))
	collectors := strs(objects(g, c, pmj("supportedCollector")))
	assert.Equal(t, []string{pmj("PushCollector"), pmj("SyntheticCollector")}, collectors)
	for _, col := range collectors {
		ci := mustIRI(t, col)
		assert.Equal(t, []string{pmj("Collector")}, strs(objects(g, ci, vocab.RDF+"type")), col)
		ms := strs(objects(g, ci, pmj("supportedMetric")))
		assert.Contains(t, ms, vocab.PM+"CpuUsed", col)
		assert.Contains(t, ms, vocab.PM+"RealMemoryUsed", col)
	}
	assert.Equal(t, "P30D", one(t, g, c, pmj("schedulingHorizon")).String())
}

// TestJobCreateAndCollect creates a job over two resources, lets the
// engine run it for two minutes and reads what it produced.
func TestJobCreateAndCollect(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web01"), env.createResource(t, "web02")}
	job, created := env.createJob(t, jobTTL(res, nil))

	assert.True(t, strings.HasPrefix(job.String(), env.URL+"/oslc/jobs/"), "Location %s", job)
	etag := created.header.Get("ETag")
	require.NotEmpty(t, etag)
	g := graphOf(t, created, job.String())
	exec, admin := states(t, g, job)
	assert.Equal(t, pmj("InProgress"), exec)
	assert.Equal(t, pmj("Unlocked"), admin)
	assert.Equal(t, pmj("OnDuty"), one(t, g, job, pmj("duty")).String())
	tracking := one(t, g, job, pmj("trackingRecords")).String()
	assert.True(t, strings.HasPrefix(tracking, env.URL+"/oslc/tracking?"), tracking)
	assert.Empty(t, objects(g, job, pmj("push")), "only push jobs have a push URL")

	// GET it back, in RDF/XML (the default) and Turtle.
	for _, accept := range []string{"", "text/turtle"} {
		r := env.do(t, "GET", job.String(), "", "Accept", accept)
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.Equal(t, stateTag(etag), stateTag(r.header.Get("ETag")), accept)
		g := graphOf(t, r, job.String())
		exec, admin := states(t, g, job)
		assert.Equal(t, pmj("InProgress"), exec)
		assert.Equal(t, pmj("Unlocked"), admin)
		assert.Equal(t, "Web tier", one(t, g, job, vocab.DCTerms+"title").String())
		assert.Equal(t, pmj("SyntheticCollector"), one(t, g, job, pmj("collector")).String())
		assert.Equal(t, "PT10S", one(t, g, job, pmj("granularity")).String())
		assert.Equal(t, "PT1M", one(t, g, job, pmj("reportingPeriod")).String())
		assert.Equal(t, "Europe/Berlin", one(t, g, job, pmj("timeZone")).String())
		assert.ElementsMatch(t, res, strs(objects(g, job, pmj("monitoredObject"))))
		assert.ElementsMatch(t, []string{vocab.PM + "CpuUsed", vocab.PM + "MemoryMetrics"}, strs(objects(g, job, pmj("performanceIndicator"))))
		assert.Equal(t, env.URL+"/oslc/shapes/job", one(t, g, job, vocab.OSLC+"instanceShape").String())
		assert.Equal(t, tracking, one(t, g, job, pmj("trackingRecords")).String())
	}

	// Created at 10:00:03, the job collects from 10:00:10; by 10:02:10 it
	// has collected the twelve periods ending 10:00:20 to 10:02:10.
	env.advance(t, jobEpoch.Add(2*time.Minute+7*time.Second))
	recs := env.records(t, job)
	require.Len(t, recs, 12*2)
	var wantDates []string
	for i := 0; i < 12; i++ {
		wantDates = append(wantDates, berlin(time.Date(2026, 11, 24, 10, 0, 20+10*i, 0, time.UTC)))
	}
	seen := make(map[string]bool)
	byRes := make(map[string][]string)
	for _, rec := range recs {
		assert.True(t, strings.HasSuffix(rec.date, "+01:00"), "dcterms:date %s in Berlin winter time", rec.date)
		assert.Contains(t, res, rec.partOf)
		key := rec.partOf + " " + rec.date
		assert.False(t, seen[key], "two records of %s", key)
		seen[key] = true
		byRes[rec.partOf] = append(byRes[rec.partOf], rec.date)
		end, err := time.Parse(time.RFC3339, rec.date)
		require.NoError(t, err)
		assert.Equal(t, berlin(end.Add(-10*time.Second)), rec.start, "pmj:periodStart of %s", rec.id)
	}
	for _, r := range res {
		sort.Strings(byRes[r])
		assert.Equal(t, wantDates, byRes[r], "periods of %s", r)
	}

	// The records measure what was asked: pm:CpuUsed and the memory
	// metrics, nothing else.
	for _, tt := range []struct {
		where string
		want  int
	}{
		{"ems:observes{ems:metric=pm:CpuUsed}", 24},
		{"ems:observes{ems:metric{rdfs:subClassOf=pm:MemoryMetrics}}", 24},
		{"ems:observes{ems:metric=pm:CpuSpeed}", 0},
	} {
		ids, _, _ := env.find(t, "/oslc/records", "oslc.where", producedBy(job)+" and "+tt.where)
		assert.Len(t, ids, tt.want, tt.where)
	}

	// One report per reporting period that ended: 10:00-10:01 with the
	// five periods from 10:00:10, and 10:01-10:02 with six.
	ids, rg, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job), "oslc.select", "*")
	require.Len(t, ids, 2)
	recIDs := make(map[string]bool)
	for _, rec := range recs {
		recIDs[rec.id] = true
	}
	reports := make(map[string]rdf.IRI)
	for _, id := range ids {
		rep := mustIRI(t, id)
		reports[one(t, rg, rep, pmj("periodEnd")).String()] = rep
		links := strs(objects(rg, rep, pmj("record")))
		assert.Equal(t, strconv.Itoa(len(links)), one(t, rg, rep, pmj("recordCount")).String(), "pmj:recordCount of %s", id)
		for _, l := range links {
			assert.True(t, recIDs[l], "report %s links %s, not a record of the job", id, l)
		}
		assert.Equal(t, "PT10S", one(t, rg, rep, pmj("granularity")).String())
		assert.Equal(t, "0", one(t, rg, rep, pmj("missedPeriods")).String())
	}
	for _, tt := range []struct {
		end              time.Time
		records, periods string
	}{
		{time.Date(2026, 11, 24, 10, 1, 0, 0, time.UTC), "10", "5"},
		{time.Date(2026, 11, 24, 10, 2, 0, 0, time.UTC), "12", "6"},
	} {
		rep, ok := reports[berlin(tt.end)]
		if !assert.True(t, ok, "a report ending %s; have %v", berlin(tt.end), reports) {
			continue
		}
		assert.Equal(t, berlin(tt.end.Add(-time.Minute)), one(t, rg, rep, pmj("periodStart")).String())
		assert.Equal(t, tt.records, one(t, rg, rep, pmj("recordCount")).String())
		assert.Equal(t, tt.periods, one(t, rg, rep, pmj("collectedPeriods")).String())
	}

	// The tracking records say who created the job: the authenticated
	// principal (here the loopback user), never the From header the
	// client sent. The job's pmj:trackingRecords link finds the same ones.
	trs := env.tracking(t, job)
	assert.Subset(t, events(trs), []string{"Created", "StateChanged"})
	for _, tr := range trs {
		assert.NotEmpty(t, tr.creator, "dcterms:creator of %s", tr.id)
		if tr.event == pmj("Created") {
			assert.Equal(t, provider.LocalUser.Name, tr.creator)
		}
	}
	r := env.do(t, "GET", tracking+"&oslc.select=*", "", "Accept", "application/n-triples")
	require.Equal(t, 200, r.status, "%s", r.body)
	lg := graphOf(t, r, env.URL)
	linked := trackedIn(t, strs(objects(lg, mustIRI(t, env.URL+"/oslc/tracking"), vocab.RDFS+"member")), lg)
	assert.ElementsMatch(t, events(trs), events(linked))

	// Jobs are found by their attributes, ANDed.
	for _, tt := range []struct {
		where string
		found bool
	}{
		{"pmj:collector=pmj:SyntheticCollector and pmj:executionState=pmj:InProgress", true},
		{"pmj:collector=pmj:SyntheticCollector and pmj:executionState=pmj:InProgress and pmj:adminState=pmj:Unlocked", true},
		{`pmj:monitoredObject=<` + res[1] + `> and pmj:timeZone="Europe/Berlin"`, true},
		{"pmj:collector=pmj:PushCollector and pmj:executionState=pmj:InProgress", false},
		{"pmj:collector=pmj:SyntheticCollector and pmj:executionState=pmj:Suspended", false},
		{`pmj:collector=pmj:SyntheticCollector and pmj:timeZone="UTC"`, false},
	} {
		ids, _, total := env.find(t, "/oslc/jobs", "oslc.where", tt.where)
		if tt.found {
			assert.Equal(t, []string{job.String()}, ids, tt.where)
			assert.Equal(t, 1, total, tt.where)
		} else {
			assert.Empty(t, ids, tt.where)
			assert.Equal(t, 0, total, tt.where)
		}
	}
}

// TestJobCreateInOtherFormats creates the job in JSON-LD, RDF/XML and
// N-Triples.
func TestJobCreateInOtherFormats(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := []string{env.createResource(t, "db01"), env.createResource(t, "db02")}
	src, err := codec.Decode(strings.NewReader(jobTTL(res, nil)), codec.Turtle, "http://client.example/new")
	require.NoError(t, err)
	for _, f := range []codec.Format{codec.JSONLD, codec.RDFXML, codec.NTriples} {
		t.Run(f.MediaType(), func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, codec.Encode(&buf, f, src, nil))
			r := env.do(t, "POST", "/oslc/jobs", buf.String(), "Content-Type", f.MediaType(), "Accept", f.MediaType())
			require.Equal(t, 201, r.status, "%s", r.body)
			job := mustIRI(t, r.header.Get("Location"))
			g := graphOf(t, r, job.String())
			exec, _ := states(t, g, job)
			assert.Equal(t, pmj("InProgress"), exec)
			assert.Equal(t, "PT10S", one(t, g, job, pmj("granularity")).String())
			assert.Equal(t, pmj("SyntheticCollector"), one(t, g, job, pmj("collector")).String())
			assert.ElementsMatch(t, res, strs(objects(g, job, pmj("monitoredObject"))))
			assert.Empty(t, objects(g, mustIRI(t, "http://client.example/new"), vocab.RDF+"type"), "the client's name is replaced")
		})
	}
	_, _, total := env.find(t, "/oslc/jobs")
	assert.Equal(t, 3, total)

	// A job named by a blank node, as a JSON-LD body without @id is.
	t.Run("blank node subject", func(t *testing.T) {
		body := strings.Replace(jobTTL(res, nil), "<> ", "_:job ", 1)
		r := env.do(t, "POST", "/oslc/jobs", body, "Content-Type", "text/turtle", "Accept", "text/turtle")
		require.Equal(t, 201, r.status, "%s", r.body)
		job := mustIRI(t, r.header.Get("Location"))
		g := graphOf(t, r, job.String())
		assert.Equal(t, pmj("SyntheticCollector"), one(t, g, job, pmj("collector")).String())
		assert.ElementsMatch(t, res, strs(objects(g, job, pmj("monitoredObject"))))
	})
}

// TestJobScheduledStart creates a job that starts later.
func TestJobScheduledStart(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web01")}
	start := time.Date(2026, 11, 24, 10, 5, 0, 0, time.UTC)
	job, created := env.createJob(t, jobTTL(res, func(p map[string]string) {
		p["pmj:startTime"] = `"` + berlin(start) + `"^^xsd:dateTime`
	}))
	exec, _ := states(t, graphOf(t, created, job.String()), job)
	assert.Equal(t, pmj("Scheduled"), exec)

	env.advance(t, start.Add(-time.Second))
	assert.Empty(t, env.records(t, job), "no records before the start time")
	g, _ := env.getJob(t, job)
	exec, _ = states(t, g, job)
	assert.Equal(t, pmj("Scheduled"), exec)

	env.advance(t, start.Add(20*time.Second))
	g, _ = env.getJob(t, job)
	exec, _ = states(t, g, job)
	assert.Equal(t, pmj("InProgress"), exec)
	recs := env.records(t, job)
	require.Len(t, recs, 2)
	for _, rec := range recs {
		s, err := time.Parse(time.RFC3339, rec.start)
		require.NoError(t, err)
		assert.False(t, s.Before(start), "record of the period from %s, before the start time", rec.start)
	}
}

func TestJobSuspendResume(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web01"), env.createResource(t, "web02")}
	job, _ := env.createJob(t, jobTTL(res, nil))
	env.advance(t, time.Date(2026, 11, 24, 10, 1, 0, 0, time.UTC))
	n := len(env.records(t, job))
	require.Equal(t, 5*2, n)

	// Suspend by the action URL.
	suspendAt := time.Date(2026, 11, 24, 10, 1, 5, 0, time.UTC)
	env.advance(t, suspendAt)
	r := env.do(t, "POST", job.String()+"/suspend", "", "Accept", "text/turtle", "From", "bob@example.org")
	require.Equal(t, 200, r.status, "%s", r.body)
	exec, admin := states(t, graphOf(t, r, job.String()), job)
	assert.Equal(t, pmj("Suspended"), exec)
	assert.Equal(t, pmj("Locked"), admin)
	g, etag := env.getJob(t, job)
	assert.Equal(t, stateTag(r.header.Get("ETag")), stateTag(etag), "the action returns the job's new ETag")
	exec, admin = states(t, g, job)
	assert.Equal(t, pmj("Suspended"), exec)
	assert.Equal(t, pmj("Locked"), admin)

	env.advance(t, suspendAt.Add(time.Minute))
	assert.Len(t, env.records(t, job), n, "a suspended job collects nothing")
	g, _ = env.getJob(t, job)
	exec, _ = states(t, g, job)
	assert.Equal(t, pmj("Suspended"), exec, "still suspended after ticking")

	// Resume: collection starts again at the next boundary.
	resumeAt := suspendAt.Add(time.Minute) // 10:02:05
	r = env.do(t, "POST", job.String()+"/resume", "", "Accept", "text/turtle", "From", "bob@example.org")
	require.Equal(t, 200, r.status, "%s", r.body)
	exec, admin = states(t, graphOf(t, r, job.String()), job)
	assert.Equal(t, pmj("InProgress"), exec)
	assert.Equal(t, pmj("Unlocked"), admin)
	env.advance(t, resumeAt.Add(5*time.Second))
	assert.Len(t, env.records(t, job), n, "the period under way at the resume is not collected")
	env.advance(t, resumeAt.Add(15*time.Second))
	recs := env.records(t, job)
	assert.Len(t, recs, n+2, "the first whole period after the resume is collected")
	for _, rec := range recs {
		s, err := time.Parse(time.RFC3339, rec.start)
		require.NoError(t, err)
		assert.True(t, s.Before(suspendAt) || !s.Before(resumeAt), "a record of the period from %s, while suspended", rec.start)
	}
	evs := events(env.tracking(t, job))
	assert.Contains(t, evs, "SuspendedEvent")
	assert.Contains(t, evs, "ResumedEvent")
	n = len(recs)

	// Suspend by PUTting pmj:adminState pmj:Locked.
	putAdmin := func(t *testing.T, state string, h ...string) response {
		t.Helper()
		g, _ := env.getJob(t, job)
		for i, tr := range g {
			if rdf.TermsEqual(tr.Subj, job) && tr.Pred.String() == pmj("adminState") {
				g[i].Obj = mustIRI(t, pmj(state))
			}
		}
		var buf bytes.Buffer
		require.NoError(t, codec.Encode(&buf, codec.Turtle, g, nil))
		return env.do(t, "PUT", job.String(), buf.String(), append([]string{"Content-Type", "text/turtle", "Accept", "text/turtle"}, h...)...)
	}
	_, etag = env.getJob(t, job)
	r = putAdmin(t, "Locked")
	assert.Equal(t, 400, r.status, "PUT without If-Match: %s", r.body)
	assert.Contains(t, oslcError(t, r), "If-Match")
	r = putAdmin(t, "Locked", "If-Match", `"stale"`)
	assert.Equal(t, 412, r.status, "PUT with a stale ETag: %s", r.body)
	oslcError(t, r)
	g, _ = env.getJob(t, job)
	exec, _ = states(t, g, job)
	require.Equal(t, pmj("InProgress"), exec, "refused PUTs change nothing")

	r = putAdmin(t, "Locked", "If-Match", etag)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.NotEqual(t, etag, r.header.Get("ETag"))
	exec, admin = states(t, graphOf(t, r, job.String()), job)
	assert.Equal(t, pmj("Suspended"), exec)
	assert.Equal(t, pmj("Locked"), admin)
	g, etag2 := env.getJob(t, job)
	assert.Equal(t, stateTag(r.header.Get("ETag")), stateTag(etag2))
	exec, admin = states(t, g, job)
	assert.Equal(t, pmj("Suspended"), exec)
	assert.Equal(t, pmj("Locked"), admin)
	r = putAdmin(t, "Locked", "If-Match", etag)
	assert.Equal(t, 412, r.status, "the ETag before the PUT is stale: %s", r.body)

	putAt := env.clock.Now()
	env.advance(t, putAt.Add(time.Minute))
	assert.Len(t, env.records(t, job), n, "a job locked by PUT collects nothing")

	// And resume by PUTting pmj:Unlocked.
	resumeAt = env.clock.Now()
	_, etag = env.getJob(t, job)
	r = putAdmin(t, "Unlocked", "If-Match", etag)
	require.Equal(t, 200, r.status, "%s", r.body)
	exec, admin = states(t, graphOf(t, r, job.String()), job)
	assert.Equal(t, pmj("InProgress"), exec)
	assert.Equal(t, pmj("Unlocked"), admin)
	env.advance(t, resumeAt.Add(10*time.Second)) // resumed on a boundary: that period counts
	recs = env.records(t, job)
	assert.Len(t, recs, n+2)
	for _, rec := range recs {
		s, err := time.Parse(time.RFC3339, rec.start)
		require.NoError(t, err)
		assert.True(t, s.Before(putAt) || !s.Before(resumeAt), "a record of the period from %s, while locked", rec.start)
	}
	assert.Contains(t, events(env.tracking(t, job)), "Updated")
}

func TestJobCancelAndDelete(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web01"), env.createResource(t, "web02")}
	job, _ := env.createJob(t, jobTTL(res, nil))
	other, _ := env.createJob(t, jobTTL(res[:1], nil))
	env.advance(t, jobEpoch.Add(30*time.Second))
	require.Len(t, env.records(t, job), 2*2)
	require.Len(t, env.records(t, other), 2)

	r := env.do(t, "POST", job.String()+"/cancel", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status, "%s", r.body)
	exec, _ := states(t, graphOf(t, r, job.String()), job)
	assert.Equal(t, pmj("Cancelled"), exec)
	g, _ := env.getJob(t, job)
	exec, _ = states(t, g, job)
	assert.Equal(t, pmj("Cancelled"), exec, "a cancelled job is still there")

	for _, action := range []string{"resume", "suspend"} {
		r = env.do(t, "POST", job.String()+"/"+action, "", "Accept", "text/turtle")
		assert.Equal(t, 409, r.status, "%s after cancel: %s", action, r.body)
		assert.Contains(t, oslcError(t, r), "cancelled")
	}
	r = env.do(t, "POST", job.String()+"/cancel", "")
	assert.Equal(t, 200, r.status, "cancelling a cancelled job changes nothing: %s", r.body)

	g, etag := env.getJob(t, job)
	var buf bytes.Buffer
	for i, tr := range g {
		if rdf.TermsEqual(tr.Subj, job) && tr.Pred.String() == vocab.DCTerms+"title" {
			g[i].Obj = rdf.NewTypedLiteral("Renamed", mustIRI(t, vocab.RDF+"XMLLiteral"))
		}
	}
	require.NoError(t, codec.Encode(&buf, codec.Turtle, g, nil))
	r = env.do(t, "PUT", job.String(), buf.String(), "Content-Type", "text/turtle", "If-Match", etag)
	assert.Equal(t, 409, r.status, "PUT after cancel: %s", r.body)
	oslcError(t, r)
	_, after := env.getJob(t, job)
	assert.Equal(t, etag, after, "a refused PUT changes nothing")

	env.advance(t, jobEpoch.Add(90*time.Second))
	assert.Len(t, env.records(t, job), 2*2, "no records after cancel")
	assert.Contains(t, events(env.tracking(t, job)), "CancelledEvent")
	nOther := len(env.records(t, other))
	assert.Equal(t, 8, nOther, "the other job kept going")
	reports, _, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job))

	// DELETE: the job goes, what it produced stays.
	for _, j := range []rdf.IRI{job, other} {
		before := env.tracking(t, j)
		r = env.do(t, "DELETE", j.String(), "", "If-Match", `"stale"`)
		assert.Equal(t, 412, r.status, "DELETE with a stale ETag: %s", r.body)
		r = env.do(t, "DELETE", j.String(), "")
		require.Equal(t, 204, r.status, "%s", r.body)
		r = env.do(t, "GET", j.String(), "")
		assert.Equal(t, 404, r.status)
		oslcError(t, r)
		r = env.do(t, "POST", j.String()+"/suspend", "")
		assert.Equal(t, 404, r.status, "%s", r.body)
		r = env.do(t, "DELETE", j.String(), "")
		assert.Equal(t, 404, r.status, "%s", r.body)
		after := env.tracking(t, j)
		assert.Subset(t, events(after), events(before), "tracking records stay")
		assert.Contains(t, events(after), "Deleted")
	}
	assert.Len(t, env.records(t, job), 2*2, "records stay")
	env.advance(t, jobEpoch.Add(150*time.Second))
	assert.Len(t, env.records(t, other), nOther, "a deleted job collects nothing")
	_, _, total := env.find(t, "/oslc/jobs")
	assert.Equal(t, 0, total)
	ids, _, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job))
	assert.ElementsMatch(t, reports, ids, "reports stay")
}

// TestJobChangesKeepEveryPeriod changes a running job in ways that leave
// its schedule alone: every granularity period of a reporting period must
// still be either collected or reported missed.
func TestJobChangesKeepEveryPeriod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(t *testing.T, env *jobEnv, job rdf.IRI)
	}{
		{"resume a running job", func(t *testing.T, env *jobEnv, job rdf.IRI) {
			r := env.do(t, "POST", job.String()+"/resume", "")
			require.Equal(t, 200, r.status, "%s", r.body)
		}},
		{"PUT a new title", func(t *testing.T, env *jobEnv, job rdf.IRI) {
			g, etag := env.getJob(t, job)
			for i, tr := range g {
				if rdf.TermsEqual(tr.Subj, job) && tr.Pred.String() == vocab.DCTerms+"title" {
					g[i].Obj = rdf.NewTypedLiteral("Web tier, renamed", mustIRI(t, vocab.RDF+"XMLLiteral"))
				}
			}
			var buf bytes.Buffer
			require.NoError(t, codec.Encode(&buf, codec.Turtle, g, nil))
			r := env.do(t, "PUT", job.String(), buf.String(), "Content-Type", "text/turtle", "If-Match", etag)
			require.Equal(t, 200, r.status, "%s", r.body)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newJobEnv(t)
			res := []string{env.createResource(t, "web01")}
			job, _ := env.createJob(t, jobTTL(res, nil))
			env.advance(t, time.Date(2026, 11, 24, 10, 1, 5, 0, time.UTC))
			tt.change(t, env, job)
			env.advance(t, time.Date(2026, 11, 24, 10, 2, 0, 0, time.UTC))

			ids, rg, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job)+` and pmj:periodEnd="`+berlin(time.Date(2026, 11, 24, 10, 2, 0, 0, time.UTC))+`"^^xsd:dateTime`, "oslc.select", "*")
			require.Len(t, ids, 1, "the report of 10:01-10:02")
			rep := mustIRI(t, ids[0])
			collected, err := strconv.Atoi(one(t, rg, rep, pmj("collectedPeriods")).String())
			require.NoError(t, err)
			missed, err := strconv.Atoi(one(t, rg, rep, pmj("missedPeriods")).String())
			require.NoError(t, err)
			assert.Equal(t, 6, collected+missed, "collected %d + missed %d periods of 10 s in a minute", collected, missed)
			assert.Len(t, env.records(t, job), 5+collected, "records: five before 10:01, then one per period collected")
		})
	}
}

// TestJobCancelledEmitsNothingMore cancels a job in the middle of a
// reporting period: that period's report lists what the job collected,
// and nothing is emitted after it.
func TestJobCancelledEmitsNothingMore(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web01")}
	job, _ := env.createJob(t, jobTTL(res, nil))
	env.advance(t, jobEpoch.Add(30*time.Second))
	r := env.do(t, "POST", job.String()+"/cancel", "")
	require.Equal(t, 200, r.status, "%s", r.body)
	env.advance(t, jobEpoch.Add(4*time.Minute))

	assert.Len(t, env.records(t, job), 2)
	ids, rg, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job), "oslc.select", "*")
	var ends []string
	for _, id := range ids {
		rep := mustIRI(t, id)
		end := one(t, rg, rep, pmj("periodEnd")).String()
		ends = append(ends, end)
		if end == berlin(time.Date(2026, 11, 24, 10, 1, 0, 0, time.UTC)) {
			assert.Equal(t, "2", one(t, rg, rep, pmj("recordCount")).String())
		}
	}
	assert.Equal(t, []string{berlin(time.Date(2026, 11, 24, 10, 1, 0, 0, time.UTC))}, ends, "reports of the cancelled job")
}

// TestJobRestartAfterCancel restarts the provider some minutes after a
// job was cancelled: the restart must not emit anything for it.
func TestJobRestartAfterCancel(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web01")}
	job, _ := env.createJob(t, jobTTL(res, nil))
	env.advance(t, jobEpoch.Add(30*time.Second))
	r := env.do(t, "POST", job.String()+"/cancel", "")
	require.Equal(t, 200, r.status, "%s", r.body)
	trs := events(env.tracking(t, job))

	env.boot(t, jobEpoch.Add(30*time.Second+5*time.Minute))
	g, _ := env.getJob(t, job)
	exec, _ := states(t, g, job)
	assert.Equal(t, pmj("Cancelled"), exec)
	assert.Len(t, env.records(t, job), 2)
	assert.ElementsMatch(t, trs, events(env.tracking(t, job)), "no tracking records for a cancelled job")
	ids, rg, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job), "oslc.select", "pmj:periodEnd")
	var ends []string
	for _, id := range ids {
		ends = append(ends, one(t, rg, mustIRI(t, id), pmj("periodEnd")).String())
	}
	assert.LessOrEqual(t, len(ends), 1, "reports of the job emitted while it was cancelled: %v", ends)
}

func TestJobBadDefinitions(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web01")}
	env.createJob(t, jobTTL(res, nil))
	_, _, jobs := env.find(t, "/oslc/jobs")
	_, _, tracking := env.find(t, "/oslc/tracking")
	require.Equal(t, 1, jobs)
	at := func(d time.Duration) string { return `"` + berlin(jobEpoch.Add(d)) + `"^^xsd:dateTime` }

	tests := []struct {
		name string
		edit func(p map[string]string)
		want []string
	}{
		{"granularity PT7S", func(p map[string]string) { p["pmj:granularity"] = `"PT7S"^^xsd:duration` },
			[]string{"pmj:granularity", "not supported"}},
		{"reporting period not whole granularities", func(p map[string]string) { p["pmj:reportingPeriod"] = `"PT25S"^^xsd:duration` },
			[]string{"pmj:reportingPeriod", "not a whole number"}},
		{"interval not aligned", func(p map[string]string) { p["pmj:dailyInterval"] = `"08:00:05-09:00"` },
			[]string{"pmj:dailyInterval", "08:00:05", "boundary"}},
		{"intervals overlap", func(p map[string]string) { p["pmj:dailyInterval"] = `"08:00-10:00", "09:00-11:00"` },
			[]string{"pmj:dailyInterval", "overlaps"}},
		{"stop before start", func(p map[string]string) {
			p["pmj:startTime"] = at(2 * time.Hour)
			p["pmj:stopTime"] = at(time.Hour)
		}, []string{"pmj:stopTime", "not after the start time"}},
		{"start beyond the horizon", func(p map[string]string) { p["pmj:startTime"] = at(40 * 24 * time.Hour) },
			[]string{"pmj:startTime"}},
		{"unknown metric", func(p map[string]string) { p["pmj:performanceIndicator"] = "pm:NoSuchMetric" },
			[]string{"pmj:performanceIndicator", "pm:NoSuchMetric"}},
		{"monitored object not stored", func(p map[string]string) { p["pmj:monitoredObject"] = "<" + env.URL + "/oslc/resources/nope>" },
			[]string{"pmj:monitoredObject", "/oslc/resources/nope"}},
		{"monitored object elsewhere", func(p map[string]string) { p["pmj:monitoredObject"] = "<http://example.org/hosts/web01>" },
			[]string{"pmj:monitoredObject", "http://example.org/hosts/web01"}},
		{"unknown collector", func(p map[string]string) { p["pmj:collector"] = "pmj:MagicCollector" },
			[]string{"pmj:collector", "pmj:MagicCollector"}},
		{"unknown time zone", func(p map[string]string) { p["pmj:timeZone"] = `"Mars/Olympus"` },
			[]string{"pmj:timeZone", "Mars/Olympus"}},
		{"on-demand without stop time", func(p map[string]string) { p["pmj:jobType"] = "pmj:OnDemand" },
			[]string{"pmj:stopTime", "on-demand"}},
		{"no title", func(p map[string]string) { delete(p, "dcterms:title") },
			[]string{"title must occur exactly once"}},
		{"no monitored objects", func(p map[string]string) { delete(p, "pmj:monitoredObject") },
			[]string{"pmj:monitoredObject"}},
		{"no granularity", func(p map[string]string) { delete(p, "pmj:granularity") },
			[]string{"granularity must occur exactly once"}},
		{"granularity not a duration", func(p map[string]string) { p["pmj:granularity"] = `"ten seconds"^^xsd:duration` },
			[]string{"ten seconds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := jobTTL(res, tt.edit)
			r := env.do(t, "POST", "/oslc/jobs", body, "Content-Type", "text/turtle", "Accept", "text/turtle")
			require.Equal(t, 400, r.status, "%s\n%s", body, r.body)
			msg := oslcError(t, r)
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
		})
	}
	_, _, n := env.find(t, "/oslc/jobs")
	assert.Equal(t, jobs, n, "bad definitions create no job")
	_, _, n = env.find(t, "/oslc/tracking")
	assert.Equal(t, tracking, n, "bad definitions create no tracking record")
}

// pushTTL writes records for resource, one per time in at, each with one
// measure of metric with the value at the same index. subj names them:
// fmt.Sprintf(subj, i) is the subject of the i-th.
func pushTTL(subj, resource, metric string, at []time.Time, values []int) string {
	var b strings.Builder
	b.WriteString(jobPrefixes)
	for i := range at {
		fmt.Fprintf(&b, `%s a pm:PerformanceMonitoringRecord ;
  dcterms:title "pushed %d" ;
  dcterms:isPartOf <%s> ;
  dcterms:date "%s"^^xsd:dateTime ;
  ems:observes [ a ems:Measure ; ems:metric %s ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue %d ] .
`, fmt.Sprintf(subj, i), i, resource, berlin(at[i]), metric, values[i])
	}
	return b.String()
}

func TestPushJob(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res, stranger := env.createResource(t, "agent01"), env.createResource(t, "agent02")
	job, created := env.createJob(t, jobTTL([]string{res}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:PushCollector"
		p["pmj:granularity"] = `"PT1M"^^xsd:duration`
		p["pmj:performanceIndicator"] = "pm:CpuUsed"
	}))
	push := one(t, graphOf(t, created, job.String()), job, pmj("push")).String()
	assert.Equal(t, job.String()+"/push", push)
	g, _ := env.getJob(t, job)
	assert.Equal(t, push, one(t, g, job, pmj("push")).String())

	// The job collects from 10:01; push into that period.
	env.advance(t, time.Date(2026, 11, 24, 10, 1, 40, 0, time.UTC))
	at := []time.Time{time.Date(2026, 11, 24, 10, 1, 10, 0, time.UTC), time.Date(2026, 11, 24, 10, 1, 30, 0, time.UTC)}
	r := env.do(t, "POST", push, pushTTL("<#rec%d>", res, "pm:CpuUsed", at, []int{10, 30}), "Content-Type", "text/turtle", "Accept", "application/n-triples")
	require.Equal(t, 201, r.status, "%s", r.body)
	pg := graphOf(t, r, push)
	pushed := strs(objects(pg, job, vocab.RDFS+"member"))
	require.Len(t, pushed, 2)
	for _, p := range pushed {
		assert.True(t, strings.HasPrefix(p, env.URL+"/oslc/records/"), p)
		rr := env.do(t, "GET", p, "", "Accept", "application/n-triples")
		require.Equal(t, 200, rr.status)
		rg := graphOf(t, rr, p)
		assert.Equal(t, job.String(), one(t, rg, mustIRI(t, p), pmj("pushedTo")).String())
		assert.Equal(t, res, one(t, rg, mustIRI(t, p), vocab.DCTerms+"isPartOf").String())
	}

	// Refused pushes store nothing.
	_, _, before := env.find(t, "/oslc/records")
	synthetic, _ := env.createJob(t, jobTTL([]string{res}, nil))
	for _, tt := range []struct {
		name, url, body string
		status          int
		want            string
	}{
		{"resource not in the job", push, pushTTL("<#rec%d>", stranger, "pm:CpuUsed", at[:1], []int{50}), 400, "not one of the job's monitored resources"},
		{"one of two not in the job", push, pushTTL("<#rec%d>", res, "pm:CpuUsed", at[:1], []int{50}) + strings.TrimPrefix(pushTTL("<#other%d>", stranger, "pm:CpuUsed", at[:1], []int{50}), jobPrefixes), 400, "not one of the job's monitored resources"},
		{"metric not asked for", push, pushTTL("<#rec%d>", res, "pm:CpuSpeed", at[:1], []int{50}), 400, "does not measure pm:CpuSpeed"},
		{"no record", push, jobPrefixes + `<> dcterms:title "nothing" .`, 400, "no pm:PerformanceMonitoringRecord"},
		{"not a push job", synthetic.String() + "/push", pushTTL("<#rec%d>", res, "pm:CpuUsed", at[:1], []int{50}), 400, "only push jobs"},
		{"no such job", env.URL + "/oslc/jobs/nope/push", pushTTL("<#rec%d>", res, "pm:CpuUsed", at[:1], []int{50}), 404, "no measurement job"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := env.do(t, "POST", tt.url, tt.body, "Content-Type", "text/turtle")
			require.Equal(t, tt.status, r.status, "%s", r.body)
			assert.Contains(t, oslcError(t, r), tt.want)
		})
	}
	_, _, after := env.find(t, "/oslc/records")
	assert.Equal(t, before, after, "refused pushes store no record")

	// At the end of the period the job aggregates what was pushed in it.
	env.advance(t, time.Date(2026, 11, 24, 10, 2, 0, 0, time.UTC))
	ids, ag, _ := env.find(t, "/oslc/records", "oslc.where", producedBy(job), "oslc.select", "dcterms:isPartOf,dcterms:date,ems:observes{*}")
	require.Len(t, ids, 1)
	rec := mustIRI(t, ids[0])
	assert.Equal(t, res, one(t, ag, rec, vocab.DCTerms+"isPartOf").String())
	assert.Equal(t, berlin(time.Date(2026, 11, 24, 10, 2, 0, 0, time.UTC)), one(t, ag, rec, vocab.DCTerms+"date").String())
	ms := objects(ag, rec, vocab.EMS+"observes")
	require.Len(t, ms, 1)
	assert.Equal(t, vocab.PM+"CpuUsed", one(t, ag, ms[0], vocab.EMS+"metric").String())
	v, err := strconv.ParseFloat(one(t, ag, ms[0], vocab.EMS+"numericValue").String(), 64)
	require.NoError(t, err)
	assert.Equal(t, 20.0, v)
	assert.Equal(t, "2", one(t, ag, ms[0], pmj("sampleCount")).String())
}

// TestPushBlankNodeRecords pushes records named by blank nodes, the usual
// way to write several resources in one Turtle document: their links to
// other resources must come through unchanged.
func TestPushBlankNodeRecords(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := env.createResource(t, "agent01")
	job, _ := env.createJob(t, jobTTL([]string{res}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:PushCollector"
		p["pmj:granularity"] = `"PT1M"^^xsd:duration`
		p["pmj:performanceIndicator"] = "pm:CpuUsed"
	}))
	at := []time.Time{time.Date(2026, 11, 24, 10, 1, 10, 0, time.UTC), time.Date(2026, 11, 24, 10, 1, 30, 0, time.UTC)}
	env.advance(t, at[1])
	r := env.do(t, "POST", job.String()+"/push", pushTTL("_:rec%d", res, "pm:CpuUsed", at, []int{10, 30}), "Content-Type", "text/turtle", "Accept", "application/n-triples")
	require.Equal(t, 201, r.status, "%s", r.body)
	pg := graphOf(t, r, env.URL)
	pushed := objects(pg, job, vocab.RDFS+"member")
	require.Len(t, pushed, 2)
	for _, p := range pushed {
		assert.Equal(t, res, one(t, pg, p, vocab.DCTerms+"isPartOf").String())
		assert.Equal(t, []string{vocab.PM + "PerformanceMonitoringRecord"}, strs(objects(pg, p, vocab.RDF+"type")))
	}
}

// TestJobRestart stops a provider 30 s into a job and starts a new one
// over the same store 5 minutes later.
func TestJobRestart(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web01"), env.createResource(t, "web02")}
	job, _ := env.createJob(t, jobTTL(res, nil))
	env.advance(t, jobEpoch.Add(30*time.Second)) // periods ending 10:00:20 and 10:00:30
	require.Len(t, env.records(t, job), 2*2)

	restart := jobEpoch.Add(30*time.Second + 5*time.Minute) // 10:05:33
	env.boot(t, restart)
	g, _ := env.getJob(t, job)
	exec, _ := states(t, g, job)
	assert.Equal(t, pmj("InProgress"), exec)
	env.clock.set(restart.Add(22 * time.Second))
	env.srv.Jobs().Tick(context.Background(), restart.Add(22*time.Second)) // 10:05:55

	// The periods from the last one handled, 10:00:30, to the one under
	// way at the restart, 10:05:30, are missed.
	var missed []tracked
	for _, tr := range env.tracking(t, job) {
		if tr.event == pmj("PeriodsMissed") {
			missed = append(missed, tr)
		}
	}
	require.Len(t, missed, 1, "one pmj:PeriodsMissed tracking record")
	var want []string
	for s := time.Date(2026, 11, 24, 10, 0, 30, 0, time.UTC); !s.After(time.Date(2026, 11, 24, 10, 5, 30, 0, time.UTC)); s = s.Add(10 * time.Second) {
		want = append(want, berlin(s))
	}
	got := slices.Clone(missed[0].missed)
	sort.Strings(got)
	assert.Equal(t, want, got, "pmj:missedPeriod")

	recs := env.records(t, job)
	seen := make(map[string]bool)
	var fresh []jobRecord
	for _, rec := range recs {
		key := rec.partOf + " " + rec.date
		assert.False(t, seen[key], "two records of %s", key)
		seen[key] = true
		s, err := time.Parse(time.RFC3339, rec.start)
		require.NoError(t, err)
		if s.After(jobEpoch.Add(30 * time.Second)) {
			fresh = append(fresh, rec)
			assert.True(t, s.After(restart), "a record of the period from %s, before the restart at %s", rec.start, berlin(restart))
		}
	}
	assert.Len(t, recs, 2*2+2, "the two old periods' records and the first after the restart")
	require.Len(t, fresh, 2)
	for _, rec := range fresh {
		assert.Equal(t, berlin(time.Date(2026, 11, 24, 10, 5, 40, 0, time.UTC)), rec.start)
	}

	// The report of 10:00-10:01 has the records from before the restart
	// and counts the periods missed after it.
	ids, rg, _ := env.find(t, "/oslc/reports", "oslc.where", producedBy(job), "oslc.select", "*")
	var first rdf.IRI
	for _, id := range ids {
		rep := mustIRI(t, id)
		if one(t, rg, rep, pmj("periodEnd")).String() == berlin(time.Date(2026, 11, 24, 10, 1, 0, 0, time.UTC)) {
			first = rep
		}
	}
	require.NotEqual(t, rdf.IRI{}, first, "a report for 10:00-10:01")
	assert.Equal(t, "4", one(t, rg, first, pmj("recordCount")).String())
	assert.Equal(t, "2", one(t, rg, first, pmj("collectedPeriods")).String())
	assert.Equal(t, "3", one(t, rg, first, pmj("missedPeriods")).String())
	assert.Len(t, ids, 5, "reports for 10:00 to 10:05")

	// A second restart, 6 s into a period, misses only that period.
	env.boot(t, restart.Add(23*time.Second)) // 10:05:56
	env.srv.Jobs().Tick(context.Background(), restart.Add(23*time.Second))
	var again [][]string
	for _, tr := range env.tracking(t, job) {
		if tr.event == pmj("PeriodsMissed") && !slices.Equal(tr.missed, missed[0].missed) {
			again = append(again, tr.missed)
		}
	}
	assert.Equal(t, [][]string{{berlin(time.Date(2026, 11, 24, 10, 5, 50, 0, time.UTC))}}, again)
	assert.Len(t, env.records(t, job), len(recs))
}

// TestJobRecordsWithRealClock runs the engine in the background on a
// clock that runs at the real rate, shifted so that the job is created
// shortly before a 10 s boundary: its first record appears ~11 s later.
func TestJobRecordsWithRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a whole granularity period")
	}
	t.Parallel()
	wall := time.Now()
	target := wall.Truncate(10 * time.Second).Add(10*time.Second - 1500*time.Millisecond)
	shift := target.Sub(wall)
	now := func() time.Time { return time.Now().Add(shift) }
	env := newJobEnvAt(t, now)
	env.srv.Start()
	t.Cleanup(env.srv.Close)

	res := env.createResource(t, "web01")
	job, _ := env.createJob(t, jobTTL([]string{res}, func(p map[string]string) { delete(p, "pmj:timeZone") }))
	// A period is 10 s; a loaded machine may start the job after the
	// boundary it aimed at, and take seconds to collect.
	deadline := time.Now().Add(45 * time.Second)
	var recs []jobRecord
	for time.Now().Before(deadline) {
		if recs = env.records(t, job); len(recs) > 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	require.NotEmpty(t, recs, "a record within 45 s")
	assert.Equal(t, res, recs[0].partOf)
	end, err := time.Parse(time.RFC3339, recs[0].date)
	require.NoError(t, err)
	assert.WithinDuration(t, now(), end, 3*time.Second, "the record is of the period that just ended")
	assert.True(t, strings.HasSuffix(recs[0].date, "Z"), "UTC by default: %s", recs[0].date)

	// Clients act on the job while the engine runs it.
	for _, step := range []struct{ action, state string }{{"suspend", "Suspended"}, {"resume", "InProgress"}, {"cancel", "Cancelled"}} {
		r := env.do(t, "POST", job.String()+"/"+step.action, "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status, "%s: %s", step.action, r.body)
		exec, _ := states(t, graphOf(t, r, job.String()), job)
		assert.Equal(t, pmj(step.state), exec, step.action)
	}
}
