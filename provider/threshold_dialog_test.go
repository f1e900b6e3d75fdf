package provider_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// TestThresholdCreationDialog finds the thresholds' creation dialog by
// discovery and by the factory's Link header, and reads its form: the
// metric picker offers the numeric metrics of the capabilities document
// and no STRING measure, with the shape's directions and severities.
func TestThresholdCreationDialog(t *testing.T) {
	t.Parallel()
	env := newJobEnv(t)
	r := env.do(t, "GET", "/oslc/provider", "", "Accept", "text/turtle")
	require.Equal(t, 200, r.status)
	g := graphOf(t, r, env.URL+"/oslc/provider")
	var dialog string
	for _, d := range objects(g, nil, vocab.OSLC+"creationDialog") {
		if strs(objects(g, d, vocab.OSLC+"resourceType"))[0] == pmj("Threshold") {
			dialog = one(t, g, d, vocab.OSLC+"dialog").String()
			assert.Equal(t, env.URL+"/oslc/shapes/threshold", one(t, g, d, vocab.OSLC+"resourceShape").String())
		}
	}
	require.Equal(t, env.URL+"/ui/create/thresholds", dialog)
	r = env.do(t, "OPTIONS", "/oslc/thresholds", "")
	assert.Contains(t, strings.Join(r.header.Values("Link"), ", "), env.URL+"/oslc/dialogs/create/thresholds")

	r = env.do(t, "GET", dialog, "", "Accept", "text/html")
	require.Equal(t, 200, r.status, "%s", r.body)
	page := string(r.body)
	assert.Contains(t, page, `data-factory="`+env.URL+`/oslc/thresholds"`)
	assert.Contains(t, page, `<option value="`+vocab.PM+`CpuUsed"`)
	assert.NotContains(t, page, `<option value="`+vocab.PM+`AvailabilityStatus"`)
	for _, want := range []string{`id="f-thresholdValue" name="thresholdValue" type="number"`, `step="any"`,
		`<option value="` + pmj("Rising") + `" selected>`, `<option value="` + pmj("Major") + `" selected>`, `id="f-monitoredObject"`} {
		assert.Contains(t, page, want)
	}
}
