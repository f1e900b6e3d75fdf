package collect

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panicking is a transport with a bug.
type panicking struct{}

func (panicking) RoundTrip(*http.Request) (*http.Response, error) { panic("transport bug") }

// TestPanicInACollectorsGoroutine: a panic in a goroutine a collector
// starts would end the process, engine and all; it comes back from
// Collect as a *PanicError with the stack of the goroutine.
func TestPanicInACollectorsGoroutine(t *testing.T) {
	client := &http.Client{Transport: panicking{}}
	tests := []struct {
		name string
		c    Collector
		prop string
	}{
		{"http", &HTTP{Client: client}, PropProbeURL},
		{"prometheus", &Prometheus{Client: client}, PropScrapeURL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Collect(context.Background(), request("j", urlTarget("a", tc.prop, "http://example.org/")))
			var pe *PanicError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "transport bug", pe.Value)
			assert.Contains(t, string(pe.Stack), "panicking.RoundTrip")
		})
	}
}
