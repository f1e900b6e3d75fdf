package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/schedule"
)

// slowFailing fails at once the first time, then waits for its context.
type slowFailing struct{ calls int }

func (c *slowFailing) Name() string              { return "slowFailing" }
func (c *slowFailing) Metrics() []collect.Metric { return nil }
func (c *slowFailing) Classes() []rdf.IRI        { return nil }
func (c *slowFailing) Collect(ctx context.Context, _ collect.Request) ([]collect.Sample, error) {
	if c.calls++; c.calls == 1 {
		return nil, errors.New("device unreachable")
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestRetryReportsTheCollectorsError: when the retry budget runs out
// during an attempt, the error reported is what the collector said
// before, not the deadline (a loaded machine once made the job's reason
// "context deadline exceeded").
func TestRetryReportsTheCollectorsError(t *testing.T) {
	e := &Engine{retry: 200 * time.Millisecond, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c := &slowFailing{}
	p := schedule.Period{Start: time.Unix(0, 0), End: time.Unix(10, 0)}
	_, err := e.collectRetry(t.Context(), c, collect.Request{}, p)
	require.ErrorContains(t, err, "attempt 1: device unreachable")
	require.Equal(t, 2, c.calls)
}
