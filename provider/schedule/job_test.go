package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is a Monday morning.
var t0 = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)

func newAccepted(t *testing.T, s Schedule, now time.Time) *Job {
	t.Helper()
	j, tr := NewJob(s, now)
	require.Equal(t, Transition{At: now, To: Status{Acknowledged, NoDuty, Unlocked}, Cause: CauseCreated}, tr)
	_, err := j.Accept(now)
	require.NoError(t, err)
	return j
}

// causes lists the causes of transitions.
func causes(trs []Transition) []Cause {
	var cs []Cause
	for _, tr := range trs {
		cs = append(cs, tr.Cause)
	}
	return cs
}

func TestAcceptReject(t *testing.T) {
	s := Schedule{Granularity: time.Minute, Start: t0.Add(time.Hour)}
	j, _ := NewJob(s, t0)
	trs, err := j.Accept(t0)
	require.NoError(t, err)
	assert.Equal(t, []Transition{{At: t0, From: Status{Acknowledged, NoDuty, Unlocked}, To: beforeStart, Cause: CauseAccepted}}, trs)
	_, err = j.Accept(t0)
	assert.ErrorIs(t, err, ErrNotAllowed)

	j, _ = NewJob(s, t0)
	trs, err = j.Reject(t0, "unknown metric pm:Foo")
	require.NoError(t, err)
	require.Len(t, trs, 1)
	assert.Equal(t, Status{Rejected, NoDuty, Unlocked}, trs[0].To)
	assert.Equal(t, "unknown metric pm:Foo", trs[0].Detail)
	assert.Equal(t, "unknown metric pm:Foo", j.Reason)
	_, err = j.Accept(t0)
	assert.ErrorIs(t, err, ErrNotAllowed)
	assert.Nil(t, j.Step(t0.Add(48*time.Hour)), "a rejected job does not move")
}

// A job created LOCKED (TM Forum) is suspended as soon as it is accepted.
func TestCreatedLocked(t *testing.T) {
	j, _ := NewJob(Schedule{Granularity: time.Minute}, t0)
	trs, err := j.Suspend(t0)
	require.NoError(t, err)
	assert.Equal(t, []Cause{CauseSuspended}, causes(trs))
	assert.Equal(t, Status{Acknowledged, NoDuty, Locked}, j.Status)
	_, err = j.Accept(t0)
	require.NoError(t, err)
	assert.Equal(t, suspended, j.Status)
}

func TestSuspendResumeIdempotent(t *testing.T) {
	j := newAccepted(t, Schedule{Granularity: time.Minute}, t0)
	trs, err := j.Resume(t0)
	require.NoError(t, err)
	assert.Empty(t, trs, "resuming an unlocked job")
	_, err = j.Suspend(t0)
	require.NoError(t, err)
	trs, err = j.Suspend(t0.Add(time.Minute))
	require.NoError(t, err)
	assert.Empty(t, trs, "suspending a locked job")
}

func TestCancel(t *testing.T) {
	for _, lock := range []bool{false, true} {
		j := newAccepted(t, Schedule{Granularity: time.Minute}, t0)
		if lock {
			_, err := j.Suspend(t0)
			require.NoError(t, err)
		}
		trs, err := j.Cancel(t0.Add(time.Hour))
		require.NoError(t, err)
		require.Len(t, trs, 1)
		assert.Equal(t, Cancelled, trs[0].To.State)
		assert.Equal(t, CauseCancelled, trs[0].Cause)
		trs, err = j.Cancel(t0.Add(2 * time.Hour))
		assert.NoError(t, err, "cancelling a cancelled job")
		assert.Empty(t, trs)
		for name, ev := range map[string]func(time.Time) ([]Transition, error){
			"suspend": j.Suspend, "resume": j.Resume, "modify": j.Modify,
		} {
			_, err := ev(t0.Add(3 * time.Hour))
			assert.ErrorIs(t, err, ErrNotAllowed, name)
		}
		assert.Empty(t, j.CollectorFailed(t0.Add(3*time.Hour), "late"), "a late collector report is ignored")
	}
}

