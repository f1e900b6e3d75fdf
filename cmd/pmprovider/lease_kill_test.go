package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The tests here run three instances of the built binary over one
// Virtuoso of their own, sharing the jobs by leases.

// Granularity, reporting period and shortest lease of their jobs.
const (
	leaseGranularity = 2 * time.Second
	leaseReporting   = 10 * time.Second
	leaseDuration    = 3 * time.Second
	leaseBase        = "http://pm.lease.test"
)

// cluster is the instances over one store.
type cluster struct {
	t     *testing.T
	bin   string
	dir   string
	vs    *sparqltest.Server
	db    *sparql.DB // the test's own view of the store
	procs []*instance
}

// instance is one pmprovider process.
type instance struct {
	name, addr string
	cmd        *exec.Cmd
	done       chan error
	log        *lockedBuffer
}

// url maps an IRI the instances mint to this instance's address.
func (p *instance) url(iri string) string {
	return strings.Replace(iri, leaseBase, "http://"+p.addr, 1)
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// builtProvider builds the binary once for the tests of the package
// that share it, into a directory removed when they are done (TestMain).
func builtProvider(t *testing.T) string {
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "pm-lease-bin-"); buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(buildDir, "pmprovider"), ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return filepath.Join(buildDir, "pmprovider")
}

// newCluster builds the binary and starts a Virtuoso for one test, or
// skips the test when Virtuoso is not installed.
func newCluster(t *testing.T) *cluster {
	if testing.Short() {
		t.Skip("builds the binary and runs three instances over a Virtuoso")
	}
	vs, err := sparqltest.Start()
	if err != nil {
		if os.Getenv("PM_E2E_REQUIRED") == "1" {
			t.Fatalf("virtuoso required: %v", err)
		}
		t.Skipf("no virtuoso: %v", err)
	}
	t.Cleanup(vs.Stop)
	c := &cluster{t: t, dir: t.TempDir(), vs: vs, bin: builtProvider(t)}
	c.db, err = sparql.Open(context.Background(), sparql.Options{Endpoint: vs.Endpoint})
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, p := range c.procs {
			if p.cmd.ProcessState == nil {
				p.cmd.Process.Kill()
				<-p.done
			}
		}
		if t.Failed() {
			for _, p := range c.procs {
				t.Logf("log of %s:\n%s", p.name, p.log)
			}
		}
	})
	return c
}

// start runs instance name, whose SPARQL updates go to update (the
// Virtuoso's endpoint if empty), and waits until it answers.
func (c *cluster) start(name, update string) *instance {
	c.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(c.t, err)
	p := &instance{name: name, addr: l.Addr().String(), log: &lockedBuffer{}, done: make(chan error, 1)}
	l.Close()
	if update == "" {
		update = c.vs.Endpoint.Update
	}
	p.cmd = exec.Command(c.bin, "--addr", p.addr, "--base-url", leaseBase, "--data", filepath.Join(c.dir, name),
		"--host-job=false", "--short-granularities", "--store", "sparql",
		"--sparql-query", c.vs.Endpoint.Query, "--sparql-update", update,
		"--instance", name, "--job-lease", leaseDuration.String())
	p.cmd.Stderr = p.log
	require.NoError(c.t, p.cmd.Start())
	go func() { p.done <- p.cmd.Wait() }()
	c.procs = append(c.procs, p)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + p.addr + "/rootservices")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			c.t.Fatalf("%s exited: %v\n%s", name, err, p.log)
		case <-time.After(50 * time.Millisecond):
		}
		require.True(c.t, time.Now().Before(deadline), "%s did not answer:\n%s", name, p.log)
	}
}

// stop sends sig to p and waits for it to end.
func (c *cluster) stop(p *instance, sig syscall.Signal) {
	c.t.Helper()
	require.NoError(c.t, p.cmd.Process.Signal(sig))
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		c.t.Fatalf("%s did not stop on %v", p.name, sig)
	}
}

