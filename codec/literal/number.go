// Package literal reads the values of RDF literals — numbers and dateTimes
// by the XSD lexical rules — and cuts text into the words a full-text index
// holds, the one set of rules the store's indexes and the query engine's
// checks share.
//
// It imports only the standard library, so that the store can use it
// without depending on the vocabulary. Any change to these rules changes
// the store's index keys (see package store, "Object sort keys" and
// "Full-text index") and needs a new format version.
package literal

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Lexical kinds of numeric datatypes.
const (
	kindInteger = iota + 1
	kindDecimal
	kindDouble
	kindFloat
)

// numericTypes maps the local names of the XSD numeric datatypes to their
// lexical kind.
var numericTypes = map[string]int{
	"integer":            kindInteger,
	"int":                kindInteger,
	"long":               kindInteger,
	"short":              kindInteger,
	"byte":               kindInteger,
	"nonNegativeInteger": kindInteger,
	"positiveInteger":    kindInteger,
	"nonPositiveInteger": kindInteger,
	"negativeInteger":    kindInteger,
	"unsignedLong":       kindInteger,
	"unsignedInt":        kindInteger,
	"unsignedShort":      kindInteger,
	"unsignedByte":       kindInteger,
	"decimal":            kindDecimal,
	"double":             kindDouble,
	"float":              kindFloat,
}

// IsNumeric reports whether dt is the local name of an XSD numeric
// datatype ("integer", "decimal", "double", ...), one NumberValue reads.
func IsNumeric(dt string) bool { return numericTypes[dt] != 0 }

// NumberValue parses lex as a literal of the XSD numeric datatype with
// local name dt ("integer", "decimal", "double", ...) to the nearest
// float64, by which numbers of all types compare and sort. ok is false
// for other datatypes, ill-formed lexical forms and NaN. xsd:float values
// are rounded to float32 first, as XSD promotes float to double; values
// beyond float64's range are ±Inf. lex is taken as is: trim surrounding
// whitespace first.
func NumberValue(dt, lex string) (f float64, ok bool) {
	kind := numericTypes[dt]
	switch kind {
	case 0:
		return 0, false
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

// isInteger reports whether s matches [+-]?[0-9]+.
func isInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return s != "" && digits(s) == len(s)
}

// isDecimal reports whether s matches [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+).
func isDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	n := digits(s)
	s = s[n:]
	if s == "" {
		return n > 0
	}
	if s[0] != '.' {
		return false
	}
	m := digits(s[1:])
	return n+m > 0 && m == len(s)-1
}

// isDouble reports whether s is a decimal with an optional exponent.
func isDouble(s string) bool {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return isDecimal(s[:i]) && isInteger(s[i+1:])
	}
	return isDecimal(s)
}

// digits returns the number of leading ASCII digits of s.
func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
