package ui

import (
	"context"
	"sort"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
)

// Alarm terms the pages read.
var (
	severity      = pmj("perceivedSeverity")
	ackState      = pmj("ackState")
	acknowledged  = pmj("AckAcknowledged")
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

// An Alarm is an active alarm on a monitored resource, as the pages show
// it: raised by a threshold, not yet cleared.
type Alarm struct {
	ID       string // IRI of the alarm
	Resource string // IRI of the monitored resource
	Title    string
	Severity string // local name: Critical, Major, Minor, Warning, Indeterminate
	State    string // Active or Acknowledged
	Since    time.Time
}

// Alarms tells the pages the active alarms. Without Config.Alarms the
// pages read the provider's own alarm resources (/oslc/alarms); a
// provider without them shows no alarm sections.
type Alarms interface {
	// ActiveAlarms returns the active alarms on resource, or on every
	// resource when resource is "", most severe first.
	ActiveAlarms(ctx context.Context, resource string) ([]Alarm, error)
}

// maxActiveAlarms bounds the active alarms a page lists.
const maxActiveAlarms = 200

// severityRank orders severities, most severe first.
var severityRank = map[string]int{"Critical": 0, "Major": 1, "Minor": 2, "Warning": 3, "Indeterminate": 4}

// activeAlarms returns the active alarms on resource (every resource
// when it is ""), most severe and then newest first, and whether the
// provider has alarms at all.
func (s *Server) activeAlarms(ctx context.Context, resource string) ([]Alarm, bool, error) {
	if s.cfg.Alarms != nil {
		as, err := s.cfg.Alarms.ActiveAlarms(ctx, resource)
		return as, true, err
	}
	k := s.kind("alarms")
	if k == nil {
		return nil, false, nil
	}
	where := parser.And(parser.Eq(alarmState, alarmRaised))
	if resource != "" {
		res, err := rdf.NewIRI(resource)
		if err != nil {
			return nil, true, nil
		}
		where = activeWhere(res)
	}
	got, err := s.uiQuery(ctx, k, &query.Query{Where: where, OrderBy: newestRaised}, maxActiveAlarms)
	if err != nil {
		return nil, true, err
	}
	l := s.labeller(ctx)
	as := make([]Alarm, 0, len(got.Members))
	for _, m := range got.Members {
		g, _, err := s.store().Get(ctx, m.ID)
		if err != nil {
			continue // cleared and gone since the query
		}
		a := Alarm{ID: m.ID.String(), Title: l.of(m.ID, g), Severity: "Major", State: "Active"}
		for _, t := range g {
			if t.Subj != m.ID {
				continue
			}
			switch t.Pred {
			case alarmedObject:
				a.Resource = t.Obj.String()
			case severity:
				a.Severity = lastSegment(t.Obj.String())
			case ackState:
				if t.Obj == acknowledged {
					a.State = "Acknowledged"
				}
			case raisedTime:
				if lit, ok := t.Obj.(rdf.Literal); ok {
					if us, ok := literal.DateTimeValue(lit.String(), false); ok {
						a.Since = time.UnixMicro(us)
					}
				}
			}
		}
		as = append(as, a)
	}
	sort.SliceStable(as, func(i, j int) bool { return severityRank[as[i].Severity] < severityRank[as[j].Severity] })
	return as, true, nil
}
