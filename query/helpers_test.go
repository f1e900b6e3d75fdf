package query_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

const (
	base    = "http://example.org/"
	records = base + "records/"
	hosts   = base + "resources/"
)

func iri(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}

func blank(label string) rdf.Blank {
	b, err := rdf.NewBlank(label)
	if err != nil {
		panic(err)
	}
	return b
}

func typed(lex string, dt rdf.IRI) rdf.Literal { return rdf.NewTypedLiteral(lex, dt) }
func str(s string) rdf.Literal                 { return typed(s, vocab.XSDString) }

func tr(s rdf.Subject, p rdf.Predicate, o rdf.Object) rdf.Triple {
	return rdf.Triple{Subj: s, Pred: p, Obj: o}
}

var (
	pm             = func(l string) rdf.IRI { return vocab.IRI(vocab.PM, l) }
	crtvComputer   = vocab.IRI(vocab.CRTV, "ComputerSystem")
	pmCpuUsed      = pm("CpuUsed")
	pmRealMemUsed  = pm("RealMemoryUsed")
	pmRunning      = pm("Running")
	recordScope    = query.Scope{Types: []rdf.IRI{vocab.PMRecord}, Prefix: records}
	defaultPrefixs = parser.DefaultPrefixes()
)

// measure is one ems:Measure of a record: a metric and a typed value.
type measure struct {
	metric rdf.IRI
	value  rdf.Literal
}

// record describes a PM record of the fixture.
type record struct {
	id       string // local name under records/
	date     string // xsd:dateTime lexical form; "" for none
	host     string // local name under resources/
	measures []measure
	title    string
	status   rdf.IRI
	fragment bool // measures as fragment IRIs rather than blank nodes
	extra    []po // more properties of the record
}

// po is a property and value.
type po struct {
	p rdf.IRI
	o rdf.Object
}

var (
	exSeq   = iri("http://example.org/ns#seq")
	exAlert = iri("http://example.org/ns#alert")
)

func lang(s, tag string) rdf.Literal {
	l, err := rdf.NewLangLiteral(s, tag)
	if err != nil {
		panic(err)
	}
	return l
}

func (r record) resource() store.Resource {
	id := iri(records + r.id)
	g := []rdf.Triple{tr(id, vocab.RDFType, vocab.PMRecord)}
	if r.date != "" {
		g = append(g, tr(id, vocab.DCDate, typed(r.date, vocab.XSDDateTime)))
	}
	if r.host != "" {
		g = append(g, tr(id, vocab.DCIsPartOf, iri(hosts+r.host)))
	}
	if r.title != "" {
		g = append(g, tr(id, vocab.DCTitle, str(r.title)))
	}
	if r.status != (rdf.IRI{}) {
		g = append(g, tr(id, vocab.PMAvailabilityStatus, r.status))
	}
	for _, x := range r.extra {
		g = append(g, tr(id, x.p, x.o))
	}
	for i, m := range r.measures {
		var n rdf.Subject = blank(fmt.Sprintf("m%d", i))
		if r.fragment {
			n = iri(fmt.Sprintf("%s#m%d", id.String(), i))
		}
		g = append(g,
			tr(id, vocab.EMSObserves, n.(rdf.Object)),
			tr(n, vocab.RDFType, vocab.EMSMeasure),
			tr(n, vocab.EMSMetric, m.metric),
			tr(n, vocab.EMSNumericValue, m.value))
	}
	return store.Resource{ID: id, Triples: g}
}

func dec(s string) rdf.Literal { return typed(s, vocab.XSDDecimal) }
func integer(s string) rdf.Literal {
	return typed(s, vocab.XSDInteger)
}

// fixture is the records of the evaluator tests. Dates are chosen so that
// their lexical order differs from their order as instants.
var fixture = []record{
	{id: "r01", extra: []po{{exSeq, typed("3", vocab.XSDInt)}, {exAlert, typed("true", vocab.XSDBoolean)}}, date: "2026-11-01T00:30:00Z", host: "web01", title: "CPU spike on web01", status: pmRunning,
		measures: []measure{{pmCpuUsed, dec("95.5")}, {pmRealMemUsed, integer("40")}}},
	{id: "r02", extra: []po{{exSeq, dec("1.5")}, {exAlert, typed("1", vocab.XSDBoolean)}}, date: "2026-11-01T02:00:00+02:00", host: "web01", title: "Memory pressure on web01", status: pmRunning,
		measures: []measure{{pmCpuUsed, typed("2.0E1", vocab.XSDDouble)}, {pmRealMemUsed, integer("91")}}},
	{id: "r03", extra: []po{{exSeq, typed("2E0", vocab.XSDDouble)}, {exAlert, typed("false", vocab.XSDBoolean)}, {vocab.DCDescription, lang("Sauvegarde", "fr")}}, date: "2026-11-01T01:15:00-01:00", host: "web02", title: "Database backup",
		measures: []measure{{pmCpuUsed, typed("91", vocab.XSDInt)}, {pmRealMemUsed, integer("30")}}},
	{id: "r04", extra: []po{{exSeq, integer("10")}, {exSeq, integer("0")}}, date: "2026-10-31T23:59:59Z", host: "web02", title: "Normal operation", status: pm("Stopped"),
		measures: []measure{{pmCpuUsed, integer("50")}, {pmRealMemUsed, integer("50")}}},
	{id: "r05", extra: []po{{exSeq, typed("-1", vocab.XSDLong)}, {vocab.DCDescription, lang("Backup", "en-GB")}}, date: "2026-11-01T10:00:00Z", host: "db01", title: "Memory leak suspected in the database",
		measures: []measure{{pmCpuUsed, integer("90")}, {pmRealMemUsed, integer("95")}}},
	{id: "r06", date: "2026-11-01T00:00:00", host: "db01", title: "Idle database", status: pmRunning,
		measures: []measure{{pmCpuUsed, integer("10")}, {pmRealMemUsed, integer("10")}}},
	{id: "r07", extra: []po{{exSeq, integer("2")}}, date: "2026-11-01T05:00:00.5Z", host: "web01", title: "CPU CPU cpu overload",
		measures: []measure{{pmCpuUsed, dec("99.9")}}},
	{id: "r08", extra: []po{{exSeq, typed("INF", vocab.XSDDouble)}}, host: "web02", title: "Record without a date",
		measures: []measure{{pmCpuUsed, integer("5")}}},
	{id: "r09", extra: []po{{exSeq, typed("7", vocab.XSDFloat)}}, date: "2026-11-01T03:00:00Z", host: "db01", title: "Fragment measures", fragment: true,
		measures: []measure{{pmCpuUsed, integer("97")}, {pmRealMemUsed, integer("20")}}},
}

