package provider_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// trsTestServer is a trsEnv seen as a testServer, for its helpers.
func trsTestServer(t *testing.T, cfg provider.TRSConfig) (*trsEnv, *testServer) {
	env := newTRSEnv(t, cfg)
	return env, &testServer{Server: env.Server, db: env.db}
}

// postRecords POSTs n records and returns their IRIs.
func postRecords(t *testing.T, ts *testServer, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		r := ts.do(t, "POST", "/oslc/records", strings.Replace(recordTTL, "web01 at 10:00", fmt.Sprint("record ", i), 1), "Content-Type", "text/turtle")
		require.Equal(t, 201, r.status, "%s", r.body)
		out = append(out, r.header.Get("Location"))
	}
	return out
}

// loadUntracked stores resources the set does not track: tracking
// records and notifications, as the job engine writes them.
func loadUntracked(t *testing.T, db *store.DB, base string, n int) {
	t.Helper()
	var rs []store.Resource
	for i := range n {
		for _, kind := range []string{"tracking", "notifications"} {
			id := mustIRI(t, fmt.Sprintf("%s/oslc/%s/x%d", base, kind, i))
			rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{{Subj: id, Pred: vocab.DCTitle, Obj: vocab.Str("untracked")}}})
		}
	}
	require.NoError(t, db.Load(context.Background(), rs))
}

func TestTRSDiscovery(t *testing.T) {
	ts := newTestServer(t)
	want := ts.URL + "/oslc/trs"
	assert.Equal(t, want, discoverTRS(t, ts.URL+"/rootservices"), "from the root services")
	r := ts.do(t, "GET", "/oslc/provider", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status)
	assert.Equal(t, want, one(t, graphOf(t, r, ts.URL), mustIRI(t, ts.URL+"/oslc/provider"), trsNS+"trackedResourceSet").String(), "from the service provider")
	for _, mt := range []string{"text/turtle", "application/rdf+xml", "application/ld+json", "text/html"} {
		assert.Equal(t, 200, ts.do(t, "GET", want, "", "Accept", mt).status, mt)
	}
}

