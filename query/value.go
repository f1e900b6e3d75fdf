package query

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// class is the kind of an RDF term for comparison and sorting. The order
// of the constants is the sort order of values of different kinds; numbers
// before dateTimes matches the store's Range order.
type class int8

const (
	clsNumber   class = iota + 1 // well-formed XSD numeric literal
	clsDateTime                  // well-formed xsd:dateTime or dateTimeStamp
	clsBoolean                   // xsd:boolean true, false, 1, 0
	clsString                    // plain, xsd:string, rdf:XMLLiteral, rdf:langString
	clsOther                     // any other literal, ill-formed numbers and dateTimes
	clsIRI
	clsBlank
	clsMissing // no value: sorts last in either direction
)

// val is a term classified and parsed once for comparisons.
type val struct {
	cls  class
	num  float64 // clsNumber; clsBoolean: 0 or 1
	us   int64   // clsDateTime: unix microseconds, UTC
	str  string  // lexical form, IRI or blank node label
	lang string  // clsString: language tag, lowercased
	dt   string  // clsOther: datatype IRI
}

// classify parses a stored term. It follows the store's rules (store/doc.go,
// "Object sort keys"), so that a value the store's Range finds is one the
// engine's checks accept.
func classify(t rdf.Term) val {
	switch t := t.(type) {
	case rdf.IRI:
		return val{cls: clsIRI, str: t.String()}
	case rdf.Blank:
		return val{cls: clsBlank, str: t.String()}
	case rdf.Literal:
		return classifyLiteral(t.String(), t.DataType.String(), t.Lang())
	}
	return val{cls: clsOther}
}

func classifyLiteral(lex, dt, lang string) val {
	switch {
	case lang != "" || dt == vocab.RDF+"langString":
		return val{cls: clsString, str: lex, lang: strings.ToLower(lang)}
	case dt == "" || dt == vocab.XSD+"string" || dt == vocab.RDF+"XMLLiteral":
		return val{cls: clsString, str: lex}
	case strings.HasPrefix(dt, vocab.XSD):
		local := dt[len(vocab.XSD):]
		trimmed := strings.Trim(lex, " \t\r\n")
		switch {
		case local == "dateTime" || local == "dateTimeStamp":
			if us, ok := parseDateTime(trimmed, local == "dateTimeStamp"); ok {
				return val{cls: clsDateTime, us: us, str: lex}
			}
		case local == "boolean":
			switch trimmed {
			case "true", "1":
				return val{cls: clsBoolean, num: 1, str: lex}
			case "false", "0":
				return val{cls: clsBoolean, num: 0, str: lex}
			}
		case numericKinds[local] != 0:
			if f, ok := parseNumber(numericKinds[local], trimmed); ok {
				return val{cls: clsNumber, num: f, str: lex}
			}
		}
	}
	return val{cls: clsOther, str: lex, dt: dt}
}

// compare orders a and b of the same class: -1, 0 or +1. Values of
// different classes order by class.
func compare(a, b val) int {
	if a.cls != b.cls {
		return cmpInt(int(a.cls), int(b.cls))
	}
	switch a.cls {
	case clsNumber, clsBoolean:
		switch {
		case a.num < b.num:
			return -1
		case a.num > b.num:
			return 1
		}
		return 0
	case clsDateTime:
		return cmpInt64(a.us, b.us)
	case clsString:
		if c := strings.Compare(a.str, b.str); c != 0 {
			return c
		}
		return strings.Compare(a.lang, b.lang)
	case clsOther:
		if c := strings.Compare(a.str, b.str); c != 0 {
			return c
		}
		return strings.Compare(a.dt, b.dt)
	case clsIRI, clsBlank:
		return strings.Compare(a.str, b.str)
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Lexical kinds of numeric datatypes, as the store has them.
const (
	kindInteger = iota + 1
	kindDecimal
	kindDouble
	kindFloat
)

var numericKinds = map[string]int{
	"integer": kindInteger, "int": kindInteger, "long": kindInteger, "short": kindInteger,
	"byte": kindInteger, "nonNegativeInteger": kindInteger, "positiveInteger": kindInteger,
	"nonPositiveInteger": kindInteger, "negativeInteger": kindInteger,
	"unsignedLong": kindInteger, "unsignedInt": kindInteger, "unsignedShort": kindInteger,
	"unsignedByte": kindInteger,
	"decimal":      kindDecimal, "double": kindDouble, "float": kindFloat,
}

// parseNumber parses a numeric lexical form of the given kind to the
// nearest float64 (xsd:float through float32), as the store does. NaN is
// not a number here: it is unordered.
func parseNumber(kind int, lex string) (float64, bool) {
	switch kind {
	case kindInteger:
		if !isInteger(lex) {
			return 0, false
		}
	case kindDecimal:
		if !isDecimal(lex) {
			return 0, false
		}
	default:
		switch lex {
		case "INF", "+INF":
			return math.Inf(1), true
		case "-INF":
			return math.Inf(-1), true
		}
		if !isDouble(lex) {
			return 0, false
		}
	}
	bits := 64
	if kind == kindFloat {
		bits = 32
	}
	f, err := strconv.ParseFloat(lex, bits)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

func isInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return s != "" && leadingDigits(s) == len(s)
}

func isDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	n := leadingDigits(s)
	s = s[n:]
	if s == "" {
		return n > 0
	}
	if s[0] != '.' {
		return false
	}
	m := leadingDigits(s[1:])
	return n+m > 0 && m == len(s)-1
}

func isDouble(s string) bool {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return isDecimal(s[:i]) && isInteger(s[i+1:])
	}
	return isDecimal(s)
}

func leadingDigits(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

const maxYear = 1_000_000

// parseDateTime parses an xsd:dateTime to unix microseconds UTC, fractions
// cut to the microsecond; without a timezone UTC is assumed unless needTZ.
// Years beyond int64 microseconds clamp. It is the store's parser.
//
//	'-'? yyyy '-' mm '-' dd 'T' hh ':' mm ':' ss ('.' s+)? (('+'|'-') hh ':' mm | 'Z')?
func parseDateTime(s string, needTZ bool) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	n := leadingDigits(s)
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
	var frac int64
	fracZero := true
	if strings.HasPrefix(s, ".") {
		m := leadingDigits(s[1:])
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
	var offset int
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
			return math.MinInt64, true
		}
		return math.MaxInt64, true
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return 0, false
	}
	secs := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).Unix() - int64(offset)
	switch {
	case secs > math.MaxInt64/1_000_000-1:
		return math.MaxInt64, true
	case secs < math.MinInt64/1_000_000+1:
		return math.MinInt64, true
	}
	return secs*1_000_000 + frac, true
}

func num2(s string) (int, bool) {
	if len(s) != 2 || !isDigit(s[0]) || !isDigit(s[1]) {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}
