package jobs

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Mode is a job's reporting mode.
type Mode int

// Reporting modes (OSS/J file, event, both).
const (
	ReportResources Mode = iota
	ReportEvents
	ReportBoth
)

// A Definition is what a client says a job is to do, parsed from the
// job's RDF and checked.
type Definition struct {
	ID         rdf.IRI
	Title      string
	OnDemand   bool
	Objects    []rdf.IRI     // pmj:monitoredObject
	Class      rdf.IRI       // pmj:monitoredObjectClass; zero for none
	Filter     *parser.Where // pmj:instanceFilter; nil for none
	Indicators []rdf.IRI     // pmj:performanceIndicator, as given
	Metrics    []rdf.IRI     // the leaf metrics to collect; empty: all the collector offers
	Collector  collect.Collector
	Schedule   schedule.Schedule
	Mode       Mode
	Priority   int
	Locked     bool // pmj:adminState pmj:Locked
	// Params are the job's property values by predicate IRI, handed to
	// the collector for its options (collect.Request.Params).
	Params map[string][]string
	// Retention is how long the job's reports are kept after their
	// period ended (pmj:reportRetention); 0 means for ever.
	Retention time.Duration
}

// A DefinitionError says what is wrong with a job definition: one message
// per fault, each naming the property.
type DefinitionError struct {
	Faults []string
}

func (e *DefinitionError) Error() string {
	return "invalid job definition: " + strings.Join(e.Faults, "; ")
}

// defParser collects the faults of one definition.
type defParser struct {
	id     rdf.IRI
	vals   map[string][]rdf.Object
	faults []string
}

func (p *defParser) fault(prop, format string, args ...any) {
	p.faults = append(p.faults, "pmj:"+prop+": "+fmt.Sprintf(format, args...))
}

func (p *defParser) objs(prop string) []rdf.Object { return p.vals[vocab.PMJ+prop] }

// lit returns the lexical form of the single literal value of prop, or "".
func (p *defParser) lit(prop string) string {
	for _, o := range p.objs(prop) {
		if l, ok := o.(rdf.Literal); ok {
			return l.String()
		}
		p.fault(prop, "must be a literal, not %s", o.Serialize(rdf.NTriples))
	}
	return ""
}

func (p *defParser) iris(prop string) []rdf.IRI {
	var out []rdf.IRI
	for _, o := range p.objs(prop) {
		if i, ok := o.(rdf.IRI); ok {
			out = append(out, i)
		} else {
			p.fault(prop, "must be an IRI, not %s", o.Serialize(rdf.NTriples))
		}
	}
	return out
}

func (p *defParser) iri(prop string) rdf.IRI {
	if v := p.iris(prop); len(v) > 0 {
		return v[0]
	}
	return rdf.IRI{}
}

