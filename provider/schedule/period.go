package schedule

import (
	"iter"
	"time"
)

// A Period is the half-open time range [Start, End).
type Period struct {
	Start, End time.Time
}

// Contains reports whether t lies in p.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start) && t.Before(p.End) }

// Duration returns the real time elapsed in p.
func (p Period) Duration() time.Duration { return p.End.Sub(p.Start) }

func (p Period) String() string {
	return p.Start.Format(time.RFC3339) + "/" + p.End.Format(time.RFC3339)
}

// PeriodAt returns the granularity period that contains t, whether or not
// it is on duty.
func (s *Schedule) PeriodAt(t time.Time) Period { return periodAt(t, s.Granularity, s.loc()) }

// ReportPeriodAt returns the reporting period that contains t. Reporting
// periods are aligned like granularity periods, so each is a run of whole
// granularity periods.
func (s *Schedule) ReportPeriodAt(t time.Time) Period { return periodAt(t, s.reporting(), s.loc()) }

// Collected reports whether the granularity period p is collected: it is a
// period of the schedule and the schedule is on duty throughout it.
func (s *Schedule) Collected(p Period) bool {
	if q := s.PeriodAt(p.Start); !q.Start.Equal(p.Start) || !q.End.Equal(p.End) || !s.OnDuty(p.Start) {
		return false
	}
	n, ok := s.NextTransition(p.Start)
	return !ok || !n.Before(p.End)
}

// NextPeriod returns the first collected granularity period that ends
// after t, which may be the one containing t. It returns false if there is
// none.
func (s *Schedule) NextPeriod(t time.Time) (Period, bool) {
	for p := range s.collected(s.PeriodAt(t).Start) {
		return p, true
	}
	return Period{}, false
}

// NextPeriodEnd returns the end of NextPeriod(t): the next instant after t
// at which a collected period completes and its record is due.
func (s *Schedule) NextPeriodEnd(t time.Time) (time.Time, bool) {
	p, ok := s.NextPeriod(t)
	return p.End, ok
}

// Periods yields, in order, the collected granularity periods that lie
// within [from, to).
func (s *Schedule) Periods(from, to time.Time) iter.Seq[Period] {
	return func(yield func(Period) bool) {
		for p := range s.collected(from) {
			if p.End.After(to) || !yield(p) {
				return
			}
		}
	}
}

// maxSkips bounds the steps collected takes in a row without finding a
// period: over off-duty time, or over a period on duty only in part. With
// a valid schedule a period is found in two or three steps, if there is
// one; an invalid one may be on duty only between boundaries.
const maxSkips = 1024

// collected yields the collected periods that start at or after from, with
// no end. It steps over off-duty time with NextTransition and over on-duty
// time a period at a time.
func (s *Schedule) collected(from time.Time) iter.Seq[Period] {
	return func(yield func(Period) bool) {
		b := s.ceil(from)
		for skips := 0; skips < maxSkips; skips++ {
			if !s.OnDuty(b) {
				n, ok := s.NextTransition(b)
				if !ok {
					return
				}
				b = s.ceil(n)
				continue
			}
			until, bounded := s.NextTransition(b)
			for {
				p := s.PeriodAt(b)
				b = p.End
				if bounded && p.End.After(until) {
					break
				}
				skips = 0
				if !yield(p) {
					return
				}
				if bounded && !b.Before(until) {
					break
				}
			}
		}
	}
}

// ceil returns the first granularity period boundary at or after t.
func (s *Schedule) ceil(t time.Time) time.Time {
	p := s.PeriodAt(t)
	if p.Start.Equal(t) {
		return p.Start
	}
	return p.End
}

