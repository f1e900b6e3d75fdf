package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// DefaultAlertResend is how often active alarms are sent again to the
// Alertmanager, as Prometheus re-sends firing alerts: an alert not
// re-sent before its endsAt resolves there.
const DefaultAlertResend = time.Minute

// resolvedRetention is how long a cleared alarm is still sent, resolved,
// so that an Alertmanager that missed the clearing (down, restarted)
// learns it.
const resolvedRetention = 15 * time.Minute

// alertmanager pushes alarms to a Prometheus Alertmanager's v2 API
// (POST /api/v2/alerts): at once when the change log shows an alarm
// raised or cleared, and all alarms active or recently cleared every
// resend interval, which also covers what a restart missed.
type alertmanager struct {
	h      *Hub
	url    string // .../api/v2/alerts
	resend time.Duration
	client *http.Client
}

func newAlertmanager(h *Hub, base string, resend time.Duration) (*alertmanager, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("alertmanager URL %q: want an absolute http(s) URL", base)
	}
	if resend <= 0 {
		resend = DefaultAlertResend
	}
	// The operator names the Alertmanager: no allow-list applies.
	return &alertmanager{h: h, url: strings.TrimSuffix(base, "/") + "/api/v2/alerts", resend: resend,
		client: &http.Client{Timeout: h.cfg.Timeout}}, nil
}

// An alert is one of the v2 API's postable alerts.
type alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     string            `json:"startsAt,omitempty"`
	EndsAt       string            `json:"endsAt,omitempty"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

func (a *alertmanager) run(ctx context.Context) {
	var cursor uint64
	// From the change log's head: the first sync sends every alarm.
	cursor = a.h.Newest()
	a.sync(ctx)
	nextSync := time.Now().Add(a.resend)
	filter := &Filter{Types: []Type{ThresholdCrossed, ThresholdCleared}}
	for ctx.Err() == nil {
		wake := a.h.waiter(cursor)
		var alarms []Alarm
		next, err := a.h.Read(ctx, cursor, filter, func(ev *Event) bool {
			if ev.Graph != nil {
				alarms = append(alarms, ReadAlarm(ev.Source, ev.Graph))
			}
			return true
		})
		if err != nil {
			if ctx.Err() == nil {
				a.h.log.Error("notify: alertmanager: read events", "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		if len(alarms) > 0 {
			a.push(ctx, a.alerts(ctx, alarms))
		}
		if next > cursor {
			cursor = next
			continue
		}
		if time.Now().After(nextSync) {
			a.sync(ctx)
			nextSync = time.Now().Add(a.resend)
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(time.Until(nextSync)):
		}
	}
}

// sync sends every alarm active, or cleared less than resolvedRetention
// ago.
func (a *alertmanager) sync(ctx context.Context) {
	var alarms []Alarm
	now := a.h.now()
	err := a.h.cfg.Store.ViewChanges(ctx, func(sn store.ChangeView) error {
		return sn.ResourcesUnder(ctx, a.h.cfg.Base+AlarmsPath+"/", rdf.IRI{}, func(id rdf.IRI) bool {
			g, _, err := sn.Get(ctx, id)
			if err != nil {
				return true
			}
			al := ReadAlarm(id, g)
			if al.Cleared() {
				t, err := time.Parse(time.RFC3339Nano, al.ClearedAt)
				if err != nil || now.Sub(t) > resolvedRetention {
					return true
				}
			}
			alarms = append(alarms, al)
			return true
		})
	})
	if err != nil {
		if ctx.Err() == nil {
			a.h.log.Error("notify: alertmanager: read alarms", "err", err)
		}
		return
	}
	if len(alarms) > 0 {
		a.push(ctx, a.alerts(ctx, alarms))
	}
}

// alerts are the alerts of alarms.
func (a *alertmanager) alerts(ctx context.Context, alarms []Alarm) []alert {
	titles := map[rdf.IRI]string{}
	_ = a.h.cfg.Store.ViewChanges(ctx, func(sn store.ChangeView) error {
		for _, al := range alarms {
			for _, id := range []rdf.IRI{al.Threshold, al.Resource} {
				if _, ok := titles[id]; ok || id == (rdf.IRI{}) {
					continue
				}
				if g, _, err := sn.Get(ctx, id); err == nil {
					titles[id] = value(g, id, vocab.DCTitle)
				}
			}
		}
		return nil
	})
	out := make([]alert, 0, len(alarms))
	for _, al := range alarms {
		name := titles[al.Threshold]
		if name == "" {
			name = "PerformanceThresholdCrossed"
		}
		sev := al.Severity
		if sev == "" {
			sev = "indeterminate"
		}
		al2 := alert{
			Labels: map[string]string{
				"alertname": name,
				"resource":  al.Resource.String(),
				"metric":    al.Metric,
				"severity":  sev,
				"alarm":     al.ID.String(),
			},
			Annotations:  map[string]string{},
			StartsAt:     al.Raised,
			GeneratorURL: al.ID.String(),
		}
		if al.Threshold != (rdf.IRI{}) {
			al2.Labels["threshold"] = al.Threshold.String()
		}
		if t := titles[al.Resource]; t != "" {
			al2.Annotations["resource_title"] = t
		}
		summary := fmt.Sprintf("%s on %s", name, al.Resource.String())
		if al.Metric != "" && al.Value != "" {
			summary = fmt.Sprintf("%s = %s on %s", al.Metric, al.Value, al.Resource.String())
		}
		al2.Annotations["summary"] = summary
		if al.Title != "" {
			al2.Annotations["description"] = al.Title
		}
		if al.Cleared() {
			al2.EndsAt = al.ClearedAt
			if al2.EndsAt == "" {
				al2.EndsAt = a.h.now().UTC().Format(time.RFC3339Nano)
			}
		} else {
			// Active: ends unless re-sent, as Prometheus does it.
			al2.EndsAt = a.h.now().Add(4 * a.resend).UTC().Format(time.RFC3339Nano)
		}
		for k, v := range al2.Labels {
			if v == "" {
				delete(al2.Labels, k)
			}
		}
		out = append(out, al2)
	}
	return out
}

// push POSTs alerts; a failure is logged, and the next sync sends again.
func (a *alertmanager) push(ctx context.Context, alerts []alert) {
	b, err := json.Marshal(alerts)
	if err != nil {
		a.h.log.Error("notify: alertmanager: encode", "err", err)
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url, bytes.NewReader(b))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			a.h.log.Warn("notify: alertmanager: push", "url", a.url, "err", err)
		}
		return
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 != 2 {
		a.h.log.Warn("notify: alertmanager: push refused", "url", a.url, "status", resp.Status, "body", string(msg))
	}
}
