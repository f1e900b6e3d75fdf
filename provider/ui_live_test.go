package provider_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLiveStreamsShareThePoller: every open page's /ui/live stream hears
// of a write, through the one change-log poller they share.
func TestLiveStreamsShareThePoller(t *testing.T) {
	ts := newTestServer(t)
	resource := seedResource(t, ts, "web01 front end", "web01")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var streams []*bufio.Reader
	for i := 0; i < 3; i++ {
		req, err := http.NewRequestWithContext(ctx, "GET", ts.URL+"/ui/live", nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		br := bufio.NewReader(resp.Body)
		require.Equal(t, "hello", nextEvent(t, br))
		streams = append(streams, br)
	}
	seedRecord(t, ts, resource, time.Now().UTC(), 42, 1e9)
	for _, br := range streams {
		require.Equal(t, "change", nextEvent(t, br))
	}
}

// nextEvent reads br up to the next event line and returns its name.
func nextEvent(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			return strings.TrimSpace(name)
		}
	}
}
