package schedule

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Day is the length of a day on the wall clock, the largest granularity.
const Day = 24 * time.Hour

// MinHorizon is the least scheduling horizon Validate applies: OSS/J
// requires start times up to at least 30 days after the job's creation.
const MinHorizon = 30 * Day

var granularities = []time.Duration{
	10 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, Day,
}

// Granularities returns the supported granularity periods, shortest first:
// 10 s, 1, 5, 15 and 30 min, 1 h and 24 h, the set MEF and TM Forum use.
func Granularities() []time.Duration { return slices.Clone(granularities) }

// A Schedule says when a measurement job collects data. The zero values of
// its optional fields mean what OSS/J says their absence means; see the
// package documentation for the exact semantics.
type Schedule struct {
	// Granularity is the length of one collection period; one of
	// Granularities.
	Granularity time.Duration

	// ReportingPeriod is the length of one reporting period, a whole
	// number of granularity periods that divides a day. Zero means equal
	// to Granularity.
	ReportingPeriod time.Duration

	// Start and Stop bound the schedule to [Start, Stop). A zero Start
	// means active at once, a zero Stop means active for ever.
	Start, Stop time.Time

	// Intervals are the daily recording intervals. None means all day.
	Intervals []Interval

	// Days are the weekdays on which the intervals apply. Zero means
	// every day.
	Days Weekdays

	// Location is the time zone in which Intervals and Days are read and
	// periods are aligned. Nil means UTC.
	Location *time.Location
}

// An Interval is a daily recording interval [From, To), given as wall-clock
// times of day: durations since local midnight, 0 ≤ From < To ≤ 24h. An
// interval cannot cross midnight; write 22:00–02:00 as two intervals,
// 22:00–24:00 and 00:00–02:00.
type Interval struct {
	From, To time.Duration
}

func (iv Interval) String() string { return clock(iv.From) + "–" + clock(iv.To) }

// contains reports whether the time of day tod lies in iv.
func (iv Interval) contains(tod time.Duration) bool { return iv.From <= tod && tod < iv.To }

// clock formats a time of day as hh:mm, or hh:mm:ss when it has seconds.
func clock(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	h, m, s := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	if d%time.Minute != 0 {
		return fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%s%02d:%02d", sign, h, m)
}

// span formats a period length the way people write granularities.
func span(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d > 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dmin", d/time.Minute)
	}
	return d.String()
}

// Weekdays is a set of days of the week, bit 1<<time.Sunday to
// 1<<time.Saturday.
type Weekdays uint8

// AllDays holds every weekday.
const AllDays Weekdays = 1<<7 - 1

// WeekdaysOf returns the set holding days.
func WeekdaysOf(days ...time.Weekday) Weekdays {
	var w Weekdays
	for _, d := range days {
		w |= 1 << uint(d%7)
	}
	return w
}

// Has reports whether d is in w.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<uint(d%7)) != 0 }

func (w Weekdays) String() string {
	var names []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		if w.Has(d) {
			names = append(names, d.String()[:3])
		}
	}
	if w&^AllDays != 0 {
		names = append(names, fmt.Sprintf("%#x", uint8(w&^AllDays)))
	}
	return strings.Join(names, ",")
}

// loc returns the schedule's time zone.
func (s *Schedule) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// reporting returns the reporting period, defaulted.
func (s *Schedule) reporting() time.Duration {
	if s.ReportingPeriod == 0 {
		return s.Granularity
	}
	return s.ReportingPeriod
}

// Validate checks the definition for a job created or modified at now. A
// start time may lie in the past (the job is then active at once) but no
// further ahead than horizon, which is raised to MinHorizon if smaller.
// It returns nil or all the problems found, joined; each is a
// *DefinitionError wrapping one of the Err* sentinels.
func (s *Schedule) Validate(now time.Time, horizon time.Duration) error {
	return s.ValidateWith(now, horizon, granularities)
}

