package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DST changes in 2026 used below:
//
//	Europe/Berlin     Mar 29 02:00 CET → 03:00 CEST;  Oct 25 03:00 CEST → 02:00 CET
//	America/New_York  Mar  8 02:00 EST → 03:00 EDT;   Nov  1 02:00 EDT → 01:00 EST
//	America/Havana    Mar  8 00:00 CST → 01:00 CDT;   Nov  1 01:00 CDT → 00:00 CST
//	Australia/Lord_Howe Apr 5 02:00 +11 → 01:30 +1030; Oct 4 02:00 +1030 → 02:30 +11

// utc parses an RFC 3339 instant, for instants whose wall time is
// ambiguous.
func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A 24 h period is the local calendar day, 23 or 25 h long on DST days.
func TestDayPeriodDST(t *testing.T) {
	tests := []struct {
		name  string
		loc   *time.Location
		start time.Time // the first instant of the local date
		want  time.Duration
	}{
		{"Berlin ordinary", berlin, local(berlin, "2026-03-28 00:00"), 24 * time.Hour},
		{"Berlin spring forward", berlin, local(berlin, "2026-03-29 00:00"), 23 * time.Hour},
		{"Berlin fall back", berlin, local(berlin, "2026-10-25 00:00"), 25 * time.Hour},
		{"New York spring forward", newYork, local(newYork, "2026-03-08 00:00"), 23 * time.Hour},
		{"New York fall back", newYork, local(newYork, "2026-11-01 00:00"), 25 * time.Hour},
		// Midnight is skipped: the day starts when the clock jumps to 01:00.
		{"Havana skips midnight", havana, local(havana, "2026-03-08 01:00"), 23 * time.Hour},
		// Midnight repeats: only the first one starts the day.
		{"Havana repeats midnight", havana, utc("2026-11-01T04:00:00Z"), 25 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Schedule{Granularity: Day, Location: tt.loc}
			want := Period{tt.start, tt.start.Add(tt.want)}
			for _, at := range []time.Time{want.Start, want.Start.Add(time.Hour), want.Start.Add(tt.want / 2), want.End.Add(-time.Hour), want.End.Add(-time.Nanosecond)} {
				got := s.PeriodAt(at)
				assert.True(t, got.Start.Equal(want.Start) && got.End.Equal(want.End),
					"PeriodAt(%s) = %s; want %s", at.In(tt.loc), got, want)
			}
			assert.Equal(t, tt.want, s.PeriodAt(tt.start).Duration())
			next := s.PeriodAt(want.End)
			assert.True(t, next.Start.Equal(want.End), "the next day starts at %s; want %s", next.Start, want.End)
		})
	}
}

// Periods shorter than a day keep their real length across DST changes of
// whole hours: a local day has 23 or 25 periods of 1 h.
func TestSubDayPeriodsDST(t *testing.T) {
	tests := []struct {
		name string
		loc  *time.Location
		date string
		g    time.Duration
		want int
	}{
		{"Berlin 1h spring", berlin, "2026-03-29", time.Hour, 23},
		{"Berlin 1h autumn", berlin, "2026-10-25", time.Hour, 25},
		{"Berlin 1h ordinary", berlin, "2026-10-24", time.Hour, 24},
		{"Berlin 15min spring", berlin, "2026-03-29", 15 * time.Minute, 92},
		{"Berlin 30min autumn", berlin, "2026-10-25", 30 * time.Minute, 50},
		{"Berlin 10s autumn", berlin, "2026-10-25", 10 * time.Second, 25 * 360},
		{"New York 1h spring", newYork, "2026-03-08", time.Hour, 23},
		{"New York 1h autumn", newYork, "2026-11-01", time.Hour, 25},
		{"New York 5min autumn", newYork, "2026-11-01", 5 * time.Minute, 25 * 12},
		{"Havana 1h spring", havana, "2026-03-08", time.Hour, 23},
		{"Havana 1h autumn", havana, "2026-11-01", time.Hour, 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Schedule{Granularity: tt.g, Location: tt.loc}
			day := (&Schedule{Granularity: Day, Location: tt.loc}).PeriodAt(local(tt.loc, tt.date+" 12:00"))
			n := 0
			for p := s.PeriodAt(day.Start); p.Start.Before(day.End); p = s.PeriodAt(p.End) {
				require.Equal(t, tt.g, p.Duration(), "period %s", p)
				require.True(t, p.Start.Before(p.End))
				n++
			}
			assert.Equal(t, tt.want, n, "periods in %s", day)
			assert.Equal(t, tt.want, len(collect(t, &s, day.Start, day.End)), "collected periods in %s", day)
		})
	}
}

