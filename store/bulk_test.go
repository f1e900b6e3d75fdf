package store_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// bulkBatches returns batches of resources to load, from seed: PM records
// (sampleRecord), and random resources over small pools of subjects,
// predicates and objects, so that subjects and objects are shared across
// resources, pairs have halves in two resources, and resources come
// again, in the same batch or a later one, with other triples. The first
// resource of batch i is <http://pm.example.org/batches/i>, which tells
// which batches a store holds.
func bulkBatches(seed uint64, batches, size int) [][]store.Resource {
	rnd := rand.New(rand.NewPCG(seed, 7))
	shared := func() rdf.IRI { return iri(fmt.Sprintf("http://pm.example.org/shared/%d", rnd.IntN(12))) }
	preds := []rdf.IRI{rdfType, exTitle, exDescription, exMetric, exValue, exObserves, exDate, exPartOf, exStatus, ex("p1"), ex("p2")}
	words := []string{"disk", "cpu", "memory", "alpha", "beta", "gamma", "delta", "host", "Disk", "wörd"}
	object := func(p rdf.IRI, own rdf.IRI) rdf.Object {
		switch rnd.IntN(9) {
		case 0:
			return shared()
		case 1:
			return iri(own.String() + "#n" + strconv.Itoa(rnd.IntN(3)))
		case 2:
			return dbl(fmt.Sprintf("%d.%d", rnd.IntN(100), rnd.IntN(10)))
		case 3:
			return dbl(fmt.Sprintf("%03d", rnd.IntN(50))) // not inline
		case 4:
			return dt(fmt.Sprintf("2026-11-%02dT%02d:00:00Z", 1+rnd.IntN(28), rnd.IntN(24)))
		case 5:
			return intl(strconv.Itoa(rnd.IntN(1000) - 500))
		case 6:
			return lang(words[rnd.IntN(len(words))]+" "+words[rnd.IntN(len(words))], "en")
		case 7:
			return ns([]string{"CpuUsed", "DiskUsed", "MemoryUsed"}[rnd.IntN(3)])
		}
		n := 1 + rnd.IntN(4)
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rnd.IntN(len(words))])
		}
		return str(b.String())
	}
	random := func(id rdf.IRI) []rdf.Triple {
		var g []rdf.Triple
		for range 1 + rnd.IntN(12) {
			var s rdf.Subject = id
			switch rnd.IntN(5) {
			case 0:
				s = iri(id.String() + "#n" + strconv.Itoa(rnd.IntN(3)))
			case 1:
				s = shared()
			}
			p := preds[rnd.IntN(len(preds))]
			g = append(g, tr(s, p, object(p, id)))
		}
		if rnd.IntN(3) == 0 {
			b := blank("x")
			g = append(g, tr(id, exObserves, b), tr(b, exMetric, ns("CpuUsed")), tr(b, exValue, dbl(strconv.Itoa(rnd.IntN(100)))))
		}
		return g
	}
	var out [][]store.Resource
	rec := 0
	for i := range batches {
		marker := iri(fmt.Sprintf("http://pm.example.org/batches/%d", i))
		rs := []store.Resource{{ID: marker, Triples: []rdf.Triple{tr(marker, exTitle, str("batch "+strconv.Itoa(i)))}}}
		for len(rs) < size {
			switch rnd.IntN(4) {
			case 0, 1:
				id, g := sampleRecord(rec)
				rec++
				rs = append(rs, store.Resource{ID: id, Triples: g})
			case 2:
				id := iri(fmt.Sprintf("http://pm.example.org/things/%d", rnd.IntN(40)))
				rs = append(rs, store.Resource{ID: id, Triples: random(id)})
			default:
				// A record again, other than it was.
				id, g := sampleRecord(rnd.IntN(rec + 1))
				g = append(g[:rnd.IntN(len(g))], tr(id, exTitle, str(fmt.Sprintf("again %d", rnd.IntN(1000)))))
				rs = append(rs, store.Resource{ID: id, Triples: g})
			}
		}
		out = append(out, rs)
	}
	return out
}

// bulkBuckets are the buckets whose logical keys two stores of the same
// data share.
var bulkBuckets = []string{"spog", "posg", "text", "pair", "pairvia", "t2i", "i2t", "rid"}

