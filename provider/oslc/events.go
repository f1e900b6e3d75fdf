package oslc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oslc-pm/pmprovider/provider/jobs"
)

// keepAlive is how often an idle event stream gets a comment line, so
// that proxies keep it open.
const keepAlive = 15 * time.Second

// eventData is the JSON data of a server-sent event: the notification's
// main properties; GET id for the rest.
type eventData struct {
	ID          string `json:"id"`
	Event       string `json:"event"`
	Job         string `json:"job,omitempty"`
	Report      string `json:"report,omitempty"`
	PeriodStart string `json:"periodStart,omitempty"`
	PeriodEnd   string `json:"periodEnd,omitempty"`
	Date        string `json:"date,omitempty"`
	Description string `json:"description,omitempty"`
	Records     int    `json:"records,omitempty"`
}

// Events streams the engine's notifications as server-sent events
// (text/event-stream): every stored pmj:Notification after the client's
// Last-Event-ID header (or after parameter), then each new one as it is
// committed. The event id is the notification's pmj:sequence, which
// orders them across restarts; the event type is the local name of its
// pmj:event (FilesReady, PreparationError); the data is JSON. A job
// parameter keeps the notifications of that job.
func (s *Server) Events(w http.ResponseWriter, r *http.Request) {
	after := int64(0)
	from := r.Header.Get("Last-Event-ID")
	if v := r.URL.Query().Get("after"); v != "" {
		from = v
	}
	if from != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(from), 10, 64)
		if err != nil || n < 0 {
			s.WriteError(w, r, Errorf(http.StatusBadRequest, "header Last-Event-ID", "%q is not an event id; ids are the numbers sent as id:", from))
			return
		}
		after = n
	}
	job := r.URL.Query().Get("job")
	// A stream outlives the server's write timeout, which is for answers.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	flusher, ok := w.(http.Flusher)
	if !ok {
		s.WriteError(w, r, Errorf(http.StatusInternalServerError, "", "streaming is not supported here"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	fmt.Fprint(w, "retry: 2000\n\n")
	flusher.Flush()

	ctx := r.Context()
	sub := s.jobs.Subscribe()
	defer sub.Cancel()
	send := func(ev jobs.Event) error {
		if job != "" && ev.Job.String() != job {
			return nil
		}
		b, err := json.Marshal(eventDataOf(ev))
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.Seq, ev.Kind, b); err != nil {
			return err
		}
		flusher.Flush()
		return ctx.Err()
	}
	last, err := s.jobs.Replay(ctx, sub, after, send)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("event stream: replay", "err", err)
		}
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			flusher.Flush()
		case ev, ok := <-sub.C:
			if !ok {
				return // fell behind: the client resumes from its last id
			}
			if ev.Seq <= last {
				continue
			}
			last = ev.Seq
			if send(ev) != nil {
				return
			}
		}
	}
}

// eventDataOf is the JSON data of ev.
func eventDataOf(ev jobs.Event) eventData {
	d := eventData{
		ID:          ev.ID.String(),
		Job:         ev.Job.String(),
		Report:      ev.Report.String(),
		PeriodStart: eventTime(ev.PeriodStart),
		PeriodEnd:   eventTime(ev.PeriodEnd),
		Date:        eventTime(ev.Date),
		Description: ev.Description,
		Records:     ev.Records,
	}
	if ev.Kind != "" {
		d.Event = ev.Kind.IRI().String()
	}
	return d
}

// eventTime writes t as an xsd:dateTime with its offset, as stored; "" for
// the zero time.
func eventTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}
