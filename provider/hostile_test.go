package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The hostile soak (issue 12, "How we will know") replays a corpus of
// hostile requests against a provider over loopback HTTP. Every request
// must be answered with a 4xx and an oslc:Error whose oslc:statusCode is
// that status, nothing may panic or be logged as an internal error, the
// catalog must still answer after each batch, and an export of the store
// must be byte-identical before and after the corpus.
//
// The corpus is testdata/hostile (see its README.md) plus the huge and deep
// inputs hostileGenerated builds in code.

// hostileMaxBody is the soak server's body limit: big enough that 100k-deep
// documents reach the parsers, small enough that the over-limit cases stay
// cheap.
const hostileMaxBody = 1 << 20

// A hostileCase is one request of the soak.
type hostileCase struct {
	name     string // unique: "<category>/<case>[/<method>]"
	category string
	method   string
	target   string      // path and query, with placeholders (hostileEnv.expand)
	header   [][2]string // in order; a name may repeat
	body     []byte
	want     int // the status it must get; 0: any 4xx
}

// hostileEnv is the soak's provider: a testServer whose provider and
// net/http server logs are kept, with a few resources to aim at.
type hostileEnv struct {
	*testServer
	log, httpLog syncBuffer
	client       *http.Client
	// trap counts requests to a server whose URL hostile documents name as
	// remote JSON-LD contexts and the like: the provider must never fetch.
	trap     *httptest.Server
	trapHits atomic.Int64
	// Targets: a record and its ETag, a monitored resource, a push job.
	record, etag, resource, job string
}

func newHostileEnv(t *testing.T) *hostileEnv {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
	require.NoError(t, err)
	env := &hostileEnv{}
	env.trap = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.trapHits.Add(1)
		w.Header().Set("Content-Type", "application/ld+json")
		io.WriteString(w, `{"@context": {"title": "http://purl.org/dc/terms/title"}}`)
	}))
	hs := httptest.NewUnstartedServer(nil)
	srv, err := provider.New(boltsource.New(db), provider.Config{
		BaseURL:      "http://" + hs.Listener.Addr().String(),
		MaxBodyBytes: hostileMaxBody,
		Logger:       slog.New(slog.NewTextHandler(&env.log, nil)),
		Collectors:   []collect.Collector{collect.NewHTTP()},
	})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Config.ErrorLog = log.New(&env.httpLog, "", 0)
	hs.Start()
	env.testServer = &testServer{Server: hs, db: db}
	env.client = &http.Client{
		Timeout: 2 * time.Minute,
		// A redirect is an answer too: the soak judges it, not its target.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(func() {
		hs.Close()
		env.trap.Close()
		db.Close()
	})

	env.resource = env.create(t, "/oslc/resources", `@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<> a crtv:ComputerSystem ; dcterms:title "web01" ; crtv:fqdn "web01.example.org" .`)
	env.record = env.create(t, "/oslc/records", strings.Replace(recordTTL, "http://example.org/hosts/web01", env.resource, 1))
	env.job = env.create(t, "/oslc/jobs", jobTTL([]string{env.resource}, func(p map[string]string) {
		p["pmj:collector"] = "pmj:PushCollector"
		p["pmj:granularity"] = `"PT1M"^^xsd:duration`
		p["pmj:performanceIndicator"] = "pm:CpuUsed"
	}))
	r := env.do(t, "GET", env.record, "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status)
	env.etag = r.header.Get("ETag")
	return env
}

