package schedule

import (
	"fmt"
	"time"
)

// State is a job's execution state, named as in MEF LSO Legato's
// performance job, plus Failed.
type State string

// Job states.
const (
	Acknowledged        State = "acknowledged"        // received, not yet accepted or rejected
	Rejected            State = "rejected"            // refused at creation; terminal
	Scheduled           State = "scheduled"           // accepted, before its start time (OSS/J: off-duty)
	InProgress          State = "inProgress"          // running; Duty says on or off duty
	Suspended           State = "suspended"           // admin state LOCKED
	Pending             State = "pending"             // a modification is being applied
	ResourceUnavailable State = "resourceUnavailable" // the collector failed; retrying
	Failed              State = "failed"              // the collector failed MaxFailures times in a row
	Cancelled           State = "cancelled"           // cancelled by a client; terminal
	Completed           State = "completed"           // its stop time was reached; terminal
)

// Terminal reports whether no event can take a job out of st.
func (st State) Terminal() bool { return st == Rejected || st == Cancelled || st == Completed }

// Duty is OSS/J's on-duty or off-duty, inside a job's state.
type Duty string

// Duties. A Status has DutyOff in Scheduled, DutyOn or DutyOff in
// InProgress, and NoDuty in every other state.
const (
	NoDuty  Duty = ""
	DutyOn  Duty = "onDuty"
	DutyOff Duty = "offDuty"
)

// AdminState is TM Forum's administrative state of a job.
type AdminState string

// Admin states. Suspend locks a job, Resume unlocks it.
const (
	Unlocked AdminState = "UNLOCKED"
	Locked   AdminState = "LOCKED"
)

// Status is what a job shows of its state at one instant.
type Status struct {
	State State
	Duty  Duty
	Admin AdminState
}

func (s Status) String() string {
	str := string(s.State)
	if s.Duty != NoDuty {
		str += "/" + string(s.Duty)
	}
	return str + " " + string(s.Admin)
}

// Cause says why a job's Status changed.
type Cause string

// Causes of transitions.
const (
	CauseCreated            Cause = "created"
	CauseAccepted           Cause = "accepted"
	CauseRejected           Cause = "rejected"
	CauseStartTime          Cause = "startTimeReached"
	CauseStopTime           Cause = "stopTimeReached"
	CauseOnDuty             Cause = "onDuty"  // a recording interval or weekly day began
	CauseOffDuty            Cause = "offDuty" // a recording interval or weekly day ended
	CauseSuspended          Cause = "suspended"
	CauseResumed            Cause = "resumed"
	CauseCancelled          Cause = "cancelled"
	CauseModifying          Cause = "modificationPending"
	CauseModified           Cause = "modified"
	CauseModifyAborted      Cause = "modificationAborted"
	CauseCollectorFailed    Cause = "collectorFailed"
	CauseCollectorRecovered Cause = "collectorRecovered"
	CauseCatchUp            Cause = "catchUp" // Step skipped more than MaxReplay changes
)

// A Transition records one change of a job's Status, for a tracking
// record.
type Transition struct {
	At       time.Time // when it happened: the event's time, or the schedule instant for time-driven changes
	From, To Status
	Cause    Cause
	Detail   string // the reason given with a rejection, failure or abort; otherwise empty
}

func (tr Transition) String() string {
	s := fmt.Sprintf("%s %s -> %s (%s", tr.At.Format(time.RFC3339), tr.From, tr.To, tr.Cause)
	if tr.Detail != "" {
		s += ": " + tr.Detail
	}
	return s + ")"
}

// DefaultMaxFailures is the number of consecutive collector failures after
// which a job with MaxFailures zero fails.
const DefaultMaxFailures = 3

// MaxReplay is the most time-driven transitions one Step records; the rest
// of a longer gap is summed up in a single CauseCatchUp transition, the one
// transition whose From may equal its To.
const MaxReplay = 1000

// A Job is the state machine of one measurement job. Its fields are all
// the state there is, so a job stored and loaded again carries on where it
// was; Step then replays what happened while it was away.
//
// The time of each event is given by the caller (the injected clock). A
// time before At is taken as At, so transitions are recorded in order.
// A Job is not safe for concurrent use.
type Job struct {
	Schedule    Schedule
	MaxFailures int // consecutive collector failures before Failed; 0 means DefaultMaxFailures

	Status   Status    // as of At
	At       time.Time // the latest instant Status was brought up to
	Failures int       // consecutive collector failures
	Reason   string    // why the job is Rejected, ResourceUnavailable or Failed
}

// NewJob returns an Acknowledged, Unlocked job created at now, and the
// transition that records its creation.
func NewJob(s Schedule, now time.Time) (*Job, Transition) {
	j := &Job{Schedule: s, At: now, Status: Status{State: Acknowledged, Admin: Unlocked}}
	return j, Transition{At: now, To: j.Status, Cause: CauseCreated}
}

