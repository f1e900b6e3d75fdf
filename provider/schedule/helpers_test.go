package schedule

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST tests must not depend on the host's zoneinfo
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	berlin  = mustLoad("Europe/Berlin")
	newYork = mustLoad("America/New_York")
	havana  = mustLoad("America/Havana")
	lordHow = mustLoad("Australia/Lord_Howe")
)

// local parses a wall time "2006-01-02 15:04[:05]" in loc. For a wall time
// that occurs twice it picks the first occurrence, for one that never
// occurs it panics.
func local(loc *time.Location, s string) time.Time {
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += ":05"
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		panic(err)
	}
	if got := t.Format(layout); got != s {
		panic("wall time " + s + " does not exist in " + loc.String())
	}
	return t
}

// hm returns a time of day.
func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

// testClock is the injected clock the state tables run against.
type testClock struct{ now time.Time }

func (c *testClock) set(t time.Time) { c.now = t }
func (c *testClock) Now() time.Time  { return c.now }

// collect gathers an iterator's periods.
func collect(t *testing.T, s *Schedule, from, to time.Time) []Period {
	t.Helper()
	var ps []Period
	for p := range s.Periods(from, to) {
		ps = append(ps, p)
		if len(ps) > 100000 {
			t.Fatal("runaway Periods")
		}
	}
	return ps
}
