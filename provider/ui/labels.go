package ui

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/oslc-pm/pmprovider/vocab"
)

// People read "CPU used", "62.1 %" and "6 Dec 21:10", not pm:CpuUsed,
// 62.10103727126928 and 2026-12-06T21:10:00Z: the pages say terms by the
// labels of the vocabularies the provider serves, numbers rounded with
// their unit, and times in a time zone with the ISO value on hover.

var vocabLabels struct {
	once sync.Once
	m    map[string]string
}

// acronyms are the words the pm vocabulary's CamelCase labels spell in
// mixed case.
var acronyms = map[string]string{"cpu": "CPU", "jms": "JMS", "io": "IO", "sql": "SQL", "vm": "VM", "jca": "JCA", "fqdn": "FQDN", "url": "URL"}

// termLabel returns the label of the vocabulary term iri: its rdfs:label,
// CamelCase split into words ("CpuUsed": "CPU used"), or the term's short
// name when no vocabulary labels it.
func termLabel(iri string) string {
	vocabLabels.once.Do(func() {
		vocabLabels.m = map[string]string{}
		for _, d := range vocab.Documents {
			g, err := d.Graph()
			if err != nil {
				continue
			}
			for _, t := range g {
				if t.Pred.String() == vocab.RDFS+"label" {
					if _, ok := vocabLabels.m[t.Subj.String()]; !ok {
						vocabLabels.m[t.Subj.String()] = humanize(t.Obj.String())
					}
				}
			}
		}
	})
	if l, ok := vocabLabels.m[iri]; ok && l != "" {
		return l
	}
	return humanize(lastSegment(iri))
}

// humanize splits a CamelCase name into a phrase with a capital first
// letter, keeping acronyms: "RealMemoryUsed" is "Real memory used".
func humanize(s string) string {
	if strings.ContainsRune(s, ' ') || s == "" {
		if s == "" {
			return s
		}
		r := []rune(s)
		r[0] = unicode.ToUpper(r[0])
		return string(r)
	}
	var words []string
	start := 0
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	words = append(words, string(rs[start:]))
	for i, w := range words {
		if a, ok := acronyms[strings.ToLower(w)]; ok {
			words[i] = a
		} else if i > 0 && !(len(w) > 1 && unicode.IsUpper([]rune(w)[1])) {
			words[i] = strings.ToLower(w)
		} else if i == 0 {
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			words[i] = string(r)
		}
	}
	return strings.Join(words, " ")
}

// A unit is how a measure's unit is written, and how its values scale.
type unit struct {
	Symbol string // "%", "B", "ms", or the unit's name
	binary bool   // scales by 1024 (bytes)
}

// unitOf reads the DBpedia unit IRIs records use.
func unitOf(iri string) unit {
	switch lastSegment(iri) {
	case "":
		return unit{}
	case "Percentage":
		return unit{Symbol: "%"}
	case "Byte":
		return unit{Symbol: "B", binary: true}
	case "Millisecond":
		return unit{Symbol: "ms"}
	case "Second":
		return unit{Symbol: "s"}
	}
	return unit{Symbol: humanize(lastSegment(iri))}
}

// format writes v rounded to about three significant digits with u, in
// the largest multiple of u below v: "1.07 GiB", "62.1 %", "12 k".
func (u unit) format(v float64) string {
	n, prefix := u.scale(math.Abs(v))
	s := roundText(v / n)
	sym := prefix + u.Symbol
	switch {
	case sym == "":
		return s
	case u.Symbol == "%" && prefix == "":
		return s + " %"
	}
	return s + " " + sym
}

// scale returns the divisor and prefix of values about v.
func (u unit) scale(v float64) (float64, string) {
	if u.Symbol == "%" {
		return 1, ""
	}
	base, prefixes := 1000.0, []string{"", "k", "M", "G", "T", "P"}
	if u.binary {
		base, prefixes = 1024, []string{"", "Ki", "Mi", "Gi", "Ti", "Pi"}
	}
	n, i := 1.0, 0
	for v >= n*base && i < len(prefixes)-1 {
		n *= base
		i++
	}
	return n, prefixes[i]
}

// roundText writes v with three significant digits, at most two
// decimals, without trailing zeros.
func roundText(v float64) string {
	a := math.Abs(v)
	dec := 2
	switch {
	case a >= 100:
		dec = 0
	case a >= 10:
		dec = 1
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// humanTime writes t for people, in loc: "6 Dec 21:10:05", with the year
// when it is not the current one.
func humanTime(t time.Time, loc *time.Location, now time.Time) string {
	t = t.In(loc)
	layout := "2 Jan 15:04:05"
	if t.Year() != now.In(loc).Year() {
		layout = "2 Jan 2006 15:04"
	}
	return t.Format(layout)
}

// timeHTML is t as a <time> element: human text, the ISO value in its
// datetime attribute and on hover.
func timeHTML(t time.Time, loc *time.Location, now time.Time) template.HTML {
	iso := t.UTC().Format(time.RFC3339)
	return template.HTML(`<time datetime="` + iso + `" title="` + iso + `">` + template.HTMLEscapeString(humanTime(t, loc, now)) + `</time>`)
}

// parseTime reads an xsd:dateTime.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// zones are the time zones the pages offer besides the viewer's.
var zones = []string{"UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney"}

// zoneOf returns the location named tz, UTC when it names none.
func zoneOf(tz string) (*time.Location, string) {
	if tz == "" {
		return time.UTC, "UTC"
	}
	if l, err := time.LoadLocation(tz); err == nil {
		return l, tz
	}
	return time.UTC, "UTC"
}