// create POSTs a Turtle body and returns the Location.
func (env *hostileEnv) create(t *testing.T, path, body string) string {
	t.Helper()
	r := env.do(t, "POST", path, body, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	return r.header.Get("Location")
}

// expand replaces the placeholders of the corpus: {base} (the provider's
// URL), {record}, {etag}, {resource}, {job} and {trap} (a URL the provider
// must never fetch).
func (env *hostileEnv) expand(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return strings.NewReplacer(
		"{base}", env.URL,
		"{record}", env.record,
		"{etag}", env.etag,
		"{resource}", env.resource,
		"{job}", env.job,
		"{trap}", env.trap.URL,
	).Replace(s)
}

func (env *hostileEnv) expandBytes(b []byte) []byte {
	if !bytes.Contains(b, []byte("{")) {
		return b
	}
	return []byte(env.expand(string(b)))
}

// errorFormats are the representations oslc:Errors are asked for in, in
// turn, when a case sets no Accept of its own.
var errorFormats = []string{"text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"}

// send makes the request of c. The Accept header is errorFormats[i%4]
// unless c sets one.
func (env *hostileEnv) send(c hostileCase, i int) (response, error) {
	target := env.expand(c.target)
	if strings.HasPrefix(target, "/") {
		target = env.URL + target
	}
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(env.expandBytes(c.body))
	}
	req, err := http.NewRequest(c.method, target, body)
	if err != nil {
		return response{}, fmt.Errorf("the case is not a request Go can send: %w", err)
	}
	hasAccept := false
	for _, h := range c.header {
		v := env.expand(h[1])
		switch http.CanonicalHeaderKey(h[0]) {
		case "Accept":
			hasAccept = true
		case "Transfer-Encoding":
			// Send the body chunked: hide its length.
			req.ContentLength = -1
			req.Body = io.NopCloser(struct{ io.Reader }{req.Body})
			continue
		}
		req.Header.Add(h[0], v)
	}
	if !hasAccept {
		req.Header.Set("Accept", errorFormats[i%len(errorFormats)])
	}
	resp, err := env.client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("read the response: %w", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// judge returns what is wrong with the answer r to c: a status outside
// 4xx (or other than c.want), or a body that is not an oslc:Error of that
// status.
func judge(c hostileCase, r response) []string {
	var bad []string
	switch {
	case c.want != 0 && r.status != c.want:
		bad = append(bad, fmt.Sprintf("got status %d; want %d", r.status, c.want))
	case r.status < 400 || r.status > 499:
		bad = append(bad, fmt.Sprintf("got status %d; want a 4xx", r.status))
	}
	if err := checkOSLCError(r); err != nil {
		bad = append(bad, err.Error())
	}
	return bad
}

// checkOSLCError parses r's body in its Content-Type and checks that it
// holds an oslc:Error with r's status as oslc:statusCode and a message.
func checkOSLCError(r response) error {
	ct := strings.TrimSpace(strings.Split(r.header.Get("Content-Type"), ";")[0])
	f, ok := codec.FormatOf(ct)
	if !ok {
		return fmt.Errorf("body of Content-Type %q is not RDF: %s", ct, clip(r.body))
	}
	g, err := codec.Decode(bytes.NewReader(r.body), f, "http://error.example/")
	if err != nil {
		return fmt.Errorf("body does not parse as %s: %v: %s", ct, err, clip(r.body))
	}
	var node rdf.Term
	for _, tr := range g {
		if tr.Pred == vocab.RDFType && tr.Obj.String() == vocab.OSLC+"Error" {
			node = tr.Subj
		}
	}
	if node == nil {
		return fmt.Errorf("no oslc:Error in the body: %s", clip(r.body))
	}
	codes, msgs := objects(g, node, vocab.OSLC+"statusCode"), objects(g, node, vocab.OSLC+"message")
	if len(codes) != 1 || codes[0].String() != strconv.Itoa(r.status) {
		return fmt.Errorf("oslc:statusCode is %v; want %d", codes, r.status)
	}
	if len(msgs) != 1 || msgs[0].String() == "" {
		return fmt.Errorf("oslc:message is %v; want one", msgs)
	}
	return nil
}

// clip shortens a body for a failure message.
func clip(b []byte) string {
	const max = 400
	if len(b) <= max {
		return string(b)
	}
	return fmt.Sprintf("%s... (%d bytes)", b[:max], len(b))
}

// exportStore returns the store as sorted N-Triples, each resource's ETag,
// every triple the store matches, and its counts: what must not change.
func exportStore(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	// What the job engine staged is merged first: a merge changes no
	// answer, but the count of dictionary terms in Stats.
	_, err := db.Merge(ctx, 0)
	require.NoError(t, err)
	var lines []string
	require.NoError(t, db.View(ctx, func(s *store.Snapshot) error {
		var werr error
		err := s.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool {
			g, etag, err := s.Get(ctx, id)
			if err != nil {
				werr = err
				return false
			}
			var b bytes.Buffer
			if werr = codec.Encode(&b, codec.NTriples, g, nil); werr != nil {
				return false
			}
			lines = append(lines, "etag <"+id.String()+"> "+etag)
			lines = append(lines, strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")...)
			return true
		})
		return errors.Join(err, werr)
	}))
	require.NoError(t, db.Match(ctx, nil, nil, nil, func(tr rdf.Triple) bool {
		lines = append(lines, "match "+tr.Serialize(rdf.NTriples))
		return true
	}))
	st, err := db.Stats(ctx)
	require.NoError(t, err)
	lines = append(lines, fmt.Sprintf("stats %d resources, %d triples, %d terms", st.Resources, st.Triples, st.Terms))
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// TestHostileSoak replays the hostile corpus; see the top of this file.
func TestHostileSoak(t *testing.T) {
	t.Parallel()
	env := newHostileEnv(t)
	cases := hostileCorpus(t)
	require.GreaterOrEqual(t, len(cases), 300, "the corpus has at least 300 cases")
	byName := map[string]bool{}
	perCategory := map[string]int{}
	for _, c := range cases {
		require.False(t, byName[c.name], "case %s is defined twice", c.name)
		byName[c.name] = true
		perCategory[c.category]++
	}
	var cats []string
	for c, n := range perCategory {
		cats = append(cats, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(cats)
	t.Logf("%d cases: %s", len(cases), strings.Join(cats, ", "))

	catalogUp := func(after string) {
		r, err := env.send(hostileCase{method: "GET", target: "/oslc/catalog"}, 0)
		require.NoError(t, err, "the server is down after %s", after)
		require.Equal(t, 200, r.status, "catalog after %s: %s", after, clip(r.body))
	}
	before := exportStore(t, env.db)
	start := time.Now()
	logs, httpLogs := 0, 0
	last := ""
	for i, c := range cases {
		if c.category != last && last != "" {
			catalogUp(last)
		}
		last = c.category
		t.Run(c.name, func(t *testing.T) {
			r, err := env.send(c, i)
			if err != nil {
				t.Fatalf("no answer (did the handler panic?): %v", err)
			}
			for _, b := range judge(c, r) {
				t.Error(b)
			}
			if r.status < 300 {
				// Keep the ETag current, so that the next PUTs are
				// judged on their own; the store comparison reports
				// the change.
				env.etag = env.do(t, "GET", env.record, "").header.Get("ETag")
			}
			if l := env.log.String(); len(l) > logs {
				t.Errorf("the provider logged: %s", l[logs:])
				logs = len(l)
			}
			if l := env.httpLog.String(); len(l) > httpLogs {
				t.Errorf("net/http logged: %s", l[httpLogs:])
				httpLogs = len(l)
			}
		})
	}
	catalogUp(last)
	t.Logf("%d cases in %s", len(cases), time.Since(start).Round(time.Millisecond))
	assert.Zero(t, env.trapHits.Load(), "the provider fetched a URL a document named")
	if after := exportStore(t, env.db); after != before {
		t.Errorf("the store changed:\n%s", diffLines(before, after))
	}

}

// diffLines lists the lines only in a and only in b, the first 40 of
// them, each cut at 300 bytes.
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	if len(out) > 40 {
		out = append(out[:40], fmt.Sprintf("... %d lines in all", len(out)))
	}
	for i, l := range out {
		if len(l) > 300 {
			out[i] = l[:300] + "..."
		}
	}
	return strings.Join(out, "\n")
}

// hostileCorpus returns the files' cases and the generated ones.
func hostileCorpus(t *testing.T) []hostileCase {
	cases := hostileFiles(t, filepath.Join(moduleRoot(t), "testdata", "hostile"))
	return append(cases, hostileGenerated()...)
}

// bodyFormats maps the extensions of body files to media types.
var bodyFormats = map[string]string{
	".rdf":    "application/rdf+xml",
	".ttl":    "text/turtle",
	".nt":     "application/n-triples",
	".jsonld": "application/ld+json",
}

// hostileFiles reads the corpus files of dir (see testdata/hostile/README.md).
func hostileFiles(t *testing.T, dir string) []hostileCase {
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	sort.Strings(names)
	var cases []hostileCase
	for _, path := range names {
		ext := filepath.Ext(path)
		category := strings.TrimSuffix(filepath.Base(path), ext)
		if ext == ".md" {
			continue
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		switch {
		case ext == ".http":
			for _, s := range sections(t, path, data) {
				c := parseRequest(t, path, s)
				c.category = category
				cases = append(cases, c)
			}
		case ext == ".txt":
			cases = append(cases, queryLines(t, path, category, data)...)
		case bodyFormats[ext] != "":
			for _, s := range sections(t, path, data) {
				cases = append(cases, bodyCases(filepath.Base(path), s.name, bodyFormats[ext], s.body, s.want)...)
			}
		default:
			t.Fatalf("%s: unknown kind of corpus file", path)
		}
	}
	return cases
}

// bodyCases are a document POSTed to the records' creation factory and
// PUT in place of the record.
func bodyCases(category, name, mediaType string, body []byte, want int) []hostileCase {
	return []hostileCase{
		{name: category + "/" + name + "/POST", category: category, method: "POST", target: "/oslc/records",
			header: [][2]string{{"Content-Type", mediaType}}, body: body, want: want},
		{name: category + "/" + name + "/PUT", category: category, method: "PUT", target: "{record}",
			header: [][2]string{{"Content-Type", mediaType}, {"If-Match", "{etag}"}}, body: body, want: want},
	}
}

type section struct {
	name string
	want int
	body []byte
	line int
}

// sections splits a corpus file at lines "=== name [status]". Lines
// before the first are comments.
func sections(t *testing.T, path string, data []byte) []section {
	var out []section
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, l := range lines {
		if !bytes.HasPrefix(l, []byte("=== ")) {
			if len(out) > 0 {
				out[len(out)-1].body = append(out[len(out)-1].body, l...)
			}
			continue
		}
		f := strings.Fields(string(l[4:]))
		require.NotEmpty(t, f, "%s:%d: a section needs a name", path, i+1)
		s := section{name: f[0], line: i + 1, body: []byte{}}
		if len(f) > 1 {
			n, err := strconv.Atoi(f[1])
			require.NoError(t, err, "%s:%d: status", path, i+1)
			s.want = n
		}
		out = append(out, s)
	}
	return out
}

// parseRequest reads a section of a .http file: a request line, header
// lines, an empty line and the body.
func parseRequest(t *testing.T, path string, s section) hostileCase {
	head, body, hasBody := bytes.Cut(s.body, []byte("\n\n"))
	lines := strings.Split(strings.TrimRight(string(head), "\n"), "\n")
	method, target, ok := strings.Cut(lines[0], " ")
	require.True(t, ok, "%s:%d: want a request line METHOD TARGET", path, s.line+1)
	c := hostileCase{name: strings.TrimSuffix(filepath.Base(path), ".http") + "/" + s.name, method: method, target: target, want: s.want}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		require.True(t, ok, "%s: %s: want header lines Name: value", path, s.name)
		c.header = append(c.header, [2]string{k, strings.TrimSpace(v)})
	}
	if hasBody {
		c.body = body
	}
	return c
}

// queryLines reads a .txt file: a GET per line, "name [status] target".
func queryLines(t *testing.T, path, category string, data []byte) []hostileCase {
	var out []hostileCase
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		name, target, ok := strings.Cut(l, " ")
		require.True(t, ok, "%s:%d: want name target", path, i+1)
		want := 0
		if n, rest, ok := strings.Cut(strings.TrimSpace(target), " "); ok {
			var err error
			want, err = strconv.Atoi(n)
			require.NoError(t, err, "%s:%d: want name [status] target, with no space in the target", path, i+1)
			target = rest
		}
		out = append(out, hostileCase{name: category + "/" + name, category: category, method: "GET", target: strings.TrimSpace(target), want: want})
	}
	return out
}

// A recordDoc is the record of recordTTL in any format, with parts
// replaced; each part is inserted as given, already escaped for the
// format (see escape).
type recordDoc struct {
	title, host, date, value string
}

// goodRecord is valid; badRecord is refused by validation alone (its date
// has no timezone), after the whole document was read.
var (
	goodRecord = recordDoc{title: "web01 at 10:00", host: "http://example.org/hosts/web01", date: "2026-11-01T10:00:00+02:00", value: "93.5"}
	badRecord  = recordDoc{title: "web01 at 10:00", host: "http://example.org/hosts/web01", date: "2026-11-01T10:00:00", value: "93.5"}
)

func (d recordDoc) with(part, v string) recordDoc {
	switch part {
	case "title":
		d.title = v
	case "host":
		d.host = v
	case "date":
		d.date = v
	case "value":
		d.value = v
	default:
		panic("no part " + part)
	}
	return d
}

// in writes d in format f.
func (d recordDoc) in(f codec.Format) []byte {
	var s string
	switch f {
	case codec.Turtle:
		s = `@prefix pm: <http://open-services.net/ns/perfmon#> .
@prefix ems: <http://open-services.net/ns/ems#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<> a pm:PerformanceMonitoringRecord ;
  dcterms:title "` + d.title + `" ;
  dcterms:date "` + d.date + `"^^xsd:dateTime ;
  dcterms:isPartOf <` + d.host + `> ;
  ems:observes [ a ems:Measure ; ems:metric pm:CpuUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue "` + d.value + `"^^xsd:decimal ] .
`
	case codec.NTriples:
		s = `<http://client.example/r> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://open-services.net/ns/perfmon#PerformanceMonitoringRecord> .
<http://client.example/r> <http://purl.org/dc/terms/title> "` + d.title + `" .
<http://client.example/r> <http://purl.org/dc/terms/date> "` + d.date + `"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
<http://client.example/r> <http://purl.org/dc/terms/isPartOf> <` + d.host + `> .
<http://client.example/r> <http://open-services.net/ns/ems#observes> _:m .
_:m <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://open-services.net/ns/ems#Measure> .
_:m <http://open-services.net/ns/ems#metric> <http://open-services.net/ns/perfmon#CpuUsed> .
_:m <http://open-services.net/ns/ems#unitOfMeasure> <http://dbpedia.org/resource/Percentage> .
_:m <http://open-services.net/ns/ems#numericValue> "` + d.value + `"^^<http://www.w3.org/2001/XMLSchema#decimal> .
`
	case codec.RDFXML:
		s = `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcterms="http://purl.org/dc/terms/"
    xmlns:pm="http://open-services.net/ns/perfmon#" xmlns:ems="http://open-services.net/ns/ems#">
  <pm:PerformanceMonitoringRecord rdf:about="">
    <dcterms:title>` + d.title + `</dcterms:title>
    <dcterms:date rdf:datatype="http://www.w3.org/2001/XMLSchema#dateTime">` + d.date + `</dcterms:date>
    <dcterms:isPartOf rdf:resource="` + d.host + `"/>
    <ems:observes>
      <ems:Measure>
        <ems:metric rdf:resource="http://open-services.net/ns/perfmon#CpuUsed"/>
        <ems:unitOfMeasure rdf:resource="http://dbpedia.org/resource/Percentage"/>
        <ems:numericValue rdf:datatype="http://www.w3.org/2001/XMLSchema#decimal">` + d.value + `</ems:numericValue>
      </ems:Measure>
    </ems:observes>
  </pm:PerformanceMonitoringRecord>
</rdf:RDF>
`
	case codec.JSONLD:
		s = `{
  "@context": {"dcterms": "http://purl.org/dc/terms/", "ems": "http://open-services.net/ns/ems#",
    "pm": "http://open-services.net/ns/perfmon#", "xsd": "http://www.w3.org/2001/XMLSchema#"},
  "@id": "",
  "@type": "pm:PerformanceMonitoringRecord",
  "dcterms:title": "` + d.title + `",
  "dcterms:date": {"@type": "xsd:dateTime", "@value": "` + d.date + `"},
  "dcterms:isPartOf": {"@id": "` + d.host + `"},
  "ems:observes": {"@type": "ems:Measure", "ems:metric": {"@id": "pm:CpuUsed"},
    "ems:unitOfMeasure": {"@id": "http://dbpedia.org/resource/Percentage"},
    "ems:numericValue": {"@type": "xsd:decimal", "@value": "` + d.value + `"}}
}
`
	}
	return []byte(s)
}

// escape writes s for the inside of a literal ("...") or an IRI (<...>,
// an attribute, a JSON string) in format f, so that the parser reads
// back s itself: Turtle and N-Triples escape what their grammar forbids
// with \u, RDF/XML with character references, JSON with JSON escapes.
// What the format cannot express at all (control characters in XML,
// invalid UTF-8) is left raw: the document is then malformed.
func escape(f codec.Format, s string, iri bool) string {
	var b strings.Builder
	for i, r := range s {
		_, w := utf8.DecodeRuneInString(s[i:])
		raw := s[i : i+w]
		if r == utf8.RuneError && w == 1 {
			b.WriteByte(s[i])
			continue
		}
		switch f {
		case codec.Turtle, codec.NTriples:
			switch {
			case iri && (r <= 0x20 || strings.ContainsRune("<>\"{}|^`\\", r)):
				fmt.Fprintf(&b, `\u%04X`, r)
			case !iri && r == '"':
				b.WriteString(`\"`)
			case !iri && r == '\\':
				b.WriteString(`\\`)
			case !iri && r < 0x20:
				fmt.Fprintf(&b, `\u%04X`, r)
			default:
				b.WriteString(raw)
			}
		case codec.RDFXML:
			switch r {
			case '&':
				b.WriteString("&amp;")
			case '<':
				b.WriteString("&lt;")
			case '>':
				b.WriteString("&gt;")
			case '"':
				b.WriteString("&quot;")
			default:
				b.WriteString(raw)
			}
		case codec.JSONLD:
			j, _ := json.Marshal(raw)
			b.Write(j[1 : len(j)-1])
		}
	}
	return b.String()
}

// formatNames are short names of the formats for case names.
var formatNames = map[codec.Format]string{codec.RDFXML: "rdfxml", codec.Turtle: "turtle", codec.NTriples: "ntriples", codec.JSONLD: "jsonld"}

// hostileGenerated builds the cases too big or too regular to write by
// hand: deep nesting, huge literals, hostile IRIs in every format, and
// huge or numerous query terms and headers.
func hostileGenerated() []hostileCase {
	var cases []hostileCase
	cases = append(cases, deepCases()...)
	cases = append(cases, hugeCases()...)
	cases = append(cases, iriCases()...)
	cases = append(cases, queryCases()...)
	cases = append(cases, headerCases()...)
	cases = append(cases, dosCases()...)
	return cases
}

const (
	xmlHead  = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/e#">`
	ttlHead  = "@prefix : <http://example.org/e#> .\n"
	jsonHead = `{"@context": {"p": "http://example.org/e#p"}, "@id": "", "p": `
)

// nested writes open depth times, then middle, then close depth times;
// with close "" the document stays unclosed, as a stream that never ends
// would.
func nested(head, open, middle, close, tail string, depth int) []byte {
	var b bytes.Buffer
	b.WriteString(head)
	for i := 0; i < depth; i++ {
		b.WriteString(open)
	}
	b.WriteString(middle)
	if close != "" {
		for i := 0; i < depth; i++ {
			b.WriteString(close)
		}
		b.WriteString(tail)
	}
	return b.Bytes()
}

// deepCases nest every construct that nests, from just past codec.MaxDepth
// to 100,000 deep (closed up to 10,000 deep, beyond that left open).
func deepCases() []hostileCase {
	kinds := []struct {
		name, mediaType                       string
		head, open, middle, close, tail, bare string
	}{
		{"rdfxml-nodes", "application/rdf+xml", xmlHead + `<rdf:Description rdf:about="">`, `<e:p><rdf:Description>`, `<e:q>x</e:q>`, `</rdf:Description></e:p>`, `</rdf:Description></rdf:RDF>`, ""},
		{"rdfxml-parsetype-resource", "application/rdf+xml", xmlHead + `<rdf:Description rdf:about="">`, `<e:p rdf:parseType="Resource">`, `<e:q>x</e:q>`, `</e:p>`, `</rdf:Description></rdf:RDF>`, ""},
		{"rdfxml-xml-literal", "application/rdf+xml", xmlHead + `<rdf:Description rdf:about=""><e:p rdf:parseType="Literal">`, `<b>`, `x`, `</b>`, `</e:p></rdf:Description></rdf:RDF>`, ""},
		{"rdfxml-collection", "application/rdf+xml", xmlHead + `<rdf:Description rdf:about="">`, `<e:p rdf:parseType="Collection"><rdf:Description>`, ``, `</rdf:Description></e:p>`, `</rdf:Description></rdf:RDF>`, ""},
		{"xml-elements", "application/rdf+xml", "", `<a>`, `x`, `</a>`, ``, ""},
		{"turtle-blank-nodes", "text/turtle", ttlHead + "<> :p ", "[ :p ", "1", " ]", " .\n", ""},
		{"turtle-collections", "text/turtle", ttlHead + "<> :p ", "(", "1", ")", " .\n", ""},
		{"turtle-mixed", "text/turtle", ttlHead + "<> :p ", "[ :p (", "1", ") ]", " .\n", ""},
		{"jsonld-objects", "application/ld+json", jsonHead, `{"p": `, `1`, `}`, `}`, ""},
		{"jsonld-arrays", "application/ld+json", jsonHead, `[`, `1`, `]`, `}`, ""},
		{"jsonld-lists", "application/ld+json", jsonHead, `{"@list": [`, `1`, `]}`, `}`, ""},
		{"jsonld-scoped-contexts", "application/ld+json", `{"@context": `, `{"p": {"@id": "http://example.org/e#p", "@context": `, `{}`, `}}`, `, "@id": "", "p": 1}`, ""},
	}
	var cases []hostileCase
	for _, k := range kinds {
		for _, depth := range []int{codec.MaxDepth + 1, 1000, 10000, 100000} {
			close := k.close
			if depth > 10000 {
				close = ""
			}
			body := nested(k.head, k.open, k.middle, close, k.tail, depth)
			for _, c := range bodyCases("deep", fmt.Sprintf("%s-%d", k.name, depth), k.mediaType, body, 0) {
				if c.method == "PUT" && depth < 100000 {
					continue
				}
				cases = append(cases, c)
			}
		}
	}
	return cases
}

// words returns n bytes of words.
func words(n int) string {
	const w = "lorem ipsum dolor sit amet consectetur "
	return strings.Repeat(w, n/len(w)+1)[:n]
}

// hugeCases hold huge literals and many small parts, within the body limit
// (in documents that are otherwise refused, or are malformed) and beyond
// it.
func hugeCases() []hostileCase {
	var cases []hostileCase
	add := func(name string, f codec.Format, body []byte, want int, put bool) {
		for _, c := range bodyCases("huge", name+"-"+formatNames[f], f.MediaType(), body, want) {
			if c.method == "PUT" && !put {
				continue
			}
			cases = append(cases, c)
		}
	}
	const within = hostileMaxBody - 64<<10
	for _, f := range codec.Formats {
		add("title-900k", f, badRecord.with("title", words(within)).in(f), 0, true)
		add("title-over-limit", f, goodRecord.with("title", words(2*hostileMaxBody)).in(f), http.StatusRequestEntityTooLarge, true)
		add("title-8m", f, goodRecord.with("title", words(8<<20)).in(f), http.StatusRequestEntityTooLarge, false)
		add("value-500k-digits", f, badRecord.with("value", strings.Repeat("9", 500000)+".5").in(f), 0, false)
		add("date-500k", f, goodRecord.with("date", "2026-11-01T10:00:00"+strings.Repeat("0", 500000)+"+02:00").in(f), 0, false)
		doc := badRecord.with("title", "\x00TITLE").in(f)
		head, _, _ := bytes.Cut(doc, []byte("\x00TITLE"))
		add("unterminated-title", f, append(bytes.Clone(head), words(within)...), 0, true)
		add("whitespace-then-junk", f, append(bytes.Repeat([]byte(" "), within), "junk"...), 0, false)
	}
	// Escapes cost the parser more than plain text.
	esc := map[codec.Format]string{codec.Turtle: `\u00E9`, codec.NTriples: `\U0001F600`, codec.RDFXML: `&#233;`, codec.JSONLD: `\u00e9`}
	for _, f := range codec.Formats {
		add("title-escapes", f, badRecord.with("title", strings.Repeat(esc[f], within/len(esc[f]))).in(f), 0, true)
	}
	lang := strings.Repeat("a", 100000)
	cases = append(cases,
		bodyCases("huge", "lang-tag-turtle", "text/turtle", []byte(ttlHead+`<> :p "x"@`+lang+" .\n"), 0)[0],
		bodyCases("huge", "lang-tag-ntriples", "application/n-triples", []byte(`<http://a.example/s> <http://a.example/p> "x"@`+lang+" .\n"), 0)[0],
		bodyCases("huge", "lang-tag-rdfxml", "application/rdf+xml", []byte(xmlHead+`<rdf:Description rdf:about="" xml:lang="`+lang+`"><e:p>x</e:p></rdf:Description></rdf:RDF>`), 0)[0],
		bodyCases("huge", "lang-tag-jsonld", "application/ld+json", []byte(jsonHead+`{"@value": "x", "@language": "`+lang+`"}}`), 0)[0],
		bodyCases("huge", "datatype-iri-turtle", "text/turtle", []byte(ttlHead+`<> :p "x"^^<http://example.org/`+strings.Repeat("d", within)+"> .\n"), 0)[0],
		bodyCases("huge", "xml-comment", "application/rdf+xml", []byte(xmlHead+"<!--"+words(within)+"--></rdf:RDF>"), 0)[0],
		bodyCases("huge", "xml-processing-instruction", "application/rdf+xml", []byte(xmlHead+"<?pi "+words(within)+"?></rdf:RDF>"), 0)[0],
		bodyCases("huge", "xml-cdata", "application/rdf+xml", []byte(xmlHead+`<rdf:Description rdf:about=""><e:p><![CDATA[`+words(within)+`]]></e:p></rdf:Description></rdf:RDF>`), 0)[0],
		bodyCases("huge", "xml-attributes", "application/rdf+xml", []byte(xmlHead+`<rdf:Description rdf:about=""`+manyAttrs(20000)+`/></rdf:RDF>`), 0)[0],
		bodyCases("huge", "xml-namespaces", "application/rdf+xml", []byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"`+manyNamespaces(20000)+`><rdf:Description rdf:about=""/></rdf:RDF>`), 0)[0],
		bodyCases("huge", "turtle-prefixes", "text/turtle", []byte(manyPrefixes(20000)+"<> :p 1 .\n"), 0)[0],
		bodyCases("huge", "ntriples-unrelated-subjects", "application/n-triples", manyTriples(within), 0)[0],
		bodyCases("huge", "turtle-blank-nodes", "text/turtle", []byte(ttlHead+"<> :p "+strings.Repeat("[], ", within/4)+"[] .\n"), 0)[0],
		bodyCases("huge", "jsonld-keys", "application/ld+json", []byte(jsonHead+`1, `+manyKeys(20000)+`}`), 0)[0],
		bodyCases("huge", "jsonld-terms", "application/ld+json", []byte(`{"@context": {`+manyTerms(20000)+`}, "@id": "", "t1": 1}`), 0)[0],
	)
	// Entities that expand a small document into a huge one (a record
	// that is valid but for its size).
	for _, n := range []int{1000, 30000, 300000} {
		ent := `<!DOCTYPE rdf:RDF [ <!ENTITY e "` + strings.Repeat("a", 1000) + `"> ]>` + "\n"
		decl, rest, _ := strings.Cut(string(goodRecord.with("title", strings.Repeat("&e;", n)).in(codec.RDFXML)), "\n")
		cases = append(cases, bodyCases("huge", fmt.Sprintf("entity-amplification-%d-refs", n), "application/rdf+xml",
			[]byte(decl+"\n"+ent+rest), 0)...)
	}
	// Sent without a length, in chunks: the limit must hold all the same.
	for _, f := range []codec.Format{codec.Turtle, codec.JSONLD} {
		for _, c := range bodyCases("huge", "chunked-over-limit-"+formatNames[f], f.MediaType(), goodRecord.with("title", words(2*hostileMaxBody)).in(f), http.StatusRequestEntityTooLarge) {
			c.header = append(c.header, [2]string{"Transfer-Encoding", "chunked"})
			cases = append(cases, c)
		}
	}
	return cases
}

func manyAttrs(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ` e:a%d="%d"`, i, i)
	}
	return b.String()
}

func manyNamespaces(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ` xmlns:n%d="http://example.org/n%d#"`, i, i)
	}
	return b.String()
}

