package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOSLCCoreVersion (issue 14, defect 8): OSLC Core 3.0, Version
// Compatibility: the major version of OSLC-Core-Version MUST be 2 or more
// and a server SHOULD answer 400 to a lower one. Absent, 2.0, 3.0 (and a
// later version, answered as the most compatible) are served.
func TestOSLCCoreVersion(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do(t, "POST", "/oslc/records", recordTTL, "Content-Type", "text/turtle")
	require.Equal(t, 201, r.status, "%s", r.body)
	record := r.header.Get("Location")
	before := count(t, ts)

	requests := []struct{ method, url, body string }{
		{"GET", "/oslc/catalog", ""},
		{"GET", "/oslc/records", ""},
		{"GET", record, ""},
		{"POST", "/oslc/records", recordTTL},
	}
	for _, tt := range []struct {
		version string
		status  int
		msg     string
	}{
		{"1.0", 400, "OSLC-Core-Version 1.0 is not supported"},
		{"1.1", 400, "OSLC-Core-Version 1.1 is not supported"},
		{"0.9", 400, "is not supported"},
		{"01.0", 400, "is not supported"},
		{"2", 400, "is not a version MAJOR.MINOR"},
		{"2.x", 400, "is not a version MAJOR.MINOR"},
		{"v3.0", 400, "is not a version MAJOR.MINOR"},
		{"", 0, ""},
		{"2.0", 0, ""},
		{"3.0", 0, ""},
		{"\t3.0", 0, ""},
		{"4.0", 0, ""},
	} {
		for _, req := range requests {
			t.Run(tt.version+"/"+req.method+" "+req.url, func(t *testing.T) {
				h := []string{"Accept", "text/turtle", "Content-Type", "text/turtle"}
				if tt.version != "" {
					h = append(h, "OSLC-Core-Version", tt.version)
				}
				r := ts.do(t, req.method, req.url, req.body, h...)
				if tt.status == 0 {
					assert.Less(t, r.status, 300, "%s", r.body)
					return
				}
				require.Equal(t, tt.status, r.status, "%s", r.body)
				assert.Contains(t, oslcError(t, r), tt.msg)
				assert.Contains(t, string(r.body), "in header OSLC-Core-Version")
			})
		}
	}
	assert.Equal(t, before+5, count(t, ts), "a record for each POST served, none for those refused")
}