// ValidateWith is Validate with supported, shortest first, in place of
// Granularities: a provider may offer granularities outside the MEF set,
// such as seconds for tests and demonstrations. Each must divide a day.
func (s *Schedule) ValidateWith(now time.Time, horizon time.Duration, supported []time.Duration) error {
	var errs []error
	add := func(e *DefinitionError) { errs = append(errs, e) }

	g := s.Granularity
	gOK := slices.Contains(supported, g)
	if !gOK {
		names := make([]string, len(supported))
		for i, d := range supported {
			names[i] = span(d)
		}
		add(defErr("granularityPeriod", ErrGranularity,
			"%s is not supported; use one of %s", span(g), strings.Join(names, ", ")))
	}

	if r := s.ReportingPeriod; r < 0 {
		add(defErr("reportingPeriod", ErrReportingPeriod, "%s is negative", r))
	} else if r != 0 && gOK {
		switch {
		case r%g != 0:
			add(defErr("reportingPeriod", ErrReportingPeriod,
				"%s is not a whole number of %s granularity periods", span(r), span(g)))
		case Day%r != 0:
			add(defErr("reportingPeriod", ErrReportingPeriod,
				"%s does not divide a day into whole reporting periods", span(r)))
		}
	}

	for i, iv := range s.Intervals {
		field := fmt.Sprintf("dailyIntervals[%d]", i)
		switch {
		case iv.From < 0 || iv.To > Day || iv.From >= iv.To:
			add(defErr(field, ErrInterval,
				"%s must lie between 00:00 and 24:00 and end after it starts; split an interval that crosses midnight in two", iv))
		case gOK && (iv.From%g != 0 || iv.To%g != 0):
			bad := iv.From
			if bad%g == 0 {
				bad = iv.To
			}
			add(defErr(field, ErrIntervalAlignment,
				"%s: %s is not on a %s granularity period boundary", iv, clock(bad), span(g)))
		}
	}
	// Check overlaps in order of start, against the interval reaching
	// furthest so far, so that a long interval covering several is caught.
	var order []int
	for i, iv := range s.Intervals {
		if iv.From < iv.To {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(s.Intervals[a].From, s.Intervals[b].From)
	})
	for k, far := 1, 0; k < len(order); k++ {
		a, b := s.Intervals[order[far]], s.Intervals[order[k]]
		if b.From < a.To {
			add(defErr(fmt.Sprintf("dailyIntervals[%d]", order[k]), ErrIntervalOverlap,
				"%s overlaps dailyIntervals[%d] %s", b, order[far], a))
		}
		if b.To > a.To {
			far = k
		}
	}

	if s.Days&^AllDays != 0 {
		add(defErr("weeklyDays", ErrWeekdays, "%s names no weekday", s.Days))
	}

	if horizon < MinHorizon {
		horizon = MinHorizon
	}
	const stamp = time.RFC3339
	if !s.Start.IsZero() && s.Start.After(now.Add(horizon)) {
		add(defErr("startTime", ErrStartTooFar,
			"%s is more than %s after %s", s.Start.Format(stamp), horizon, now.Format(stamp)))
	}
	if !s.Stop.IsZero() {
		switch {
		case !s.Start.IsZero() && !s.Stop.After(s.Start):
			add(defErr("stopTime", ErrStopBeforeStart,
				"%s is not after the start time %s", s.Stop.Format(stamp), s.Start.Format(stamp)))
		case !s.Stop.After(now):
			add(defErr("stopTime", ErrStopPassed, "%s is not after %s", s.Stop.Format(stamp), now.Format(stamp)))
		}
	}

	if len(errs) == 0 {
		from := now
		if s.Start.After(from) {
			from = s.Start
		}
		if _, ok := s.NextPeriod(from); !ok {
			when := "after " + from.Format(stamp)
			if !s.Stop.IsZero() {
				when = "between " + from.Format(stamp) + " and " + s.Stop.Format(stamp)
			}
			add(defErr("schedule", ErrNeverOnDuty, "no whole %s granularity period %s is on duty", span(g), when))
		}
	}
	return errors.Join(errs...)
}
