package store_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/store"
)

// textAll collects what Text reports for token, as sorted "s p tf" lines.
func textAll(t testing.TB, db *store.DB, token string) []string {
	t.Helper()
	var got []string
	err := db.Text(t.Context(), token, func(s rdf.Subject, p rdf.IRI, tf int) bool {
		got = append(got, fmt.Sprintf("%s %s %d", nt(s), nt(p), tf))
		return true
	})
	require.NoError(t, err)
	slices.Sort(got)
	return got
}

// prefixAll collects what TextPrefix reports, as "token s p tf" lines in
// the order reported.
func prefixAll(t testing.TB, db *store.DB, prefix string) []string {
	t.Helper()
	var got []string
	err := db.TextPrefix(t.Context(), prefix, func(tok string, s rdf.Subject, p rdf.IRI, tf int) bool {
		got = append(got, fmt.Sprintf("%s %s %s %d", tok, nt(s), nt(p), tf))
		return true
	})
	require.NoError(t, err)
	return got
}

// posting is a "s p tf" line as textAll returns it.
func posting(s rdf.Subject, p rdf.IRI, tf int) string {
	return fmt.Sprintf("%s %s %d", nt(s), nt(p), tf)
}

var xmlLiteral = rdfXMLLiteral

func TestTextWrites(t *testing.T) {
	db, _ := openDB(t, nil)
	ctx := t.Context()
	r := ex("r")
	_, err := db.Create(ctx, r, []rdf.Triple{
		tr(r, exTitle, str("CPU load on Host 7")),
		tr(r, exDescription, lang("Load, load and more load", "en")),
		tr(r, exIdentifier, str("PM-7")),
		tr(r, ex("comment"), str("load not indexed")),
		tr(r, exTitle, intl("7")),
		tr(r, exTitle, typed("load", ex("dt"))),
	})
	require.NoError(t, err)
	assert.Equal(t, []string{posting(r, exDescription, 3), posting(r, exTitle, 1)}, textAll(t, db, "load"))
	assert.Equal(t, []string{posting(r, exIdentifier, 1), posting(r, exTitle, 1)}, textAll(t, db, "7"))
	assert.Equal(t, []string{posting(r, exIdentifier, 1)}, textAll(t, db, "pm"))
	assert.Empty(t, textAll(t, db, "not"), "predicate outside TextPredicates indexed")
	assert.Empty(t, textAll(t, db, "Load"), "Text matched a token Tokens would not return")
	assert.Empty(t, textAll(t, db, "lo"), "Text matched a prefix")

	// Replace: a title changes, the description stays, the identifier goes.
	_, err = db.Replace(ctx, r, []rdf.Triple{
		tr(r, exTitle, str("Memory on host 7")),
		tr(r, exDescription, lang("Load, load and more load", "en")),
	}, "")
	require.NoError(t, err)
	assert.Equal(t, []string{posting(r, exDescription, 3)}, textAll(t, db, "load"))
	assert.Equal(t, []string{posting(r, exTitle, 1)}, textAll(t, db, "memory"))
	assert.Equal(t, []string{posting(r, exTitle, 1)}, textAll(t, db, "7"))
	assert.Empty(t, textAll(t, db, "pm"))
	assert.Empty(t, textAll(t, db, "cpu"))
	want := []string{
		"and <http://example.org/r> <http://example.org/ns#description> 1",
		"host <http://example.org/r> <http://example.org/ns#title> 1",
	}
	assert.Equal(t, want, prefixAll(t, db, "")[1:3], "TextPrefix order")

	// Two titles of one subject add up.
	_, err = db.Replace(ctx, r, []rdf.Triple{
		tr(r, exTitle, lang("Host load", "en")),
		tr(r, exTitle, lang("Host load", "de")),
		tr(r, exTitle, str("host")),
	}, "")
	require.NoError(t, err)
	assert.Equal(t, []string{posting(r, exTitle, 3)}, textAll(t, db, "host"))
	assert.Equal(t, []string{posting(r, exTitle, 2)}, textAll(t, db, "load"))

	require.NoError(t, db.Delete(ctx, r, ""))
	assert.Empty(t, prefixAll(t, db, ""), "postings left after delete")
	st, err := db.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, store.Stats{Size: st.Size}, st, "terms left behind")
}

