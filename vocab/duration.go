package vocab

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// XSDDuration is the datatype of granularities, reporting periods and
// timeouts.
var XSDDuration = IRI(XSD, "duration")

var durationRE = regexp.MustCompile(`^P(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?$`)

// ParseDuration parses an xsd:duration of days, hours, minutes and
// seconds, such as PT10S, PT1.5S, PT15M or P1D. Years and months, whose
// length varies, and negative durations are refused.
func ParseDuration(v string) (time.Duration, error) {
	m := durationRE.FindStringSubmatch(v)
	if m == nil || v == "P" || strings.HasSuffix(v, "T") {
		return 0, fmt.Errorf("%q is not an xsd:duration such as PT10S, PT15M, PT1H or P1D", v)
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second} {
		if m[i+1] != "" {
			f, err := strconv.ParseFloat(m[i+1], 64)
			if err != nil || f > float64(1<<62)/float64(unit) {
				return 0, fmt.Errorf("%q: out of range", v)
			}
			d += time.Duration(f * float64(unit))
		}
	}
	return d, nil
}

// FormatDuration writes whole seconds d as an xsd:duration: P1D, PT1H30M,
// PT10S.
func FormatDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return "P" + strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "D"
	}
	s := "PT"
	if h := d / time.Hour; h > 0 {
		s += strconv.FormatInt(int64(h), 10) + "H"
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		s += strconv.FormatInt(int64(m), 10) + "M"
	}
	if sec := d % time.Minute / time.Second; sec > 0 {
		s += strconv.FormatInt(int64(sec), 10) + "S"
	}
	return s
}