// TestTRSShapes checks the tracked resource set, its base and its change
// log against the TRS 3.0 shapes (trs-shapes.ttl) and the paging rules.
func TestTRSShapes(t *testing.T) {
	env, ts := trsTestServer(t, provider.TRSConfig{BasePageSize: 3, ChangePageSize: 4})
	recs := postRecords(t, ts, 5)
	loadUntracked(t, env.db, ts.URL, 2)
	require.Equal(t, 204, ts.do(t, "DELETE", recs[0], "").status)
	var res []string
	for _, name := range []string{"web01", "web02"} {
		r := ts.do(t, "POST", "/oslc/resources", fmt.Sprintf(`@prefix crtv: <http://open-services.net/ns/crtv#> .
<> a crtv:ComputerSystem ; crtv:fqdn "%s.example.org" .`, name), "Content-Type", "text/turtle")
		require.Equal(t, 201, r.status, "%s", r.body)
		res = append(res, r.header.Get("Location"))
	}
	loadUntracked(t, env.db, ts.URL, 1)
	trs := mustIRI(t, ts.URL+"/oslc/trs")

	// The tracked resource set: one base, a separate resource, and one
	// change log, inline, with the newest events.
	r := ts.do(t, "GET", trs.String(), "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status)
	g := graphOf(t, r, trs.String())
	assert.Equal(t, []string{trsNS + "TrackedResourceSet"}, strs(objects(g, trs, vocab.RDF+"type")))
	base := one(t, g, trs, trsNS+"base")
	assert.Equal(t, ts.URL+"/oslc/trs/base", base.String())
	seg := one(t, g, trs, trsNS+"changeLog")

	// The change log, segment by segment: the events newest first, each
	// an IRI with one class, one trs:changed of a tracked resource and
	// one xsd:integer trs:order; ending with trs:previous rdf:nil.
	c := newTRSClient(t, trs.String(), "text/turtle")
	var events []trsEvent
	seen := map[string]bool{}
	for n := 0; ; n++ {
		require.Less(t, n, 10)
		assert.Equal(t, []string{trsNS + "ChangeLog"}, strs(objects(g, seg, vocab.RDF+"type")), "segment %d", n)
		changes := objects(g, seg, trsNS+"change")
		assert.LessOrEqual(t, len(changes), 4, "segment %d", n)
		var in []trsEvent
		for _, e := range changes {
			ev := c.event(g, e)
			assert.False(t, seen[ev.iri], "event %s in two segments", ev.iri)
			seen[ev.iri] = true
			assert.Regexp(t, `/oslc/(records|resources)/`, ev.changed)
			in = append(in, ev)
		}
		for _, ev := range in {
			if len(events) > 0 {
				assert.Less(t, ev.order, events[len(events)-1].order, "older than the segments before")
			}
		}
		events = append(events, in...)
		prev := one(t, g, seg, trsNS+"previous")
		if prev.String() == rdfNil {
			break
		}
		r := ts.do(t, "GET", prev.String(), "", "Accept", "application/rdf+xml")
		require.Equal(t, 200, r.status, "%s", r.body)
		g, seg = graphOf(t, r, prev.String()), prev
	}
	kinds := map[string]int{}
	for _, ev := range events {
		kinds[ev.kind]++
	}
	assert.Equal(t, map[string]int{"Creation": 7, "Deletion": 1}, kinds, "one event per write of a tracked resource")

	// The base: a trs:Base and ldp:DirectContainer whose first page names
	// the newest event as its cutoff; pages of 3 members, each an
	// ldp:Page, linked by ldp:nextPage and Link rel="next", whose URLs
	// carry the cutoff; the last page's ldp:nextPage is rdf:nil.
	newest := events[0]
	for _, ev := range events {
		newest = map[bool]trsEvent{true: ev, false: newest}[ev.order > newest.order]
	}
	page := base.String()
	var members []string
	for n := 0; page != ""; n++ {
		require.Less(t, n, 10)
		r := ts.do(t, "GET", page, "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.Contains(t, r.header.Values("Link"), `<http://www.w3.org/ns/ldp#Page>; rel="type"`)
		g := graphOf(t, r, page)
		if n == 0 {
			assert.Contains(t, r.header.Values("Link"), `<http://www.w3.org/ns/ldp#DirectContainer>; rel="type"`)
			assert.ElementsMatch(t, []string{trsNS + "Base", ldpNS + "DirectContainer", ldpNS + "Page"}, strs(objects(g, base, vocab.RDF+"type")))
			assert.Equal(t, newest.iri, one(t, g, base, trsNS+"cutoffEvent").String(), "the cutoff is the newest event")
			assert.Equal(t, ldpNS+"member", one(t, g, base, ldpNS+"hasMemberRelation").String())
			assert.Equal(t, base.String(), one(t, g, base, ldpNS+"membershipResource").String())
		} else {
			assert.Empty(t, objects(g, base, trsNS+"cutoffEvent"), "only the first page names the cutoff")
			u, err := url.Parse(page)
			require.NoError(t, err)
			assert.Equal(t, strconv.FormatInt(newest.order, 10), u.Query().Get("cutoff"), "page URLs carry the cutoff")
		}
		assert.Equal(t, base.String(), one(t, g, mustIRI(t, page), ldpNS+"pageOf").String())
		ms := strs(objects(g, base, ldpNS+"member"))
		assert.LessOrEqual(t, len(ms), 3)
		members = append(members, ms...)
		next := one(t, g, mustIRI(t, page), ldpNS+"nextPage").String()
		if next == rdfNil {
			assert.Empty(t, linkNext(r.header), "no Link rel=next on the last page")
			next = ""
		} else {
			assert.Equal(t, next, linkNext(r.header))
		}
		page = next
	}
	assert.ElementsMatch(t, append(recs[1:], res...), members, "every record and monitored resource, nothing untracked")
}

// TestTRSConditionalGET: the TRS resources have weak ETags, which a
// write changes.
func TestTRSConditionalGET(t *testing.T) {
	ts := newTestServer(t)
	postRecords(t, ts, 1)
	urls := []string{"/oslc/trs", "/oslc/trs/base", "/oslc/trs/changelog?before=100"}
	etags := map[string]string{}
	for _, u := range urls {
		r := ts.do(t, "GET", u, "", "Accept", "text/turtle")
		require.Equal(t, 200, r.status)
		etag := r.header.Get("ETag")
		require.NotEmpty(t, etag, u)
		etags[u] = etag
		assert.Equal(t, 304, ts.do(t, "GET", u, "", "Accept", "text/turtle", "If-None-Match", etag).status, u)
		// One ETag per representation (as every resource has): another
		// syntax of the same state is not validated by this one.
		x := ts.do(t, "GET", u, "", "Accept", "application/rdf+xml", "If-None-Match", etag)
		assert.Equal(t, 200, x.status, "%s: another representation", u)
		assert.NotEqual(t, etag, x.header.Get("ETag"), u)
		assert.Equal(t, 304, ts.do(t, "GET", u, "", "Accept", "application/rdf+xml", "If-None-Match", x.header.Get("ETag")).status, u)
	}
	postRecords(t, ts, 1)
	for _, u := range urls {
		r := ts.do(t, "GET", u, "", "Accept", "text/turtle", "If-None-Match", etags[u])
		assert.Equal(t, 200, r.status, "%s changed", u)
		assert.NotEqual(t, etags[u], r.header.Get("ETag"))
	}
}

// TestTRSBadRequests: malformed paging parameters are a 400 that says
// which and why; the TRS resources are read-only.
func TestTRSBadRequests(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		method, url string
		status      int
		where       string
	}{
		{"GET", "/oslc/trs/changelog", 400, "parameter before"},
		{"GET", "/oslc/trs/changelog?before=abc", 400, "parameter before"},
		{"GET", "/oslc/trs/changelog?before=0", 400, "parameter before"},
		{"GET", "/oslc/trs/changelog?before=-3", 400, "parameter before"},
		{"GET", "/oslc/trs/base?after=a%20b", 400, "parameter after"},
		{"GET", "/oslc/trs/base?after=http://x/&cutoff=x", 400, "parameter cutoff"},
		{"POST", "/oslc/trs", 405, "method"},
		{"DELETE", "/oslc/trs/base", 405, "method"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			r := ts.do(t, tt.method, tt.url, "", "Accept", "text/turtle")
			assert.Equal(t, tt.status, r.status, "%s", r.body)
			g := graphOf(t, r, ts.URL)
			require.NotEmpty(t, objects(g, nil, vocab.OSLC+"message"), "an oslc:Error")
			assert.Contains(t, string(r.body), tt.where)
			if tt.status == 405 {
				assert.Equal(t, "GET, HEAD, OPTIONS", r.header.Get("Allow"))
			}
		})
	}
}