func TestTextLiterals(t *testing.T) {
	db, _ := openDB(t, nil)
	tests := []struct {
		name string
		obj  rdf.Object
		want []string // tokens
	}{
		{"xsd:string", str("Hello World"), []string{"hello", "world"}},
		{"langString", lang("Grüße aus KÖLN", "de"), []string{"aus", "grüße", "köln"}},
		{"unicode lowercase", str("ΣΊΣΥΦΟΣ İSTANBUL"), []string{"istanbul", "σίσυφοσ"}},
		{"XMLLiteral", typed(`<p xmlns="http://www.w3.org/1999/xhtml" class="intro">Disk<b>full</b> &amp; caf&#233; &nbsp;now</p>`, xmlLiteral),
			[]string{"café", "disk", "full", "now"}},
		{"XMLLiteral text only", typed("plain &lt;text&gt;", xmlLiteral), []string{"plain", "text"}},
		{"ill-formed XMLLiteral", typed("<a href='x'>unclosed <b>tags", xmlLiteral), []string{"tags", "unclosed"}},
		{"integer", intl("42"), nil},
		{"IRI", ex("word"), nil},
		{"blank", blank("word"), nil},
		{"other datatype", typed("word", ex("dt")), nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ex(fmt.Sprint("r", i))
			_, err := db.Create(t.Context(), r, []rdf.Triple{tr(r, exTitle, tt.obj)})
			require.NoError(t, err)
			var got []string
			err = db.TextPrefix(t.Context(), "", func(tok string, s rdf.Subject, p rdf.IRI, tf int) bool {
				if nt(s) == nt(r) {
					got = append(got, tok)
				}
				return true
			})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTextSameTitleTwoResources(t *testing.T) {
	db, _ := openDB(t, nil)
	ctx := t.Context()
	host := ex("host")
	shared := tr(host, exTitle, str("Shared shared title"))
	for _, r := range []string{"a", "b"} {
		_, err := db.Create(ctx, ex(r), []rdf.Triple{shared, tr(ex(r), exTitle, str("own shared"))})
		require.NoError(t, err)
	}
	want := []string{posting(ex("a"), exTitle, 1), posting(ex("b"), exTitle, 1), posting(host, exTitle, 2)}
	assert.Equal(t, want, textAll(t, db, "shared"))
	assert.Equal(t, []string{posting(host, exTitle, 1)}, textAll(t, db, "title"))

	// Another title of host, stated by b only, adds to the shared one.
	_, err := db.Replace(ctx, ex("b"), []rdf.Triple{shared, tr(host, exTitle, str("shared host"))}, "")
	require.NoError(t, err)
	want = []string{posting(ex("a"), exTitle, 1), posting(host, exTitle, 3)}
	assert.Equal(t, want, textAll(t, db, "shared"))

	require.NoError(t, db.Delete(ctx, ex("a"), ""))
	assert.Equal(t, []string{posting(host, exTitle, 3)}, textAll(t, db, "shared"))
	assert.Equal(t, []string{posting(host, exTitle, 1)}, textAll(t, db, "title"))
	require.NoError(t, db.Delete(ctx, ex("b"), ""))
	assert.Empty(t, prefixAll(t, db, ""))
}

func TestTextScan(t *testing.T) {
	db, _ := openDB(t, nil)
	ctx := t.Context()
	var rs []store.Resource
	for i := range 20 {
		r := ex(fmt.Sprint("r", i))
		rs = append(rs, store.Resource{ID: r, Triples: []rdf.Triple{tr(r, exTitle, str(fmt.Sprintf("word w%d", i)))}})
	}
	require.NoError(t, db.Load(ctx, rs))

	t.Run("stop", func(t *testing.T) {
		n := 0
		require.NoError(t, db.Text(ctx, "word", func(rdf.Subject, rdf.IRI, int) bool { n++; return n < 5 }))
		assert.Equal(t, 5, n)
		n = 0
		require.NoError(t, db.TextPrefix(ctx, "w", func(string, rdf.Subject, rdf.IRI, int) bool { n++; return n < 3 }))
		assert.Equal(t, 3, n)
	})
	t.Run("prefix", func(t *testing.T) {
		var toks []string
		require.NoError(t, db.TextPrefix(ctx, "w1", func(tok string, s rdf.Subject, _ rdf.IRI, tf int) bool {
			toks = append(toks, tok)
			assert.Equal(t, nt(ex("r"+tok[1:])), nt(s))
			return true
		}))
		assert.Equal(t, []string{"w1", "w10", "w11", "w12", "w13", "w14", "w15", "w16", "w17", "w18", "w19"}, toks)
		assert.Len(t, prefixAll(t, db, "wor"), 20)
		assert.Empty(t, prefixAll(t, db, "x"))
		assert.Empty(t, prefixAll(t, db, "w\x00"))
	})
	t.Run("bad tokens", func(t *testing.T) {
		for _, tok := range []string{"", "\x00", "word\x00", "w1\x00"} {
			assert.Empty(t, textAll(t, db, tok), "%q", tok)
		}
	})
	t.Run("snapshot", func(t *testing.T) {
		err := db.View(ctx, func(s *store.Snapshot) error {
			n := 0
			err := s.Text(ctx, "word", func(subj rdf.Subject, _ rdf.IRI, _ int) bool {
				// Nested reads go through the snapshot.
				ok, err := s.Exists(ctx, subj.(rdf.IRI))
				require.NoError(t, err)
				assert.True(t, ok)
				n++
				return true
			})
			assert.Equal(t, 20, n)
			return err
		})
		require.NoError(t, err)
	})
	t.Run("canceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		require.ErrorIs(t, db.Text(cctx, "word", func(rdf.Subject, rdf.IRI, int) bool { return true }), context.Canceled)
		require.ErrorIs(t, db.TextPrefix(cctx, "", func(string, rdf.Subject, rdf.IRI, int) bool { return true }), context.Canceled)
	})
}

func TestTextPredicatesOption(t *testing.T) {
	titleOnly := &store.Options{TextPredicates: []rdf.IRI{exTitle}}
	db, path := openDB(t, titleOnly)
	r := ex("r")
	_, err := db.Create(t.Context(), r, []rdf.Triple{
		tr(r, exTitle, str("title")),
		tr(r, exDescription, str("description")),
		tr(r, ex("label"), str("label")),
	})
	require.NoError(t, err)
	assert.Len(t, prefixAll(t, db, ""), 1)
	require.NoError(t, db.Close())

	tests := []struct {
		name string
		opt  *store.Options
		want []string // tokens
	}{
		{"test set", &store.Options{TextPredicates: testText}, []string{"description", "title"}},
		{"read-only keeps the index", &store.Options{ReadOnly: true, TextPredicates: []rdf.IRI{ex("label")}}, []string{"description", "title"}},
		{"custom", &store.Options{TextPredicates: []rdf.IRI{ex("label"), exTitle, ex("label")}}, []string{"label", "title"}},
		{"nil keeps the file's", nil, []string{"label", "title"}},
		{"none", &store.Options{TextPredicates: []rdf.IRI{}}, nil},
		{"nil keeps none", &store.Options{}, nil},
		{"title", titleOnly, []string{"title"}},
		{"nil keeps the title", nil, []string{"title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := store.Open(path, tt.opt)
			require.NoError(t, err)
			defer db.Close()
			var got []string
			require.NoError(t, db.TextPrefix(t.Context(), "", func(tok string, _ rdf.Subject, _ rdf.IRI, _ int) bool {
				got = append(got, tok)
				return true
			}))
			assert.Equal(t, tt.want, got)
			if tt.opt != nil && tt.opt.ReadOnly {
				return
			}
			// The rebuilt index is maintained.
			require.NoError(t, db.Delete(t.Context(), r, ""))
			assert.Empty(t, prefixAll(t, db, ""))
			_, err = db.Create(t.Context(), r, []rdf.Triple{
				tr(r, exTitle, str("title")),
				tr(r, exDescription, str("description")),
				tr(r, ex("label"), str("label")),
			})
			require.NoError(t, err)
		})
	}
	_, err = store.Open(path, &store.Options{TextPredicates: []rdf.IRI{{}}})
	require.ErrorIs(t, err, store.ErrInvalid)
}

// TestTextUpgrade opens a version 1 file: one without the text bucket.
func TestTextUpgrade(t *testing.T) {
	db, path := openDB(t, nil)
	id, g := sampleRecord(7)
	_, err := db.Create(t.Context(), id, g)
	require.NoError(t, err)
	want := textAll(t, db, "sample")
	require.Len(t, want, 1)
	require.NoError(t, db.Close())
	require.NoError(t, store.UnpackForTest(path))

	version := func(bdb *bolt.DB) (v uint64) {
		require.NoError(t, bdb.View(func(tx *bolt.Tx) error {
			v = binary.BigEndian.Uint64(tx.Bucket([]byte("meta")).Get([]byte("version")))
			return nil
		}))
		return v
	}
	bdb, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.Equal(t, uint64(11), version(bdb))
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("text")); err != nil {
			return err
		}
		meta := tx.Bucket([]byte("meta"))
		if err := meta.Delete([]byte("text")); err != nil {
			return err
		}
		return meta.Put([]byte("version"), binary.BigEndian.AppendUint64(nil, 1))
	}))
	require.NoError(t, bdb.Close())

	_, err = store.Open(path, &store.Options{ReadOnly: true})
	require.ErrorIs(t, err, store.ErrVersion, "read-only open of version 1")

	db, err = store.Open(path, withTestIndexes(nil))
	require.NoError(t, err)
	assert.Equal(t, want, textAll(t, db, "sample"))
	require.NoError(t, db.Close())

	bdb, err = bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	assert.Equal(t, uint64(11), version(bdb))
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("version"), binary.BigEndian.AppendUint64(nil, 12))
	}))
	require.NoError(t, bdb.Close())
	_, err = store.Open(path, nil)
	require.ErrorIs(t, err, store.ErrVersion, "version 12, from a newer writer")
}

