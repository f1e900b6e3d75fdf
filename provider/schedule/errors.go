package schedule

import (
	"errors"
	"fmt"
)

// Errors returned by Schedule.Validate, each inside a *DefinitionError that
// names the offending attribute. Validate joins all the problems it finds
// with errors.Join; test for them with errors.Is, and with errors.As for a
// *DefinitionError.
var (
	// ErrGranularity means the granularity period is not one of
	// Granularities.
	ErrGranularity = errors.New("unsupported granularity period")

	// ErrReportingPeriod means the reporting period is negative, not a
	// whole number of granularity periods, or does not divide a day.
	ErrReportingPeriod = errors.New("invalid reporting period")

	// ErrInterval means a daily recording interval does not lie within
	// 00:00 to 24:00 with its start before its end.
	ErrInterval = errors.New("invalid recording interval")

	// ErrIntervalAlignment means a daily recording interval does not
	// start or end on a granularity period boundary.
	ErrIntervalAlignment = errors.New("recording interval not aligned to the granularity period")

	// ErrIntervalOverlap means two daily recording intervals overlap.
	ErrIntervalOverlap = errors.New("recording intervals overlap")

	// ErrWeekdays means the weekly days hold bits that name no weekday.
	ErrWeekdays = errors.New("invalid weekly days")

	// ErrStopBeforeStart means the stop time is not after the start time.
	ErrStopBeforeStart = errors.New("stop time not after start time")

	// ErrStartTooFar means the start time lies further ahead than the
	// scheduling horizon.
	ErrStartTooFar = errors.New("start time beyond the scheduling horizon")

	// ErrStopPassed means the stop time is not in the future.
	ErrStopPassed = errors.New("stop time has passed")

	// ErrNeverOnDuty means that no whole granularity period of the
	// schedule is on duty, so the job would never collect anything.
	ErrNeverOnDuty = errors.New("schedule is never on duty")
)

// ErrNotAllowed is the error of a job event that the job's state does not
// allow, such as resuming a cancelled job. Job methods return it inside an
// *EventError.
var ErrNotAllowed = errors.New("event not allowed in this state")

// A DefinitionError describes one bad attribute of a schedule. Its message
// is meant for the client that sent the definition.
type DefinitionError struct {
	Field string // the attribute: "granularityPeriod", "dailyIntervals[1]", ...
	Err   error  // one of the Err* sentinels above
	Msg   string // what is wrong, with the values involved
}

func (e *DefinitionError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap makes errors.Is(err, e.Err) hold.
func (e *DefinitionError) Unwrap() error { return e.Err }

func defErr(field string, err error, format string, args ...any) *DefinitionError {
	return &DefinitionError{Field: field, Err: err, Msg: fmt.Sprintf(format, args...)}
}

// An EventError reports a job event refused in the job's current state.
type EventError struct {
	Event string // "resume", "modify", ...
	State State  // the state that refused it
}

func (e *EventError) Error() string {
	return fmt.Sprintf("cannot %s a job that is %s", e.Event, e.State)
}

// Unwrap makes errors.Is(err, ErrNotAllowed) hold.
func (e *EventError) Unwrap() error { return ErrNotAllowed }
