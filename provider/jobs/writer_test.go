package jobs

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// burst returns what jobs jobs of ten resources and three metrics hand
// the writer at the end of the period ending at end: per job, a record
// per resource (with the server-managed triples the provider adds) and
// the job's progress.
func burst(e *Engine, jobs int, end time.Time) [][]store.Resource {
	metrics := []rdf.IRI{vocab.IRI(vocab.PM, "CpuUsed"), vocab.IRI(vocab.PM, "RealMemoryUsed"), vocab.IRI(vocab.PM, "DiskSpaceUsed")}
	out := make([][]store.Resource, jobs)
	for j := range out {
		ident := "job" + strconv.Itoa(j)
		r := &run{id: e.iri("/oslc/jobs/" + ident), ident: ident, def: &Definition{Title: "bench job " + strconv.Itoa(j)}, job: &schedule.Job{}, cursor: end}
		var samples []collect.Sample
		for k := range 10 {
			res := e.iri(fmt.Sprintf("/oslc/resources/bench-%06d", j*10+k))
			for i, m := range metrics {
				samples = append(samples, collect.Sample{Resource: res, Metric: m, Value: float64(end.Unix()%1000) + float64(j*31+k*7+i)/3})
			}
		}
		recs, _ := e.records(r, schedule.Period{Start: end.Add(-10 * time.Second), End: end}, samples, end)
		out[j] = append(recs, e.progress(r))
	}
	return out
}

// managed is what the provider adds to every resource it makes.
func managed(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple {
	dt := func(t time.Time) rdf.Literal {
		return rdf.NewTypedLiteral(t.UTC().Format("2006-01-02T15:04:05.000Z07:00"), vocab.XSDDateTime)
	}
	return []rdf.Triple{
		{Subj: id, Pred: vocab.DCIdentifier, Obj: vocab.Str(ident)},
		{Subj: id, Pred: vocab.DCCreated, Obj: dt(created)},
		{Subj: id, Pred: vocab.DCModified, Obj: dt(modified)},
		{Subj: id, Pred: vocab.OSLCServiceProvider, Obj: vocab.IRI(base, "/oslc/provider")},
		{Subj: id, Pred: vocab.OSLCInstanceShape, Obj: vocab.IRI(base, "/oslc/shapes/"+shape)},
	}
}

// BenchmarkWriterBurst writes the burst of a period boundary of 1,000
// jobs (11,000 resources) through a live writer, as the jobs submit it,
// into a store.DB that holds the periods before, with one and two
// transactions in flight. It reports the lag of each job's write from
// the start of the burst, as bench-jobs reports the lag from the period
// end.
func BenchmarkWriterBurst(b *testing.B) {
	for _, depth := range []int{1, 2} {
		b.Run("depth="+strconv.Itoa(depth), func(b *testing.B) {
			db, err := store.Open(filepath.Join(b.TempDir(), "pm.db"), &store.Options{TextPredicates: vocab.TextIndexed, Pairs: []store.Pair{store.Pair(vocab.MeasurePair)}})
			require.NoError(b, err)
			defer db.Close()
			e, err := New(Config{Store: boltsource.New(db), Base: base, Managed: managed})
			require.NoError(b, err)
			ctx := context.Background()
			end := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
			for range 3 {
				var all []store.Resource
				for _, rs := range burst(e, 1000, end) {
					all = append(all, rs...)
				}
				for len(all) > 0 {
					n := min(len(all), maxBatch)
					require.NoError(b, db.Load(ctx, all[:n]))
					all = all[n:]
				}
				end = end.Add(10 * time.Second)
			}
			var lags []time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				jobs := burst(e, 1000, end)
				end = end.Add(10 * time.Second)
				w := newWriter(e.st, e.events, &e.stats, depth)
				wctx, cancel := context.WithCancel(ctx)
				w.wg.Add(1)
				go w.loop(wctx)
				for !w.isLive() {
					time.Sleep(time.Millisecond)
				}
				b.StartTimer()
				start := time.Now()
				var mu sync.Mutex
				var wg sync.WaitGroup
				wg.Add(len(jobs))
				for _, rs := range jobs {
					w.submit(rs, nil, func(err error) {
						assert.NoError(b, err)
						mu.Lock()
						lags = append(lags, time.Since(start))
						mu.Unlock()
						wg.Done()
					})
				}
				wg.Wait()
				b.StopTimer()
				cancel()
				w.wait()
				b.StartTimer()
			}
			slices.Sort(lags)
			b.ReportMetric(float64(lags[len(lags)/2].Milliseconds()), "p50-ms")
			b.ReportMetric(float64(lags[len(lags)*99/100].Milliseconds()), "p99-ms")
		})
	}
}

// slowStore delays the loads it is told to and counts those in flight.
type slowStore struct {
	Store
	started chan rdf.IRI // the first resource of each load begun
	delay   map[rdf.IRI]time.Duration

	mu                  sync.Mutex
	inFlight, maxFlight int
}

func (s *slowStore) Load(ctx context.Context, rs []store.Resource) error {
	s.mu.Lock()
	s.inFlight++
	s.maxFlight = max(s.maxFlight, s.inFlight)
	s.mu.Unlock()
	s.started <- rs[0].ID
	time.Sleep(s.delay[rs[0].ID])
	err := s.Store.Load(ctx, rs)
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
	return err
}