func (j *Job) maxFailures() int {
	if j.MaxFailures > 0 {
		return j.MaxFailures
	}
	return DefaultMaxFailures
}

// held reports whether the job stays in its state until an event moves it.
func (j *Job) held() bool {
	st := j.Status.State
	return st.Terminal() || st == Acknowledged || st == Pending
}

// live returns the Status that time, the schedule, the admin state and the
// collector give the job at t, once it is accepted and not being modified.
func (j *Job) live(t time.Time) Status {
	s := &j.Schedule
	st := Status{Admin: j.Status.Admin}
	switch {
	case !s.Stop.IsZero() && !t.Before(s.Stop):
		st.State = Completed
	case st.Admin == Locked:
		st.State = Suspended
	case j.Failures >= j.maxFailures():
		st.State = Failed
	case !s.Start.IsZero() && t.Before(s.Start):
		st.State, st.Duty = Scheduled, DutyOff
	case j.Failures > 0:
		st.State = ResourceUnavailable
	case s.OnDuty(t):
		st.State, st.Duty = InProgress, DutyOn
	default:
		st.State, st.Duty = InProgress, DutyOff
	}
	return st
}

// nextChange returns the first instant after t at which live may change
// without an event.
func (j *Job) nextChange(t time.Time) (time.Time, bool) {
	s := &j.Schedule
	var next time.Time
	consider := func(u time.Time) {
		if u.After(t) && (next.IsZero() || u.Before(next)) {
			next = u
		}
	}
	if !s.Stop.IsZero() {
		consider(s.Stop)
	}
	switch j.Status.State {
	case Scheduled:
		consider(s.Start)
	case InProgress:
		if n, ok := s.NextTransition(t); ok {
			consider(n)
		}
	}
	return next, !next.IsZero()
}

// timeCause names the cause of a time-driven change.
func timeCause(from, to Status) Cause {
	switch {
	case to.State == Completed:
		return CauseStopTime
	case from.State == Scheduled:
		return CauseStartTime
	case to.Duty == DutyOn:
		return CauseOnDuty
	}
	return CauseOffDuty
}

// move sets the Status to to at instant at and returns the transition, or
// nothing if the Status does not change.
func (j *Job) move(out []Transition, at time.Time, to Status, cause Cause, detail string) []Transition {
	if to == j.Status {
		return out
	}
	out = append(out, Transition{At: at, From: j.Status, To: to, Cause: cause, Detail: detail})
	j.Status = to
	return out
}

// Step brings the job up to now and returns the time-driven transitions on
// the way, each at the instant it happened: the start time (Scheduled to
// InProgress), every change between on and off duty, and the stop time
// (to Completed, from any state but Acknowledged and Pending).
func (j *Job) Step(now time.Time) []Transition {
	if !now.After(j.At) {
		return nil
	}
	var out []Transition
	for n := 0; !j.held(); n++ {
		next, ok := j.nextChange(j.At)
		if !ok || next.After(now) {
			break
		}
		if n == MaxReplay {
			// Recorded even if the Status comes out the same, so that the
			// gap in the record shows.
			out = append(out, Transition{At: now, From: j.Status, To: j.live(now), Cause: CauseCatchUp,
				Detail: fmt.Sprintf("replay limit of %d changes reached at %s; later changes were not recorded", MaxReplay, j.At.Format(time.RFC3339))})
			j.Status = out[len(out)-1].To
			break
		}
		j.At = next
		to := j.live(next)
		out = j.move(out, next, to, timeCause(j.Status, to), "")
	}
	j.At = now
	return out
}

// begin brings the job up to now for an event, and refuses the event in a
// terminal state.
func (j *Job) begin(now time.Time, event string) ([]Transition, time.Time, error) {
	if now.Before(j.At) {
		now = j.At
	}
	out := j.Step(now)
	if j.Status.State.Terminal() {
		return out, now, &EventError{Event: event, State: j.Status.State}
	}
	return out, now, nil
}

// settle recomputes the Status after an event that changed the job's
// fields, keeping an Acknowledged or Pending job where it is.
func (j *Job) settle(out []Transition, now time.Time, cause Cause, detail string) []Transition {
	to := j.live(now)
	if j.held() {
		to = Status{State: j.Status.State, Admin: j.Status.Admin}
	}
	return j.move(out, now, to, cause, detail)
}

// only refuses an event unless the job is in state want.
func (j *Job) only(out []Transition, event string, want State) ([]Transition, error) {
	if j.Status.State != want {
		return out, &EventError{Event: event, State: j.Status.State}
	}
	return out, nil
}

// Accept takes an Acknowledged job into service: Scheduled, InProgress or,
// if locked at creation, Suspended.
func (j *Job) Accept(now time.Time) ([]Transition, error) {
	out, now, err := j.begin(now, "accept")
	if err == nil {
		out, err = j.only(out, "accept", Acknowledged)
	}
	if err != nil {
		return out, err
	}
	return j.move(out, now, j.live(now), CauseAccepted, ""), nil
}

