package codectest_test

import (
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/codec/codectest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parse reads test graphs written as "s p o" lines; terms starting with
// "_:" are blank nodes, '"' starts a literal (to the end of the line, an
// optional @lang after the closing quote), anything else is an IRI
// relative to http://ex.org/.
func parse(t testing.TB, s string) []rdf.Triple {
	t.Helper()
	term := func(w string) rdf.Term {
		switch {
		case strings.HasPrefix(w, "_:"):
			b, err := rdf.NewBlank(w[2:])
			require.NoError(t, err)
			return b
		case strings.HasPrefix(w, `"`):
			text, lang, _ := strings.Cut(w[1:], `"`)
			if lang != "" {
				l, err := rdf.NewLangLiteral(text, strings.TrimPrefix(lang, "@"))
				require.NoError(t, err)
				return l
			}
			l, err := rdf.NewLiteral(text)
			require.NoError(t, err)
			return l
		}
		i, err := rdf.NewIRI("http://ex.org/" + w)
		require.NoError(t, err)
		return i
	}
	var g []rdf.Triple
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.SplitN(strings.TrimSpace(line), " ", 3)
		require.Len(t, f, 3, "bad line %q", line)
		g = append(g, rdf.Triple{Subj: term(f[0]).(rdf.Subject), Pred: term(f[1]).(rdf.Predicate), Obj: term(f[2]).(rdf.Object)})
	}
	return g
}

func TestIsomorphic(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
		fold bool
	}{
		{"identical ground", "s p o\ns p \"x\"", "s p \"x\"\ns p o", true, false},
		{"different literal", `s p "x"`, `s p "y"`, false, false},
		{"relabelled", "s p _:a\n_:a q _:b\n_:b r o", "s p _:x\n_:x q _:y\n_:y r o", true, false},
		{"swapped roles", "s p _:a\n_:a q o1\n_:b q o2\ns p _:b", "s p _:x\n_:x q o2\n_:y q o1\ns p _:y", true, false},
		{"duplicates ignored", "s p _:a\ns p _:a", "s p _:x", true, false},
		{"blank count", "s p _:a\ns p _:b", "s p _:x", false, false},
		{"two triangles vs hexagon",
			"_:a n _:b\n_:b n _:c\n_:c n _:a\n_:d n _:e\n_:e n _:f\n_:f n _:d",
			"_:a n _:b\n_:b n _:c\n_:c n _:d\n_:d n _:e\n_:e n _:f\n_:f n _:a", false, false},
		{"symmetric nodes", "s p _:a\ns p _:b\n_:a q o\n_:b q o", "s p _:y\ns p _:x\n_:x q o\n_:y q o", true, false},
		{"self loop", "_:a p _:a", "_:a p _:b", false, false},
		{"language case", `s p "x"@en-US`, `s p "x"@en-us`, false, false},
		{"language case folded", `s p "x"@en-US`, `s p "x"@en-us`, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := parse(t, tt.a), parse(t, tt.b)
			iso := codectest.Isomorphic
			if tt.fold {
				iso = codectest.IsomorphicFold
			}
			assert.Equal(t, tt.want, iso(a, b), "got %v; want %v", !tt.want, tt.want)
			assert.Equal(t, tt.want, iso(b, a), "not symmetric")
			if tt.want && !tt.fold {
				assert.Empty(t, codectest.Diff(a, b))
			}
		})
	}
}

func TestNTriples(t *testing.T) {
	g := parse(t, "_:weird q o")
	lit, err := rdf.NewLiteral("tab\there \"q\" é 😀")
	require.NoError(t, err)
	g = append([]rdf.Triple{{Subj: g[0].Subj, Pred: parse(t, "s p o")[0].Pred, Obj: lit}}, g...)
	got := string(codectest.NTriples(g))
	want := `_:c0 <http://ex.org/p> "tab\u0009here \"q\" \u00E9 \U0001F600" .` + "\n" + `_:c0 <http://ex.org/q> <http://ex.org/o> .` + "\n"
	assert.Equal(t, want, got)
}

// TestCanonical runs rdflib: isomorphic graphs get the same canonical form,
// and rapper agrees.
func TestCanonical(t *testing.T) {
	a := parse(t, "s p _:a\n_:a q \"x\"@en-US\n_:a r _:b")
	b := parse(t, "s p _:z\n_:z r _:y\n_:z q \"x\"@en-US")
	c := parse(t, "s p _:a\n_:a q \"y\"")
	nt := codectest.NTriples(a)
	got := codectest.Batch(t,
		codectest.GraphJob("a", a), codectest.GraphJob("b", b), codectest.GraphJob("c", c),
		codectest.RapperJob("rapper a", nt, "application/n-triples", ""),
		codectest.RDFLibJob("turtle a", []byte(`@prefix : <http://ex.org/> . :s :p [ :q "x"@en-US ; :r [] ] .`), "text/turtle", ""),
	)
	assert.Equal(t, got[0], got[1], "isomorphic graphs")
	assert.NotEqual(t, got[0], got[2], "different graphs")
	assert.Equal(t, got[0], got[3], "rapper")
	assert.Equal(t, got[0], got[4], "Turtle")
	assert.Contains(t, got[0], `"x"@en-us`, "language tags are lowercased")
}
