package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A period is collected only if it is on duty throughout: an unaligned
// start or stop leaves a partial period out.
func TestPartialPeriods(t *testing.T) {
	s := Schedule{
		Granularity: 15 * time.Minute,
		Start:       t0.Add(10 * time.Minute), // 07:10
		Stop:        t0.Add(70 * time.Minute), // 08:10
	}
	ps := collect(t, &s, t0, t0.Add(2*time.Hour))
	var got []string
	for _, p := range ps {
		got = append(got, p.Start.Format("15:04")+"-"+p.End.Format("15:04"))
	}
	assert.Equal(t, []string{"07:15-07:30", "07:30-07:45", "07:45-08:00"}, got)

	assert.True(t, s.OnDuty(t0.Add(10*time.Minute)), "on duty from the start time")
	assert.False(t, s.Collected(s.PeriodAt(t0.Add(10*time.Minute))), "the period holding the start is partial")
	assert.True(t, s.Collected(s.PeriodAt(t0.Add(20*time.Minute))))
	assert.False(t, s.Collected(Period{t0.Add(15 * time.Minute), t0.Add(45 * time.Minute)}), "not a period")

	p, ok := s.NextPeriod(t0)
	require.True(t, ok)
	assert.Equal(t, "07:15", p.Start.Format("15:04"))
	end, ok := s.NextPeriodEnd(t0.Add(20 * time.Minute))
	require.True(t, ok)
	assert.Equal(t, "07:30", end.Format("15:04"), "the period in progress")
	_, ok = s.NextPeriod(t0.Add(time.Hour))
	assert.False(t, ok, "only the partial period before the stop time is left")
}

// Periods yields only periods within [from, to), and stops early when the
// consumer does.
func TestPeriodsRange(t *testing.T) {
	s := Schedule{Granularity: time.Hour, Intervals: []Interval{{hm(8, 0), hm(11, 0)}}}
	assert.Len(t, collect(t, &s, t0, t0.Add(Day)), 3)
	assert.Len(t, collect(t, &s, t0.Add(90*time.Minute), t0.Add(3*time.Hour)), 1, "from 08:30 to 10:00: 09:00-10:00")
	n := 0
	for range s.Periods(t0, t0.Add(30*Day)) {
		if n++; n == 4 {
			break
		}
	}
	assert.Equal(t, 4, n)
}

// A schedule with no stop and no restriction is on duty for ever.
func TestForever(t *testing.T) {
	s := Schedule{Granularity: 10 * time.Second}
	assert.True(t, s.OnDuty(t0))
	_, ok := s.NextTransition(t0)
	assert.False(t, ok)
	end, ok := s.NextPeriodEnd(t0.Add(3 * time.Second))
	require.True(t, ok)
	assert.Equal(t, t0.Add(10*time.Second), end)
}

func TestReportPeriod(t *testing.T) {
	s := Schedule{Granularity: 5 * time.Minute}
	assert.Equal(t, s.PeriodAt(t0.Add(7*time.Minute)), s.ReportPeriodAt(t0.Add(7*time.Minute)), "defaults to the granularity")
	s.ReportingPeriod = 6 * time.Hour
	r := s.ReportPeriodAt(t0.Add(7 * time.Minute))
	assert.Equal(t, Period{t0.Add(-time.Hour), t0.Add(5 * time.Hour)}, r, "06:00-12:00 UTC")
}
