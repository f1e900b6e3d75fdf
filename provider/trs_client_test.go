package provider_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The terms a TRS client reads, as OSLC Tracked Resource Set 3.0 and LDP
// name them. The client below is written from the spec alone: it knows
// the provider's root services URL and nothing of its layout.
// (ldpNS is declared with the LDP tests.)
const (
	trsNS  = "http://open-services.net/ns/core/trs#"
	rdfNil = vocab.RDF + "nil"
)

// trsEvent is a change event as a client reads it.
type trsEvent struct {
	iri, kind, changed string // kind: the local name of its trs class
	order              int64
}

// trsClient follows a tracked resource set as an indexer does (TRS 3.0,
// "Basic Concepts"): it reads the base, all its pages, and then, each
// time it polls, the change log from the newest segment back to the
// event it processed last, and applies the newer events in order. If it
// finds that event in no segment, the log was truncated past it, and it
// reads the base again ("Truncating Change Logs").
type trsClient struct {
	t       *testing.T
	http    *http.Client
	trs     string // the tracked resource set's URL
	accept  string
	members map[string]bool
	// sync is the last event processed: the base's cutoff event at
	// first, rdf:nil if the base enumerates the set at its inception.
	sync    string
	history []trsEvent // the events applied, in order
	bases   int        // times the base was read
	pages   int        // base pages read
}

// discoverTRS finds the tracked resource set from the root services
// (trs:trackedResourceSet, TRS 3.0 "Discovery").
func discoverTRS(t *testing.T, rootServices string) string {
	t.Helper()
	c := &trsClient{t: t, http: http.DefaultClient, accept: "application/rdf+xml"}
	g, _ := c.get(rootServices)
	sets := objects(g, mustIRI(t, rootServices), trsNS+"trackedResourceSet")
	require.Len(t, sets, 1, "trs:trackedResourceSet of the root services")
	return sets[0].String()
}

func newTRSClient(t *testing.T, trs, accept string) *trsClient {
	return &trsClient{t: t, http: &http.Client{Timeout: 30 * time.Second}, trs: trs, accept: accept}
}

// get GETs url and parses it; a 404 is an empty graph and a nil header.
func (c *trsClient) get(url string) ([]rdf.Triple, http.Header) {
	c.t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(c.t, err)
	req.Header.Set("Accept", c.accept)
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	require.Equal(c.t, 200, resp.StatusCode, "GET %s: %s", url, b)
	return graphOf(c.t, response{status: resp.StatusCode, header: resp.Header, body: b}, url), resp.Header
}

// linkNext returns the target of the rel="next" Link header, or "".
func linkNext(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, l := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(l), ";")
			if ok && strings.HasPrefix(target, "<") && strings.HasSuffix(target, ">") {
				for _, p := range strings.Split(params, ";") {
					if strings.ReplaceAll(strings.TrimSpace(p), `"`, "") == "rel=next" {
						return target[1 : len(target)-1]
					}
				}
			}
		}
	}
	return ""
}

// readBase reads every page of the base ("Base Segmentation"): the
// members are the objects of the membership predicate
// (ldp:hasMemberRelation, ldp:member by default) of the base; the first
// page names the cutoff event; a page with more after it has a
// rel="next" Link.
func (c *trsClient) readBase() {
	t := c.t
	t.Helper()
	g, _ := c.get(c.trs)
	bases := objects(g, mustIRI(t, c.trs), trsNS+"base")
	require.Len(t, bases, 1, "trs:base")
	base := bases[0].(rdf.IRI)
	c.members = map[string]bool{}
	page := base.String()
	for n := 0; ; n++ {
		require.Less(t, n, 1000000, "the base pages loop")
		g, h := c.get(page)
		require.NotNil(t, h, "base page %s is gone", page)
		c.pages++
		if n == 0 {
			cutoffs := objects(g, base, trsNS+"cutoffEvent")
			require.Len(t, cutoffs, 1, "the first page of the base names one trs:cutoffEvent")
			c.sync = cutoffs[0].String()
		}
		rel := ldpNS + "member"
		if hm := objects(g, base, ldpNS+"hasMemberRelation"); len(hm) == 1 {
			rel = hm[0].String()
		}
		for _, m := range objects(g, base, rel) {
			_, isIRI := m.(rdf.IRI)
			require.True(t, isIRI, "member %v", m)
			c.members[m.String()] = true
		}
		next := linkNext(h)
		inRDF := objects(g, mustIRI(t, page), ldpNS+"nextPage")
		if next == "" {
			for _, o := range inRDF {
				assert.Equal(t, rdfNil, o.String(), "ldp:nextPage of the last page")
			}
			break
		}
		assert.Equal(t, []string{next}, strs(inRDF), "ldp:nextPage agrees with the Link header")
		page = next
	}
	c.bases++
}

