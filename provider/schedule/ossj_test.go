package schedule

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file are the OSS/J state transition tables (1) to (5)
// of PerformanceMonitorValue, one test each. Each OSS/J row becomes three
// table rows: time passes to an instant of the row, then suspend() must
// give suspended, then resume() must give the row's state back. Further
// rows suspend in one OSS/J row and resume in a later one. All run in
// Europe/Berlin in March 2026, before its DST change: 2026-03-01 is a
// Sunday.

// Expected statuses: OSS/J's off-duty before startTime is Legato's
// scheduled; its on-duty and off-duty within the schedule are inProgress.
var (
	beforeStart = Status{Scheduled, DutyOff, Unlocked}
	onDuty      = Status{InProgress, DutyOn, Unlocked}
	offDuty     = Status{InProgress, DutyOff, Unlocked}
	suspended   = Status{Suspended, NoDuty, Locked}
	completed   = Status{Completed, NoDuty, Unlocked}
	completedL  = Status{Completed, NoDuty, Locked}
)

// A row is one step of a state table: at wall time at (in the table's
// zone), apply ev ("" for time passing) and expect want, or err.
type row struct {
	name string
	at   string
	ev   string
	want Status
	err  error
}

// ossjRow expands one OSS/J table row: the state at at, and the
// suspend()/resume() round trip from it.
func ossjRow(name, at string, want Status) []row {
	return []row{
		{name: name, at: at, want: want},
		{name: name + "/suspend()", at: at, ev: "suspend", want: suspended},
		{name: name + "/resume()", at: at, ev: "resume", want: want},
	}
}

