package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/store"
)

// format5Ops are the writes that made testdata/format5.db, with the code
// of format 5 (commit 2e6f98f): records loaded, created, replaced and
// deleted, and one left staged. stage writes a resource as that code's
// Stage did: to the stage bucket only.
func format5Ops(t testing.TB, db *store.DB, stage func([]store.Resource) error) {
	ctx := context.Background()
	require.NoError(t, db.Load(ctx, records(0, 30)))
	for i := 30; i < 40; i++ {
		id, g := sampleRecord(i)
		m := iri(id.String() + "#m9")
		g = append(g, tr(id, exObserves, m), tr(m, exMetric, ns("DiskUsed")), tr(m, exValue, intl(fmt.Sprint(i))),
			tr(id, exDescription, str(fmt.Sprintf("disk check %d on host %d", i, i%50))))
		_, err := db.Create(ctx, id, g)
		require.NoError(t, err)
	}
	id, g := sampleRecord(3)
	g = append(g, tr(id, exSource, ex("probes/7")))
	_, err := db.Replace(ctx, id, g, "")
	require.NoError(t, err)
	del, _ := sampleRecord(5)
	require.NoError(t, db.Delete(ctx, del, ""))
	require.NoError(t, stage(records(40, 2)))
}

// format6Ops are the writes that made testdata/format6.db, with the code
// of format 6 (commit 4463615): those of format 5, with Stage indexing as
// it did since, and a resource with a literal too long to be its own
// dictionary key.
func format6Ops(t testing.TB, db *store.DB) {
	format5Ops(t, db, func(rs []store.Resource) error { return db.Stage(context.Background(), rs) })
	id := iri("http://pm.example.org/records/long")
	_, err := db.Create(context.Background(), id, []rdf.Triple{tr(id, exTitle, str("long "+strings.Repeat("word ", 80)))})
	require.NoError(t, err)
}

// format7Ops are the writes that made testdata/format7.db, with the code
// of format 7 (commit 63db21e): those of format 6, and a resource with
// literals of the kinds format 8 keeps in their term ids and others like
// them that it keeps in the dictionary.
func format7Ops(t testing.TB, db *store.DB) {
	format6Ops(t, db)
	id := iri("http://pm.example.org/records/literals")
	m := iri(id.String() + "#m1")
	var g []rdf.Triple
	for _, o := range []rdf.Object{
		dbl("15.83"), dbl("-0.5"), dbl("1.5E3"), dbl("007"), dbl("21.30"), intl("42"), intl("-7"), intl("+7"), intl("0"),
		typed("3.25", iri(xsdNS+"decimal")), typed("true", iri(xsdNS+"boolean")), typed("1", iri(xsdNS+"boolean")),
		dt("2026-11-01T00:00:01.108Z"), dt("2026-11-01T00:00:00Z"), dt("2026-11-01T10:00:00+02:00"), dt("2026-11-01T00:00:00.100000Z"),
		dt("1969-07-20T20:17:40Z"), dt("2026-11-01T00:00:00"), str("short"),
	} {
		g = append(g, tr(id, exValue, o), tr(m, exValue, o))
	}
	g = append(g, tr(id, exObserves, m), tr(m, exMetric, ns("CpuUsed")))
	_, err := db.Create(context.Background(), id, g)
	require.NoError(t, err)
}

// format5File copies testdata/format5.db.gz, made by format5Ops, to a
// temporary file and returns its path.
// format10Ops are the writes that made testdata/format10.db, with the
// code of format 10 (commit f64a6eb): those of format 7, and records
// staged and, the merger held, left in the stage bucket when the store
// closed, their values as format 10 wrote them (each triple's terms in
// full).
func format10Ops(t testing.TB, db *store.DB) {
	format7Ops(t, db)
	db.HoldMergeForTest(true)
	var rs []store.Resource
	for i := 100; i < 103; i++ {
		id, g := overlayRecord(i)
		rs = append(rs, store.Resource{ID: id, Triples: g})
	}
	require.NoError(t, db.Stage(context.Background(), rs))
	require.Equal(t, 3, db.Overlaid())
}

