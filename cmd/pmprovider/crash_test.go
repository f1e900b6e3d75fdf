package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
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
	"github.com/oslc-pm/pmprovider/vocab"
)

// lockedBuffer collects a process's log.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// crashEnv runs the real binary over one data directory, on one address
// (the IRIs it mints depend on it), again and again.
type crashEnv struct {
	t    *testing.T
	bin  string
	addr string
	data string
	cmd  *exec.Cmd
	done chan error
	logs []*lockedBuffer
	// extra are flags added to every run.
	extra []string
}

func (c *crashEnv) base() string { return "http://" + c.addr }

// start runs the binary and waits until it answers.
func (c *crashEnv) start() {
	c.t.Helper()
	log := &lockedBuffer{}
	c.logs = append(c.logs, log)
	c.cmd = exec.Command(c.bin, append([]string{"--addr", c.addr, "--data", c.data, "--host-job=false", "--short-granularities"}, c.extra...)...)
	c.cmd.Stderr = log
	require.NoError(c.t, c.cmd.Start())
	c.done = make(chan error, 1)
	go func(cmd *exec.Cmd, done chan error) { done <- cmd.Wait() }(c.cmd, c.done)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(c.base() + "/rootservices")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-c.done:
			c.t.Fatalf("pmprovider exited: %v\n%s", err, log)
		case <-time.After(20 * time.Millisecond):
		}
		require.True(c.t, time.Now().Before(deadline), "pmprovider did not answer:\n%s", log)
	}
}

// stop sends sig and waits for the process to end.
func (c *crashEnv) stop(sig syscall.Signal) {
	c.t.Helper()
	require.NoError(c.t, c.cmd.Process.Signal(sig))
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		c.cmd.Process.Kill()
		c.t.Fatalf("pmprovider did not stop on %v", sig)
	}
}

// post sends a Turtle body and returns the status and Location.
func (c *crashEnv) post(client *http.Client, path, body string) (int, string, error) {
	req, err := http.NewRequest("POST", c.base()+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "text/turtle")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 {
		return resp.StatusCode, string(b), nil
	}
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

func (c *crashEnv) mustPost(path, body string) string {
	c.t.Helper()
	status, loc, err := c.post(http.DefaultClient, path, body)
	require.NoError(c.t, err)
	require.Equal(c.t, 201, status, "%s", loc)
	return loc
}

func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

// recordWriters POST records to a crashEnv, through its restarts, until
// stopped.
type recordWriters struct {
	mu      sync.Mutex
	acked   []string // the records answered 201
	refused []string // the other answers, status and body
	wg      sync.WaitGroup
	quit    chan struct{}
}

// startWriters starts that many writers; partOf names the resource of
// a writer's nth record.
func (c *crashEnv) startWriters(writers int, partOf func(n int) string) *recordWriters {
	ws := &recordWriters{quit: make(chan struct{})}
	for w := 0; w < writers; w++ {
		ws.wg.Add(1)
		go func() {
			defer ws.wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for n := 0; ; n++ {
				select {
				case <-ws.quit:
					return
				default:
				}
				body := crashPrefixes + fmt.Sprintf(`<> a pm:PerformanceMonitoringRecord ; dcterms:title "writer %d record %d" ;
  dcterms:date "2026-11-01T10:00:00Z"^^xsd:dateTime ; dcterms:isPartOf <%s> ;
  ems:observes [ a ems:Measure ; ems:metric pm:CpuUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue %d ] .`, w, n, partOf(n), n%100)
				status, loc, err := c.post(client, "/oslc/records", body)
				ws.mu.Lock()
				switch {
				case err != nil:
				case status == 201:
					ws.acked = append(ws.acked, loc)
				default:
					ws.refused = append(ws.refused, fmt.Sprintf("%d %s", status, loc))
				}
				ws.mu.Unlock()
				if err != nil {
					time.Sleep(20 * time.Millisecond) // down: try again
				} else {
					time.Sleep(5 * time.Millisecond)
				}
			}
		}()
	}
	return ws
}

// ackedSoFar is how many records were answered 201 until now.
func (ws *recordWriters) ackedSoFar() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.acked)
}

// stop stops the writers and returns what they were answered.
func (ws *recordWriters) stop() (acked, refused []string) {
	close(ws.quit)
	ws.wg.Wait()
	return ws.acked, ws.refused
}

const crashPrefixes = `@prefix pmj: <https://oslc-pm.github.io/ns/pmjob#> .
@prefix pm: <http://open-services.net/ns/perfmon#> .
@prefix ems: <http://open-services.net/ns/ems#> .
@prefix crtv: <http://open-services.net/ns/crtv#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
`

