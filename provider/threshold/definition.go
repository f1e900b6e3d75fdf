package threshold

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Terms of thresholds and alarms.
var (
	Class      = vocab.PMJTerm("Threshold")
	AlarmClass = vocab.PMJTerm("Alarm")
	StateClass = vocab.PMJTerm("ThresholdState")

	pObject    = vocab.PMJTerm("monitoredObject")
	pClass     = vocab.PMJTerm("monitoredObjectClass")
	pFilter    = vocab.PMJTerm("instanceFilter")
	pIndicator = vocab.PMJTerm("performanceIndicator")
	pDirection = vocab.PMJTerm("thresholdDirection")
	pValue     = vocab.PMJTerm("thresholdValue")
	pOffset    = vocab.PMJTerm("thresholdOffset")
	pGran      = vocab.PMJTerm("granularity")
	pSeverity  = vocab.PMJTerm("perceivedSeverity")
	pAdmin     = vocab.PMJTerm("adminState")

	RisingIRI  = vocab.PMJTerm("Rising")
	FallingIRI = vocab.PMJTerm("Falling")
	BothIRI    = vocab.PMJTerm("RisingAndFalling")

	// DefaultSeverity is the severity of a threshold that names none.
	DefaultSeverity = vocab.PMJTerm("Major")

	locked = vocab.PMJTerm("Locked")
)

// A Threshold is a threshold definition, parsed from its RDF and checked.
type Threshold struct {
	ID     rdf.IRI
	Ident  string // the last segment of ID
	Title  string
	Spec   Spec
	Metric rdf.IRI
	// Objects are the monitored resources; or Class, with Filter, names
	// them as a job's pmj:monitoredObjectClass and pmj:instanceFilter do.
	Objects []rdf.IRI
	Class   rdf.IRI
	Filter  *parser.Where
	// Granularity, if not 0, limits the threshold to records of periods
	// this long (pmj:periodStart to dcterms:date).
	Granularity time.Duration
	Severity    rdf.IRI
	Locked      bool
}

// A DefinitionError says what is wrong with a threshold: one message per
// fault, each naming the property.
type DefinitionError struct {
	Faults []string
}

func (e *DefinitionError) Error() string {
	return "invalid threshold: " + strings.Join(e.Faults, "; ")
}

// stringTyped are the measures whose values are not numbers: OSS/J does
// not allow a STRING attribute as a threshold attribute.
var stringTyped = func() map[rdf.IRI]bool {
	m := map[rdf.IRI]bool{vocab.PMAvailabilityStatus: true}
	for _, d := range vocab.Documents {
		g, err := d.Graph()
		if err != nil {
			continue
		}
		for _, t := range g {
			if t.Pred.String() == vocab.RDFS+"range" && t.Obj == vocab.XSDString {
				if i, ok := t.Subj.(rdf.IRI); ok {
					m[i] = true
				}
			}
		}
	}
	return m
}()

var leafMetrics = func() map[string]bool {
	m := make(map[string]bool)
	for _, x := range vocab.Metrics() {
		m[x] = true
	}
	return m
}()

// Watchable says whether a threshold may watch metric: a pm metric (not
// a category) whose values are numbers.
func Watchable(metric rdf.IRI) bool {
	return !stringTyped[metric] && leafMetrics[metric.String()]
}

var prefixes = func() map[string]string {
	m := make(map[string]string)
	for _, p := range vocab.Prefixes {
		m[p.Prefix] = p.NS
	}
	return m
}()