func TestTextOwn(t *testing.T) {
	db, _ := openDB(t, nil)
	ctx := t.Context()
	// a states its own title and host's; b states a title of a, and a
	// copy of host's title with a's.
	_, err := db.Create(ctx, ex("a"), []rdf.Triple{tr(ex("a"), exTitle, str("word")), tr(ex("host"), exTitle, str("word"))})
	require.NoError(t, err)
	_, err = db.Create(ctx, ex("b"), []rdf.Triple{tr(ex("a"), exTitle, str("word again")), tr(ex("host"), exTitle, str("word"))})
	require.NoError(t, err)
	_, err = db.Create(ctx, ex("c"), []rdf.Triple{tr(ex("c"), exDescription, str("a word")), tr(ex("c"), exTitle, str("other"))})
	require.NoError(t, err)
	var got []string
	require.NoError(t, db.View(ctx, func(s *store.Snapshot) error {
		return s.TextOwn(ctx, "word", func(s rdf.Subject, p rdf.IRI, tf int, own bool) bool {
			got = append(got, fmt.Sprintf("%s %v", posting(s, p, tf), own))
			return true
		})
	}))
	want := []string{
		posting(ex("a"), exTitle, 2) + " true",
		posting(ex("host"), exTitle, 1) + " false",
		posting(ex("c"), exDescription, 1) + " true",
	}
	assert.ElementsMatch(t, want, got)
}
