package threshold

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// killValue is the CPU value of record n: about one in six crosses the
// threshold at 90, offset 10, one way or the other.
func killValue(n int) float64 { return float64((n * 37) % 100) }

// killRecord is record n of the kill test.
func killRecord(n int) store.Resource {
	r := recordGraph(n, host, t0.Add(time.Duration(n)*time.Second), killValue(n))
	id := mustIRI(fmt.Sprintf("%s/oslc/records/k%06d", base, n))
	for i := range r.Triples {
		if s, ok := r.Triples[i].Subj.(rdf.IRI); ok && s == r.ID {
			r.Triples[i].Subj = id
		}
	}
	r.ID = id
	return r
}

// killRecords returns the numbers of the kill test's records in the store.
func killRecords(st Store) ([]int, error) {
	var ns []int
	prefix := base + "/oslc/records/k"
	err := st.Resources(context.Background(), mustIRI(prefix), func(id rdf.IRI) bool {
		s, ok := strings.CutPrefix(id.String(), prefix)
		if !ok {
			return false
		}
		if n, err := strconv.Atoi(s); err == nil {
			ns = append(ns, n)
		}
		return true
	})
	sort.Ints(ns)
	return ns, err
}

// TestMain runs the kill test's writer when asked to.
func TestMain(m *testing.M) {
	if path := os.Getenv("PM_THRESHOLD_KILL_CHILD"); path != "" {
		killChild(path)
		return
	}
	os.Exit(m.Run())
}

// killChild writes records through the evaluator until it is killed,
// alternating the write paths, and says on stdout how many it committed.
func killChild(path string) {
	ctx := context.Background()
	db, err := store.Open(path, nil)
	if err != nil {
		panic(err)
	}
	e := New(Config{Store: boltsource.New(db), Base: base, Now: (&clock{t0}).now})
	if err := e.Load(ctx); err != nil {
		panic(err)
	}
	st := e.Store()
	if _, _, err := st.Get(ctx, thrID); err != nil {
		if _, err := st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, RisingIRI, host)); err != nil {
			panic(err)
		}
	}
	ns, err := killRecords(st)
	if err != nil {
		panic(err)
	}
	n := 0
	if len(ns) > 0 {
		n = ns[len(ns)-1] + 1
	}
	for i := 0; ; i++ {
		var err error
		switch i % 3 {
		case 0:
			err = st.(stager).Stage(ctx, []store.Resource{killRecord(n), killRecord(n + 1)})
			n += 2
		case 1:
			err = st.Load(ctx, []store.Resource{killRecord(n)})
			n++
		default:
			r := killRecord(n)
			_, err = st.Create(ctx, r.ID, r.Triples)
			n++
		}
		if err != nil {
			panic(err)
		}
		fmt.Println(n)
	}
}

// TestKill kills a process writing records through the evaluator at
// arbitrary points, three times, restarting it each time; then replays
// the records the store holds through the state machine: the alarms in
// the store are exactly those the replay raises and clears, none
// repeated, none lost.
func TestKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	path := filepath.Join(t.TempDir(), "pm.db")
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PM_THRESHOLD_KILL_CHILD="+path)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(out)
		want := 30 + 17*round
		for lines := 0; lines < want && sc.Scan(); lines++ {
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		cmd.Wait()
	}
	db, err := store.Open(path, nil)
	require.NoError(t, err)
	defer db.Close()
	v := &env{t: t, db: db, st: boltsource.New(db)}
	ns, err := killRecords(v.st)
	require.NoError(t, err)
	require.NotEmpty(t, ns)
	for i, n := range ns {
		require.Equal(t, i, n, "records are written in order, none missing")
	}
	// The replay.
	spec := Spec{Rising, 90, 10}
	st := Armed
	type want struct{ raisedBy, clearedBy string }
	var wants []want
	for _, n := range ns {
		var tr Transition
		st, tr = spec.Step(st, killValue(n))
		switch tr {
		case Raise:
			wants = append(wants, want{raisedBy: killRecord(n).ID.String()})
		case Clear:
			wants[len(wants)-1].clearedBy = killRecord(n).ID.String()
		}
	}
	var got []want
	for _, g := range v.alarms() {
		got = append(got, want{value(g, pRaisedBy), value(g, pClearedBy)})
	}
	sort.Slice(got, func(i, j int) bool { return got[i].raisedBy < got[j].raisedBy })
	assert.Equal(t, wants, got)
	t.Logf("%d records, %d alarms", len(ns), len(got))
}
