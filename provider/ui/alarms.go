package ui

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
)

// Alarm terms the pages read.
var (
	alarmedObject = pmj("alarmedObject")
	alarmState    = pmj("alarmState")
	alarmRaised   = pmj("Raised")
	raisedTime    = pmj("alarmRaisedTime")
	newestRaised  = parser.Order(parser.Desc(raisedTime))
)

func init() {
	views["thresholds"] = &view{noun: "Resource",
		columns: []column{{"Metric", pmj("performanceIndicator"), false}, {"Direction", pmj("thresholdDirection"), false},
			{"Value", pmj("thresholdValue"), false}, {"Offset", pmj("thresholdOffset"), false}, {"Severity", pmj("perceivedSeverity"), false}},
		icon: "job.svg", iconTitle: "Threshold", preview: "threshold"}
	views["alarms"] = &view{noun: "Resource",
		columns: []column{{"Resource", alarmedObject, true}, {"State", alarmState, false}, {"Severity", pmj("perceivedSeverity"), false},
			{"Value", pmj("observedValue"), false}, {"Raised", raisedTime, false}},
		icon: "job.svg", iconTitle: "Alarm", preview: "alarm"}
}

// activeWhere is the oslc.where of the active alarms of res.
func activeWhere(res rdf.IRI) *parser.Where {
	return parser.And(parser.Eq(alarmedObject, res), parser.Eq(alarmState, alarmRaised))
}

// activeAlarms returns up to n of the active alarms of res, newest first.
func (s *Server) activeAlarms(ctx context.Context, res rdf.IRI, n int) (*query.Result, error) {
	k := s.kind("alarms")
	if k == nil {
		return &query.Result{}, nil
	}
	return s.uiQuery(ctx, k, &query.Query{Where: activeWhere(res), OrderBy: newestRaised}, n)
}

// alarmTable writes the table of the active alarms of res on its page.
func (s *Server) alarmTable(buf *bytes.Buffer, r *http.Request, res rdf.IRI) error {
	k := s.kind("alarms")
	if k == nil {
		return nil
	}
	got, err := s.activeAlarms(r.Context(), res, 20)
	if err != nil {
		return err
	}
	var ids []rdf.IRI
	for _, m := range got.Members {
		ids = append(ids, m.ID)
	}
	v := alarmsLink(s.URL(k.Path()), activeWhere(res))
	return pagesTmpl.ExecuteTemplate(buf, "table", tableData{
		ID: "alarms", Title: "Active alarms", Empty: "No active alarms.", Cols: colNames(k), Rows: s.memberRows(r, k, ids),
		More: v,
	})
}

// alarmsLink is base queried with where, newest alarm first.
func alarmsLink(base string, where *parser.Where) string {
	v := url.Values{"oslc.where": {where.Compact(parser.DefaultPrefixes()).String()}, "oslc.orderBy": {"-pmj:alarmRaisedTime"}}
	return base + "?" + v.Encode()
}

// alarmProps adds the active alarms of res to its preview: how many, and
// the newest few, so that a tool previewing the resource sees them.
func (s *Server) alarmProps(ctx context.Context, d *previewData, res rdf.IRI) error {
	k := s.kind("alarms")
	if k == nil {
		return nil
	}
	got, err := s.activeAlarms(ctx, res, 3)
	if err != nil {
		return err
	}
	n := len(got.Members)
	if got.Total > n {
		n = got.Total
	}
	d.Props = append(d.Props, previewProp{Name: "Active alarms", Value: strconv.Itoa(n), Href: alarmsLink(s.URL(k.Path()), activeWhere(res))})
	l := s.labeller(ctx)
	for _, m := range got.Members {
		d.Props = append(d.Props, previewProp{Name: "Alarm", Value: l.label(m.ID.String()), Href: m.ID.String()})
	}
	return nil
}

// thresholdPreview adds the properties of a threshold's or an alarm's
// preview.
func thresholdPreview(kind string, prop func(name string, p rdf.IRI), size string) {
	if kind == "alarm" {
		prop("Resource", alarmedObject)
		prop("State", alarmState)
		prop("Severity", pmj("perceivedSeverity"))
		prop("Metric", pmj("indicatorName"))
		prop("Observed", pmj("observedValue"))
		prop("Raised", raisedTime)
		prop("Cleared", pmj("alarmClearedTime"))
		if size == "large" {
			prop("Threshold", pmj("threshold"))
			prop("Acknowledged by", pmj("ackUser"))
			prop("Cleared by", pmj("clearUser"))
		}
		return
	}
	prop("Metric", pmj("performanceIndicator"))
	prop("Direction", pmj("thresholdDirection"))
	prop("Value", pmj("thresholdValue"))
	prop("Offset", pmj("thresholdOffset"))
	prop("Severity", pmj("perceivedSeverity"))
	if size == "large" {
		prop("Watches", pmj("monitoredObject"))
		prop("Class", pmj("monitoredObjectClass"))
		prop("Granularity", pmj("granularity"))
		prop("Admin state", pmj("adminState"))
	}
}
