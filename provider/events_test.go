package provider_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type sseEvent struct {
	id, event string
	data      map[string]any
}

// sseStream is a client of /oslc/events.
type sseStream struct {
	events chan sseEvent
	cancel context.CancelFunc
}

func openEvents(t *testing.T, env *jobEnv, lastID string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", env.URL+"/oslc/events", nil)
	require.NoError(t, err)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/event-stream; charset=utf-8", resp.Header.Get("Content-Type"))
	s := &sseStream{events: make(chan sseEvent, 100), cancel: cancel}
	go func() {
		defer resp.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.id != "" {
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data)
			}
		}
	}()
	t.Cleanup(cancel)
	return s
}

// next returns the next n events, failing after a few seconds.
func (s *sseStream) next(t *testing.T, n int) []sseEvent {
	t.Helper()
	var out []sseEvent
	timeout := time.After(5 * time.Second)
	for len(out) < n {
		select {
		case ev, ok := <-s.events:
			require.True(t, ok, "the stream ended after %d events", len(out))
			out = append(out, ev)
		case <-timeout:
			t.Fatalf("got %d events; want %d", len(out), n)
		}
	}
	return out
}

// quiet checks that no event comes for a moment.
func (s *sseStream) quiet(t *testing.T) {
	t.Helper()
	select {
	case ev := <-s.events:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(200 * time.Millisecond):
	}
}

func ids(evs []sseEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.id)
	}
	return out
}

func TestEventStreamResume(t *testing.T) {
	env := newJobEnv(t)
	env.srv.Start() // live: writes are staged and merged later
	defer env.srv.Close()
	res := []string{env.createResource(t, "web1")}
	job, _ := env.createJob(t, jobTTL(res, func(p map[string]string) { p["pmj:reportingMode"] = "pmj:ReportResourcesAndEvents" }))

	s := openEvents(t, env, "")
	env.advance(t, jobEpoch.Add(2*time.Minute))
	first := s.next(t, 2)
	for i, ev := range first {
		assert.Equal(t, "FilesReady", ev.event)
		assert.Equal(t, job.String(), ev.data["job"])
		assert.NotEmpty(t, ev.data["report"])
		if i > 0 {
			a, _ := strconv.ParseInt(first[i-1].id, 10, 64)
			b, _ := strconv.ParseInt(ev.id, 10, 64)
			assert.Less(t, a, b, "ids order the events")
		}
	}
	s.quiet(t)
	s.cancel()

	// Missed while disconnected: replayed at once, even before the store
	// indexed it, then live ones.
	env.advance(t, jobEpoch.Add(3*time.Minute))
	s = openEvents(t, env, first[1].id)
	third := s.next(t, 1)
	assert.Equal(t, "FilesReady", third[0].event)
	s.quiet(t)
	env.advance(t, jobEpoch.Add(4*time.Minute))
	fourth := s.next(t, 1)
	s.cancel()

	// From the start, everything once and in order.
	s = openEvents(t, env, "")
	assert.Equal(t, append(ids(first), third[0].id, fourth[0].id), ids(s.next(t, 4)))
	s.cancel()

	// After a restart, nothing is lost either.
	env.srv.Close()
	env.advance(t, jobEpoch.Add(5*time.Minute)) // not live: written at once
	env.boot(t, jobEpoch.Add(5*time.Minute+time.Second))
	env.srv.Start()
	s = openEvents(t, env, third[0].id)
	evs := s.next(t, 2)
	assert.Equal(t, fourth[0].id, evs[0].id)
	env.advance(t, jobEpoch.Add(6*time.Minute+time.Second))
	more := s.next(t, 1)
	assert.Greater(t, more[0].id, evs[1].id)

	r := env.do(t, "GET", "/oslc/events", "", "Last-Event-ID", "yesterday")
	assert.Equal(t, 400, r.status)
}

func TestEventPreparationError(t *testing.T) {
	env := newJobEnv(t)
	res := []string{env.createResource(t, "web1")}
	_, _ = env.createJob(t, jobTTL(res, func(p map[string]string) { p["pmj:reportingMode"] = "pmj:ReportEvents" }))
	env.advance(t, jobEpoch.Add(time.Minute))
	// The monitored resource is gone: nothing can be collected.
	r := env.do(t, "DELETE", res[0], "")
	require.Equal(t, 204, r.status, "%s", r.body)
	env.advance(t, jobEpoch.Add(4*time.Minute))
	s := openEvents(t, env, "")
	evs := s.next(t, 4)
	// The job reuses its resolved resources for a minute.
	assert.Equal(t, "FilesReady", evs[0].event)
	assert.Equal(t, "PreparationError", evs[3].event)
	assert.Contains(t, evs[3].data["description"], "could not be prepared")
	assert.Nil(t, evs[3].data["report"])
}
