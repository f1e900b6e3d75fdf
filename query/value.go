package query

import (
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/vocab"
)

// class is the kind of an RDF term for comparison and sorting. The order
// of the constants is the sort order of values of different kinds; numbers
// before dateTimes matches the order of Source.Range.
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

// classify parses a stored term. It follows the rules of Source.Range
// (literal.NumberValue, literal.DateTimeValue), so that a value a source's
// Range finds is one the engine's checks accept.
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
			if us, ok := literal.DateTimeValue(trimmed, local == "dateTimeStamp"); ok {
				return val{cls: clsDateTime, us: us, str: lex}
			}
		case local == "boolean":
			switch trimmed {
			case "true", "1":
				return val{cls: clsBoolean, num: 1, str: lex}
			case "false", "0":
				return val{cls: clsBoolean, num: 0, str: lex}
			}
		default:
			if f, ok := literal.NumberValue(local, trimmed); ok {
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