// Reject refuses an Acknowledged job, for reason.
func (j *Job) Reject(now time.Time, reason string) ([]Transition, error) {
	out, now, err := j.begin(now, "reject")
	if err == nil {
		out, err = j.only(out, "reject", Acknowledged)
	}
	if err != nil {
		return out, err
	}
	j.Reason = reason
	return j.move(out, now, Status{State: Rejected, Admin: j.Status.Admin}, CauseRejected, reason), nil
}

// Suspend locks the job. From any state that is not terminal it goes to
// Suspended (an Acknowledged or Pending job gets there once accepted or
// modified). Suspending a locked job changes nothing.
func (j *Job) Suspend(now time.Time) ([]Transition, error) {
	out, now, err := j.begin(now, "suspend")
	if err != nil {
		return out, err
	}
	if j.Status.Admin == Locked {
		return out, nil
	}
	return j.settleAdmin(out, now, Locked, CauseSuspended), nil
}

// Resume unlocks the job and forgets its collector failures, so it goes
// back to the state its schedule gives it now: Scheduled, or InProgress
// on or off duty. Resuming an unlocked job only retries a failed
// collector.
func (j *Job) Resume(now time.Time) ([]Transition, error) {
	out, now, err := j.begin(now, "resume")
	if err != nil {
		return out, err
	}
	j.Failures, j.Reason = 0, ""
	return j.settleAdmin(out, now, Unlocked, CauseResumed), nil
}

// settleAdmin sets the admin state and settles the job.
func (j *Job) settleAdmin(out []Transition, now time.Time, admin AdminState, cause Cause) []Transition {
	from := j.Status
	j.Status.Admin = admin
	to := j.live(now)
	if j.held() {
		to = j.Status
	}
	j.Status = from
	return j.move(out, now, to, cause, "")
}

// Cancel ends the job for good. Cancelling a cancelled job changes
// nothing.
func (j *Job) Cancel(now time.Time) ([]Transition, error) {
	if j.Status.State == Cancelled {
		return nil, nil
	}
	out, now, err := j.begin(now, "cancel")
	if err != nil {
		return out, err
	}
	return j.move(out, now, Status{State: Cancelled, Admin: j.Status.Admin}, CauseCancelled, ""), nil
}

// Modify marks the job Pending while a modification is applied; finish
// with Modified or ModifyAborted. A job not yet accepted, or already
// being modified, cannot be modified.
func (j *Job) Modify(now time.Time) ([]Transition, error) {
	out, now, err := j.begin(now, "modify")
	if err == nil && (j.Status.State == Acknowledged || j.Status.State == Pending) {
		err = &EventError{Event: "modify", State: j.Status.State}
	}
	if err != nil {
		return out, err
	}
	return j.move(out, now, Status{State: Pending, Admin: j.Status.Admin}, CauseModifying, ""), nil
}

// Modified ends a modification by putting the new schedule in force; the
// caller has validated it. Collector failures are forgotten.
func (j *Job) Modified(now time.Time, s Schedule) ([]Transition, error) {
	out, now, err := j.begin(now, "apply a modification to")
	if err == nil {
		out, err = j.only(out, "apply a modification to", Pending)
	}
	if err != nil {
		return out, err
	}
	j.Schedule, j.Failures, j.Reason = s, 0, ""
	return j.move(out, now, j.live(now), CauseModified, ""), nil
}

// ModifyAborted ends a modification that could not be applied, for
// reason, keeping the schedule in force before it.
func (j *Job) ModifyAborted(now time.Time, reason string) ([]Transition, error) {
	out, now, err := j.begin(now, "abort a modification of")
	if err == nil {
		out, err = j.only(out, "abort a modification of", Pending)
	}
	if err != nil {
		return out, err
	}
	return j.move(out, now, j.live(now), CauseModifyAborted, reason), nil
}

// CollectorFailed records that collecting for the job failed, for reason.
// An InProgress job becomes ResourceUnavailable, and Failed after
// MaxFailures failures in a row. Reports for a job in any other state are
// late or stray, and ignored.
func (j *Job) CollectorFailed(now time.Time, reason string) []Transition {
	if now.Before(j.At) {
		now = j.At
	}
	out := j.Step(now)
	switch j.Status.State {
	case InProgress, ResourceUnavailable, Failed:
	default:
		return out
	}
	j.Failures++
	j.Reason = reason
	return j.settle(out, now, CauseCollectorFailed, reason)
}

// CollectorRecovered records a successful collection after failures: the
// failure count is cleared and a ResourceUnavailable or Failed job goes
// back to InProgress.
func (j *Job) CollectorRecovered(now time.Time) []Transition {
	if now.Before(j.At) {
		now = j.At
	}
	out := j.Step(now)
	if j.Failures == 0 || j.Status.State.Terminal() {
		return out
	}
	j.Failures, j.Reason = 0, ""
	return j.settle(out, now, CauseCollectorRecovered, "")
}