// do sends a request to p and returns its answer.
func (c *cluster) do(p *instance, method, iri, body string, header ...string) (int, http.Header, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, p.url(iri), strings.NewReader(body))
	require.NoError(c.t, err)
	req.Header.Set("Accept", "text/turtle")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// create POSTs a Turtle body to factory on p and returns the Location.
func (c *cluster) create(p *instance, factory, body string) string {
	c.t.Helper()
	status, h, b := c.do(p, "POST", leaseBase+factory, crashPrefixes+body, "Content-Type", "text/turtle")
	require.Equal(c.t, 201, status, "%s", b)
	return h.Get("Location")
}

// newJob creates a job of two resources with the synthetic collector on
// p, which so holds its lease.
func (c *cluster) newJob(p *instance, title string, resources []string) string {
	return c.create(p, "/oslc/jobs", fmt.Sprintf(`<> a pmj:MeasurementJob ; dcterms:title %q ;
  pmj:collector pmj:SyntheticCollector ; pmj:granularity %q^^xsd:duration ; pmj:reportingPeriod %q^^xsd:duration ;
  pmj:reportingMode pmj:ReportResources ; pmj:timeZone "UTC" ; pmj:monitoredObject <%s>, <%s> ; pmj:performanceIndicator pm:CpuUsed .`,
		title, vocab.FormatDuration(leaseGranularity), vocab.FormatDuration(leaseReporting), resources[0], resources[1]))
}

func (c *cluster) resources(p *instance) []string {
	var out []string
	for _, name := range []string{"web01", "db01"} {
		out = append(out, c.create(p, "/oslc/resources", fmt.Sprintf(`<> a crtv:ComputerSystem ; dcterms:title %q ; crtv:fqdn "%s.example.org" .`, name, name)))
	}
	return out
}

// ident is the last segment of a job's IRI.
func ident(job string) string { return job[strings.LastIndex(job, "/")+1:] }

// owner reads who holds job's lease in the store.
func (c *cluster) owner(job string) string {
	c.t.Helper()
	g, _, err := c.db.Get(context.Background(), mustIRIString(c.t, leaseBase+"/oslc/engine/leases/"+ident(job)))
	if err != nil {
		return ""
	}
	for _, tr := range g {
		if tr.Pred == vocab.PMJTerm("leaseOwner") {
			return tr.Obj.String()
		}
	}
	return ""
}

func mustIRIString(t *testing.T, s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	require.NoError(t, err)
	return i
}

// snapshot is what the store holds, read whole.
type snapshot struct {
	graphs map[string][]rdf.Triple
}

func (c *cluster) snapshot() *snapshot {
	c.t.Helper()
	ctx := context.Background()
	s := &snapshot{graphs: map[string][]rdf.Triple{}}
	var ids []rdf.IRI
	require.NoError(c.t, c.db.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool { ids = append(ids, id); return true }))
	for _, id := range ids {
		g, _, err := c.db.Get(ctx, id)
		require.NoError(c.t, err)
		s.graphs[id.String()] = g
	}
	return s
}

func (s *snapshot) values(id string, pred rdf.IRI) []string {
	var out []string
	for _, tr := range s.graphs[id] {
		if tr.Subj.String() == id && tr.Pred == pred {
			out = append(out, tr.Obj.String())
		}
	}
	return out
}

func (s *snapshot) value(id string, pred rdf.IRI) string {
	if v := s.values(id, pred); len(v) > 0 {
		return v[0]
	}
	return ""
}

