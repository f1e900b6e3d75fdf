// Package schedule is the pure core of the measurement job schedule
// engine: when a job is on duty, which granularity periods it collects,
// and the job's state machine. It does no I/O and reads no clock; every
// function takes the time it works on, so tests run against an injected
// clock.
//
// The semantics are those of the OSS/J PerformanceMonitorValue schedule
// (the user's document 002), with MEF LSO Legato's job states and TM
// Forum's admin state around them.
//
// # Schedule
//
// A Schedule is active from Start (at once if unset) until Stop (for ever
// if unset): over [Start, Stop). Within that window it is on duty at an
// instant t when t's local weekday, in Location, is one of Days (all days
// if none) and t's local time of day lies in one of the daily recording
// Intervals (all day if none). Intervals are half-open, [From, To).
//
// As the OSS/J text says, a recording interval lies between 00:00 and
// 24:00 and is aligned on granularity period boundaries, so its length is
// a whole number of granularity periods. It therefore cannot cross
// midnight (the text's "day-line crossing" takes a job back to the first
// row of its daily table, off duty): a recording from 22:00 to 02:00 is
// written as 22:00–24:00 and 00:00–02:00, and with weekly days the second
// part belongs to the following day's weekday. Adjacent intervals join.
// Validate rejects intervals that overlap, are out of range or are not
// aligned, a stop time not after the start time or already passed, a
// start time beyond the horizon (at least MinHorizon, 30 days), and a
// schedule with no whole on-duty period left.
//
// OnDuty(t) reports the duty at t and NextTransition(t) the next instant
// at which it changes; the duty is constant in between.
//
// # Periods and daylight saving time
//
// Intervals and days are read on the local wall clock. A wall time that
// a daylight-saving change skips never happens, so an interval inside the
// skipped hour records nothing that day; a wall time that a change repeats
// happens twice, and is on duty both times.
//
// Granularity periods are aligned to the wall clock in Location:
//
//   - A period shorter than a day starts at every instant at which the
//     wall clock shows a multiple of the granularity since local
//     midnight, and at every zone transition at which the clock jumps onto
//     or past such a multiple. Where offsets change by whole hours, as in
//     Europe/Berlin and America/New_York, every period lasts exactly its
//     granularity in real time: a local day of 1 h periods has 23 of them
//     when the clocks go forward and 25 when they go back. Only where the
//     change is not a multiple of the granularity (Lord Howe's 30 minutes
//     with 1 h periods) is a period around the change shorter or longer.
//   - A 24 h period is a local calendar day: from the first instant of a
//     local date to the first instant of the next. It lasts 23 or 25 hours
//     on the days the clocks change. The first instant is local midnight,
//     or the end of the transition when one skips midnight (America/Havana
//     in March); when a transition repeats midnight (Havana in November)
//     only the first midnight starts a day.
//
// Reporting periods are aligned the same way, so each is a run of whole
// granularity periods.
//
// A granularity period is collected only if the job is on duty throughout
// it, from its start to its end, and not merely at its start: OSS/J
// defines the granularity period as the time between two successive
// gatherings within the schedule's time frame, and aligns recording
// intervals so that they hold whole periods. With aligned intervals the
// two readings differ only at the edges of the window: a Start or Stop
// that is not on a boundary leaves a partial period that is not collected
// (the first collected period begins at the first boundary at or after
// Start). Periods, NextPeriod and NextPeriodEnd list collected periods;
// PeriodAt gives any period.
//
// # Job states
//
// A Job's Status is a State, a Duty and an AdminState. The states are MEF
// Legato's: a job is created Acknowledged and then Accepted or Rejected.
// An accepted job is Scheduled before its start time (OSS/J's off-duty
// "before startTime"), then InProgress with DutyOn or DutyOff as the
// schedule says, and Completed when its stop time is reached, from
// whatever state it is in then. Times are inclusive at the start: the job
// is InProgress at Start and Completed at Stop.
//
// Suspend sets the admin state to LOCKED, which is the Suspended state,
// from any state that is not terminal, as in every row of the OSS/J
// tables; Resume sets UNLOCKED and returns the job to the state the
// schedule gives it at that instant, which may differ from the one it was
// suspended in. A suspended job still completes at its stop time.
//
// Modify puts a job in Pending while a modification applies; Modified
// (with the new schedule) or ModifyAborted end it. CollectorFailed makes
// an InProgress job ResourceUnavailable, and Failed after MaxFailures
// failures in a row; CollectorRecovered, Resume and Modified clear the
// failures. Failed is not terminal. Cancel ends a job in Cancelled.
// Rejected, Cancelled and Completed are terminal: events other than
// collector reports fail there with an *EventError.
//
// Every method returns the Transitions it made, each with the instant,
// the Status before and after, and the Cause, for tracking records. Step
// also replays the time-driven changes of a gap, such as a restart, at the
// instants they happened.
package schedule