// assertSameStore checks that got holds what want holds: the same
// logical keys in every bucket, the same counts, the same resources.
func assertSameStore(t *testing.T, want, got *store.DB, desc string) {
	t.Helper()
	for _, name := range bulkBuckets {
		w, err := want.LogicalKeysForTest(name)
		require.NoError(t, err, name)
		g, err := got.LogicalKeysForTest(name)
		require.NoError(t, err, name)
		if !assert.Equal(t, w, g, "%s: %s", desc, name) {
			return
		}
	}
	ws, err := want.Stats(t.Context())
	require.NoError(t, err)
	gs, err := got.Stats(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []int64{ws.Resources, ws.Triples, ws.Terms}, []int64{gs.Resources, gs.Triples, gs.Terms}, "%s: stats", desc)
	assert.Equal(t, changeLog(t, want), changeLog(t, got), "%s: change log", desc)
	// Blank node labels name term ids, which need not agree.
	canon := func(lines []string) []string {
		for i, l := range lines {
			lines[i] = blankLabels.ReplaceAllString(l, "_:b")
		}
		slices.Sort(lines)
		return lines
	}
	for _, p := range []rdf.IRI{exTitle, exValue, exMetric, exObserves, rdfType} {
		assert.Equal(t, canon(matchAll(t, want, nil, p, nil)), canon(matchAll(t, got, nil, p, nil)), "%s: %s", desc, p)
	}
	assert.Equal(t, canon(textAll(t, want, "disk")), canon(textAll(t, got, "disk")), "%s: text", desc)
	assert.Equal(t, canon(rangeAll(t, want, exValue, nil, nil, store.RangeOptions{})), canon(rangeAll(t, got, exValue, nil, nil, store.RangeOptions{})), "%s: range", desc)
}

// normalStore loads batches into a new store without a bulk load.
func normalStore(t *testing.T, batches [][]store.Resource) *store.DB {
	t.Helper()
	db, _ := openDB(t, &store.Options{NoSync: true})
	for _, b := range batches {
		require.NoError(t, db.Load(t.Context(), b))
	}
	return db
}

// TestBulkLoadAgrees: a bulk load builds the same store as loads that
// index as they go, resources written again (their terms reclaimed or
// kept) included, its posg sorted in several runs.
func TestBulkLoadAgrees(t *testing.T) {
	defer store.SetBuildChunkForTest(500)()
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			batches := bulkBatches(seed, 8, 120)
			want := normalStore(t, batches)
			got, _ := openDB(t, &store.Options{NoSync: true})
			ok, err := got.BeginBulk(t.Context())
			require.NoError(t, err)
			require.True(t, ok, "an empty store takes a bulk load")
			for _, b := range batches {
				require.NoError(t, got.Load(t.Context(), b))
			}
			require.NoError(t, got.EndBulk(t.Context()))
			assertSameStore(t, want, got, "bulk")

			ok, err = got.BeginBulk(t.Context())
			require.NoError(t, err)
			assert.False(t, ok, "a store with resources indexes as it goes")
			// It takes writes as before.
			more := bulkBatches(seed+100, 2, 60)
			for _, b := range more {
				require.NoError(t, want.Load(t.Context(), b))
				require.NoError(t, got.Load(t.Context(), b))
			}
			assertSameStore(t, want, got, "after more loads")
			// And deletes, which shrink and join the blocks the bulk
			// load wrote longer.
			deleted := map[rdf.IRI]bool{}
			for i, b := range batches {
				for j, r := range b {
					if (i+j)%3 == 0 && !deleted[r.ID] {
						deleted[r.ID] = true
						require.NoError(t, want.Delete(t.Context(), r.ID, ""))
						require.NoError(t, got.Delete(t.Context(), r.ID, ""))
					}
				}
			}
			assertSameStore(t, want, got, "after deletes")
		})
	}
}

// TestBulkReclaim: a term that only a replaced version of a resource
// used goes at the end of a bulk load, and one that another resource
// still uses as an object only, which only posg tells, stays.
func TestBulkReclaim(t *testing.T) {
	x, y := ex("x"), ex("y")
	only, kept := ex("only-x-used-this"), ex("y-uses-this-too")
	v1 := []rdf.Triple{tr(x, ex("p1"), only), tr(x, ex("p1"), kept), tr(x, exTitle, str("unique old title"))}
	v2 := []rdf.Triple{tr(x, exTitle, str("new title"))}
	batches := [][]store.Resource{
		{{ID: x, Triples: v1}, {ID: y, Triples: []rdf.Triple{tr(y, ex("p2"), kept)}}},
		{{ID: x, Triples: v2}},
	}
	want := normalStore(t, batches)
	db, _ := openDB(t, &store.Options{NoSync: true})
	ok, err := db.BeginBulk(t.Context())
	require.NoError(t, err)
	require.True(t, ok)
	for _, b := range batches {
		require.NoError(t, db.Load(t.Context(), b))
	}
	require.NoError(t, db.EndBulk(t.Context()))
	assertSameStore(t, want, db, "bulk")
	terms, err := db.LogicalKeysForTest("i2t")
	require.NoError(t, err)
	all := strings.Join(terms, "\n")
	assert.NotContains(t, all, only.String(), "unused: reclaimed")
	assert.NotContains(t, all, "unique old title", "unused: reclaimed")
	assert.Contains(t, all, kept.String(), "an object of y: kept")
	assert.Equal(t, []string{ntTriple(tr(y, ex("p2"), kept))}, matchAll(t, db, nil, nil, kept))
}