// changes returns the events newer than c.sync, oldest first, reading
// the change log from its newest segment back ("Change Log
// Segmentation"), and whether it found c.sync. Events seen twice (moved
// to an older segment) count once.
func (c *trsClient) changes() (newer []trsEvent, found bool) {
	t := c.t
	t.Helper()
	g, _ := c.get(c.trs)
	logs := objects(g, mustIRI(t, c.trs), trsNS+"changeLog")
	require.Len(t, logs, 1, "trs:changeLog")
	seg := logs[0]
	seen := map[string]bool{}
	var all []trsEvent
	syncOrder := int64(-1)
	lowest := int64(-1) // the lowest order of the segments read so far
	for n := 0; ; n++ {
		require.Less(t, n, 1000000, "the change log loops")
		segLowest := int64(-1)
		for _, e := range objects(g, seg, trsNS+"change") {
			ev := c.event(g, e)
			if lowest >= 0 {
				require.Less(t, ev.order, lowest, "a segment's events are older than any of the segments before it")
			}
			if segLowest < 0 || ev.order < segLowest {
				segLowest = ev.order
			}
			if seen[ev.iri] {
				continue
			}
			seen[ev.iri] = true
			all = append(all, ev)
			if ev.iri == c.sync {
				found, syncOrder = true, ev.order
			}
		}
		if segLowest >= 0 {
			lowest = segLowest
		}
		if found {
			break
		}
		prev := objects(g, seg, trsNS+"previous")
		if len(prev) == 0 || prev[0].String() == rdfNil {
			break
		}
		g, _ = c.get(prev[0].String())
		if g == nil {
			break // a 404: the end of the log
		}
		seg = prev[0]
	}
	sort.Slice(all, func(i, j int) bool { return all[i].order < all[j].order })
	for _, ev := range all {
		if ev.order > syncOrder {
			newer = append(newer, ev)
		}
	}
	return newer, found
}

// event reads a change event: an IRI (never a blank node) with one type
// of trs:Creation, trs:Modification and trs:Deletion, one trs:changed
// and one trs:order, an xsd:integer.
func (c *trsClient) event(g []rdf.Triple, e rdf.Term) trsEvent {
	t := c.t
	t.Helper()
	_, isIRI := e.(rdf.IRI)
	require.True(t, isIRI, "a change event is named by an IRI: %v", e)
	ev := trsEvent{iri: e.String()}
	for _, ty := range objects(g, e, vocab.RDF+"type") {
		switch ty.String() {
		case trsNS + "Creation", trsNS + "Modification", trsNS + "Deletion":
			require.Empty(t, ev.kind, "event %s has one kind", e)
			ev.kind = strings.TrimPrefix(ty.String(), trsNS)
		}
	}
	require.NotEmpty(t, ev.kind, "event %s has a kind", e)
	ev.changed = one(t, g, e, trsNS+"changed").String()
	order, ok := one(t, g, e, trsNS+"order").(rdf.Literal)
	require.True(t, ok, "trs:order of %s is a literal", e)
	require.Equal(t, vocab.XSD+"integer", order.DataType.String(), "trs:order of %s", e)
	n, err := strconv.ParseInt(order.String(), 10, 64)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, int64(0))
	ev.order = n
	return ev
}