// periodAt returns the period of length d (dividing a day) containing t,
// aligned in loc. Periods shorter than a day start wherever the wall clock
// shows a multiple of d and wherever a zone transition makes it jump past
// one; periods of a day start at the first instant of each local date.
func periodAt(t time.Time, d time.Duration, loc *time.Location) Period {
	if d <= 0 || Day%d != 0 {
		// Not a valid schedule: fall back to absolute alignment so that
		// callers still get a period containing t.
		if d <= 0 {
			d = time.Second
		}
		start := t.Truncate(d)
		return Period{start.In(loc), start.Add(d).In(loc)}
	}
	if d == Day {
		return dayAt(t, loc)
	}
	return Period{prevBoundary(t, d, loc), nextBoundary(t, d, loc)}
}

// offsetAt returns the zone offset in effect at t.
func offsetAt(t time.Time, loc *time.Location) time.Duration {
	_, off := t.In(loc).Zone()
	return time.Duration(off) * time.Second
}

// jumpsPast reports whether the zone transition at instant tr makes the
// wall clock jump onto or past a multiple of d, in either direction.
func jumpsPast(tr time.Time, d time.Duration, loc *time.Location) bool {
	before := tr.UTC().Add(offsetAt(tr.Add(-time.Nanosecond), loc))
	after := tr.UTC().Add(offsetAt(tr, loc))
	lo, hi := before, after
	if hi.Before(lo) {
		lo, hi = hi, lo
	}
	return !hi.Truncate(d).Before(lo)
}

// nextBoundary returns the first period boundary after t, for d < Day.
func nextBoundary(t time.Time, d time.Duration, loc *time.Location) time.Time {
	u := t
	for range maxWalk {
		lu := u.In(loc)
		_, end := lu.ZoneBounds()
		off := offsetAt(u, loc)
		m := u.UTC().Add(off).Truncate(d).Add(d) // next multiple on the wall clock
		if c := m.Add(-off); end.IsZero() || c.Before(end) {
			return c.In(loc)
		}
		if jumpsPast(end, d, loc) {
			return end
		}
		u = end
	}
	return u.Add(d)
}

// prevBoundary returns the last period boundary at or before t, for d < Day.
func prevBoundary(t time.Time, d time.Duration, loc *time.Location) time.Time {
	u := t
	for range maxWalk {
		lu := u.In(loc)
		start, _ := lu.ZoneBounds()
		off := offsetAt(u, loc)
		m := u.UTC().Add(off).Truncate(d) // last multiple on the wall clock
		if c := m.Add(-off); start.IsZero() || !c.Before(start) {
			return c.In(loc)
		}
		if jumpsPast(start, d, loc) {
			return start
		}
		u = start.Add(-time.Nanosecond)
	}
	return u
}

// dayAt returns the local day containing t: from the first instant of a
// local date to the first instant of the next. The first instant is local
// midnight, or the end of a zone transition that skips it; when a
// transition repeats midnight, only the first midnight starts a day.
func dayAt(t time.Time, loc *time.Location) Period {
	date := wallOf(t, loc).Truncate(Day)
	start, end := firstInstant(date, loc), firstInstant(date.Add(Day), loc)
	for i := 0; i < 2 && !end.After(t); i++ { // a jump back over midnight
		date = date.Add(Day)
		start, end = end, firstInstant(date.Add(Day), loc)
	}
	for i := 0; i < 2 && start.After(t); i++ { // cannot happen; be safe
		date = date.Add(-Day)
		start, end = firstInstant(date, loc), start
	}
	return Period{start, end}
}

// firstInstant returns the first instant at which the wall clock in loc
// reads the naive time w or later.
func firstInstant(w time.Time, loc *time.Location) time.Time {
	// No zone is 26 h away from UTC, so the wall clock reads less than w
	// at u.
	u := w.Add(-26 * time.Hour)
	for range maxWalk {
		lu := u.In(loc)
		_, end := lu.ZoneBounds()
		c := w.Add(-offsetAt(u, loc))
		if c.Before(u) { // the transition to this zone jumped past w
			c = u
		}
		if end.IsZero() || c.Before(end) {
			return c.In(loc)
		}
		u = end
	}
	return u.In(loc)
}