// The two hours 02:00–03:00 of Berlin's autumn change are separate 1 h
// periods, one in CEST and one in CET.
func TestRepeatedHourBerlin(t *testing.T) {
	s := Schedule{Granularity: time.Hour, Location: berlin}
	first := s.PeriodAt(utc("2026-10-25T00:30:00Z"))
	second := s.PeriodAt(utc("2026-10-25T01:30:00Z"))
	assert.Equal(t, "2026-10-25T02:00:00+02:00/2026-10-25T02:00:00+01:00", first.String())
	assert.Equal(t, "2026-10-25T02:00:00+01:00/2026-10-25T03:00:00+01:00", second.String())
	// In spring, 01:00 CET is followed by 03:00 CEST, an hour later.
	assert.Equal(t, "2026-03-29T01:00:00+01:00/2026-03-29T03:00:00+02:00",
		s.PeriodAt(local(berlin, "2026-03-29 01:30")).String())
}

// Intervals are read on the wall clock: a skipped hour records nothing, a
// repeated hour records twice.
func TestIntervalsDST(t *testing.T) {
	tests := []struct {
		name     string
		loc      *time.Location
		date     string
		g        time.Duration
		interval Interval
		want     []string // collected periods, as local starts
		onFor    time.Duration
	}{
		{"Berlin skipped hour", berlin, "2026-03-29", time.Hour, Interval{hm(2, 0), hm(3, 0)}, nil, 0},
		{"Berlin repeated hour", berlin, "2026-10-25", time.Hour, Interval{hm(2, 0), hm(3, 0)},
			[]string{"02:00+02:00", "02:00+01:00"}, 2 * time.Hour},
		{"Berlin across spring change", berlin, "2026-03-29", time.Hour, Interval{hm(1, 0), hm(4, 0)},
			[]string{"01:00+01:00", "03:00+02:00"}, 2 * time.Hour},
		{"Berlin across autumn change", berlin, "2026-10-25", time.Hour, Interval{hm(1, 0), hm(4, 0)},
			[]string{"01:00+02:00", "02:00+02:00", "02:00+01:00", "03:00+01:00"}, 4 * time.Hour},
		{"Berlin 30min across spring change", berlin, "2026-03-29", 30 * time.Minute, Interval{hm(1, 30), hm(3, 30)},
			[]string{"01:30+01:00", "03:00+02:00"}, time.Hour},
		{"New York repeated hour", newYork, "2026-11-01", time.Hour, Interval{hm(1, 0), hm(2, 0)},
			[]string{"01:00-04:00", "01:00-05:00"}, 2 * time.Hour},
		{"New York skipped hour", newYork, "2026-03-08", time.Hour, Interval{hm(2, 0), hm(3, 0)}, nil, 0},
		{"New York morning on spring day", newYork, "2026-03-08", time.Hour, Interval{hm(0, 0), hm(4, 0)},
			[]string{"00:00-05:00", "01:00-05:00", "03:00-04:00"}, 3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Schedule{Granularity: tt.g, Intervals: []Interval{tt.interval}, Location: tt.loc}
			require.NoError(t, s.Validate(local(tt.loc, tt.date+" 00:00"), 0))
			day := (&Schedule{Granularity: Day, Location: tt.loc}).PeriodAt(local(tt.loc, tt.date+" 12:00"))
			var got []string
			for _, p := range collect(t, &s, day.Start, day.End) {
				got = append(got, p.Start.Format("15:04Z07:00"))
			}
			assert.Equal(t, tt.want, got)

			var on time.Duration
			for u := day.Start; u.Before(day.End); {
				n, ok := s.NextTransition(u)
				if !ok || n.After(day.End) {
					n = day.End
				}
				if s.OnDuty(u) {
					on += n.Sub(u)
				}
				u = n
			}
			assert.Equal(t, tt.onFor, on, "time on duty")
		})
	}
}

