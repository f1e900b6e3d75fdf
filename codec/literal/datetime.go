package literal

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Limits of a dateTime's value, in unix microseconds.
const (
	minMicros = math.MinInt64
	maxMicros = math.MaxInt64
	// maxYear bounds years well beyond what int64 microseconds can hold
	// (about ±292,000 years) so that time.Date cannot overflow.
	maxYear = 1_000_000
)

// DateTimeValue parses an xsd:dateTime lexical form to unix microseconds
// (UTC), by which dateTimes compare and sort, rounding fractions down. A
// value without a timezone is taken as UTC, unless needTZ (as for
// xsd:dateTimeStamp). Values beyond int64 microseconds are clamped. lex is
// taken as is: trim surrounding whitespace first.
//
//	'-'? yyyy '-' mm '-' dd 'T' hh ':' mm ':' ss ('.' s+)? (('+'|'-') hh ':' mm | 'Z')?
func DateTimeValue(lex string, needTZ bool) (us int64, ok bool) {
	s := lex
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	n := digits(s)
	if n < 4 || (n > 4 && s[0] == '0') {
		return 0, false
	}
	year := 0
	if n > 7 {
		year = maxYear
	} else {
		year, _ = strconv.Atoi(s[:n])
	}
	if neg {
		year = -year
	}
	s = s[n:]
	// -mm-ddThh:mm:ss
	if len(s) < 15 || s[0] != '-' || s[3] != '-' || s[6] != 'T' || s[9] != ':' || s[12] != ':' {
		return 0, false
	}
	month, ok1 := num2(s[1:3])
	day, ok2 := num2(s[4:6])
	hour, ok3 := num2(s[7:9])
	minute, ok4 := num2(s[10:12])
	sec, ok5 := num2(s[13:15])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return 0, false
	}
	s = s[15:]
	var frac int64 // microseconds
	fracZero := true
	if strings.HasPrefix(s, ".") {
		m := digits(s[1:])
		if m == 0 {
			return 0, false
		}
		for i := 0; i < 6; i++ {
			frac *= 10
			if i < m {
				frac += int64(s[1+i] - '0')
			}
		}
		fracZero = strings.Trim(s[1:1+m], "0") == ""
		s = s[1+m:]
	}
	var offset int // seconds east of UTC
	switch {
	case s == "Z":
	case s == "":
		if needTZ {
			return 0, false
		}
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':':
		th, ok1 := num2(s[1:3])
		tm, ok2 := num2(s[4:6])
		if !ok1 || !ok2 || tm > 59 || th > 14 || (th == 14 && tm != 0) {
			return 0, false
		}
		offset = th*3600 + tm*60
		if s[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	if month < 1 || month > 12 || day < 1 || minute > 59 || sec > 59 {
		return 0, false
	}
	if hour > 24 || (hour == 24 && (minute != 0 || sec != 0 || !fracZero)) {
		return 0, false
	}
	if year >= maxYear || year <= -maxYear {
		if neg {
			return minMicros, true
		}
		return maxMicros, true
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return 0, false
	}
	// time.Date normalizes hour 24 to the next day.
	secs := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).Unix() - int64(offset)
	switch {
	case secs > maxMicros/1_000_000-1:
		return maxMicros, true
	case secs < minMicros/1_000_000+1:
		return minMicros, true
	}
	return secs*1_000_000 + frac, true
}

// num2 parses two ASCII digits.
func num2(s string) (int, bool) {
	if len(s) != 2 || digits(s) != 2 {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}
