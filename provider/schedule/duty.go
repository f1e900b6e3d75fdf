package schedule

import (
	"slices"
	"time"
)

// maxWalk bounds the zone transitions a search steps over. Real zones
// change offset at most a few times a year, and every search here ends
// within nine days of wall-clock time, so it is never reached.
const maxWalk = 64

// wallOf returns the wall-clock reading of t in loc as a time in UTC: a
// "naive" local time whose calendar fields are those of t.In(loc). Naive
// times have no daylight saving time, so every naive day is 24 h long.
func wallOf(t time.Time, loc *time.Location) time.Time {
	_, off := t.In(loc).Zone()
	return t.UTC().Add(time.Duration(off) * time.Second)
}

// dutyAt reports whether the weekly days and daily intervals cover the
// naive wall time w.
func (s *Schedule) dutyAt(w time.Time) bool {
	if s.Days != 0 && !s.Days.Has(w.Weekday()) {
		return false
	}
	if len(s.Intervals) == 0 {
		return true
	}
	tod := w.Sub(w.Truncate(Day))
	for _, iv := range s.Intervals {
		if iv.contains(tod) {
			return true
		}
	}
	return false
}

// nextDutyChange returns the earliest naive wall time after w at which
// dutyAt differs from dutyAt(w). dutyAt is periodic with a period of one
// week and changes only at midnights and interval ends, so looking at
// those over nine days is enough; if none differs, dutyAt is constant.
func (s *Schedule) nextDutyChange(w time.Time) (time.Time, bool) {
	cur := s.dutyAt(w)
	offsets := make([]time.Duration, 0, 1+2*len(s.Intervals))
	offsets = append(offsets, 0)
	for _, iv := range s.Intervals {
		offsets = append(offsets, iv.From, iv.To)
	}
	slices.Sort(offsets)
	day := w.Truncate(Day)
	for d := 0; d <= 8; d++ {
		for _, off := range offsets {
			e := day.Add(off)
			if e.After(w) && s.dutyAt(e) != cur {
				return e, true
			}
		}
		day = day.Add(Day)
	}
	return time.Time{}, false
}

// nextWallChange returns the earliest instant after t at which the duty
// given by the wall clock alone (ignoring Start and Stop) changes. Inside
// one zone offset the wall clock runs with real time; at a zone transition
// it jumps, and the duty is read afresh from where it lands.
func (s *Schedule) nextWallChange(t time.Time) (time.Time, bool) {
	loc := s.loc()
	cur := s.dutyAt(wallOf(t, loc))
	u := t
	for range maxWalk {
		lu := u.In(loc)
		_, off := lu.Zone()
		_, end := lu.ZoneBounds()
		w := u.UTC().Add(time.Duration(off) * time.Second)
		wc, ok := s.nextDutyChange(w)
		if !ok {
			// Constant over a whole week of wall time: constant for ever.
			return time.Time{}, false
		}
		if c := wc.Add(-time.Duration(off) * time.Second); end.IsZero() || c.Before(end) {
			return c.In(loc), true
		}
		if s.dutyAt(wallOf(end, loc)) != cur {
			return end, true
		}
		u = end
	}
	return time.Time{}, false
}

// OnDuty reports whether the schedule is on duty at t: t is in
// [Start, Stop), its local weekday is one of Days and its local time of day
// lies in one of Intervals.
func (s *Schedule) OnDuty(t time.Time) bool {
	if !s.Start.IsZero() && t.Before(s.Start) {
		return false
	}
	if !s.Stop.IsZero() && !t.Before(s.Stop) {
		return false
	}
	return s.dutyAt(wallOf(t, s.loc()))
}

// NextTransition returns the earliest instant after t at which OnDuty
// differs from OnDuty(t); OnDuty is constant from t up to it. It returns
// false if OnDuty never changes after t.
func (s *Schedule) NextTransition(t time.Time) (time.Time, bool) {
	stopped := func(u time.Time) bool { return !s.Stop.IsZero() && !u.Before(s.Stop) }
	if stopped(t) {
		return time.Time{}, false
	}
	cur := s.OnDuty(t)
	if !s.Start.IsZero() && t.Before(s.Start) {
		if s.OnDuty(s.Start) {
			return s.Start, true
		}
		if t = s.Start; stopped(t) {
			return time.Time{}, false
		}
	}
	n, ok := s.nextWallChange(t)
	if !s.Stop.IsZero() && (!ok || !n.Before(s.Stop)) {
		if cur {
			return s.Stop, true
		}
		return time.Time{}, false
	}
	return n, ok
}