func manyPrefixes(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "@prefix : <http://example.org/n%d#> .\n", i)
	}
	return b.String()
}

func manyTriples(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "<http://a.example/s%d> <http://a.example/p> \"%d\" .\n", i, i)
	}
	return b.Bytes()
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"http://example.org/k%d": %d`, i, i)
	}
	return b.String()
}

func manyTerms(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"t%d": "http://example.org/t%d"`, i, i)
	}
	return b.String()
}

// hostileIRIs are IRIs a client may send. refuse says the IRI itself is
// not an IRI (RFC 3987) and must be refused: those are sent in an
// otherwise valid record. The others are IRIs, if odd ones, and are sent
// in a record refused for its date, so that the server reads them whole
// before it says no.
var hostileIRIs = []struct {
	name, iri string
	refuse    bool
}{
	{"nul", "http://example.org/a\x00b", true},
	{"control-01", "http://example.org/a\x01b", true},
	{"tab", "http://example.org/a\tb", true},
	{"newline", "http://example.org/a\nb", true},
	{"carriage-return", "http://example.org/a\rb", true},
	{"escape", "http://example.org/a\x1b[31mb", true},
	{"delete", "http://example.org/a\x7fb", true},
	{"c1-next-line", "http://example.org/a\u0085b", true},
	{"space", "http://example.org/a b", true},
	{"angle-brackets", "http://example.org/<script>", true},
	{"quote", `http://example.org/a"b`, true},
	{"braces", "http://example.org/{a}", true},
	{"pipe", "http://example.org/a|b", true},
	{"caret", "http://example.org/a^b", true},
	{"backtick", "http://example.org/a`b", true},
	{"backslash", `http://example.org/a\b`, true},
	{"percent-not-hex", "http://example.org/%zz", true},
	{"percent-truncated", "http://example.org/%4", true},
	{"invalid-utf8", "http://example.org/\xff\xfe", true},
	{"utf8-surrogate", "http://example.org/\xed\xa0\x80", true},
	{"utf8-overlong-slash", "http://example.org/\xc0\xaf", true},
	{"noncharacter-fffe", "http://example.org/\ufffe", true},
	{"noncharacter-ffff", "http://example.org/\uffff", true},
	{"bad-ipv6", "http://[::1/x", true},
	{"bad-port", "http://example.org:port/", true},
	{"relative", "hosts/web01", false},
	{"relative-dot-dot", "../../../../../../etc/passwd", false},
	{"network-path", "//evil.example/x", false},
	{"fragment-only", "#frag", false},
	{"empty", "", false},
	{"javascript", "javascript:alert(document.cookie)", false},
	{"data", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", false},
	{"file-etc-passwd", "file:///etc/passwd", false},
	{"loopback", "http://127.0.0.1:1/internal-admin", false},
	{"userinfo", "http://user:secret@example.org/", false},
	{"bidi-override", "http://example.org/\u202egnp.exe", false},
	{"zero-width", "http://exa\u200bmple.org/", false},
	{"byte-order-mark", "http://example.org/\ufeffa", false},
	{"homoglyph-host", "http://ex\u0430mple.org/", false},
	{"fullwidth-scheme", "\uff48\uff54\uff54\uff50\uff1a\uff0f\uff0fexample.org/", false},
	{"long-100k", "http://example.org/" + strings.Repeat("a", 100000), false},
	{"long-100k-unicode", "http://example.org/" + strings.Repeat("\u00e9", 50000), false},
	{"long-path-dot-dots", "http://example.org/" + strings.Repeat("../", 30000), false},
}

// iriCases put each hostile IRI in every format: as the record's
// dcterms:isPartOf, and for Turtle also as subject, predicate, datatype
// and base.
func iriCases() []hostileCase {
	var cases []hostileCase
	for _, h := range hostileIRIs {
		doc := badRecord
		if h.refuse {
			doc = goodRecord
		}
		for _, f := range codec.Formats {
			c := bodyCases("iri", h.name+"-"+formatNames[f], f.MediaType(), doc.with("host", escape(f, h.iri, true)).in(f), 0)[0]
			cases = append(cases, c)
		}
		if !h.refuse {
			continue
		}
		iri := escape(codec.Turtle, h.iri, true)
		for _, pos := range []struct{ name, body string }{
			{"subject", "<" + iri + "> :p 1 ."},
			{"predicate", "<> <" + iri + "> 1 ."},
			{"datatype", `<> :p "1"^^<` + iri + "> ."},
			{"base", "@base <" + iri + "> .\n<> :p 1 ."},
		} {
			c := bodyCases("iri", h.name+"-as-"+pos.name, "text/turtle", []byte(ttlHead+pos.body+"\n"), 0)[1]
			cases = append(cases, c)
		}
	}
	return cases
}

// repeat joins n copies of s with sep.
func repeat(s, sep string, n int) string {
	return strings.TrimSuffix(strings.Repeat(s+sep, n), sep)
}

// queryCases are the query parameters too big to write by hand: huge
// values, 10,000 terms (each list ending in an error, so that the whole
// of it is read first), and NUL bytes and invalid UTF-8 in every
// parameter.
func queryCases() []hostileCase {
	q := func(name, target string, want int) hostileCase {
		return hostileCase{name: "queries/" + name, category: "queries", method: "GET", target: target, want: want}
	}
	big := strings.Repeat("a", 500000)
	cases := []hostileCase{
		q("where-10000-terms-then-junk", "/oslc/records?oslc.where="+url.QueryEscape(repeat(`dcterms:title="x"`, " and ", 10000)+" and"), 0),
		q("where-10000-in-values-then-junk", "/oslc/records?oslc.where="+url.QueryEscape("dcterms:title in ["+repeat(`"x"`, ",", 10000)+","), 0),
		q("select-10000-terms-then-junk", "/oslc/records?oslc.select="+url.QueryEscape(repeat("dcterms:title", ",", 10000)+",nope:x"), 0),
		q("orderBy-10000-terms-then-junk", "/oslc/records?oslc.orderBy="+url.QueryEscape(repeat("+dcterms:title", ",", 10000)+",?"), 0),
		q("searchTerms-10000-terms-then-junk", "/oslc/records?oslc.searchTerms="+url.QueryEscape(repeat(`"x"`, ",", 10000)+`,"`), 0),
		q("prefix-10000-then-junk", "/oslc/records?oslc.prefix="+url.QueryEscape(manyQueryPrefixes(10000)+",x=")+"&oslc.where=dcterms:title=%22x%22", 0),
		q("properties-10000-then-junk", "{record}?oslc.properties="+url.QueryEscape(repeat("dcterms:title", ",", 10000)+",{"), 0),
		q("where-huge-string-unterminated", "/oslc/records?oslc.where="+url.QueryEscape(`dcterms:title="`+big), 0),
		q("where-huge-name-then-junk", "/oslc/records?oslc.where=dcterms:"+big+"=", 0),
		q("where-huge-unknown-prefix", "/oslc/records?oslc.where="+big+":x=1", 0),
		q("where-huge-number", "/oslc/records?oslc.where=ems:numericValue>"+strings.Repeat("9", 500000)+"x", 0),
		q("select-huge-name", "/oslc/records?oslc.select="+big+":x", 0),
		q("orderBy-huge-name", "/oslc/records?oslc.orderBy=%2B"+big+":x", 0),
		q("searchTerms-huge-unterminated", "/oslc/records?oslc.searchTerms=%22"+big, 0),
		q("prefix-huge-iri-unterminated", "/oslc/records?oslc.prefix=x=%3Chttp://example.org/"+big, 0),
		q("pageSize-huge-junk", "/oslc/records?oslc.pageSize="+strings.Repeat("9", 500000)+"x", 400),
		q("pageToken-huge", "/oslc/records?oslc.pageToken="+big, 0),
		q("format-huge", "/oslc/catalog?format="+big, 406),
	}
	// Scopes nested past the parser's limit, closed or left open.
	for _, depth := range []int{1001, 100000} {
		close := strings.Repeat("}", depth)
		if depth > 10000 {
			close = ""
		}
		cases = append(cases,
			q(fmt.Sprintf("where-nested-scope-%d", depth), "/oslc/records?oslc.prefix=a%3D%3Chttp://a.example/%3E&oslc.where="+strings.Repeat("a:b{", depth)+"a:c=1"+close, 0),
			q(fmt.Sprintf("select-nested-scope-%d", depth), "/oslc/records?oslc.prefix=a%3D%3Chttp://a.example/%3E&oslc.select="+strings.Repeat("a:b{", depth)+"a:c"+close, 0),
			q(fmt.Sprintf("properties-nested-scope-%d", depth), "{record}?oslc.prefix=a%3D%3Chttp://a.example/%3E&oslc.properties="+strings.Repeat("a:b{", depth)+"a:c"+close, 0),
		)
	}
	// Raw bytes in the query, not percent-encoded.
	cases = append(cases,
		q("where-raw-invalid-utf8", "/oslc/records?oslc.where=dcterms:title=%22\xff\xfe%22", 0),
		q("searchTerms-raw-invalid-utf8", "/oslc/records?oslc.searchTerms=%22\xc3%28%22", 0),
		q("select-raw-invalid-utf8", "/oslc/records?oslc.select=dcterms:\xff", 0),
	)
	bad := []struct{ name, value string }{{"nul", "%00"}, {"invalid-utf8", "%FF%FE"}, {"nul-in-string", "%22a%00b%22"}, {"invalid-utf8-in-string", "%22a%C0%AFb%22"}}
	for _, b := range bad {
		if b.name != "nul-in-string" {
			// A NUL is a character like any other in a string: a query
			// for it is valid.
			cases = append(cases,
				q("where-"+b.name, "/oslc/records?oslc.where=dcterms:title="+b.value, 0),
				q("searchTerms-"+b.name, "/oslc/records?oslc.searchTerms="+b.value, 0))
		}
		cases = append(cases,
			q("where-name-"+b.name, "/oslc/records?oslc.where=dcterms:ti"+b.value+"tle=%22x%22", 0),
			q("select-"+b.name, "/oslc/records?oslc.select=dcterms:"+b.value, 0),
			q("orderBy-"+b.name, "/oslc/records?oslc.orderBy=%2Bdcterms:"+b.value, 0),
			q("prefix-"+b.name, "/oslc/records?oslc.prefix=x=%3Chttp://example.org/"+b.value+"%3E", 0),
			q("pageSize-"+b.name, "/oslc/records?oslc.pageSize=1"+b.value, 400),
			q("pageToken-"+b.name, "/oslc/records?oslc.pageToken="+b.value, 0),
			q("properties-"+b.name, "{record}?oslc.properties=dcterms:"+b.value, 0),
		)
	}
	return cases
}

func manyQueryPrefixes(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "p%d=<http://example.org/p%d#>", i, i)
	}
	return b.String()
}