// Parse reads and checks the threshold id in g. Faults of shape
// (cardinality, value types) are reported too, so that a client sees
// everything at once.
func Parse(id rdf.IRI, g []rdf.Triple) (*Threshold, error) {
	vals := make(map[rdf.IRI][]rdf.Object)
	for _, t := range g {
		if isSubj(t, id) {
			if p, ok := t.Pred.(rdf.IRI); ok {
				vals[p] = append(vals[p], t.Obj)
			}
		}
	}
	var faults []string
	fault := func(p rdf.IRI, format string, args ...any) {
		faults = append(faults, vocab.Short(p.String())+": "+fmt.Sprintf(format, args...))
	}
	for _, v := range shapes.CheckLiterals(g) {
		faults = append(faults, v.Message)
	}
	if sh := shapes.Lookup(shapes.ThresholdName); sh != nil {
		for _, v := range sh.Validate(id, g) {
			faults = append(faults, v.Message)
		}
	}
	iri := func(p rdf.IRI) rdf.IRI {
		for _, o := range vals[p] {
			if i, ok := o.(rdf.IRI); ok {
				return i
			}
		}
		return rdf.IRI{}
	}
	num := func(p rdf.IRI) (float64, bool) {
		for _, o := range vals[p] {
			f, err := strconv.ParseFloat(strings.TrimSpace(o.String()), 64)
			if err != nil {
				fault(p, "must be a number, not %q", o.String())
				return 0, false
			}
			return f, true
		}
		return 0, false
	}
	th := &Threshold{ID: id, Ident: lastSegment(id), Severity: DefaultSeverity}
	for _, o := range vals[vocab.DCTitle] {
		th.Title = o.String()
	}
	for _, o := range vals[pObject] {
		if i, ok := o.(rdf.IRI); ok {
			th.Objects = append(th.Objects, i)
		}
	}
	th.Class = iri(pClass)
	var filter string
	for _, o := range vals[pFilter] {
		filter = o.String()
	}
	switch {
	case len(th.Objects) == 0 && th.Class == (rdf.IRI{}):
		fault(pObject, "a threshold needs monitored objects: list them with pmj:monitoredObject, or give a pmj:monitoredObjectClass")
	case len(th.Objects) > 0 && th.Class != (rdf.IRI{}):
		fault(pClass, "give either pmj:monitoredObject or pmj:monitoredObjectClass, not both")
	case filter != "" && th.Class == (rdf.IRI{}):
		fault(pFilter, "an instance filter needs a pmj:monitoredObjectClass to filter")
	}
	if filter != "" {
		w, err := parser.ParseWhere(filter, prefixes)
		if err != nil {
			fault(pFilter, "%v", err)
		}
		th.Filter = w
	}
	ms := vals[pIndicator]
	switch {
	case len(ms) != 1:
		fault(pIndicator, "a threshold watches exactly one metric, e.g. pm:CpuUsed; %d given", len(ms))
	default:
		m, ok := ms[0].(rdf.IRI)
		switch {
		case !ok:
			fault(pIndicator, "must be a metric IRI, not %s", ms[0].Serialize(rdf.NTriples))
		case stringTyped[m]:
			fault(pIndicator, "%s is a STRING-typed measure: a threshold attribute must be numeric (OSS/J ThresholdDefinition)", vocab.Short(m.String()))
		case !leafMetrics[m.String()]:
			fault(pIndicator, "%s is not a pm metric; name one metric such as pm:CpuUsed (not a category)", vocab.Short(m.String()))
		default:
			th.Metric = m
		}
	}
	switch d := iri(pDirection); d {
	case RisingIRI, rdf.IRI{}:
		th.Spec.Dir = Rising
	case FallingIRI:
		th.Spec.Dir = Falling
	case BothIRI:
		th.Spec.Dir = Both
	default:
		fault(pDirection, "must be pmj:Rising, pmj:Falling or pmj:RisingAndFalling, not %s", vocab.Short(d.String()))
	}
	if v, ok := num(pValue); ok {
		th.Spec.Value = v
	} else if len(vals[pValue]) == 0 {
		fault(pValue, "a threshold needs a value")
	}
	if v, ok := num(pOffset); ok {
		if v < 0 || v != v {
			fault(pOffset, "must be zero or more, not %g", v)
		}
		th.Spec.Offset = v
	}
	if th.Spec.Dir == Both && th.Spec.Offset == 0 && len(faults) == 0 {
		fault(pOffset, "pmj:RisingAndFalling needs an offset above zero: its levels are value + offset and value - offset")
	}
	for _, o := range vals[pGran] {
		d, err := vocab.ParseDuration(o.String())
		if err != nil || d <= 0 {
			fault(pGran, "must be an xsd:duration such as PT1M, not %q", o.String())
		}
		th.Granularity = d
	}
	if s := iri(pSeverity); s != (rdf.IRI{}) {
		ok := false
		for _, x := range shapes.Severities {
			ok = ok || x == s
		}
		if !ok {
			fault(pSeverity, "must be pmj:Critical, pmj:Major, pmj:Minor, pmj:Warning or pmj:Indeterminate, not %s", vocab.Short(s.String()))
		}
		th.Severity = s
	}
	th.Locked = iri(pAdmin) == locked
	if len(faults) > 0 {
		return nil, &DefinitionError{Faults: dedupe(faults)}
	}
	return th, nil
}

func dedupe(s []string) []string {
	seen := make(map[string]bool)
	out := s[:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// lastSegment is the last path segment of an IRI.
func lastSegment(i rdf.IRI) string {
	return vocab.LocalName(strings.TrimSuffix(i.String(), "/"))
}

// granularityOK says whether the threshold watches records of periods
// this long (0: the record does not say).
func (t *Threshold) granularityOK(period time.Duration) bool {
	return t.Granularity == 0 || t.Granularity == period
}