func rows(groups ...[]row) []row {
	var out []row
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// runTable creates a job with s at created, accepts it, and plays rows
// against the injected clock.
func runTable(t *testing.T, s Schedule, created string, rs []row) {
	t.Helper()
	loc := s.loc()
	clk := &testClock{}
	clk.set(local(loc, created))
	j, _ := NewJob(s, clk.Now())
	_, err := j.Accept(clk.Now())
	require.NoError(t, err)

	for i, r := range rs {
		t.Run(fmt.Sprintf("%02d %s", i, r.name), func(t *testing.T) {
			clk.set(local(loc, r.at))
			var err error
			switch r.ev {
			case "":
				j.Step(clk.Now())
			case "suspend":
				_, err = j.Suspend(clk.Now())
			case "resume":
				_, err = j.Resume(clk.Now())
			default:
				t.Fatalf("unknown event %q", r.ev)
			}
			if r.err != nil {
				assert.ErrorIs(t, err, r.err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, r.want, j.Status, "at %s after %q", r.at, r.ev)

			// The schedule alone says the same about duty.
			if j.Status.State == InProgress {
				assert.Equal(t, j.Status.Duty == DutyOn, s.OnDuty(clk.Now()), "OnDuty(%s)", r.at)
			}
		})
	}
}

// Table (1): the startTime and stopTime are set.
func TestStateTable1StartAndStop(t *testing.T) {
	s := Schedule{
		Granularity: 15 * time.Minute,
		Start:       local(berlin, "2026-03-02 09:00"),
		Stop:        local(berlin, "2026-03-02 17:00"),
		Location:    berlin,
	}
	t.Run("rows", func(t *testing.T) {
		runTable(t, s, "2026-03-02 07:00", rows(
			ossjRow("1. before startTime", "2026-03-02 08:00", beforeStart),
			ossjRow("1. before startTime", "2026-03-02 08:59:59", beforeStart),
			ossjRow("<> startTime", "2026-03-02 09:00", onDuty),
			ossjRow("2. within schedule", "2026-03-02 12:00", onDuty),
			ossjRow("2. within schedule", "2026-03-02 16:59:59", onDuty),
			[]row{
				{name: "<> stopTime", at: "2026-03-02 17:00", want: completed},
				{name: "after stopTime/suspend()", at: "2026-03-02 18:00", ev: "suspend", want: completed, err: ErrNotAllowed},
				{name: "after stopTime/resume()", at: "2026-03-02 18:00", ev: "resume", want: completed, err: ErrNotAllowed},
			},
		))
	})
	t.Run("suspended across startTime", func(t *testing.T) {
		runTable(t, s, "2026-03-02 07:00", []row{
			{name: "1. suspend()", at: "2026-03-02 08:00", ev: "suspend", want: suspended},
			{name: "2. still suspended", at: "2026-03-02 10:00", want: suspended},
			{name: "2. resume()", at: "2026-03-02 10:00", ev: "resume", want: onDuty},
		})
	})
	t.Run("suspended across stopTime", func(t *testing.T) {
		runTable(t, s, "2026-03-02 07:00", []row{
			{name: "2. suspend()", at: "2026-03-02 10:00", ev: "suspend", want: suspended},
			{name: "<> stopTime", at: "2026-03-02 17:00", want: completedL},
		})
	})
}

// Table (2): the startTime is not set and the stopTime is set, so
// monitoring starts immediately.
func TestStateTable2StopOnly(t *testing.T) {
	s := Schedule{
		Granularity: time.Minute,
		Stop:        local(berlin, "2026-03-02 17:00"),
		Location:    berlin,
	}
	t.Run("rows", func(t *testing.T) {
		runTable(t, s, "2026-03-02 08:00", rows(
			ossjRow("1. within schedule at creation", "2026-03-02 08:00", onDuty),
			ossjRow("1. within schedule", "2026-03-02 16:59", onDuty),
			[]row{{name: "<> stopTime", at: "2026-03-02 17:00", want: completed}},
		))
	})
	t.Run("suspended across stopTime", func(t *testing.T) {
		runTable(t, s, "2026-03-02 08:00", []row{
			{name: "1. suspend()", at: "2026-03-02 09:00", ev: "suspend", want: suspended},
			{name: "<> stopTime", at: "2026-03-03 09:00", want: completedL},
		})
	})
}

// Table (3): the startTime is set and the stopTime is not: on duty for
// ever once started.
func TestStateTable3StartOnly(t *testing.T) {
	s := Schedule{
		Granularity: 5 * time.Minute,
		Start:       local(berlin, "2026-03-02 09:00"),
		Location:    berlin,
	}
	runTable(t, s, "2026-03-02 07:00", rows(
		ossjRow("1. before startTime", "2026-03-02 08:00", beforeStart),
		ossjRow("<> startTime", "2026-03-02 09:00", onDuty),
		ossjRow("2. within schedule", "2026-03-20 12:00", onDuty),
		ossjRow("2. within schedule, a year on", "2027-03-02 09:00", onDuty),
	))
	_, ok := s.NextTransition(s.Start)
	assert.False(t, ok, "on duty for ever after the start time")
}

// dailyFour is the OSS/J example's daily scheduling with four elements,
// two start times and two stop times.
var dailyFour = []Interval{{hm(8, 0), hm(12, 0)}, {hm(13, 0), hm(17, 0)}}

// Table (4): daily scheduling with four elements.
func TestStateTable4Daily(t *testing.T) {
	s := Schedule{Granularity: 15 * time.Minute, Intervals: dailyFour, Location: berlin}
	t.Run("rows", func(t *testing.T) {
		runTable(t, s, "2026-03-02 00:00", rows(
			ossjRow("1. off schedule", "2026-03-02 07:00", offDuty),
			ossjRow("<> 1st element", "2026-03-02 08:00", onDuty),
			ossjRow("2. within schedule", "2026-03-02 11:59:59", onDuty),
			ossjRow("<> 2nd element", "2026-03-02 12:00", offDuty),
			ossjRow("3. off schedule", "2026-03-02 12:30", offDuty),
			ossjRow("<> 3rd element", "2026-03-02 13:00", onDuty),
			ossjRow("4. within schedule", "2026-03-02 16:00", onDuty),
			ossjRow("<> final element", "2026-03-02 17:00", offDuty),
			ossjRow("4. off schedule until the day-line", "2026-03-02 23:59:59", offDuty),
			ossjRow("5. back to 1. after the day-line", "2026-03-03 00:00", offDuty),
			ossjRow("1. off schedule", "2026-03-03 07:59", offDuty),
			ossjRow("<> 1st element", "2026-03-03 08:00", onDuty),
		))
	})
	t.Run("suspended across elements", func(t *testing.T) {
		runTable(t, s, "2026-03-02 00:00", []row{
			{name: "2. suspend()", at: "2026-03-02 11:00", ev: "suspend", want: suspended},
			{name: "<> 2nd element", at: "2026-03-02 12:00", want: suspended},
			{name: "3. resume() gives the current row", at: "2026-03-02 12:30", ev: "resume", want: offDuty},
			{name: "3. suspend()", at: "2026-03-02 12:45", ev: "suspend", want: suspended},
			{name: "5. day-line crossed", at: "2026-03-03 08:30", want: suspended},
			{name: "2. resume()", at: "2026-03-03 08:30", ev: "resume", want: onDuty},
		})
	})
	t.Run("transitions", func(t *testing.T) {
		j, _ := NewJob(s, local(berlin, "2026-03-02 07:00"))
		_, err := j.Accept(j.At)
		require.NoError(t, err)
		trs := j.Step(local(berlin, "2026-03-03 07:00"))
		var got []string
		for _, tr := range trs {
			got = append(got, tr.At.In(berlin).Format("Jan 2 15:04 ")+string(tr.Cause))
		}
		assert.Equal(t, []string{
			"Mar 2 08:00 onDuty", "Mar 2 12:00 offDuty", "Mar 2 13:00 onDuty", "Mar 2 17:00 offDuty",
		}, got)
	})
}

// Table (5): weekly scheduling on Monday and Friday, with the daily
// scheduling of table (4).
func TestStateTable5Weekly(t *testing.T) {
	s := Schedule{
		Granularity: 15 * time.Minute,
		Intervals:   dailyFour,
		Days:        WeekdaysOf(time.Monday, time.Friday),
		Location:    berlin,
	}
	t.Run("rows", func(t *testing.T) {
		runTable(t, s, "2026-03-01 00:00", rows(
			ossjRow("1. off schedule on Sunday", "2026-03-01 10:00", offDuty),
			ossjRow("2. off schedule on Monday", "2026-03-02 07:00", offDuty),
			ossjRow("<> 1st element", "2026-03-02 08:00", onDuty),
			ossjRow("3. within schedule", "2026-03-02 10:00", onDuty),
			ossjRow("<> 2nd element", "2026-03-02 12:00", offDuty),
			ossjRow("4. off schedule", "2026-03-02 12:30", offDuty),
			ossjRow("<> 3rd element", "2026-03-02 13:00", onDuty),
			ossjRow("5. within schedule", "2026-03-02 16:00", onDuty),
			ossjRow("<> final element", "2026-03-02 17:00", offDuty),
			ossjRow("6. off schedule on Monday", "2026-03-02 20:00", offDuty),
			ossjRow("7. off schedule on Tuesday", "2026-03-03 10:00", offDuty),
			ossjRow("7. off schedule on Wednesday", "2026-03-04 14:00", offDuty),
			ossjRow("7. off schedule on Thursday", "2026-03-05 08:00", offDuty),
			ossjRow("8. off schedule on Friday", "2026-03-06 07:00", offDuty),
			ossjRow("<> 1st element", "2026-03-06 08:00", onDuty),
			ossjRow("9. within schedule", "2026-03-06 11:00", onDuty),
			ossjRow("<> 2nd element", "2026-03-06 12:00", offDuty),
			ossjRow("10. off schedule", "2026-03-06 12:59", offDuty),
			ossjRow("<> 3rd element", "2026-03-06 13:00", onDuty),
			ossjRow("11. within schedule", "2026-03-06 16:59", onDuty),
			ossjRow("<> final element", "2026-03-06 17:00", offDuty),
			ossjRow("12. off schedule on Friday", "2026-03-06 23:00", offDuty),
			ossjRow("13. off schedule on Saturday", "2026-03-07 10:00", offDuty),
			ossjRow("14. back to 1. after the week-line", "2026-03-08 10:00", offDuty),
			ossjRow("2. off schedule on Monday", "2026-03-09 07:00", offDuty),
			ossjRow("<> 1st element", "2026-03-09 08:00", onDuty),
		))
	})
	t.Run("suspended across the week", func(t *testing.T) {
		runTable(t, s, "2026-03-01 00:00", []row{
			{name: "3. suspend()", at: "2026-03-02 09:00", ev: "suspend", want: suspended},
			{name: "7. Tuesday", at: "2026-03-03 10:00", want: suspended},
			{name: "7. resume() on Wednesday", at: "2026-03-04 10:00", ev: "resume", want: offDuty},
			{name: "9. Friday", at: "2026-03-06 09:00", want: onDuty},
		})
	})
	t.Run("transitions", func(t *testing.T) {
		from, to := local(berlin, "2026-03-01 00:00"), local(berlin, "2026-03-08 00:00")
		var got []string
		for u := from; ; {
			n, ok := s.NextTransition(u)
			if !ok || !n.Before(to) {
				break
			}
			got = append(got, n.In(berlin).Format("Mon 15:04"))
			u = n
		}
		assert.Equal(t, []string{
			"Mon 08:00", "Mon 12:00", "Mon 13:00", "Mon 17:00",
			"Fri 08:00", "Fri 12:00", "Fri 13:00", "Fri 17:00",
		}, got)
		assert.Len(t, collect(t, &s, from, to), 2*8*4, "two days of two 4 h intervals of 15 min periods")
	})
}

// The tables' terminal rows refuse events with a typed error.
func TestStateTableTerminalError(t *testing.T) {
	s := Schedule{Granularity: time.Minute, Stop: local(berlin, "2026-03-02 17:00"), Location: berlin}
	j, _ := NewJob(s, local(berlin, "2026-03-02 08:00"))
	_, err := j.Accept(j.At)
	require.NoError(t, err)
	_, err = j.Resume(local(berlin, "2026-03-02 18:00"))
	var ee *EventError
	require.True(t, errors.As(err, &ee), "got %v; want an *EventError", err)
	assert.Equal(t, Completed, ee.State)
	assert.EqualError(t, err, "cannot resume a job that is completed")
}