// A daily job on Sundays collects the 23 h Sunday of Berlin's spring
// change as one period.
func TestWeeklyDayPeriodDST(t *testing.T) {
	s := Schedule{Granularity: Day, Days: WeekdaysOf(time.Sunday), Location: berlin}
	ps := collect(t, &s, local(berlin, "2026-03-23 00:00"), local(berlin, "2026-04-06 00:00"))
	require.Len(t, ps, 2)
	assert.Equal(t, "2026-03-29T00:00:00+01:00/2026-03-30T00:00:00+02:00", ps[0].String())
	assert.Equal(t, 23*time.Hour, ps[0].Duration())
	assert.Equal(t, 24*time.Hour, ps[1].Duration())
	end, ok := s.NextPeriodEnd(local(berlin, "2026-03-24 10:00"))
	require.True(t, ok)
	assert.Equal(t, "2026-03-30T00:00:00+02:00", end.Format(time.RFC3339))
}

// Where the offset changes by less than the granularity, the period
// around the change is shorter: Lord Howe moves by 30 minutes.
func TestHalfHourShiftLordHowe(t *testing.T) {
	s := Schedule{Granularity: time.Hour, Location: lordHow}
	tests := []struct{ at, want string }{
		// Spring: 02:00 +10:30 jumps to 02:30 +11:00, past the 02:00 boundary.
		{"2026-10-03T15:00:00Z", "2026-10-04T01:00:00+10:30/2026-10-04T02:30:00+11:00"},
		{"2026-10-03T15:40:00Z", "2026-10-04T02:30:00+11:00/2026-10-04T03:00:00+11:00"},
		// Autumn: 02:00 +11:00 jumps back to 01:30 +10:30.
		{"2026-04-04T14:30:00Z", "2026-04-05T01:00:00+11:00/2026-04-05T01:30:00+10:30"},
		{"2026-04-04T15:10:00Z", "2026-04-05T01:30:00+10:30/2026-04-05T02:00:00+10:30"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, s.PeriodAt(utc(tt.at)).String(), "PeriodAt(%s)", tt.at)
	}
}

// A job steps across the spring change with transitions at the real
// instants: on at 01:00 CET, off at 04:00 CEST, two hours later.
func TestJobAcrossDST(t *testing.T) {
	s := Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(1, 0), hm(4, 0)}}, Location: berlin}
	j, _ := NewJob(s, local(berlin, "2026-03-28 12:00"))
	_, err := j.Accept(j.At)
	require.NoError(t, err)
	trs := j.Step(local(berlin, "2026-03-29 12:00"))
	require.Len(t, trs, 2)
	assert.Equal(t, "2026-03-29T01:00:00+01:00", trs[0].At.Format(time.RFC3339))
	assert.Equal(t, CauseOnDuty, trs[0].Cause)
	assert.Equal(t, "2026-03-29T04:00:00+02:00", trs[1].At.Format(time.RFC3339))
	assert.Equal(t, CauseOffDuty, trs[1].Cause)
	assert.Equal(t, 2*time.Hour, trs[1].At.Sub(trs[0].At))
}

// Reporting periods are aligned like granularity periods: 1 h reports
// over 15 min records, daily reports on the local day.
func TestReportPeriodDST(t *testing.T) {
	s := Schedule{Granularity: 15 * time.Minute, ReportingPeriod: time.Hour, Location: newYork}
	assert.Equal(t, "2026-11-01T01:00:00-04:00/2026-11-01T01:00:00-05:00",
		s.ReportPeriodAt(utc("2026-11-01T05:50:00Z")).String())
	s.ReportingPeriod = Day
	r := s.ReportPeriodAt(local(newYork, "2026-11-01 12:00"))
	assert.Equal(t, 25*time.Hour, r.Duration())
	assert.Equal(t, 100, len(collect(t, &s, r.Start, r.End)), "15 min periods in the report")
}
