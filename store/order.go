package store

import (
	"encoding/binary"
	"math"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

// Classes of object sort keys; see doc.go. The class byte orders classes
// before values, so each class is one contiguous run of a predicate's POSG
// keys.
const (
	classOther    byte = 0 // IRIs, blank nodes, other literals: value is zero
	classNumber   byte = 1 // value is the order-preserving float64 bits
	classDateTime byte = 2 // value is UTC unix microseconds, sign bit flipped
)

// sortKey returns the class and order-preserving value of an object term.
// Terms that are not well-formed numbers or dateTimes are classOther.
func sortKey(t rdf.Term) (class byte, v uint64) {
	l, ok := t.(rdf.Literal)
	if !ok || l.Lang() != "" {
		return classOther, 0
	}
	dt := l.DataType.String()
	if !strings.HasPrefix(dt, xsdNS) {
		return classOther, 0
	}
	return literalSortKey(dt[len(xsdNS):], l.String())
}

// literalSortKey is sortKey for a literal with XSD datatype local name dt,
// whose value it reads as package literal does.
func literalSortKey(dt, lex string) (class byte, v uint64) {
	lex = strings.Trim(lex, " \t\r\n")
	if dt == "dateTime" || dt == "dateTimeStamp" {
		us, ok := literal.DateTimeValue(lex, dt == "dateTimeStamp")
		if !ok {
			return classOther, 0
		}
		return classDateTime, uint64(us) ^ 1<<63
	}
	f, ok := literal.NumberValue(dt, lex)
	if !ok {
		return classOther, 0
	}
	return classNumber, floatKey(f)
}

// floatKey maps f to a uint64 whose unsigned order is f's numeric order:
// negative numbers have all bits flipped, others only the sign bit.
func floatKey(f float64) uint64 {
	if f == 0 {
		f = 0 // -0 ties with +0
	}
	b := math.Float64bits(f)
	if b&(1<<63) != 0 {
		return ^b
	}
	return b | 1<<63
}

// putSortKey writes the 9-byte class and value of an object sort key to b.
func putSortKey(b []byte, class byte, v uint64) {
	b[0] = class
	binary.BigEndian.PutUint64(b[1:9], v)
}
