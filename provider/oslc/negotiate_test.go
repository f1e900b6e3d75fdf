package oslc

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPreferred(t *testing.T) {
	for _, c := range []struct {
		name   string
		prefer []string
		want   []string
	}{
		{"none", nil, nil},
		{"dialog", []string{`return=representation; include="` + PreferDialog + `"`}, []string{PreferDialog}},
		{"two includes", []string{`return=representation; include="` + PreferDialog + " " + PreferMinimalContainer + `"`}, []string{PreferDialog, PreferMinimalContainer}},
		{"two headers", []string{`return=representation; include="` + PreferDialog + `"`, `return=representation; include="` + PreferMinimalContainer + `"`}, []string{PreferDialog, PreferMinimalContainer}},
		{"among others", []string{`respond-async, return=representation;include="` + PreferDialog + `", wait=10`}, []string{PreferDialog}},
		{"minimal return", []string{`return=minimal; include="` + PreferDialog + `"`}, nil},
		{"omit", []string{`return=representation; omit="` + PreferDialog + `"`}, nil},
		{"unquoted", []string{`return=representation; include=` + PreferDialog}, []string{PreferDialog}},
		{"quoted comma", []string{`return=representation; include="a,b ` + PreferDialog + `"`}, []string{"a,b", PreferDialog}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			for _, p := range c.prefer {
				r.Header.Add("Prefer", p)
			}
			got := preferred(r)
			assert.Len(t, got, len(c.want), "%v", got)
			for _, w := range c.want {
				assert.True(t, got[w], "%s in %v", w, got)
			}
		})
	}
}

func FuzzPreferred(f *testing.F) {
	for _, s := range []string{`return=representation; include="` + PreferDialog + `"`, `"`, `;;,,"=`, `return=representation;include`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Prefer", s)
		preferred(r)
	})
}

func TestNegotiateUnwritten(t *testing.T) {
	for accept, want := range map[string]string{
		"application/trig":                          "text/turtle",
		"application/n-quads":                       "application/n-triples",
		"application/trix":                          "application/rdf+xml",
		"application/trig;q=0.2, text/html;q=0.3":   "text/html",
		"application/trig, application/rdf+xml;q=0": "text/turtle",
		"text/turtle;q=0, text/n3":                  "application/rdf+xml",
		"application/json":                          "application/json",
		"application/ld+json, application/json":     "application/ld+json",
		"image/png":                                 "",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept", accept)
		rep, ok := negotiate(r)
		assert.Equal(t, want != "", ok, accept)
		assert.Equal(t, want, rep.mediaType, accept)
	}
}

func TestPageSizeAndToken(t *testing.T) {
	for v, want := range map[string]int{"": DefaultPageSize, "1": 1, "10000": MaxPageSize, "10001": MaxPageSize, "0005": 5, "99999999999999999999999": MaxPageSize} {
		n, capped, err := pageSize(v)
		assert.NoError(t, err, v)
		assert.Equal(t, want, n, v)
		assert.Equal(t, len(v) > 4 && v != "0005" && v != "10000", capped, v)
	}
	for _, v := range []string{"0", "-1", "1.5", "1e3", "0x10", " 5", "ten"} {
		_, _, err := pageSize(v)
		assert.Error(t, err, v)
	}
	for v, want := range map[string]int{"abc": 0, "12.abc": 12, "0.abc": 0} {
		cur, off, err := pageToken(v)
		assert.NoError(t, err, v)
		assert.Equal(t, want, off, v)
		assert.Equal(t, "abc", cur, v)
	}
	for _, v := range []string{"-1.abc", "x.abc", "5.", "99999999999999999999999.abc"} {
		_, _, err := pageToken(v)
		assert.Error(t, err, v)
	}
}

func TestETags(t *testing.T) {
	ttl, _ := lookupOffered("text/turtle")
	html, _ := lookupOffered("text/html")
	assert.Equal(t, `"n-1.ttl"`, representationTag(`"n-1"`, ttl))
	assert.Equal(t, `"n-1.ttl"`, representationTag(`"n-1.rdf"`, ttl), "from any representation's tag")
	assert.Equal(t, `W/"n-1.html"`, representationTag(`"n-1"`, html))
	assert.True(t, etagMatch(`"n-1.jsonld"`, `"n-1"`))
	assert.True(t, etagMatch(`W/"n-1.html", "x"`, `"n-1"`))
	assert.True(t, etagMatch(`*`, `"n-1"`))
	assert.False(t, etagMatch(`"n-2.ttl"`, `"n-1"`))
	assert.False(t, etagMatch(`"n-1.x"`, `"n-1"`), "not a representation of ours")
	assert.True(t, noneMatch(`"a", "n-1.ttl"`, `"n-1.ttl"`))
	assert.False(t, noneMatch(`"n-1.rdf"`, `"n-1.ttl"`))
	assert.Equal(t, `"n-1"`, storeIfMatch(`"n-1.nt"`))
	assert.Equal(t, `*`, storeIfMatch(`*`))
}