func format5File(t *testing.T) string { return formatFile(t, "format5.db.gz") }

// format6File copies testdata/format6.db.gz, made by format6Ops.
func format6File(t *testing.T) string { return formatFile(t, "format6.db.gz") }

func formatFile(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	var b bytes.Buffer
	_, err = b.ReadFrom(zr)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "pm.db")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
	return path
}

// fileState reads the version and bucket names of the store file at path.
func fileState(t *testing.T, path string) (version uint64, buckets []string) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	defer bdb.Close()
	require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
		version = binary.BigEndian.Uint64(tx.Bucket([]byte("meta")).Get([]byte("version")))
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			buckets = append(buckets, string(name))
			return nil
		})
	}))
	return version, buckets
}

var blankLabels = regexp.MustCompile(`_:\S+`)

// contents is what a store answers about the data of format5Ops and
// format6Ops, blank node labels aside (they name term ids, which need not
// agree).
func contents(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	canon := func(lines []string) []string {
		for i, l := range lines {
			lines[i] = blankLabels.ReplaceAllString(l, "_:b")
		}
		slices.Sort(lines)
		return lines
	}
	out := map[string][]string{
		"all":         canon(matchAll(t, db, nil, nil, nil)),
		"host object": canon(matchAll(t, db, nil, nil, iri("http://pm.example.org/hosts/3"))),
		"literal":     canon(matchAll(t, db, nil, nil, dbl("21.3"))),
		"s ? o":       canon(matchAll(t, db, iri("http://pm.example.org/records/33#m9"), nil, ns("DiskUsed"))),
		"text":        canon(textAll(t, db, "disk")),
		"range":       canon(rangeAll(t, db, exValue, nil, nil, store.RangeOptions{})),
	}
	if long := textAll(t, db, "word"); len(long) > 0 { // format6Ops
		out["long"] = canon(long)
	}
	for i := 0; i < 42; i++ {
		id, _ := sampleRecord(i)
		g, _, err := db.Get(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			out["get"] = append(out["get"], id.String()+" none")
			continue
		}
		require.NoError(t, err)
		out["get"] = append(out["get"], canon(strings.Split(strings.Join(ntSet(g), "\n"), "\n"))...)
	}
	out["log"] = changeLog(t, db)
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		c, err := sn.Count(ctx, []store.Pattern{{Pred: exValue, Lo: &[]rdf.Literal{dbl("50")}[0], With: exMetric, WithObj: ns("CpuUsed")}}, 0)
		out["pair count"] = []string{fmt.Sprint(c)}
		if err != nil {
			return err
		}
		// The resources in IRI order, and as a query's members, counted
		// and paged.
		for _, prefix := range []string{"", "http://pm.example.org/records/3"} {
			err := sn.ResourcesUnder(ctx, prefix, rdf.IRI{}, func(id rdf.IRI) bool {
				out["under "+prefix] = append(out["under "+prefix], id.String())
				return true
			})
			if err != nil {
				return err
			}
		}
		hosts := []store.Pattern{{Pred: exPartOf, Obj: iri("http://pm.example.org/hosts/3")}, {Pred: exPartOf, Obj: iri("http://pm.example.org/hosts/4")}}
		set, err := sn.ResourceSet(ctx, [][]store.Pattern{hosts}, rdf.IRI{})
		if err != nil {
			return err
		}
		page, total, err := sn.PageUnder(ctx, set, "http://pm.example.org/records/", rdf.IRI{}, 3, true)
		out["page"] = []string{fmt.Sprint(page, total)}
		return err
	}))
	require.NoError(t, db.Resources(ctx, rdf.IRI{}, func(id rdf.IRI) bool {
		out["resources"] = append(out["resources"], id.String())
		ok, err := db.Exists(ctx, id)
		require.NoError(t, err)
		require.True(t, ok, id)
		return true
	}))
	q := store.RecordQuery{
		Link: exPartOf, Targets: []rdf.Object{iri("http://pm.example.org/hosts/3"), iri("http://pm.example.org/hosts/4"), iri("http://pm.example.org/hosts/33")},
		Prefix: "http://pm.example.org/records/", Props: []rdf.IRI{exDate, exTitle}, Via: exObserves, NodeProps: []rdf.IRI{exMetric, exValue},
	}
	out["records"] = canon(recordsByIndex(t, db, q))
	st, err := db.Stats(ctx)
	require.NoError(t, err)
	out["stats"] = []string{fmt.Sprint(st.Resources, st.Triples)}
	out["terms"] = []string{fmt.Sprint(st.Terms)}
	return out
}

