package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var vnow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// Bad definitions, each with the errors Validate must report and words its
// message must contain.
var badSchedules = []struct {
	name string
	s    Schedule
	errs []error
	msg  string
}{
	{"zero granularity", Schedule{}, []error{ErrGranularity}, "granularityPeriod: 0s is not supported; use one of 10s, 1min, 5min, 15min, 30min, 1h, 24h"},
	{"7s granularity", Schedule{Granularity: 7 * time.Second}, []error{ErrGranularity}, "7s is not supported"},
	{"2h granularity", Schedule{Granularity: 2 * time.Hour}, []error{ErrGranularity}, "2h is not supported"},
	{"reporting not a multiple", Schedule{Granularity: 15 * time.Minute, ReportingPeriod: 20 * time.Minute},
		[]error{ErrReportingPeriod}, "reportingPeriod: 20min is not a whole number of 15min granularity periods"},
	{"reporting shorter", Schedule{Granularity: time.Hour, ReportingPeriod: 30 * time.Minute},
		[]error{ErrReportingPeriod}, "30min is not a whole number of 1h"},
	{"reporting negative", Schedule{Granularity: time.Hour, ReportingPeriod: -time.Hour},
		[]error{ErrReportingPeriod}, "negative"},
	{"reporting not dividing a day", Schedule{Granularity: time.Hour, ReportingPeriod: 5 * time.Hour},
		[]error{ErrReportingPeriod}, "reportingPeriod: 5h does not divide a day into whole reporting periods"},
	{"reporting two days", Schedule{Granularity: Day, ReportingPeriod: 2 * Day},
		[]error{ErrReportingPeriod}, "48h does not divide a day"},
	{"interval crossing midnight", Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(22, 0), hm(2, 0)}}},
		[]error{ErrInterval}, "dailyIntervals[0]: 22:00–02:00 must lie between 00:00 and 24:00"},
	{"interval past 24:00", Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(22, 0), hm(25, 0)}}},
		[]error{ErrInterval}, "22:00–25:00"},
	{"interval negative", Schedule{Granularity: time.Hour, Intervals: []Interval{{-time.Hour, hm(2, 0)}}},
		[]error{ErrInterval}, "-01:00–02:00"},
	{"empty interval", Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(8, 0), hm(8, 0)}}},
		[]error{ErrInterval}, "end after it starts"},
	{"interval start not aligned", Schedule{Granularity: 15 * time.Minute, Intervals: []Interval{{hm(8, 10), hm(9, 0)}}},
		[]error{ErrIntervalAlignment}, "dailyIntervals[0]: 08:10–09:00: 08:10 is not on a 15min granularity period boundary"},
	{"interval end not aligned", Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(8, 0), hm(9, 30)}}},
		[]error{ErrIntervalAlignment}, "09:30 is not on a 1h"},
	{"interval seconds not aligned", Schedule{Granularity: 10 * time.Second, Intervals: []Interval{{hm(8, 0) + 5*time.Second, hm(9, 0)}}},
		[]error{ErrIntervalAlignment}, "08:00:05 is not on a 10s"},
	{"interval with 24h granularity", Schedule{Granularity: Day, Intervals: []Interval{{hm(8, 0), hm(24, 0)}}},
		[]error{ErrIntervalAlignment}, "08:00 is not on a 24h"},
	{"intervals overlap", Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(13, 0), hm(17, 0)}, {hm(8, 0), hm(14, 0)}}},
		[]error{ErrIntervalOverlap}, "dailyIntervals[0]: 13:00–17:00 overlaps dailyIntervals[1] 08:00–14:00"},
	{"interval inside a long one", Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(8, 0), hm(18, 0)}, {hm(9, 0), hm(10, 0)}, {hm(12, 0), hm(13, 0)}}},
		[]error{ErrIntervalOverlap, ErrIntervalOverlap}, "dailyIntervals[2]: 12:00–13:00 overlaps dailyIntervals[0] 08:00–18:00"},
	{"same interval twice", Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(8, 0), hm(9, 0)}, {hm(8, 0), hm(9, 0)}}},
		[]error{ErrIntervalOverlap}, "overlaps"},
	{"bad weekday bits", Schedule{Granularity: time.Hour, Days: 0x80 | WeekdaysOf(time.Monday)},
		[]error{ErrWeekdays}, "weeklyDays: Mon,0x80 names no weekday"},
	{"stop before start", Schedule{Granularity: time.Hour, Start: vnow.Add(2 * time.Hour), Stop: vnow.Add(time.Hour)},
		[]error{ErrStopBeforeStart}, "stopTime: 2026-03-02T11:00:00Z is not after the start time 2026-03-02T12:00:00Z"},
	{"stop equal to start", Schedule{Granularity: time.Hour, Start: vnow.Add(time.Hour), Stop: vnow.Add(time.Hour)},
		[]error{ErrStopBeforeStart}, "not after the start time"},
	{"stop passed", Schedule{Granularity: time.Hour, Stop: vnow.Add(-time.Hour)},
		[]error{ErrStopPassed}, "stopTime: 2026-03-02T09:00:00Z is not after 2026-03-02T10:00:00Z"},
	{"start too far", Schedule{Granularity: time.Hour, Start: vnow.Add(31 * Day)},
		[]error{ErrStartTooFar}, "startTime: 2026-04-02T10:00:00Z is more than 720h0m0s after"},
	{"never on duty: wrong weekday", Schedule{Granularity: time.Hour, Days: WeekdaysOf(time.Sunday),
		Start: vnow, Stop: vnow.Add(2 * Day)}, []error{ErrNeverOnDuty}, "schedule: no whole 1h granularity period between 2026-03-02T10:00:00Z and 2026-03-04T10:00:00Z is on duty"},
	{"never on duty: only a partial period", Schedule{Granularity: time.Hour,
		Start: vnow.Add(10 * time.Minute), Stop: vnow.Add(50 * time.Minute)}, []error{ErrNeverOnDuty}, "between 2026-03-02T10:10:00Z and 2026-03-02T10:50:00Z"},
	{"several problems", Schedule{Granularity: 15 * time.Minute, ReportingPeriod: 20 * time.Minute,
		Intervals: []Interval{{hm(8, 5), hm(9, 0)}}, Start: vnow.Add(40 * Day), Stop: vnow.Add(39 * Day)},
		[]error{ErrReportingPeriod, ErrIntervalAlignment, ErrStartTooFar, ErrStopBeforeStart}, "reportingPeriod"},
}