// poll brings the client up to date, reading the base first if it has
// none, or again if the change log no longer holds its last event. It
// reports whether it read the base again.
func (c *trsClient) poll() (rebased bool) {
	c.t.Helper()
	if c.members == nil {
		c.readBase()
	}
	newer, found := c.changes()
	// Without a cutoff event the log holds every change since the
	// inception: nothing can be missing.
	if !found && c.sync != rdfNil {
		c.readBase()
		rebased = true
		newer, found = c.changes()
		require.True(c.t, found || c.sync == rdfNil, "the cutoff event %s of a base just read is in the change log", c.sync)
	}
	for _, ev := range newer {
		// Creation and Modification differ only historically: either
		// means the resource is a member.
		c.members[ev.changed] = ev.kind != "Deletion"
		c.sync = ev.iri
		c.history = append(c.history, ev)
	}
	return rebased
}

// set returns the members, sorted.
func (c *trsClient) set() []string {
	var out []string
	for m, ok := range c.members {
		if ok {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// assertSameSet checks that got holds exactly the IRIs of want, and says
// which are missing or extra.
func assertSameSet(t *testing.T, want, got []string, msg string) {
	t.Helper()
	in := func(s []string) map[string]bool {
		m := make(map[string]bool, len(s))
		for _, x := range s {
			m[x] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var missing, extra []string
	for _, x := range want {
		if !g[x] {
			missing = append(missing, x)
		}
	}
	for _, x := range got {
		if !w[x] {
			extra = append(extra, x)
		}
	}
	cut := func(s []string) []string { return s[:min(len(s), 5)] }
	assert.True(t, len(missing) == 0 && len(extra) == 0, "%s: of %d resources, the client misses %d (%v) and has %d extra (%v)", msg, len(want), len(missing), cut(missing), len(extra), cut(extra))
}

// trackedKinds are the kinds the tracked resource set lists.
var trackedKinds = []string{"records", "resources", "jobs", "reports"}

// storedTracked lists, from the store itself, the resources of the
// tracked kinds: what a client of the TRS must end with. It merges what
// the job engine staged first, so that Resources sees it.
func storedTracked(t *testing.T, db *store.DB, base string) []string {
	t.Helper()
	ctx := context.Background()
	for {
		n, err := db.Merge(ctx, 1000)
		require.NoError(t, err)
		if n == 0 {
			break
		}
	}
	var out []string
	require.NoError(t, db.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool {
		for _, k := range trackedKinds {
			if strings.HasPrefix(id.String(), base+"/oslc/"+k+"/") {
				out = append(out, id.String())
			}
		}
		return true
	}))
	sort.Strings(out)
	return out
}

// trsEnv is a provider over a store in a file it can close and open
// again, at one base URL, with real time and short job granularities.
type trsEnv struct {
	*httptest.Server
	path string
	db   *store.DB
	srv  *provider.Server
	h    atomic.Pointer[provider.Server]
	log  syncBuffer
}

func newTRSEnv(t *testing.T, cfg provider.TRSConfig) *trsEnv {
	t.Helper()
	env := &trsEnv{path: filepath.Join(t.TempDir(), "pm.db")}
	env.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.h.Load().ServeHTTP(w, r)
	}))
	env.open(t, cfg)
	env.Start()
	t.Cleanup(func() {
		env.srv.Close()
		env.Close()
		env.db.Close()
		assert.NotContains(t, env.log.String(), "level=ERROR", "the provider logged errors")
	})
	return env
}

// open opens the store and starts a provider over it.
func (env *trsEnv) open(t *testing.T, cfg provider.TRSConfig) {
	t.Helper()
	db, err := store.Open(env.path, pmStoreOptions(store.Options{}))
	require.NoError(t, err)
	env.db = db
	srv, err := provider.New(boltsource.New(db), provider.Config{
		BaseURL:    "http://" + env.Listener.Addr().String(),
		Collectors: []collect.Collector{collect.NewSynthetic(1)},
		Logger:     slog.New(slog.NewTextHandler(&env.log, nil)),
		TRS:        cfg,
	})
	require.NoError(t, err)
	srv.Jobs().AllowGranularities(time.Second)
	srv.Start()
	env.srv = srv
	env.h.Store(srv)
}

// restart stops the provider, closes the store, and opens both again,
// as a new process over the same data would.
func (env *trsEnv) restart(t *testing.T, cfg provider.TRSConfig) {
	t.Helper()
	env.srv.Close()
	require.NoError(t, env.db.Close())
	env.open(t, cfg)
}

// quiesce stops the job engine: the store changes no more.
func (env *trsEnv) quiesce() { env.srv.Close() }

// post POSTs Turtle and returns the Location and ETag.
func trsPost(client *http.Client, url, body string) (loc, etag string, err error) {
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "text/turtle")
	resp, err := client.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 {
		return "", "", fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, b)
	}
	return resp.Header.Get("Location"), resp.Header.Get("ETag"), nil
}