// headerCases are headers too big or too many to write by hand. A header
// the provider may ignore (OSLC-Core-Version, Prefer) goes with a request
// refused for another reason: the header must not turn the refusal into
// a crash or a 5xx.
func headerCases() []hostileCase {
	h := func(name, method, target string, want int, body []byte, header ...string) hostileCase {
		c := hostileCase{name: "header/" + name, category: "header", method: method, target: target, want: want, body: body}
		for i := 0; i+1 < len(header); i += 2 {
			c.header = append(c.header, [2]string{header[i], header[i+1]})
		}
		return c
	}
	bad := badRecord.in(codec.Turtle)
	many := func(n int, k string) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, fmt.Sprintf("%s-%d", k, i), strings.Repeat("v", 100))
		}
		return out
	}
	return []hostileCase{
		h("accept-900k", "GET", "/oslc/catalog", 406, nil, "Accept", strings.Repeat("a", 900000)+"/b"),
		h("accept-10000-ranges", "GET", "/oslc/catalog", 406, nil, "Accept", repeat("image/png;q=0.9", ",", 10000)),
		h("accept-10000-params", "GET", "/oslc/catalog", 406, nil, "Accept", "image/png"+strings.Repeat(";a=b", 10000)),
		h("accept-10000-headers", "GET", "/oslc/catalog", 406, nil, repeatPairs("Accept", "image/png", 5000)...),
		h("accept-invalid-utf8", "GET", "/oslc/catalog", 406, nil, "Accept", "text/\xff\xfe"),
		h("accept-q-huge", "GET", "/oslc/catalog", 406, nil, "Accept", "image/png;q="+strings.Repeat("9", 100000)),
		h("if-match-100k", "PUT", "{record}", 412, goodRecord.in(codec.Turtle), "Content-Type", "text/turtle", "If-Match", `"`+strings.Repeat("x", 100000)+`"`),
		h("if-match-10000-tags", "PUT", "{record}", 412, goodRecord.in(codec.Turtle), "Content-Type", "text/turtle", "If-Match", repeat(`"x"`, ", ", 10000)),
		h("if-match-invalid-utf8", "PUT", "{record}", 412, goodRecord.in(codec.Turtle), "Content-Type", "text/turtle", "If-Match", "\"\xff\xfe\""),
		h("content-type-100k", "POST", "/oslc/records", 415, goodRecord.in(codec.Turtle), "Content-Type", "text/"+strings.Repeat("t", 100000)),
		h("content-type-10000-params", "POST", "/oslc/records", 0, bad, "Content-Type", "text/turtle"+strings.Repeat(";a=b", 10000)),
		h("content-type-invalid-utf8", "POST", "/oslc/records", 415, goodRecord.in(codec.Turtle), "Content-Type", "text/\xff\xfe"),
		h("oslc-core-version-100k", "POST", "/oslc/records", 400, bad, "Content-Type", "text/turtle", "OSLC-Core-Version", strings.Repeat("2.0", 30000)),
		h("prefer-100k", "POST", "/oslc/records", 400, bad, "Content-Type", "text/turtle", "Prefer", "return=representation; include=\""+strings.Repeat("http://x ", 10000)+"\""),
		h("1000-headers", "POST", "/oslc/records", 400, bad, append([]string{"Content-Type", "text/turtle"}, many(1000, "X-Junk")...)...),
	}
}

func repeatPairs(k, v string, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, k, v)
	}
	return out
}

// dosCases are generated inputs that cost the server minutes before
// issue 12's fixes: a record of 10,000 measures (over the measure limit)
// and a query of 10,000 terms (over the term limit).
func dosCases() []hostileCase {
	var measures strings.Builder
	for i := 0; i < 10000; i++ {
		if i > 0 {
			measures.WriteString(",\n")
		}
		measures.WriteString("[a ems:Measure;ems:metric pm:CpuUsed;ems:unitOfMeasure u:Percentage;ems:numericValue 1]")
	}
	record := strings.Replace(string(goodRecord.in(codec.Turtle)), "@prefix pm:", "@prefix u: <http://dbpedia.org/resource/> .\n@prefix pm:", 1)
	record = strings.Replace(record, "ems:observes [", "ems:observes "+measures.String()+", [", 1)
	var cases []hostileCase
	cases = append(cases, bodyCases("dos", "measures-10000", "text/turtle", []byte(record), 0)[0])
	cases = append(cases, hostileCase{name: "dos/where-10000-and-terms", category: "dos", method: "GET",
		target: "/oslc/records?oslc.where=" + url.QueryEscape(repeat(`dcterms:title="x"`, " and ", 10000))})
	return cases
}