func TestWriterPipeline(t *testing.T) {
	a, b := vocab.IRI(base+"/oslc/notifications/", "a"), vocab.IRI(base+"/oslc/notifications/", "b")
	note := func(id rdf.IRI, v string) []store.Resource {
		return []store.Resource{{ID: id, Triples: []rdf.Triple{{Subj: id, Pred: vocab.DCTitle, Obj: str(v)}}}}
	}
	for _, tc := range []struct {
		name      string
		depth     int
		second    rdf.IRI // what the second write writes, after a's
		maxFlight int
	}{
		{"the next write commits while one does", 2, b, 2},
		{"a write of the same resource waits", 2, a, 1},
		{"one at a time to a store that is not store.DB", 1, b, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC))
			st := &slowStore{Store: v.e.st, started: make(chan rdf.IRI, 2), delay: map[rdf.IRI]time.Duration{a: 200 * time.Millisecond}}
			w := newWriter(st, v.e.events, &v.e.stats, tc.depth)
			ctx, cancel := context.WithCancel(context.Background())
			w.wg.Add(1)
			go w.loop(ctx)
			defer func() { cancel(); w.wait() }()
			for !w.isLive() {
				time.Sleep(time.Millisecond)
			}
			sub := v.e.Subscribe()
			defer sub.Cancel()

			var mu sync.Mutex
			var order []string
			var wg sync.WaitGroup
			wg.Add(2)
			then := func(name string) func(error) {
				return func(err error) {
					assert.NoError(t, err)
					mu.Lock()
					order = append(order, name)
					mu.Unlock()
					wg.Done()
				}
			}
			w.submit(note(a, "first"), []Event{{ID: a, Kind: FilesReady}}, then("first"))
			require.Equal(t, a, <-st.started)
			w.submit(note(tc.second, "second"), []Event{{ID: tc.second, Kind: PreparationError}}, then("second"))
			wg.Wait()

			assert.Equal(t, tc.maxFlight, st.maxFlight)
			assert.Equal(t, []string{"first", "second"}, order, "answered in order")
			first, second := <-sub.C, <-sub.C
			assert.Equal(t, FilesReady, first.Kind, "published in order")
			assert.Equal(t, PreparationError, second.Kind)
			assert.Less(t, first.Seq, second.Seq)
			assert.Equal(t, []string{"second"}, v.values(tc.second, vocab.DCTitle), "the last write stands")
		})
	}
}

// countStore counts the loads.
type countStore struct {
	Store
	loads atomic.Int64
}

func (s *countStore) Load(ctx context.Context, rs []store.Resource) error {
	s.loads.Add(1)
	return s.Store.Load(ctx, rs)
}

// What is queued when the engine stops is committed in groups, as while
// it runs: a backlog of small writes is not a transaction each.
func TestWriterDrainsInGroups(t *testing.T) {
	v := newEnv(t, time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC))
	st := &countStore{Store: v.e.st}
	w := newWriter(st, v.e.events, &v.e.stats, 2)
	w.live = true // as the loop leaves it: writes queue
	var wg sync.WaitGroup
	const batches = 300
	wg.Add(batches)
	for i := range batches {
		var rs []store.Resource
		for k := range 10 {
			id := vocab.IRI(base+"/oslc/records/", fmt.Sprintf("r%d-%d", i, k))
			rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{{Subj: id, Pred: vocab.DCTitle, Obj: str("r")}}})
		}
		w.submit(rs, nil, func(err error) {
			assert.NoError(t, err)
			wg.Done()
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w.wg.Add(1)
	go w.loop(ctx)
	wg.Wait()
	w.wait()
	assert.LessOrEqual(t, st.loads.Load(), int64(batches*10/maxBatch+2))
	assert.Len(t, v.subjects(vocab.DCTitle, str("r")), batches*10)
}

// A write that saw the loop live as it stopped is still committed and
// answered: the loop drains what such callers queue after it looked, so
// that neither a job's write nor the engine's shutdown waits for ever.
func TestWriterStopAnswersEveryWrite(t *testing.T) {
	v := newEnv(t, time.Date(2026, 11, 24, 10, 0, 3, 0, time.UTC))
	var calls atomic.Int64
	testHookQueue = func() {
		if calls.Add(1)%7 == 0 {
			time.Sleep(20 * time.Millisecond) // past the loop's stop, now and then
		}
	}
	defer func() { testHookQueue = func() {} }()
	for round := range 10 {
		w := newWriter(v.e.st, v.e.events, &v.e.stats, 2)
		ctx, cancel := context.WithCancel(context.Background())
		w.wg.Add(1)
		go w.loop(ctx)
		for !w.isLive() {
			time.Sleep(time.Millisecond)
		}
		var answered, acked atomic.Int64
		var callers sync.WaitGroup
		const n = 8
		for c := range n {
			callers.Add(1)
			go func() {
				defer callers.Done()
				for i := range 40 {
					id := vocab.IRI(base+"/oslc/records/", fmt.Sprintf("s%d-%d-%d", round, c, i))
					rs := []store.Resource{{ID: id, Triples: []rdf.Triple{{Subj: id, Pred: vocab.DCTitle, Obj: str("s")}}}}
					if i%2 == 0 {
						callers.Add(1)
						w.submit(rs, nil, func(err error) {
							defer callers.Done()
							if assert.NoError(t, err) {
								acked.Add(1)
							}
							answered.Add(1)
						})
						continue
					}
					err := w.write(context.Background(), rs, nil)
					if assert.NoError(t, err) {
						acked.Add(1)
					}
					answered.Add(1)
				}
			}()
		}
		time.Sleep(time.Duration(round%5) * time.Millisecond)
		cancel()
		stopped := make(chan struct{})
		go func() { callers.Wait(); w.wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: %d of %d writes answered 30 s after the stop", round, answered.Load(), n*40)
		}
		require.Equal(t, int64(n*40), answered.Load())
		require.Equal(t, int64(n*40), acked.Load())
	}
	assert.Len(t, v.subjects(vocab.DCTitle, str("s")), 10*8*40, "every acknowledged write is stored")
}