// granularity and reporting of the jobs of TestKill9.
const (
	crashGranularity = time.Second
	crashReporting   = 3 * time.Second
)

// TestKill9 kills the provider with SIGKILL twice, during concurrent
// writes and job periods (once between period ends, once right at one),
// restarts it each time over the same data, and then checks the store:
// every write acknowledged with a 201 is there, no job recorded a period
// of a resource twice, and every reporting period of every job has
// exactly one report, which counts exactly the periods of its window;
// and the change log, replayed, gives exactly the resources stored.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary, for about 20 s")
	}
	dir := t.TempDir()
	c := &crashEnv{t: t, bin: filepath.Join(dir, "pmprovider"), data: filepath.Join(dir, "data")}
	build := exec.Command("go", "build", "-o", c.bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	c.addr = l.Addr().String()
	l.Close()
	defer func() {
		if c.cmd != nil && c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
		}
		if t.Failed() {
			for i, l := range c.logs {
				t.Logf("log of run %d:\n%s", i+1, l)
			}
		}
	}()

	c.start()
	var resources []string
	for _, name := range []string{"web01", "db01"} {
		resources = append(resources, c.mustPost("/oslc/resources", crashPrefixes+fmt.Sprintf(`<> a crtv:ComputerSystem ; dcterms:title %q ; crtv:fqdn "%s.example.org" .`, name, name)))
	}
	var jobs []string
	for i, mode := range []string{"pmj:ReportResources", "pmj:ReportResourcesAndEvents", "pmj:ReportResources"} {
		jobs = append(jobs, c.mustPost("/oslc/jobs", crashPrefixes+fmt.Sprintf(`<> a pmj:MeasurementJob ; dcterms:title "crash %d" ;
  pmj:collector pmj:SyntheticCollector ; pmj:granularity "PT1S"^^xsd:duration ; pmj:reportingPeriod "PT3S"^^xsd:duration ;
  pmj:reportingMode %s ; pmj:timeZone "UTC" ; pmj:monitoredObject <%s>, <%s> ; pmj:performanceIndicator pm:CpuUsed, pm:RealMemoryUsed .`,
			i, mode, resources[0], resources[1])))
	}
	created := time.Now()

	// Writers POST records all along; a 201 is a promise.
	ws := c.startWriters(4, func(n int) string { return resources[n%2] })

	// Kill 1: in the middle of a reporting period, between period ends.
	b1 := created.Truncate(crashReporting).Add(crashReporting)
	sleepUntil(b1.Add(crashReporting + 1500*time.Millisecond))
	c.stop(syscall.SIGKILL)
	c.start()
	// Kill 2: right at the end of the last but one period of a reporting
	// period, while the engine writes it: the restart comes in the last
	// one, which it counts as missed, and must close the report.
	k2 := time.Now().Add(2 * crashGranularity).Truncate(crashReporting).Add(crashReporting)
	sleepUntil(k2.Add(-crashGranularity + 5*time.Millisecond))
	c.stop(syscall.SIGKILL)
	c.start()
	if late := time.Since(k2.Add(-crashGranularity)); late >= crashGranularity {
		t.Logf("the restart took %s: it came after the reporting period", late)
	}
	// A whole reporting period more, then a clean stop half-way through
	// the next.
	b3 := time.Now().Truncate(crashReporting).Add(crashReporting)
	sleepUntil(b3.Add(crashReporting + crashReporting/2))
	acked, refused := ws.stop()
	stopped := time.Now()
	c.stop(syscall.SIGTERM)
	for i, l := range c.logs {
		assert.NotContains(t, l.String(), "level=ERROR", "run %d logged errors", i+1)
	}
	assert.Empty(t, refused, "writes refused")
	require.NotEmpty(t, acked)

	// Read what the store holds, staged writes included.
	ctx := context.Background()
	db, err := store.Open(filepath.Join(c.data, "pm.db"), storeOptions(store.Options{Timeout: 5 * time.Second}))
	require.NoError(t, err)
	defer db.Close()
	for {
		n, err := db.Merge(ctx, 1000)
		require.NoError(t, err)
		if n < 1000 {
			break
		}
	}
	graphs := make(map[string][]rdf.Triple)
	var ids []rdf.IRI
	require.NoError(t, db.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool { ids = append(ids, id); return true }))
	for _, id := range ids {
		g, _, err := db.Get(ctx, id)
		require.NoError(t, err)
		graphs[id.String()] = g
	}
	value := func(id string, pred rdf.IRI) string {
		for _, tr := range graphs[id] {
			if tr.Subj.String() == id && tr.Pred == pred {
				return tr.Obj.String()
			}
		}
		return ""
	}
	values := func(id string, pred rdf.IRI) []string {
		var out []string
		for _, tr := range graphs[id] {
			if tr.Subj.String() == id && tr.Pred == pred {
				out = append(out, tr.Obj.String())
			}
		}
		return out
	}
	at := func(s string) time.Time {
		tt, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err, "%q", s)
		return tt
	}

	// The change log, committed with each write, neither lost nor
	// invented an event across the kills: replayed from the start, it
	// holds exactly the resources the store does, each change in turn.
	live := make(map[string]bool)
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		return sn.ChangesAfter(ctx, 0, func(ch store.Change) bool {
			id := ch.ID.String()
			if ch.Kind == store.Created {
				assert.False(t, live[id], "event %d creates %s, which is there", ch.Order, id)
			} else {
				assert.True(t, live[id], "event %d: %s %s, which is not there", ch.Order, ch.Kind, id)
			}
			live[id] = ch.Kind != store.Deleted
			return true
		})
	}))
	replayed := 0
	for id, ok := range live {
		if ok {
			replayed++
			assert.Contains(t, graphs, id, "the log has %s, the store has not", id)
		}
	}
	assert.Equal(t, len(graphs), replayed, "resources in the store and in the replayed log")

	// Every acknowledged write is there.
	missing := 0
	for _, loc := range acked {
		if _, ok := graphs[loc]; !ok {
			missing++
		}
	}
	assert.Zero(t, missing, "of %d acknowledged writes, %d are missing", len(acked), missing)

	producedBy, periodStart, periodEnd := vocab.PMJTerm("producedBy"), vocab.PMJTerm("periodStart"), vocab.PMJTerm("periodEnd")
	totalMissed := 0
	for _, job := range jobs {
		// No period of a resource recorded twice.
		periods := make(map[string]int)
		records := make(map[string]time.Time)
		reports := make(map[time.Time][]string)
		for id := range graphs {
			if value(id, producedBy) != job {
				continue
			}
			switch {
			case strings.HasPrefix(id, c.base()+"/oslc/records/"):
				periods[value(id, vocab.DCIsPartOf)+" "+value(id, periodStart)]++
				records[id] = at(value(id, periodStart))
			case strings.HasPrefix(id, c.base()+"/oslc/reports/"):
				reports[at(value(id, periodStart))] = append(reports[at(value(id, periodStart))], id)
			}
		}
		require.NotEmpty(t, records, "job %s recorded nothing", job)
		for k, n := range periods {
			assert.Equal(t, 1, n, "job %s: period of %s recorded %d times", job, k, n)
		}

		// Exactly one report per reporting period, from the first with a
		// period after the job's creation to the last that ended well
		// before the stop; none for the one under way at the stop.
		first := at(value(job, vocab.DCCreated)).Truncate(crashGranularity).Add(crashGranularity)
		var want []time.Time
		for rp := first.Truncate(crashReporting); !rp.Add(crashReporting + time.Second).After(stopped); rp = rp.Add(crashReporting) {
			want = append(want, rp)
		}
		var got []time.Time
		for s := range reports {
			got = append(got, s)
		}
		assert.ElementsMatch(t, want, got, "job %s: reporting periods with a report", job)
		for s, reps := range reports {
			if !assert.Len(t, reps, 1, "job %s: reports of the period from %s", job, s) {
				continue
			}
			rep := reps[0]
			assert.Equal(t, s.Add(crashReporting), at(value(rep, periodEnd)))
			// It counts the periods of its window, each once.
			due := 0
			for p := s; p.Before(s.Add(crashReporting)); p = p.Add(crashGranularity) {
				if !p.Before(first) {
					due++
				}
			}
			collected, _ := strconv.Atoi(value(rep, vocab.PMJTerm("collectedPeriods")))
			missed, _ := strconv.Atoi(value(rep, vocab.PMJTerm("missedPeriods")))
			totalMissed += missed
			assert.Equal(t, due, collected+missed, "job %s: report %s counts %d collected and %d missed periods in a window of %d", job, rep, collected, missed, due)
			recs := values(rep, vocab.PMJTerm("record"))
			assert.Equal(t, strconv.Itoa(len(recs)), value(rep, vocab.PMJTerm("recordCount")))
			assert.Len(t, recs, 2*collected, "job %s: report %s: a record per resource and collected period", job, rep)
			for _, r := range recs {
				ps, ok := records[r]
				if assert.True(t, ok, "report %s lists %s, which is not a record of the job", rep, r) {
					assert.True(t, !ps.Before(s) && ps.Before(s.Add(crashReporting)), "report %s lists %s of %s, outside its window", rep, r, ps)
				}
			}
		}
	}
	assert.NotZero(t, totalMissed, "the kills cost periods, which the reports state")
	t.Logf("%d acknowledged writes; %d resources in the store", len(acked), len(graphs))
}