// parse reads and checks the job id in g. Faults of shape (cardinality,
// value types) are reported too, so a client sees everything at once.
func (e *Engine) parse(ctx context.Context, id rdf.IRI, g []rdf.Triple, now time.Time, fresh bool) (*Definition, error) {
	p := &defParser{id: id, vals: make(map[string][]rdf.Object)}
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) {
			p.vals[t.Pred.String()] = append(p.vals[t.Pred.String()], t.Obj)
		}
	}
	for _, v := range shapes.CheckLiterals(g) {
		p.faults = append(p.faults, v.Message)
	}
	for _, v := range shapes.Lookup(shapes.JobName).Validate(id, g) {
		p.faults = append(p.faults, v.Message)
	}
	d := &Definition{ID: id, Priority: 5, Params: make(map[string][]string)}
	for k, os := range p.vals {
		for _, o := range os {
			d.Params[k] = append(d.Params[k], o.String())
		}
	}
	for _, o := range p.vals[vocab.DCTitle.String()] {
		d.Title = o.String()
	}
	d.OnDemand = p.iri("jobType") == vocab.PMJTerm("OnDemand")
	d.Locked = p.iri("adminState") == vocab.PMJTerm("Locked")
	switch p.iri("reportingMode") {
	case vocab.PMJTerm("ReportEvents"):
		d.Mode = ReportEvents
	case vocab.PMJTerm("ReportResourcesAndEvents"):
		d.Mode = ReportBoth
	}
	if s := p.lit("jobPriority"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10 {
			p.fault("jobPriority", "must be an integer from 1 (highest) to 10, not %q", s)
		} else {
			d.Priority = n
		}
	}

	// Collector and metrics.
	if c := p.iri("collector"); c != (rdf.IRI{}) {
		d.Collector = e.collectors[c.String()]
		if d.Collector == nil {
			p.fault("collector", "%s is not a collector this provider has; it has %s", vocab.Short(c.String()), strings.Join(e.collectorNames(), ", "))
		}
	}
	d.Indicators = p.iris("performanceIndicator")
	if d.Collector != nil {
		if c, ok := d.Collector.(collect.ParamChecker); ok {
			p.faults = append(p.faults, c.CheckParams(d.Params)...)
		}
		d.Metrics = e.expandMetrics(p, d.Collector, d.Indicators, d.Params)
	}
	if d.Retention = p.duration("reportRetention"); d.Retention < 0 || (d.Retention > 0 && d.Retention < time.Minute) {
		p.fault("reportRetention", "must be at least PT1M")
	}

	// Monitored objects.
	d.Objects = p.iris("monitoredObject")
	d.Class = p.iri("monitoredObjectClass")
	filter := p.lit("instanceFilter")
	switch {
	case len(d.Objects) == 0 && d.Class == (rdf.IRI{}):
		p.fault("monitoredObject", "a job needs monitored objects: list them with pmj:monitoredObject, or give a pmj:monitoredObjectClass")
	case len(d.Objects) > 0 && d.Class != (rdf.IRI{}):
		p.fault("monitoredObjectClass", "give either pmj:monitoredObject or pmj:monitoredObjectClass, not both")
	case filter != "" && d.Class == (rdf.IRI{}):
		p.fault("instanceFilter", "an instance filter needs a pmj:monitoredObjectClass to filter")
	}
	if filter != "" {
		w, err := parser.ParseWhere(filter, e.prefixes)
		if err != nil {
			p.fault("instanceFilter", "%v", err)
		}
		d.Filter = w
	}
	if len(d.Objects) > 0 && fresh {
		for _, o := range d.Objects {
			ok, err := e.exists(ctx, o)
			if err != nil {
				return nil, err
			}
			if !ok || !strings.HasPrefix(o.String(), e.base+"/oslc/resources/") {
				p.fault("monitoredObject", "%s is not a monitored resource of this provider; create it at %s first", o, e.base+"/oslc/resources")
			}
		}
	}

	// Schedule.
	s := &d.Schedule
	s.Granularity = p.duration("granularity")
	s.ReportingPeriod = p.duration("reportingPeriod")
	if tz := p.lit("timeZone"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" {
			p.fault("timeZone", "%q is not an IANA time zone name such as Europe/Berlin or UTC", tz)
		} else {
			s.Location = loc
		}
	}
	if v := p.lit("startTime"); v != "" {
		s.Start, _ = time.Parse(time.RFC3339Nano, v)
	}
	if v := p.lit("stopTime"); v != "" {
		s.Stop, _ = time.Parse(time.RFC3339Nano, v)
	}
	for _, o := range p.objs("dailyInterval") {
		iv, err := parseInterval(o.String())
		if err != nil {
			p.fault("dailyInterval", "%v", err)
			continue
		}
		s.Intervals = append(s.Intervals, iv)
	}
	for _, day := range p.iris("weekDay") {
		if i := slices.Index(shapes.Weekdays, day); i >= 0 {
			s.Days |= schedule.WeekdaysOf(time.Weekday(i))
		}
	}
	if d.OnDemand && s.Stop.IsZero() {
		p.fault("stopTime", "an on-demand job runs for a bounded time: give it a stop time")
	}
	if len(p.faults) == 0 && fresh {
		if err := s.ValidateWith(now, e.horizon, e.granularities()); err != nil {
			p.faults = append(p.faults, scheduleFaults(err)...)
		}
	}
	if c, ok := d.Collector.(collect.TargetChecker); ok && len(p.faults) == 0 && fresh {
		// Refuse now what the collector would be refused every period.
		targets, err := e.resolve(ctx, d)
		if err != nil {
			return nil, err
		}
		p.faults = append(p.faults, c.CheckTargets(ctx, targets, d.Params)...)
	}
	if len(p.faults) > 0 {
		return nil, &DefinitionError{Faults: p.faults}
	}
	return d, nil
}