// pmStoreOptions returns opt with the indexes cmd/pmprovider asks of the
// store: the full-text index of vocab.TextIndexed and the pair index of
// vocab.MeasurePair.
func pmStoreOptions(opt store.Options) *store.Options {
	opt.TextPredicates = vocab.TextIndexed
	opt.Pairs = []store.Pair{store.Pair(vocab.MeasurePair), store.Pair(vocab.DatePair)}
	return &opt
}

// openFixture returns a store with the fixture, its hosts, a resource of
// another type under records/, and the pm vocabulary with its
// rdfs:subClassOf closure, as the provider stores it.
func openFixture(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{NoSync: true}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	var rs []store.Resource
	for _, r := range fixture {
		rs = append(rs, r.resource())
	}
	for _, h := range []struct{ id, title string }{{"web01", "Web server 01"}, {"web02", "Web server 02"}, {"db01", "Database server"}} {
		id := iri(hosts + h.id)
		rs = append(rs, store.Resource{ID: id, Triples: []rdf.Triple{
			tr(id, vocab.RDFType, crtvComputer),
			tr(id, vocab.DCTitle, str(h.title)),
		}})
	}
	// Not a record, though under records/ and with a date.
	other := iri(records + "x-other")
	rs = append(rs, store.Resource{ID: other, Triples: []rdf.Triple{
		tr(other, vocab.RDFType, crtvComputer),
		tr(other, vocab.DCDate, typed("2026-11-01T00:45:00Z", vocab.XSDDateTime)),
		tr(other, vocab.DCIsPartOf, iri(hosts+"web01")),
		tr(other, vocab.DCTitle, str("CPU other")),
	}})
	rs = append(rs, vocabResource(t))
	require.NoError(t, db.Load(context.Background(), rs))
	return db
}

// vocabResource is the pm vocabulary with the closure of rdfs:subClassOf.
func vocabResource(t testing.TB) store.Resource {
	t.Helper()
	g, err := vocab.Lookup("perfmon").Graph()
	require.NoError(t, err)
	g = append([]rdf.Triple(nil), g...)
	sup, err := vocab.SubClassClosure()
	require.NoError(t, err)
	for c, ps := range sup {
		for _, p := range ps {
			g = append(g, tr(iri(c), vocab.RDFSSubClass, iri(p)))
		}
	}
	return store.Resource{ID: iri("http://open-services.net/ns/perfmon"), Triples: g}
}

// run parses and runs a query in a snapshot of db.
func run(t testing.TB, db *store.DB, scope query.Scope, where, orderBy, sel, search string, page query.Page) (*query.Result, error) {
	t.Helper()
	q, err := parseQuery(where, orderBy, sel, search)
	if err != nil {
		return nil, err
	}
	var res *query.Result
	err = db.View(context.Background(), func(s *store.Snapshot) error {
		var err error
		res, err = query.Run(context.Background(), boltsource.NewSource(s), scope, q, page)
		return err
	})
	return res, err
}

func parseQuery(where, orderBy, sel, search string) (*query.Query, error) {
	q := &query.Query{}
	var err error
	if where != "" {
		if q.Where, err = parser.ParseWhere(where, defaultPrefixs); err != nil {
			return nil, err
		}
	}
	if orderBy != "" {
		if q.OrderBy, err = parser.ParseOrderBy(orderBy, defaultPrefixs); err != nil {
			return nil, err
		}
	}
	if sel != "" {
		if q.Select, err = parser.ParseSelect(sel, defaultPrefixs); err != nil {
			return nil, err
		}
	}
	if search != "" {
		if q.SearchTerms, err = parser.ParseSearchTerms(search); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// ids returns the local names of the members under records/ or resources/.
func ids(res *query.Result) []string {
	out := []string{}
	for _, m := range res.Members {
		s := m.ID.String()
		switch {
		case len(s) > len(records) && s[:len(records)] == records:
			s = s[len(records):]
		case len(s) > len(hosts) && s[:len(hosts)] == hosts:
			s = s[len(hosts):]
		}
		out = append(out, s)
	}
	return out
}