func TestValidateErrors(t *testing.T) {
	all := []error{ErrGranularity, ErrReportingPeriod, ErrInterval, ErrIntervalAlignment, ErrIntervalOverlap,
		ErrWeekdays, ErrStopBeforeStart, ErrStartTooFar, ErrStopPassed, ErrNeverOnDuty}
	for _, tt := range badSchedules {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate(vnow, 0)
			require.Error(t, err)
			for _, sentinel := range all {
				want := false
				for _, e := range tt.errs {
					want = want || e == sentinel
				}
				assert.Equal(t, want, errors.Is(err, sentinel), "errors.Is(%v, %v)", err, sentinel)
			}
			var de *DefinitionError
			require.True(t, errors.As(err, &de), "got %T; want a *DefinitionError", err)
			assert.NotEmpty(t, de.Field)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Equal(t, len(tt.errs), strings.Count(err.Error(), "\n")+1, "one line per problem in %q", err)
		})
	}
}

func TestValidateGood(t *testing.T) {
	tests := []struct {
		name    string
		s       Schedule
		horizon time.Duration
	}{
		{"every granularity", Schedule{Granularity: 10 * time.Second}, 0},
		{"reporting a multiple", Schedule{Granularity: 15 * time.Minute, ReportingPeriod: 2 * time.Hour}, 0},
		{"daily reporting", Schedule{Granularity: 10 * time.Second, ReportingPeriod: Day}, 0},
		{"whole day interval at 24h", Schedule{Granularity: Day, Intervals: []Interval{{0, Day}}}, 0},
		{"adjacent intervals", Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(22, 0), hm(24, 0)}, {0, hm(2, 0)}}}, 0},
		{"start in the past", Schedule{Granularity: time.Hour, Start: vnow.Add(-Day)}, 0},
		{"start 30 days ahead", Schedule{Granularity: time.Hour, Start: vnow.Add(30 * Day)}, 0},
		{"start 60 days ahead with a longer horizon", Schedule{Granularity: time.Hour, Start: vnow.Add(60 * Day)}, 90 * Day},
		{"start and stop", Schedule{Granularity: time.Minute, Start: vnow.Add(time.Hour), Stop: vnow.Add(2 * time.Hour)}, 0},
		{"weekly days in a zone", Schedule{Granularity: 5 * time.Minute, Days: WeekdaysOf(time.Saturday, time.Sunday),
			Intervals: []Interval{{hm(8, 0), hm(12, 0)}}, Location: newYork}, 0},
	}
	for _, g := range Granularities() {
		tests = append(tests, struct {
			name    string
			s       Schedule
			horizon time.Duration
		}{"granularity " + span(g), Schedule{Granularity: g}, 0})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.NoError(t, tt.s.Validate(vnow, tt.horizon))
		})
	}
}
