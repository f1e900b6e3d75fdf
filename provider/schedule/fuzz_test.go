package schedule

import (
	"testing"
	"time"
)

var fuzzZones = []*time.Location{
	time.UTC, berlin, newYork, havana, lordHow,
	mustLoad("Asia/Kathmandu"),   // +05:45
	mustLoad("Asia/Beirut"),      // falls back from midnight
	mustLoad("America/Santiago"), // skips midnight
	mustLoad("Africa/Casablanca"),
	mustLoad("Pacific/Apia"), // skipped a whole day in 2011
}

var fuzzBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fuzzSchedule builds a schedule from fuzz input, valid or not. Interval
// ends are in quarter hours so that some are aligned and some are not.
func fuzzSchedule(gran, rep, zone, days uint8, start, stop int32, ivs []byte) Schedule {
	gs := Granularities()
	s := Schedule{
		Granularity:     gs[int(gran)%len(gs)],
		ReportingPeriod: time.Duration(rep%8) * gs[int(gran)%len(gs)],
		Location:        fuzzZones[int(zone)%len(fuzzZones)],
		Days:            Weekdays(days),
	}
	if gran >= 200 {
		s.Granularity = time.Duration(gran) * time.Second // mostly unsupported
	}
	if start != 0 {
		s.Start = fuzzBase.Add(time.Duration(start) * time.Minute)
	}
	if stop != 0 {
		s.Stop = fuzzBase.Add(time.Duration(stop) * time.Minute)
	}
	for i := 0; i+1 < len(ivs) && i < 16; i += 2 {
		s.Intervals = append(s.Intervals, Interval{
			From: time.Duration(ivs[i]%100) * 15 * time.Minute,
			To:   time.Duration(ivs[i+1]%100) * 15 * time.Minute,
		})
	}
	return s
}

// FuzzSchedule checks that nothing panics on any definition and that, for
// valid ones, NextTransition strictly increases with OnDuty constant in
// between and flipping at each transition, that periods tile time, and
// that collected periods are on duty throughout.
func FuzzSchedule(f *testing.F) {
	f.Add(uint8(2), uint8(0), uint8(1), uint8(0), int32(0), int32(0), []byte{}, int32(0))
	f.Add(uint8(3), uint8(4), uint8(1), uint8(0x22), int32(0), int32(0), []byte{32, 48, 52, 68}, int32(100)) // table (5)
	f.Add(uint8(5), uint8(0), uint8(2), uint8(0), int32(94000), int32(96000), []byte{4, 12}, int32(94000))   // New York spring
	f.Add(uint8(6), uint8(1), uint8(3), uint8(1), int32(0), int32(0), []byte{}, int32(439000))               // Havana autumn
	f.Add(uint8(5), uint8(0), uint8(4), uint8(0), int32(10), int32(200000), []byte{0, 96}, int32(134000))    // Lord Howe
	f.Add(uint8(250), uint8(3), uint8(0), uint8(0xff), int32(-5), int32(-10), []byte{90, 2, 3, 3}, int32(0)) // invalid
	f.Fuzz(func(t *testing.T, gran, rep, zone, days uint8, start, stop int32, ivs []byte, at int32) {
		s := fuzzSchedule(gran, rep, zone, days, start, stop, ivs)
		now := fuzzBase.Add(time.Duration(at) * time.Minute)
		err := s.Validate(now, 0)

		// Whatever the definition, these must return.
		s.OnDuty(now)
		s.NextTransition(now)
		s.PeriodAt(now)
		s.ReportPeriodAt(now)
		s.NextPeriod(now)
		for range s.Periods(now, now.Add(3*time.Hour)) {
		}
		j, _ := NewJob(s, now)
		j.Accept(now)
		j.Step(now.Add(10 * Day))
		if err != nil {
			return
		}

		loc := s.loc()
		u := now
		for range 40 {
			n, ok := s.NextTransition(u)
			if !ok {
				break
			}
			if !n.After(u) {
				t.Fatalf("NextTransition(%s) = %s; want a later instant", u.In(loc), n.In(loc))
			}
			d := s.OnDuty(u)
			for _, v := range []time.Time{u.Add(n.Sub(u) / 3), u.Add(n.Sub(u) / 2), n.Add(-time.Nanosecond)} {
				if s.OnDuty(v) != d {
					t.Fatalf("OnDuty(%s) = %v; want %v as at %s, before the transition at %s", v.In(loc), !d, d, u.In(loc), n.In(loc))
				}
			}
			if s.OnDuty(n) == d {
				t.Fatalf("OnDuty(%s) = %v, unchanged at a transition", n.In(loc), d)
			}
			u = n
		}

		for _, d := range []time.Duration{s.Granularity, s.reporting()} {
			p := periodAt(now, d, loc)
			for range 30 {
				if !p.Start.Before(p.End) || p.Duration() > d+2*time.Hour {
					t.Fatalf("period %s of %s", p, d)
				}
				q := periodAt(p.End, d, loc)
				if !q.Start.Equal(p.End) {
					t.Fatalf("period after %s is %s; want it to start at %s", p, q, p.End)
				}
				if r := periodAt(p.Start.Add(p.Duration()/2), d, loc); !r.Start.Equal(p.Start) || !r.End.Equal(p.End) {
					t.Fatalf("period at the middle of %s is %s", p, r)
				}
				p = q
			}
		}

		var prev time.Time
		n := 0
		for p := range s.Periods(now, now.Add(4*Day)) {
			if p.Start.Before(prev) || p.Start.Before(now) {
				t.Fatalf("period %s out of order after %s", p, prev)
			}
			if !s.Collected(p) || !s.OnDuty(p.End.Add(-time.Nanosecond)) {
				t.Fatalf("period %s yielded but not on duty throughout", p)
			}
			prev = p.End
			if n++; n > 2000 {
				break
			}
		}
	})
}
