package provider_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPutMustDescribeTheResource (issue 14, defect 3): a PUT whose body
// describes another resource is refused, naming the one expected; it used
// to be stored as the resource.
func TestPutMustDescribeTheResource(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	loc, etag := r.header.Get("Location"), r.header.Get("ETag")

	for _, other := range []string{"<http://other.example/records/r1>", "<" + loc + "#m1>", "<" + loc + "x>"} {
		t.Run(other, func(t *testing.T) {
			body := strings.Replace(strings.Replace(recordTTL, "web01 at 10:00", "moved", 1), "<> a pm:", other+" a pm:", 1)
			r := ts.do(t, "PUT", loc, body, "Content-Type", "text/turtle", "If-Match", etag)
			require.Equal(t, 400, r.status, "%s", r.body)
			msg := oslcError(t, r)
			assert.Contains(t, msg, "a PUT must describe the resource it replaces, <"+loc+">")
			assert.Contains(t, msg, other)
		})
	}
	got := ts.do(t, "GET", loc, "", "Accept", "text/turtle")
	assert.Equal(t, etag, got.header.Get("ETag"), "unchanged")

	// Unnamed (a blank node) or named as itself, it is the resource.
	for _, self := range []string{"_:r", "<" + loc + ">"} {
		body := strings.Replace(recordTTL, "<> a pm:", self+" a pm:", 1)
		r := ts.do(t, "PUT", loc, body, "Content-Type", "text/turtle", "If-Match", etag)
		require.Equal(t, 200, r.status, "%s: %s", self, r.body)
		etag = r.header.Get("ETag")
	}
}
