package jobs

import (
	"fmt"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

func TestAllowGranularities(t *testing.T) {
	start := time.Date(2026, 11, 24, 10, 0, 0, 500_000_000, time.UTC)
	v := newEnv(t, start)
	res := v.resource("h1")
	second := map[string][]rdf.Object{"monitoredObject": {res}, "granularity": {lit("PT1S", vocab.XSD+"duration")}}
	_, err := v.job(second)
	var de *DefinitionError
	require.ErrorAs(t, err, &de, "MEF's shortest is 10 s")
	assert.Contains(t, err.Error(), "use one of 10s, 1min")

	v.e.AllowGranularities(time.Second, 7*time.Second) // 7 s does not divide a day
	job, err := v.job(second)
	require.NoError(t, err)
	v.advance(start.Add(3 * time.Second))
	assert.Len(t, v.records(job), 2, "periods ending :02 and :03")

	var supported []string
	for _, tr := range v.e.Capabilities(vocab.IRI(base, "/caps")) {
		if tr.Pred == vocab.PMJTerm("supportedGranularity") {
			supported = append(supported, tr.Obj.String())
		}
	}
	assert.Equal(t, []string{"PT1S", "PT10S", "PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "P1D"}, supported)
}

// TestTargetJitter: jobs reuse their resolved targets for targetTTL and
// up to half as long again, spread by job, so that jobs started together
// do not all resolve theirs in one period.
func TestTargetJitter(t *testing.T) {
	seen := map[time.Duration]bool{}
	for i := range 1000 {
		id, err := rdf.NewIRI(fmt.Sprintf("http://127.0.0.1:8080/oslc/jobs/%d", i))
		require.NoError(t, err)
		j := targetJitter(id)
		require.GreaterOrEqual(t, j, time.Duration(0))
		require.Less(t, j, targetTTL/2)
		seen[j/(targetTTL/20)] = true
	}
	assert.Len(t, seen, 10, "each tenth of the range is used")
}