// TestUpgradeFormat5 opens a file format 5 wrote: read-only as it is;
// writable, it becomes version 9, without ospg or staged resources, and
// answers as a store the same writes made now.
func TestUpgradeFormat5(t *testing.T) {
	path := format5File(t)
	v, buckets := fileState(t, path)
	require.Equal(t, uint64(5), v)
	require.Contains(t, buckets, "ospg")

	// The same writes now, the staged resources merged by an Open as the
	// upgrade merges them.
	fresh, freshPath := openDB(t, &store.Options{NoSync: true})
	format5Ops(t, fresh, func(rs []store.Resource) error { return fresh.StageOnlyForTest(context.Background(), rs) })
	require.NoError(t, fresh.Close())
	fresh, err := store.Open(freshPath, withTestIndexes(&store.Options{NoSync: true}))
	require.NoError(t, err)
	defer fresh.Close()
	want := contents(t, fresh)
	for k, v := range want {
		require.NotEmpty(t, v, k)
	}

	ro, err := store.Open(path, withTestIndexes(&store.Options{ReadOnly: true}))
	require.NoError(t, err, "read-only open of version 5")
	staged, err := ro.Staged()
	require.NoError(t, err)
	assert.Equal(t, 2, staged, "read-only, the staged resources stay so")
	require.NoError(t, ro.Close())

	db, err := store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
	require.NoError(t, err)
	got := contents(t, db)
	for k := range want {
		assert.Equal(t, want[k], got[k], k)
	}
	staged, err = db.Staged()
	require.NoError(t, err)
	assert.Zero(t, staged)
	require.NoError(t, db.Close())

	v, buckets = fileState(t, path)
	assert.Equal(t, uint64(11), v)
	assert.NotContains(t, buckets, "ospg")
}

// TestUpgradeCrash: an upgrade that fails before it commits, as in a
// crash, leaves the version 5 file, which opens and upgrades later.
func TestUpgradeCrash(t *testing.T) {
	path := format5File(t)
	crash := errors.New("crash")
	restore := store.SetUpgradeHookForTest(func() error { return crash })
	_, err := store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
	restore()
	require.ErrorIs(t, err, crash)
	v, buckets := fileState(t, path)
	assert.Equal(t, uint64(5), v)
	assert.Contains(t, buckets, "ospg")

	db, err := store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
	require.NoError(t, err)
	id, _ := sampleRecord(41)
	ok, err := db.Exists(context.Background(), id)
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, db.Close())
	v, _ = fileState(t, path)
	assert.Equal(t, uint64(11), v)
}

// TestUpgradeFormat6 opens a file format 6 wrote, its index keys one by
// one: read-only, it reads them as they are; writable, it becomes version
// 9, its indexes in blocks, and answers as a store the same writes make
// now, and as it did before.
func TestUpgradeFormat6(t *testing.T) { testUpgrade(t, 6, format6File(t), format6Ops) }

// TestUpgradeFormat7 opens a file format 7 wrote, its dictionary in
// version 7's blocks, as TestUpgradeFormat6 opens one of format 6.
func TestUpgradeFormat7(t *testing.T) {
	testUpgrade(t, 7, formatFile(t, "format7.db.gz"), format7Ops)
}

// TestUpgradeFormat8 opens a file format 8 wrote (format7Ops, with the
// code of commit 36a7333): format 9 only adds the mark of a bulk load
// (see DB.BeginBulk), so a writable Open just sets the version.
func TestUpgradeFormat8(t *testing.T) {
	testUpgrade(t, 8, formatFile(t, "format8.db.gz"), format7Ops)
}