// TestBulkCrash: a bulk load that stops, between its loads or in its
// build, as a crash would stop it, leaves a file that a read-only Open
// refuses and a writable Open finishes: it then holds what the loads
// committed, as a store that indexed them as they came.
func TestBulkCrash(t *testing.T) {
	defer store.SetBuildChunkForTest(500)()
	batches := bulkBatches(5, 6, 100)
	// A term longer than a dictionary key, which t2i holds by its hash:
	// rebuilt from i2t too.
	long := ex("long")
	batches[0] = append(batches[0], store.Resource{ID: long, Triples: []rdf.Triple{tr(long, exDescription, str(strings.Repeat("long text ", 40)))}})
	crash := errors.New("crash")
	for _, c := range []struct {
		name  string
		loads int    // batches loaded before the crash
		step  string // the build step after which it crashes; "": before the build
	}{
		{"after the first load", 1, ""},
		{"between loads", 4, ""},
		{"after building posg", 6, "posg"},
		{"after building pairs", 6, "pair"},
		{"after building text", 6, "text"},
		{"after copying t2i", 6, "t2i copy"}, // t2i empty: rebuilt from i2t
		{"after packing t2i", 6, "t2i"},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := normalStore(t, batches[:c.loads])
			path := filepath.Join(t.TempDir(), "pm.db")
			db, err := store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
			require.NoError(t, err)
			ok, err := db.BeginBulk(t.Context())
			require.NoError(t, err)
			require.True(t, ok)
			for _, b := range batches[:c.loads] {
				require.NoError(t, db.Load(t.Context(), b))
			}
			if c.step != "" {
				restore := store.SetBuildHookForTest(func(step string) error {
					if step == c.step {
						return crash
					}
					return nil
				})
				require.ErrorIs(t, db.EndBulk(t.Context()), crash)
				restore()
				if c.step == "t2i copy" {
					keys, err := db.LogicalKeysForTest("t2i")
					require.NoError(t, err)
					require.Empty(t, keys, "t2i between the copy and the rebuild")
				}
			}
			require.NoError(t, db.Close())

			_, err = store.Open(path, &store.Options{ReadOnly: true})
			require.ErrorIs(t, err, store.ErrBuilding, "read-only open of a file a bulk load marked")

			db, err = store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
			require.NoError(t, err)
			defer db.Close()
			assertSameStore(t, want, db, c.name)
			require.NoError(t, db.EndBulk(t.Context()), "nothing left to build")
		})
	}
}

// TestBulkKill9 kills a process in a bulk load, at random points of its
// loads and of its build, with SIGKILL: the file opens, and holds what
// the loads committed (a prefix of the batches), as a store that indexed
// them as they came.
func TestBulkKill9(t *testing.T) {
	if path := os.Getenv("STORE_BULK_KILL_CHILD"); path != "" {
		bulkKillChild(path)
		return
	}
	if testing.Short() {
		t.Skip("runs a child process")
	}
	batches := bulkBatches(9, 24, 150)
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for i, during := range []string{"load", "load", "build", "build", "build"} {
		t.Run(fmt.Sprintf("%d in %s", i, during), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pm.db")
			cmd := exec.Command(os.Args[0], "-test.run=^TestBulkKill9$")
			cmd.Env = append(os.Environ(), "STORE_BULK_KILL_CHILD="+path)
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			cmd.Stderr = os.Stderr
			require.NoError(t, cmd.Start())
			lines := bufio.NewScanner(out)
			killAt := 1 + rnd.IntN(len(batches)-1) // after this many loads
			seen := 0
			for lines.Scan() {
				line := lines.Text()
				if strings.HasPrefix(line, "loaded ") {
					seen++
					if during == "load" && seen == killAt {
						time.Sleep(time.Duration(rnd.IntN(20)) * time.Millisecond)
						break
					}
				}
				if line == "building" && during == "build" {
					time.Sleep(time.Duration(rnd.IntN(80)) * time.Millisecond)
					break
				}
			}
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			_ = cmd.Wait()

			db, err := store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
			require.NoError(t, err)
			defer db.Close()
			n := 0
			for ; n < len(batches); n++ {
				ok, err := db.Exists(t.Context(), batches[n][0].ID)
				require.NoError(t, err)
				if !ok {
					break
				}
			}
			t.Logf("killed after %d loads seen; %d committed", seen, n)
			want := normalStore(t, batches[:n])
			assertSameStore(t, want, db, fmt.Sprintf("%d batches", n))
		})
	}
}

// bulkKillChild is TestBulkKill9's process: it bulk loads the batches
// into a store at path, saying on stdout when each load has committed and
// when the build starts.
func bulkKillChild(path string) {
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	defer store.SetBuildChunkForTest(2000)()
	db, err := store.Open(path, withTestIndexes(nil))
	if err != nil {
		fail(err)
	}
	if _, err := db.BeginBulk(ctx); err != nil {
		fail(err)
	}
	for i, b := range bulkBatches(9, 24, 150) {
		if err := db.Load(ctx, b); err != nil {
			fail(err)
		}
		fmt.Printf("loaded %d\n", i)
	}
	fmt.Println("building")
	if err := db.EndBulk(ctx); err != nil {
		fail(err)
	}
	fmt.Println("done")
	select {} // until killed
}
