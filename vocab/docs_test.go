package vocab

import (
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocumentsParse(t *testing.T) {
	for _, d := range Documents {
		t.Run(d.Name, func(t *testing.T) {
			g, err := d.Graph()
			require.NoError(t, err)
			assert.NotEmpty(t, g)
		})
	}
	g, err := PublishedShapes()
	require.NoError(t, err)
	assert.NotEmpty(t, g)
}

func TestSubClassClosure(t *testing.T) {
	c, err := SubClassClosure()
	require.NoError(t, err)
	tests := []struct {
		sub, sup rdf.IRI
		want     bool
	}{
		{IRI(PM, "RealMemoryUsed"), IRI(PM, "MemoryMetrics"), true},
		{IRI(PM, "RealMemoryUsed"), IRI(EMS, "Metric"), true},
		{IRI(PM, "CpuUsed"), IRI(PM, "CpuMetrics"), true},
		{IRI(PM, "CpuUsed"), IRI(PM, "MemoryMetrics"), false},
	}
	for _, tt := range tests {
		got := false
		for _, s := range c[tt.sub.String()] {
			if s == tt.sup.String() {
				got = true
			}
		}
		assert.Equal(t, tt.want, got, "%s subClassOf %s", tt.sub, tt.sup)
	}
	assert.Contains(t, Metrics(), IRI(PM, "CpuUsed").String())
	assert.NotContains(t, Metrics(), IRI(PM, "CpuMetrics").String())
}