// TestUpgradeFormat9 opens a file format 9 wrote (format7Ops, with the
// code of commit 22735c8), its res bucket keyed by IRI: a read-only Open
// reads it so; a writable one keys res by graph id.
func TestUpgradeFormat9(t *testing.T) {
	testUpgrade(t, 9, formatFile(t, "format9.db.gz"), format7Ops)
}

// TestUpgradeFormat9Crash is TestUpgradeFormat6Crash for a version 9
// file.
func TestUpgradeFormat9Crash(t *testing.T) {
	testUpgradeCrash(t, 9, formatFile(t, "format9.db.gz"))
}

// TestUpgradeFormat10 opens a file format 10 wrote (format10Ops), which
// holds records staged with the stage values of then, each triple's terms
// in full: a read-only Open reads them into the overlay, a writable one
// merges them and sets the version; format 11 only writes smaller stage
// values (see appendStageValue) and reads both.
func TestUpgradeFormat10(t *testing.T) {
	path := formatFile(t, "format10.db.gz")
	ro, err := store.Open(path, withTestIndexes(&store.Options{ReadOnly: true}))
	require.NoError(t, err)
	assert.Equal(t, 3, ro.Overlaid(), "the staged records, read into the overlay")
	require.NoError(t, ro.Close())
	// Merged, as the writable Open merges them, so that the dictionary
	// counts their terms too (Stats counts a staged record's new terms
	// once it is merged).
	testUpgrade(t, 10, path, func(t testing.TB, db *store.DB) {
		format10Ops(t, db)
		_, err := db.Merge(context.Background(), 0)
		require.NoError(t, err)
	})
}

// TestUpgradeFormat10Crash is TestUpgradeFormat6Crash for a version 10
// file.
func TestUpgradeFormat10Crash(t *testing.T) {
	testUpgradeCrash(t, 10, formatFile(t, "format10.db.gz"))
}

// TestUpgradeFormat9Building opens a file format 9 wrote in a bulk load
// that did not end (BeginBulk, format7Ops, no EndBulk; commit 22735c8):
// a read-only Open refuses it, and a writable one keys res by graph id
// and then builds the indexes from it, as the load's end would have.
func TestUpgradeFormat9Building(t *testing.T) {
	path := formatFile(t, "format9bulk.db.gz")
	v, buckets := fileState(t, path)
	require.Equal(t, uint64(9), v)
	require.Contains(t, buckets, "deferred", "a file in a bulk load")

	fresh, _ := openDB(t, withTestIndexes(&store.Options{NoSync: true}))
	format7Ops(t, fresh)
	want := contents(t, fresh)

	_, err := store.Open(path, withTestIndexes(&store.Options{ReadOnly: true}))
	require.ErrorIs(t, err, store.ErrBuilding)

	db, err := store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
	require.NoError(t, err)
	got := contents(t, db)
	for k := range want {
		assert.Equal(t, want[k], got[k], k)
	}
	bad, err := db.RIDAgreesForTest()
	require.NoError(t, err)
	assert.Empty(t, bad)
	require.NoError(t, db.Close())
	v, buckets = fileState(t, path)
	assert.Equal(t, uint64(11), v)
	assert.NotContains(t, buckets, "deferred", "the build ended")
}

// TestUpgradeFormat8Crash is TestUpgradeFormat6Crash for a version 8
// file.
func TestUpgradeFormat8Crash(t *testing.T) {
	testUpgradeCrash(t, 8, formatFile(t, "format8.db.gz"))
}

// etags returns the ETag of each resource in db.
func etags(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	require.NoError(t, db.View(ctx, func(sn *store.Snapshot) error {
		return sn.ResourcesUnder(ctx, "", rdf.IRI{}, func(id rdf.IRI) bool {
			_, out[id.String()], _ = sn.Get(ctx, id)
			return true
		})
	}))
	return out
}