// produced returns what job produced under path (records, reports,
// tracking), sorted.
func (s *snapshot) produced(job, path string) []string {
	var out []string
	for id := range s.graphs {
		if strings.HasPrefix(id, leaseBase+path) && s.value(id, vocab.PMJTerm("producedBy")) == job {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// periods returns the records of job by the start of their period, and
// the starts of the periods its tracking records record missed.
func (s *snapshot) periods(t *testing.T, job string) (collected map[time.Time][]string, missed map[time.Time]bool) {
	collected, missed = map[time.Time][]string{}, map[time.Time]bool{}
	for _, r := range s.produced(job, "/oslc/records/") {
		start := parseAt(t, s.value(r, vocab.PMJTerm("periodStart")))
		collected[start] = append(collected[start], r)
	}
	for _, tr := range s.produced(job, "/oslc/tracking/") {
		for _, m := range s.values(tr, vocab.PMJTerm("missedPeriod")) {
			missed[parseAt(t, m)] = true
		}
	}
	return collected, missed
}

func parseAt(t *testing.T, s string) time.Time {
	tt, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err, "%q", s)
	return tt.UTC()
}

// holdProxy passes SPARQL updates on to the store until it is armed;
// then it holds the first update that writes records, and every update
// after it, for ever: the process that sent them froze in the middle of
// committing a period it had claimed.
type holdProxy struct {
	target string
	srv    *httptest.Server
	mu     sync.Mutex
	armed  bool
	held   bool
	caught chan string // the update held first
}

func newHoldProxy(t *testing.T, target string) *holdProxy {
	h := &holdProxy{target: target, caught: make(chan string, 1)}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *holdProxy) arm() {
	h.mu.Lock()
	h.armed = true
	h.mu.Unlock()
}

func (h *holdProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form, _ := url.ParseQuery(string(body))
	h.mu.Lock()
	hold := h.held || (h.armed && strings.Contains(form.Get("update"), "/oslc/records/"))
	if hold && !h.held {
		h.held = true
		h.caught <- form.Get("update")
	}
	h.mu.Unlock()
	if hold {
		<-r.Context().Done() // until the sender dies
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, h.target, strings.NewReader(string(body)))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for _, k := range []string{"Content-Type", "Accept", "Authorization"} {
		req.Header.Set(k, r.Header.Get(k))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// TestLeaseKill9 runs three instances over one Virtuoso; the first
// creates two jobs (every 2 s), so it holds their leases, and is killed
// with SIGKILL in the window between the claim of a period (its lease
// renewed by compare-and-set) and the commit of that period's records:
// a proxy between it and the store holds the update that writes them,
// and every later one, and the kill comes once it holds it. The other
// two take the jobs over when the leases run out. The store must then
// hold every period of each job exactly once, either collected or
// recorded missed in a tracking record; no record written twice (the
// change log has one creation of each and nothing more); the missed ones
// only in the takeover window, among them those of the held update; and
// a report for each reporting period that counts each of its periods.
func TestLeaseKill9(t *testing.T) {
	c := newCluster(t)
	proxy := newHoldProxy(t, c.vs.Endpoint.Update)
	p0 := c.start("i0", proxy.srv.URL)
	c.start("i1", "")
	c.start("i2", "")
	res := c.resources(p0)
	jobs := []string{c.newJob(p0, "leased 1", res), c.newJob(p0, "leased 2", res)}
	for _, j := range jobs {
		require.Equal(t, "i0", c.owner(j), "the instance that created %s runs it", j)
	}

	// A few periods, then the kill in the middle of committing one.
	time.Sleep(3 * leaseGranularity)
	proxy.arm()
	var held string
	select {
	case held = <-proxy.caught:
	case <-time.After(10 * leaseGranularity):
		t.Fatal("i0 wrote no records")
	}
	killed := time.Now()
	c.stop(p0, syscall.SIGKILL)

	// The leases run out and the others take the jobs.
	took := map[string]time.Time{}
	owners := map[string]string{}
	for deadline := time.Now().Add(10 * leaseDuration); len(took) < len(jobs); time.Sleep(50 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "the jobs were not taken over: %v", took)
		for _, j := range jobs {
			if o := c.owner(j); o != "i0" && o != "" && took[j].IsZero() {
				took[j], owners[j] = time.Now(), o
			}
		}
	}
	time.Sleep(4 * leaseGranularity)
	for _, p := range c.procs[1:] {
		c.stop(p, syscall.SIGTERM)
	}
	for _, p := range c.procs[1:] {
		assert.NotContains(t, p.log.String(), "level=ERROR", "%s logged errors", p.name)
	}

	s := c.snapshot()
	// No record written twice: the change log has each record created
	// once and never written again (a second owner writing a period
	// would replace its records, a modification).
	events := map[string][]store.ChangeKind{}
	require.NoError(t, c.db.ViewChanges(context.Background(), func(cv store.ChangeView) error {
		return cv.ChangesAfter(context.Background(), 0, func(ch store.Change) bool {
			if strings.HasPrefix(ch.ID.String(), leaseBase+"/oslc/records/") {
				events[ch.ID.String()] = append(events[ch.ID.String()], ch.Kind)
			}
			return true
		})
	}))
	// The records the held update writes (not those a report in it
	// lists, written before): each is a graph it drops and inserts.
	heldRecords := map[string]bool{}
	for _, m := range regexp.MustCompile(`DROP SILENT GRAPH <(`+regexp.QuoteMeta(leaseBase)+`/oslc/records/[^>#]+)>`).FindAllStringSubmatch(held, -1) {
		heldRecords[m[1]] = true
	}
	require.NotEmpty(t, heldRecords, "the held update writes records")
	for id := range heldRecords {
		assert.NotContains(t, s.graphs, id, "a record of the held update is in the store")
	}

	for _, job := range jobs {
		collected, missed := s.periods(t, job)
		require.NotEmpty(t, collected, "job %s recorded nothing", job)
		for start, recs := range collected {
			assert.Len(t, recs, 2, "job %s: period from %s: a record per resource", job, start.Format(time.TimeOnly))
			for _, r := range recs {
				assert.Equal(t, []store.ChangeKind{store.Created}, events[r], "record %s written more than once", r)
			}
		}
		// Every period from the first collected to the progress's last
		// is collected or missed, not both.
		first := time.Time{}
		for p := range collected {
			if first.IsZero() || p.Before(first) {
				first = p
			}
		}
		last := parseAt(t, s.value(leaseBase+"/oslc/engine/"+ident(job), vocab.PMJTerm("lastCollected")))
		var missedList []string
		for p := first; p.Add(leaseGranularity).Before(last) || p.Add(leaseGranularity).Equal(last); p = p.Add(leaseGranularity) {
			assert.True(t, (collected[p] != nil) != missed[p], "job %s: period from %s: collected %v, missed %v", job, p.Format(time.TimeOnly), collected[p] != nil, missed[p])
			if missed[p] {
				missedList = append(missedList, p.Format("15:04:05"))
			}
		}
		// The missed ones lie in the takeover window: from the period
		// under way at the kill (or the one before, whose commit may have
		// been in flight) to the one under way when another instance
		// took the job.
		for p := range missed {
			assert.True(t, p.Add(leaseGranularity).After(killed.Add(-2*leaseGranularity)) && p.Before(took[job].Add(leaseGranularity)),
				"job %s: period from %s missed outside the takeover window %s-%s", job, p.Format(time.TimeOnly), killed.Format(time.TimeOnly), took[job].Format(time.TimeOnly))
		}
		assert.NotEmpty(t, missed, "job %s: the takeover cost periods, recorded missed", job)
		assert.LessOrEqual(t, len(missed), int(took[job].Sub(killed)/leaseGranularity)+3, "job %s: periods missed", job)
		// Those of the held update among them.
		for id := range heldRecords {
			if strings.Contains(id, "/oslc/records/"+ident(job)+"-") {
				start := c.heldStart(t, held, id)
				assert.True(t, missed[start], "job %s: the period from %s, claimed and never committed, is recorded missed", job, start.Format(time.TimeOnly))
			}
		}
		// A report per reporting period that ended, counting its periods.
		for _, rep := range s.produced(job, "/oslc/reports/") {
			ps, pe := parseAt(t, s.value(rep, vocab.PMJTerm("periodStart"))), parseAt(t, s.value(rep, vocab.PMJTerm("periodEnd")))
			nc, _ := strconv.Atoi(s.value(rep, vocab.PMJTerm("collectedPeriods")))
			nm, _ := strconv.Atoi(s.value(rep, vocab.PMJTerm("missedPeriods")))
			if !ps.Before(first) {
				assert.Equal(t, int(leaseReporting/leaseGranularity), nc+nm, "job %s: report %s-%s counts %d collected and %d missed", job, ps.Format(time.TimeOnly), pe.Format(time.TimeOnly), nc, nm)
			}
			assert.Len(t, s.values(rep, vocab.PMJTerm("record")), 2*nc, "job %s: report %s: a record per resource and collected period", job, rep)
		}
		reports := map[time.Time]int{}
		for _, rep := range s.produced(job, "/oslc/reports/") {
			reports[parseAt(t, s.value(rep, vocab.PMJTerm("periodEnd")))]++
		}
		for end := first.Truncate(leaseReporting).Add(leaseReporting); !end.After(last); end = end.Add(leaseReporting) {
			assert.Equal(t, 1, reports[end], "job %s: reports of the reporting period ending %s", job, end.Format(time.TimeOnly))
		}
		t.Logf("job %s: %d periods collected, missed %v; killed %s, taken over by %s after %s",
			ident(job), len(collected), missedList, killed.Format("15:04:05.000"), owners[job], took[job].Sub(killed).Round(10*time.Millisecond))
	}
}

// heldStart reads the period start of record id in the held update.
func (c *cluster) heldStart(t *testing.T, held, id string) time.Time {
	re := regexp.MustCompile(`<` + regexp.QuoteMeta(id) + `> <` + regexp.QuoteMeta(vocab.PMJ) + `periodStart> "([^"]+)"`)
	m := re.FindStringSubmatch(held)
	require.NotNil(t, m, "the held update gives %s a period start", id)
	return parseAt(t, m[1])
}

// TestLeaseOperationsOnEveryInstance: three instances share the jobs one
// of them created and runs; GET, PUT, suspend, resume and DELETE of a
// job, and GETs of its tracking records and reports, work the same on
// the two that do not run it, and the one that does takes their changes
// up: it stops collecting a job suspended elsewhere, starts again when it
// is resumed elsewhere, keeps a title changed elsewhere, and forgets a
// job deleted elsewhere.
func TestLeaseOperationsOnEveryInstance(t *testing.T) {
	began := time.Now()
	c := newCluster(t)
	p0, p1, p2 := c.start("i0", ""), c.start("i1", ""), c.start("i2", "")
	t.Logf("virtuoso, build and three instances: %s", time.Since(began).Round(time.Millisecond))
	res := c.resources(p0)
	job, other := c.newJob(p0, "shared", res), c.newJob(p0, "deleted elsewhere", res)
	time.Sleep(2 * leaseGranularity)
	records := func(job string, after time.Time) int {
		n := 0
		s := c.snapshot()
		for _, r := range s.produced(job, "/oslc/records/") {
			if parseAt(t, s.value(r, vocab.DCDate)).After(after) {
				n++
			}
		}
		return n
	}
	get := func(p *instance, iri string) (string, string) {
		t.Helper()
		status, h, body := c.do(p, "GET", iri, "")
		require.Equal(t, 200, status, "GET %s on %s: %s", iri, p.name, body)
		return body, h.Get("ETag")
	}

	// GET: the same state on every instance.
	body, etag := get(p1, job)
	_, etag2 := get(p2, job)
	_, etag0 := get(p0, job)
	assert.Equal(t, etag0, etag, "the job's ETag on i0 and i1")
	assert.Equal(t, etag0, etag2, "the job's ETag on i0 and i2")
	tracking := regexp.MustCompile(`pmj:trackingRecords\s+<([^>]+)>`).FindStringSubmatch(body)
	require.NotNil(t, tracking, "the job links its tracking records: %s", body)
	trackingQuery := tracking[1] + "&oslc.select=*"
	tr, _ := get(p2, trackingQuery)
	assert.Contains(t, tr, "Created", "the tracking records, on i2")

	// PUT on i1: a new title, with the ETag read there.
	status, _, b := c.do(p1, "PUT", job, strings.Replace(body, `"shared"`, `"renamed on i1"`, 1), "Content-Type", "text/turtle", "If-Match", etag)
	require.Equal(t, 200, status, "PUT on i1: %s", b)
	status, _, b = c.do(p2, "PUT", job, body, "Content-Type", "text/turtle", "If-Match", etag)
	assert.Equal(t, 412, status, "PUT on i2 with the ETag before the PUT on i1: %s", b)

	// Suspend on i1: i0 stops collecting.
	status, _, b = c.do(p1, "POST", job+"/suspend", "")
	require.Equal(t, 200, status, "suspend on i1: %s", b)
	assert.Contains(t, b, "Locked")
	suspended := time.Now()
	time.Sleep(3 * leaseGranularity)
	for _, p := range []*instance{p0, p2} {
		body, _ := get(p, job)
		assert.Contains(t, body, "pmj:Locked", "the job on %s after the suspend on i1", p.name)
		assert.Contains(t, body, "renamed on i1", "the job on %s after the PUT on i1", p.name)
	}
	assert.Zero(t, records(job, suspended.Add(leaseGranularity)), "records of periods ending after the suspend")

	// Resume on i2: i0 collects again.
	status, _, b = c.do(p2, "POST", job+"/resume", "")
	require.Equal(t, 200, status, "resume on i2: %s", b)
	resumed := time.Now()
	for deadline := time.Now().Add(10 * leaseGranularity); records(job, resumed) == 0; time.Sleep(200 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "no records after the resume on i2")
	}
	body, _ = get(p0, job)
	assert.Contains(t, body, "renamed on i1", "i0 kept the title changed on i1")
	assert.Contains(t, body, "pmj:Unlocked")

	t.Logf("resumed: %s", time.Since(began).Round(time.Millisecond))
	// The reports, from an instance that does not run the job.
	reportsQuery := strings.Replace(trackingQuery, "/oslc/tracking?", "/oslc/reports?", 1)
	var rep []string
	for deadline := time.Now().Add(3 * leaseReporting); len(rep) == 0; time.Sleep(200 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "no report")
		rep = c.snapshot().produced(job, "/oslc/reports/")
	}
	got, _ := get(p1, rep[0])
	assert.Contains(t, got, "pmj:collectedPeriods")
	got, _ = get(p2, reportsQuery)
	assert.Contains(t, got, rep[0], "the job's reports, queried on i2")
	tr, _ = get(p1, trackingQuery)
	for _, ev := range []string{"SuspendedEvent", "ResumedEvent", "Updated"} {
		assert.Contains(t, tr, ev, "the tracking records on i1")
	}

	t.Logf("reports: %s", time.Since(began).Round(time.Millisecond))
	// DELETE on i2 of a job i0 runs: it goes everywhere, and i0 stops.
	status, _, b = c.do(p2, "DELETE", other, "")
	require.Contains(t, []int{200, 204}, status, "DELETE on i2: %s", b)
	deleted := time.Now()
	for _, p := range []*instance{p0, p1, p2} {
		status, _, _ := c.do(p, "GET", other, "")
		assert.Equal(t, 404, status, "GET of the deleted job on %s", p.name)
	}
	time.Sleep(2 * leaseGranularity)
	assert.Zero(t, records(other, deleted.Add(leaseGranularity)), "records after the delete on i2")
	assert.Equal(t, "", c.owner(other), "the deleted job's lease is gone")

	for _, p := range c.procs {
		c.stop(p, syscall.SIGTERM)
	}
	assert.Contains(t, p0.log.String(), "took up a change made on another instance")
	for _, p := range c.procs {
		assert.NotContains(t, p.log.String(), "level=ERROR", "%s logged errors", p.name)
	}
	assert.Equal(t, "i0", c.owner(job), "the job stayed with i0")
}
