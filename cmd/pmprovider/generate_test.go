package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider/fixture"
	"github.com/oslc-pm/pmprovider/store"
)

// run1 runs a subcommand through dispatch, as main does.
func run1(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = dispatch(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// sortedLines returns the non-empty lines of s, sorted.
func sortedLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// fixtureNT is what cfg generates, as sorted N-Triples lines.
func fixtureNT(t testing.TB, cfg fixture.Config) []string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, fixture.Generate(cfg, func(r store.Resource) error {
		return codec.Encode(&b, codec.NTriples, r.Triples, nil)
	}))
	return sortedLines(b.String())
}

func TestGenerate(t *testing.T) {
	out, _, err := run1(t, "generate", "--records", "40", "--resources", "6", "--seed", "3", "--base-url", "http://pm.example.org/")
	require.NoError(t, err)
	g, err := codec.Decode(strings.NewReader(out), codec.NTriples, "")
	require.NoError(t, err, "the output is N-Triples")
	cfg := fixture.Config{BaseURL: "http://pm.example.org/", Seed: 3, Resources: 6, Records: 40}
	want := fixtureNT(t, cfg)
	assert.Len(t, g, len(want))
	assert.Equal(t, want, sortedLines(out))
	assert.True(t, strings.HasPrefix(out, "<http://pm.example.org/oslc/resources/"), "resources first")

	again, _, err := run1(t, "generate", "--records", "40", "--resources", "6", "--seed", "3", "--base-url", "http://pm.example.org/")
	require.NoError(t, err)
	assert.Equal(t, out, again, "same flags, same bytes")
	other, _, err := run1(t, "generate", "--records", "40", "--resources", "6", "--seed", "4", "--base-url", "http://pm.example.org/")
	require.NoError(t, err)
	assert.NotEqual(t, out, other)
}

func TestGenerateFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--records", "-1"}, "--records"},
		{[]string{"--resources", "0"}, "--resources"},
		{[]string{"--base-url", "ftp://h/"}, "base URL"},
		{[]string{"--start", "yesterday"}, "--start"},
		{[]string{"--step", "0s"}, "--step"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--nope"}, "not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, stderr, err := run1(t, append([]string{"generate"}, tt.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error()+stderr, tt.want)
		})
	}
}

// objectsOf returns the objects of p about s in g.
func objectsOf(g []rdf.Triple, s rdf.Subject, p string) []rdf.Object {
	var out []rdf.Object
	for _, t := range g {
		if t.Subj == s && t.Pred.String() == p {
			out = append(out, t.Obj)
		}
	}
	return out
}