// testUpgrade opens the file at path, of the given version, which ops
// made: read-only, it answers as the same writes made now do, and stays
// as it is; writable, it becomes version 11 and answers so, with the
// same ETags, before and after more writes.
func testUpgrade(t *testing.T, version uint64, path string, ops func(testing.TB, *store.DB)) {
	v, _ := fileState(t, path)
	require.Equal(t, version, v)

	fresh, _ := openDB(t, withTestIndexes(&store.Options{NoSync: true}))
	ops(t, fresh)
	want := contents(t, fresh)
	for k, v := range want {
		require.NotEmpty(t, v, k)
	}

	ro, err := store.Open(path, withTestIndexes(&store.Options{ReadOnly: true}))
	require.NoError(t, err, "read-only open of version %d", version)
	got := contents(t, ro)
	for k := range want {
		if k == "terms" {
			continue // the old dictionary holds the terms inline ids hold now
		}
		assert.Equal(t, want[k], got[k], "read-only: %s", k)
	}
	tags := etags(t, ro)
	require.NoError(t, ro.Close())
	v, _ = fileState(t, path)
	require.Equal(t, version, v, "read-only, the file stays as it is")

	db, err := store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
	require.NoError(t, err)
	got = contents(t, db)
	for k := range want {
		assert.Equal(t, want[k], got[k], k)
	}
	assert.Equal(t, tags, etags(t, db), "the ETags clients hold stay valid")
	// It takes writes as a new file does; an ETag read before the
	// upgrade matches, and a new one is not one of the old.
	id, g := sampleRecord(7)
	tag, err := db.Replace(context.Background(), id, append(g, tr(id, exSource, ex("probes/9"))), tags[id.String()])
	require.NoError(t, err)
	for _, old := range tags {
		require.NotEqual(t, old, tag, "a new ETag")
	}
	_, err = fresh.Replace(context.Background(), id, append(g, tr(id, exSource, ex("probes/9"))), "")
	require.NoError(t, err)
	require.NoError(t, db.Delete(context.Background(), iri("http://pm.example.org/records/long"), ""))
	require.NoError(t, fresh.Delete(context.Background(), iri("http://pm.example.org/records/long"), ""))
	want, got = contents(t, fresh), contents(t, db)
	for k := range want {
		assert.Equal(t, want[k], got[k], "after writes: %s", k)
	}
	require.NoError(t, db.Close())
	v, _ = fileState(t, path)
	assert.Equal(t, uint64(11), v)
}

// TestUpgradeFormat6Crash: an upgrade of a version 6 file that fails
// before it commits, as in a crash, leaves the version 6 file, which opens
// and upgrades later.
func TestUpgradeFormat6Crash(t *testing.T) { testUpgradeCrash(t, 6, format6File(t)) }

// TestUpgradeFormat7Crash is TestUpgradeFormat6Crash for a version 7
// file.
func TestUpgradeFormat7Crash(t *testing.T) {
	testUpgradeCrash(t, 7, formatFile(t, "format7.db.gz"))
}

func testUpgradeCrash(t *testing.T, version uint64, path string) {
	crash := errors.New("crash")
	restore := store.SetUpgradeHookForTest(func() error { return crash })
	_, err := store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
	restore()
	require.ErrorIs(t, err, crash)
	v, buckets := fileState(t, path)
	assert.Equal(t, version, v)
	assert.NotContains(t, strings.Join(buckets, " "), "~", "no bucket of the upgrade left")

	ro, err := store.Open(path, withTestIndexes(&store.Options{ReadOnly: true}))
	require.NoError(t, err)
	want := contents(t, ro)
	require.NoError(t, ro.Close())
	db, err := store.Open(path, withTestIndexes(&store.Options{NoSync: true}))
	require.NoError(t, err)
	got := contents(t, db)
	for k := range want {
		if k == "terms" {
			continue // the old dictionary holds the terms inline ids hold now
		}
		assert.Equal(t, want[k], got[k], k)
	}
	require.NoError(t, db.Close())
	v, _ = fileState(t, path)
	assert.Equal(t, uint64(11), v)
}