// scheduleFaults names the job property each schedule error is about.
func scheduleFaults(err error) []string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, scheduleFaults(e)...)
		}
		return out
	}
	var de *schedule.DefinitionError
	if !errors.As(err, &de) {
		return []string{err.Error()}
	}
	field := de.Field
	switch {
	case field == "granularityPeriod":
		field = "granularity"
	case strings.HasPrefix(field, "dailyIntervals"):
		field = "dailyInterval" + strings.TrimPrefix(field, "dailyIntervals")
	case field == "weeklyDays":
		field = "weekDay"
	}
	return []string{"pmj:" + field + ": " + de.Msg}
}

// duration parses the xsd:duration value of prop (days, hours, minutes and
// whole seconds), or returns 0 if there is none.
func (p *defParser) duration(prop string) time.Duration {
	v := p.lit(prop)
	if v == "" {
		return 0
	}
	d, err := vocab.ParseDuration(v)
	if err != nil {
		p.fault(prop, "%v", err)
	}
	return d
}

var intervalRE = regexp.MustCompile(`^\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*(?:-|–|/)\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*$`)

// parseInterval parses a daily recording interval "HH:MM-HH:MM".
func parseInterval(v string) (schedule.Interval, error) {
	m := intervalRE.FindStringSubmatch(v)
	if m == nil {
		return schedule.Interval{}, fmt.Errorf("%q is not a daily interval \"HH:MM-HH:MM\" such as \"08:00-17:30\"", v)
	}
	tod := func(h, mi, s string) time.Duration {
		hh, _ := strconv.Atoi(h)
		mm, _ := strconv.Atoi(mi)
		ss, _ := strconv.Atoi(s + "0")
		return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute + time.Duration(ss/10)*time.Second
	}
	iv := schedule.Interval{From: tod(m[1], m[2], m[3]), To: tod(m[4], m[5], m[6])}
	if iv.From >= 24*time.Hour || iv.To > 24*time.Hour || m[2] >= "60" || m[5] >= "60" {
		return iv, fmt.Errorf("%q: times of day run from 00:00 to 24:00", v)
	}
	return iv, nil
}

// expandMetrics turns the requested indicators into the leaf metrics the
// collector offers. A category stands for its metrics the collector offers.
func (e *Engine) expandMetrics(p *defParser, c collect.Collector, inds []rdf.IRI, params map[string][]string) []rdf.IRI {
	offered := make(map[rdf.IRI]bool)
	var names []string
	ms := c.Metrics()
	if f, ok := c.(interface {
		MetricsFor(map[string][]string) []collect.Metric
	}); ok {
		ms = f.MetricsFor(params)
	}
	for _, m := range ms {
		offered[m.IRI] = true
		names = append(names, vocab.Short(m.IRI.String()))
	}
	var out []rdf.IRI
	for _, ind := range inds {
		key := ind.String()
		switch {
		case e.leaf[key] || offered[ind]:
			if !offered[ind] {
				p.fault("performanceIndicator", "the %s collector does not measure %s; it measures %s", c.Name(), vocab.Short(key), strings.Join(names, ", "))
				continue
			}
			out = append(out, ind)
		case len(e.members[key]) > 0:
			n := 0
			for _, m := range e.members[key] {
				if offered[m] {
					out = append(out, m)
					n++
				}
			}
			if n == 0 {
				p.fault("performanceIndicator", "the %s collector measures none of the metrics of %s; it measures %s", c.Name(), vocab.Short(key), strings.Join(names, ", "))
			}
		default:
			p.fault("performanceIndicator", "%s is not a pm metric or metric category", vocab.Short(key))
		}
	}
	slices.SortFunc(out, func(a, b rdf.IRI) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(out)
}