func TestModify(t *testing.T) {
	s := Schedule{Granularity: time.Minute, Intervals: []Interval{{hm(8, 0), hm(12, 0)}}}
	j := newAccepted(t, s, t0)
	assert.Equal(t, offDuty, j.Status)

	trs, err := j.Modify(t0)
	require.NoError(t, err)
	assert.Equal(t, []Cause{CauseModifying}, causes(trs))
	assert.Equal(t, Status{Pending, NoDuty, Unlocked}, j.Status)
	_, err = j.Modify(t0)
	assert.ErrorIs(t, err, ErrNotAllowed, "a second modification while one is pending")

	// Time passes while pending: the schedule does not move the job, but
	// a suspend is kept for when the modification ends.
	assert.Empty(t, j.Step(t0.Add(2*time.Hour)))
	trs, err = j.Suspend(t0.Add(2 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, Status{Pending, NoDuty, Locked}, j.Status)
	require.Len(t, trs, 1)

	s2 := s
	s2.Intervals = nil
	trs, err = j.Modified(t0.Add(2*time.Hour), s2)
	require.NoError(t, err)
	assert.Equal(t, []Cause{CauseModified}, causes(trs))
	assert.Equal(t, suspended, j.Status)
	_, err = j.Resume(t0.Add(2 * time.Hour))
	require.NoError(t, err)
	assert.Equal(t, onDuty, j.Status, "the new schedule is on duty all day")

	_, err = j.Modify(t0.Add(3 * time.Hour))
	require.NoError(t, err)
	trs, err = j.ModifyAborted(t0.Add(3*time.Hour), "collector refused")
	require.NoError(t, err)
	require.Len(t, trs, 1)
	assert.Equal(t, "collector refused", trs[0].Detail)
	assert.Equal(t, onDuty, j.Status)
	_, err = j.Modified(t0.Add(3*time.Hour), s)
	assert.ErrorIs(t, err, ErrNotAllowed, "no modification pending")

	a, _ := NewJob(s, t0)
	_, err = a.Modify(t0)
	assert.ErrorIs(t, err, ErrNotAllowed, "modifying a job not yet accepted")
}

// A job pending at its stop time completes when the modification ends,
// unless the modification moves the stop time.
func TestModifyAcrossStop(t *testing.T) {
	s := Schedule{Granularity: time.Minute, Stop: t0.Add(time.Hour)}
	j := newAccepted(t, s, t0)
	_, err := j.Modify(t0.Add(30 * time.Minute))
	require.NoError(t, err)
	assert.Empty(t, j.Step(t0.Add(2*time.Hour)))
	s.Stop = t0.Add(3 * time.Hour)
	_, err = j.Modified(t0.Add(2*time.Hour), s)
	require.NoError(t, err)
	assert.Equal(t, onDuty, j.Status)
	trs := j.Step(t0.Add(4 * time.Hour))
	require.Len(t, trs, 1)
	assert.Equal(t, Transition{At: s.Stop, From: onDuty, To: completed, Cause: CauseStopTime}, trs[0])
}

func TestCollectorFailures(t *testing.T) {
	j := newAccepted(t, Schedule{Granularity: time.Minute}, t0)
	j.MaxFailures = 2
	unavailable := Status{ResourceUnavailable, NoDuty, Unlocked}
	failed := Status{Failed, NoDuty, Unlocked}

	trs := j.CollectorFailed(t0.Add(time.Minute), "connection refused")
	require.Len(t, trs, 1)
	assert.Equal(t, Transition{At: t0.Add(time.Minute), From: onDuty, To: unavailable, Cause: CauseCollectorFailed, Detail: "connection refused"}, trs[0])
	trs = j.CollectorRecovered(t0.Add(2 * time.Minute))
	assert.Equal(t, []Cause{CauseCollectorRecovered}, causes(trs))
	assert.Equal(t, onDuty, j.Status)
	assert.Empty(t, j.CollectorRecovered(t0.Add(3*time.Minute)), "nothing to recover from")

	j.CollectorFailed(t0.Add(4*time.Minute), "timeout")
	trs = j.CollectorFailed(t0.Add(5*time.Minute), "timeout again")
	assert.Equal(t, failed, j.Status)
	assert.Equal(t, "timeout again", j.Reason)
	require.Len(t, trs, 1)
	assert.Equal(t, unavailable, trs[0].From)
	assert.Empty(t, j.CollectorFailed(t0.Add(6*time.Minute), "still"), "failed stays failed")
	assert.Equal(t, 3, j.Failures)

	// Suspend and resume retry the collector.
	_, err := j.Suspend(t0.Add(7 * time.Minute))
	require.NoError(t, err)
	assert.Empty(t, j.CollectorFailed(t0.Add(8*time.Minute), "stray"), "ignored while suspended")
	_, err = j.Resume(t0.Add(9 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, onDuty, j.Status)
	assert.Zero(t, j.Failures)
	assert.Empty(t, j.Reason)

	// Resuming an unlocked failed job also retries.
	j.CollectorFailed(t0.Add(10*time.Minute), "x")
	j.CollectorFailed(t0.Add(11*time.Minute), "x")
	require.Equal(t, failed, j.Status)
	trs, err = j.Resume(t0.Add(12 * time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []Cause{CauseResumed}, causes(trs))
	assert.Equal(t, onDuty, j.Status)
}

// A failed job still completes at its stop time.
func TestFailedCompletes(t *testing.T) {
	j := newAccepted(t, Schedule{Granularity: time.Minute, Stop: t0.Add(time.Hour)}, t0)
	j.MaxFailures = 1
	j.CollectorFailed(t0.Add(time.Minute), "gone")
	require.Equal(t, Failed, j.Status.State)
	trs := j.Step(t0.Add(2 * time.Hour))
	assert.Equal(t, []Cause{CauseStopTime}, causes(trs))
	assert.Equal(t, completed, j.Status)
}

// Events dated before the job's last step are taken as happening then.
func TestClockGoingBack(t *testing.T) {
	s := Schedule{Granularity: time.Minute, Intervals: []Interval{{hm(8, 0), hm(12, 0)}}}
	j := newAccepted(t, s, t0)
	j.Step(t0.Add(2 * time.Hour))
	assert.Nil(t, j.Step(t0))
	trs, err := j.Suspend(t0)
	require.NoError(t, err)
	require.Len(t, trs, 1)
	assert.Equal(t, t0.Add(2*time.Hour), trs[0].At)
	assert.Equal(t, t0.Add(2*time.Hour), j.At)
}

// Step after a long gap replays every duty change at its instant, up to
// MaxReplay, and sums up the rest.
func TestStepReplay(t *testing.T) {
	s := Schedule{Granularity: time.Minute, Intervals: []Interval{{hm(8, 0), hm(12, 0)}}}
	j := newAccepted(t, s, t0)
	trs := j.Step(t0.Add(10 * Day))
	require.Equal(t, 20, len(trs))
	for i, tr := range trs {
		if i > 0 {
			assert.True(t, tr.At.After(trs[i-1].At))
			assert.Equal(t, trs[i-1].To, tr.From)
		}
	}

	j = newAccepted(t, s, t0)
	trs = j.Step(t0.Add(2 * 365 * Day))
	require.Equal(t, MaxReplay+1, len(trs))
	last := trs[len(trs)-1]
	assert.Equal(t, CauseCatchUp, last.Cause)
	assert.Equal(t, t0.Add(2*365*Day), last.At)
	assert.Equal(t, j.Status, last.To)
}

func TestStrings(t *testing.T) {
	assert.Equal(t, "inProgress/onDuty UNLOCKED", onDuty.String())
	assert.Equal(t, "Mon,Fri", WeekdaysOf(time.Monday, time.Friday).String())
	assert.Equal(t, "08:00–24:00", Interval{hm(8, 0), Day}.String())
	tr := Transition{At: t0, From: onDuty, To: Status{Failed, NoDuty, Unlocked}, Cause: CauseCollectorFailed, Detail: "gone"}
	assert.Equal(t, "2026-03-02T07:00:00Z inProgress/onDuty UNLOCKED -> failed UNLOCKED (collectorFailed: gone)", tr.String())
	assert.Len(t, Granularities(), 7)
}
