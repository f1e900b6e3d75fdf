package ui

import (
	"context"
	"time"
)

// An Alarm is an active alarm on a monitored resource, as the pages show
// it: raised by a threshold, not yet cleared.
type Alarm struct {
	ID       string // IRI of the alarm
	Resource string // IRI of the monitored resource
	Title    string
	Severity string // local name or label: Critical, Major, Minor, Warning
	State    string // local name or label: Active, Acknowledged
	Since    time.Time
}

// Alarms tells the pages the active alarms. The provider's threshold and
// alarm resources implement it; the wiring sets Config.Alarms. Without it
// the pages show no alarms and no alarm sections.
type Alarms interface {
	// ActiveAlarms returns the active alarms on resource, or on every
	// resource when resource is "", most severe first.
	ActiveAlarms(ctx context.Context, resource string) ([]Alarm, error)
}

// activeAlarms returns the active alarms on resource, none when the
// provider has no alarms. ALARMS: this is where thresholds plug in.
func (s *Server) activeAlarms(ctx context.Context, resource string) ([]Alarm, bool, error) {
	if s.cfg.Alarms == nil {
		return nil, false, nil
	}
	as, err := s.cfg.Alarms.ActiveAlarms(ctx, resource)
	return as, true, err
}