// TestTRSCompaction: compaction keeps the events Keep and MaxChanges
// ask for, but never the newest tracked event, the cutoff of a base read
// now, which the change log must hold.
func TestTRSCompaction(t *testing.T) {
	env, ts := trsTestServer(t, provider.TRSConfig{Keep: -1, MaxChanges: -1})
	span := func() (oldest, newest uint64) {
		require.NoError(t, env.db.View(context.Background(), func(sn *store.Snapshot) error {
			oldest, newest = sn.ChangeSpan()
			return nil
		}))
		return oldest, newest
	}
	compact := func() int {
		n, err := env.srv.CompactChangeLog(context.Background())
		require.NoError(t, err)
		return n
	}
	// cutoffInLog checks that the base's cutoff event is in the log.
	cutoffInLog := func() {
		t.Helper()
		c := newTRSClient(t, ts.URL+"/oslc/trs", "text/turtle")
		c.readBase()
		_, found := c.changes()
		assert.True(t, found, "the cutoff %s is in the change log", c.sync)
	}
	// newestTracked is the order of the newest event of a record.
	newestTracked := func() (order uint64) {
		require.NoError(t, env.db.View(context.Background(), func(sn *store.Snapshot) error {
			return sn.Changes(context.Background(), 0, func(c store.Change) bool {
				order = c.Order
				return !strings.HasPrefix(c.ID.String(), ts.URL+"/oslc/records/")
			})
		}))
		return order
	}
	postRecords(t, ts, 10)
	assert.Zero(t, compact(), "no bound")

	// A restart loads the vocabularies again: a few untracked events.
	env.restart(t, provider.TRSConfig{Keep: -1, MaxChanges: 8})
	oldest, newest := span()
	require.Greater(t, newest-newestTracked(), uint64(0))
	require.Less(t, newest-newestTracked(), uint64(8))
	assert.Equal(t, int(newest-oldest+1-8), compact(), "MaxChanges")
	oldest, newest = span()
	assert.Equal(t, uint64(8), newest-oldest+1)
	cutoffInLog()

	// Untracked events only: the newest tracked event stays, though more
	// than 8 follow it.
	loadUntracked(t, env.db, ts.URL, 10)
	tracked := newestTracked()
	compact()
	oldest, _ = span()
	assert.Equal(t, tracked, oldest, "the newest tracked event stays, with what follows")
	cutoffInLog()

	env.restart(t, provider.TRSConfig{Keep: time.Hour, MaxChanges: -1})
	postRecords(t, ts, 2)
	assert.Zero(t, compact(), "younger than Keep")

	env.restart(t, provider.TRSConfig{Keep: time.Nanosecond, MaxChanges: -1})
	loadUntracked(t, env.db, ts.URL, 1)
	tracked = newestTracked()
	assert.Positive(t, compact(), "older than Keep")
	oldest, _ = span()
	assert.Equal(t, tracked, oldest, "all but the newest tracked event and what follows")
	cutoffInLog()
}

// TestTRSEventIRIsSurviveRollback: a store restored from a backup reuses
// the orders of the events written since the backup, but not their IRIs,
// which the spec wants unique even then (trs:change in trs-shapes.ttl).
func TestTRSEventIRIsSurviveRollback(t *testing.T) {
	env, ts := trsTestServer(t, provider.TRSConfig{})
	postRecords(t, ts, 1)
	env.srv.Close()
	require.NoError(t, env.db.Close())
	backup, err := os.ReadFile(env.path)
	require.NoError(t, err)
	env.open(t, provider.TRSConfig{})

	newest := func() trsEvent {
		c := newTRSClient(t, ts.URL+"/oslc/trs", "text/turtle")
		g, _ := c.get(c.trs)
		var top trsEvent
		for _, e := range objects(g, one(t, g, mustIRI(t, c.trs), trsNS+"changeLog"), trsNS+"change") {
			if ev := c.event(g, e); ev.order > top.order {
				top = ev
			}
		}
		return top
	}
	postRecords(t, ts, 1)
	before := newest()

	env.srv.Close()
	require.NoError(t, env.db.Close())
	require.NoError(t, os.WriteFile(env.path, backup, 0o600))
	env.open(t, provider.TRSConfig{})
	postRecords(t, ts, 1)
	after := newest()
	assert.Equal(t, before.order, after.order, "the restored store reuses the order")
	assert.NotEqual(t, before.iri, after.iri, "but not the IRI")
}