// trsSend sends a request and checks its status.
func trsSend(client *http.Client, method, url, body string, want int, header ...string) error {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d, want %d: %s", method, url, resp.StatusCode, want, b)
	}
	return nil
}

// writers runs n HTTP writers against base until stop is closed: each
// creates records, replaces every second one and deletes every third,
// and creates and deletes a monitored resource and a measurement job now
// and then. Errors go to errs.
func writers(base string, n int, res []string, stop <-chan struct{}, errs chan<- error) *sync.WaitGroup {
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 30 * time.Second}
			fail := func(err error) bool {
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
				return err != nil
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := strings.Replace(recordTTL, "web01 at 10:00", fmt.Sprintf("writer %d record %d", w, i), 1)
				loc, etag, err := trsPost(client, base+"/oslc/records", body)
				if fail(err) {
					return
				}
				if i%2 == 0 {
					put := strings.Replace(body, "kept as given", "replaced", 1)
					if fail(trsSend(client, "PUT", loc, put, 200, "Content-Type", "text/turtle", "If-Match", etag)) {
						return
					}
				}
				if i%3 == 0 && fail(trsSend(client, "DELETE", loc, "", 204)) {
					return
				}
				if i%10 == 5 {
					r, _, err := trsPost(client, base+"/oslc/resources", fmt.Sprintf(`@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title "writer %d host %d" ; crtv:fqdn "w%d-%d.example.org" .`, w, i, w, i))
					if fail(err) {
						return
					}
					job, _, err := trsPost(client, base+"/oslc/jobs", jobTTL(res, func(p map[string]string) {
						p["pmj:granularity"] = `"PT1S"^^xsd:duration`
						p["pmj:reportingPeriod"] = `"PT2S"^^xsd:duration`
					}))
					if fail(err) || fail(trsSend(client, "DELETE", r, "", 204)) {
						return
					}
					if i%20 == 5 && fail(trsSend(client, "DELETE", job, "", 204)) {
						return
					}
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	return &wg
}

// TestTRSClientFollowsWriters: a client reads the base and follows the
// change log while HTTP writers create, replace and delete records,
// monitored resources and jobs, and jobs write records and reports
// every second (staged, then merged), and ends with exactly the
// resources the store holds; again after a restart of the provider over
// the same store, which the client does not notice; and again after a
// compaction drops the events it had not read, which it notices, reading
// the base again.
func TestTRSClientFollowsWriters(t *testing.T) {
	small := provider.TRSConfig{BasePageSize: 10, ChangePageSize: 7}
	env := newTRSEnv(t, small)
	base := "http://" + env.Listener.Addr().String()
	var res []string
	for _, name := range []string{"web01", "db01"} {
		loc, _, err := trsPost(http.DefaultClient, base+"/oslc/resources", fmt.Sprintf(`@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title %q ; crtv:fqdn "%s.example.org" .`, name, name))
		require.NoError(t, err)
		res = append(res, loc)
	}
	_, _, err := trsPost(http.DefaultClient, base+"/oslc/jobs", jobTTL(res, func(p map[string]string) {
		p["pmj:granularity"] = `"PT1S"^^xsd:duration`
		p["pmj:reportingPeriod"] = `"PT2S"^^xsd:duration`
	}))
	require.NoError(t, err)

	client := newTRSClient(t, discoverTRS(t, base+"/rootservices"), "text/turtle")
	client.poll()
	require.Equal(t, 1, client.bases)

	// follow writes for d, polling all along, then stops the writers and
	// the jobs and polls a last time.
	follow := func(d time.Duration, poll bool) {
		t.Helper()
		stop, errs := make(chan struct{}), make(chan error, 8)
		wg := writers(base, 3, res, stop, errs)
		for end := time.Now().Add(d); time.Now().Before(end); {
			if poll {
				client.poll()
			}
			time.Sleep(20 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	// Follow for 3 s, and on a slow machine longer, until the writers
	// have made enough changes for the comparison to mean something.
	follow(3*time.Second, true)
	for i := 0; i < 20 && len(storedTracked(t, env.db, base)) <= 50; i++ {
		follow(time.Second, true)
	}
	env.quiesce()
	client.poll()
	want := storedTracked(t, env.db, base)
	require.Greater(t, len(want), 50)
	assertSameSet(t, want, client.set(), "after following the writers")
	assert.Equal(t, 1, client.bases, "the change log had every event")
	kinds := map[string]int{}
	for _, ev := range client.history {
		kinds[ev.kind]++
	}
	assert.Positive(t, kinds["Creation"], "creations: %v", kinds)
	assert.Positive(t, kinds["Modification"], "modifications: %v", kinds)
	assert.Positive(t, kinds["Deletion"], "deletions: %v", kinds)

	// A restart over the same store: the jobs resume, the log goes on.
	env.restart(t, small)
	follow(2*time.Second, true)
	env.quiesce()
	client.poll()
	want = storedTracked(t, env.db, base)
	assertSameSet(t, want, client.set(), "after the restart")
	assert.Equal(t, 1, client.bases, "a restart loses no event")

	// A fresh client reading the same set in RDF/XML agrees.
	fresh := newTRSClient(t, client.trs, "application/rdf+xml")
	fresh.poll()
	assertSameSet(t, want, fresh.set(), "a fresh client")
	assert.Equal(t, (len(want)+9)/10, fresh.pages, "the base is paged, 10 members a page")

	// Compaction keeps 30 events: the client falls behind by more.
	env.restart(t, provider.TRSConfig{BasePageSize: 10, ChangePageSize: 7, MaxChanges: 30, CompactEvery: 10 * time.Millisecond})
	require.NotEmpty(t, client.history)
	syncOrder := uint64(client.history[len(client.history)-1].order)
	follow(time.Second, false)
	require.Eventually(t, func() bool {
		var oldest uint64
		require.NoError(t, env.db.View(context.Background(), func(sn *store.Snapshot) error {
			oldest, _ = sn.ChangeSpan()
			return nil
		}))
		return oldest > syncOrder
	}, 10*time.Second, 10*time.Millisecond, "compaction passes the client's last event")
	env.quiesce()
	assert.True(t, client.poll(), "the client notices that its last event is gone")
	assert.Equal(t, 2, client.bases)
	want = storedTracked(t, env.db, base)
	assertSameSet(t, want, client.set(), "after the compaction")
	assert.False(t, client.poll(), "in sync again")
}

// TestTRSEveryWritePath: every way the provider writes a tracked
// resource reaches the change log: POST, PUT and DELETE over HTTP; the
// job engine's records and reports (written at once when the engine
// does not run its own loop); retention, which deletes old reports and
// their records; pushed records; and an import, which loads the store
// directly. A client that read the base before any of it ends with the
// store's set, having seen each path's events.
func TestTRSEveryWritePath(t *testing.T) {
	env := newJobEnv(t)
	client := newTRSClient(t, discoverTRS(t, env.URL+"/rootservices"), "application/n-triples")
	client.poll()
	assert.Equal(t, rdfNil, client.sync, "no tracked change yet: the base enumerates the set at its inception")
	assert.Empty(t, client.set())

	// POST and PUT.
	res := env.createResource(t, "web01")
	got := env.do(t, "GET", res, "", "Accept", "text/turtle")
	require.Equal(t, 200, got.status)
	put := env.do(t, "PUT", res, `@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title "web01 renamed" ; crtv:fqdn "web01.example.org" .`, "Content-Type", "text/turtle", "If-Match", got.header.Get("ETag"))
	require.Equal(t, 200, put.status, "%s", put.body)
	// POST and DELETE.
	rec := env.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, rec.status, "%s", rec.body)
	deleted := rec.header.Get("Location")
	require.Equal(t, 204, env.do(t, "DELETE", deleted, "").status)

	// The engine's records and reports, and retention.
	job, _ := env.createJob(t, jobTTL([]string{res}, func(p map[string]string) { p["pmj:reportRetention"] = `"PT1M"^^xsd:duration` }))
	pushJob, _ := env.createJob(t, jobTTL([]string{res}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:PushCollector"
		p["pmj:granularity"] = `"PT1M"^^xsd:duration`
		p["pmj:performanceIndicator"] = "pm:CpuUsed"
	}))
	env.advance(t, jobEpoch.Add(3*time.Minute+30*time.Second))
	require.NotEmpty(t, env.records(t, job))

	// Pushed records.
	at := []time.Time{jobEpoch.Add(2*time.Minute + 10*time.Second), jobEpoch.Add(2*time.Minute + 20*time.Second)}
	pushed := env.do(t, "POST", pushJob.String()+"/push", pushTTL("_:rec%d", res, "pm:CpuUsed", at, []int{10, 30}), "Content-Type", "text/turtle", "Accept", "application/n-triples")
	require.Equal(t, 201, pushed.status, "%s", pushed.body)
	pushedIDs := strs(objects(graphOf(t, pushed, env.URL), pushJob, vocab.RDFS+"member"))
	require.Len(t, pushedIDs, 2)

	// An import loads the store directly, as pmprovider import does.
	imported := mustIRI(t, env.URL+"/oslc/records/imported-1")
	require.NoError(t, env.db.Load(context.Background(), []store.Resource{{ID: imported, Triples: []rdf.Triple{
		{Subj: imported, Pred: vocab.RDFType, Obj: vocab.PMRecord},
		{Subj: imported, Pred: vocab.DCTitle, Obj: vocab.Str("imported")},
	}}}))

	assert.False(t, client.poll(), "the log holds every change since the base")
	assertSameSet(t, storedTracked(t, env.db, env.URL), client.set(), "after every write path")

	events := map[string]bool{}
	for _, ev := range client.history {
		events[ev.kind+" "+ev.changed] = true
	}
	for _, want := range []string{
		"Creation " + res, "Modification " + res,
		"Creation " + deleted, "Deletion " + deleted,
		"Creation " + job.String(), "Creation " + imported.String(),
		"Creation " + pushedIDs[0], "Creation " + pushedIDs[1],
	} {
		assert.True(t, events[want], "the client saw %s", want)
	}
	// Retention deleted the first report and its records.
	var expired []string
	for _, ev := range client.history {
		if ev.kind == "Deletion" && ev.changed != deleted {
			expired = append(expired, ev.changed)
		}
	}
	assert.NotEmpty(t, expired, "retention deleted reports and records")
	for _, id := range expired {
		assert.True(t, events["Creation "+id], "%s was created before it expired", id)
		assert.False(t, client.members[id])
	}
	var reports int
	for _, id := range expired {
		if strings.HasPrefix(id, env.URL+"/oslc/reports/") {
			reports++
		}
	}
	assert.Positive(t, reports, "a report expired: %v", expired)
	for _, ev := range client.history {
		assert.Regexp(t, `/oslc/(records|resources|jobs|reports)/`, ev.changed, "only tracked resources have events")
	}
}
