package codec_test

import (
	"strings"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Builders for test graphs. They panic on bad input: test data is fixed.

func iri(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}

func bn(label string) rdf.Blank {
	b, err := rdf.NewBlank(label)
	if err != nil {
		panic(err)
	}
	return b
}

func str(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDString) }

func typed(s string, dt rdf.IRI) rdf.Literal { return rdf.NewTypedLiteral(s, dt) }

// lang builds a language-tagged literal; knakk's constructor rejects tags
// with more than one subtag, which N-Triples decoding accepts.
func lang(s, tag string) rdf.Literal {
	if l, err := rdf.NewLangLiteral(s, tag); err == nil {
		return l
	}
	g, err := codec.Decode(strings.NewReader(`<x:s> <x:p> "`+s+`"@`+tag+" .\n"), codec.NTriples, "")
	if err != nil {
		panic(err)
	}
	return g[0].Obj.(rdf.Literal)
}

func tr(s rdf.Subject, p rdf.IRI, o rdf.Object) rdf.Triple {
	return rdf.Triple{Subj: s, Pred: p, Obj: o}
}

const (
	ex      = "http://example.org/"
	catURI  = "http://pm.example.org/oslc/catalog"
	spURI   = "http://pm.example.org/oslc/sp/web01"
	recURI  = "http://pm.example.org/oslc/records/web01/2024-05-01T10:00:00Z"
	hostURI = "http://pm.example.org/resources/hosts/web01"
)

var (
	o  = func(l string) rdf.IRI { return vocab.IRI(vocab.OSLC, l) }
	dc = func(l string) rdf.IRI { return vocab.IRI(vocab.DCTerms, l) }
	pm = func(l string) rdf.IRI { return vocab.IRI(vocab.PM, l) }
	em = func(l string) rdf.IRI { return vocab.IRI(vocab.EMS, l) }
	a  = vocab.RDFType
)

// catalogGraph is an OSLC catalog and service provider with nested blank
// nodes (service › query capability, creation factory, prefix definitions).
func catalogGraph() []rdf.Triple {
	cat, sp := iri(catURI), iri(spURI)
	svc, qc, cf, pd1, pd2, pub := bn("svc"), bn("qc"), bn("cf"), bn("pd1"), bn("pd2"), bn("pub")
	return []rdf.Triple{
		tr(cat, a, vocab.OSLCServiceProviderCatalog),
		tr(cat, dc("title"), typed("OSLC PM Catalog", vocab.RDFXMLLiteral)),
		tr(cat, dc("description"), lang("Performance monitoring providers", "en")),
		tr(cat, o("domain"), iri(vocab.PM)),
		tr(cat, o("domain"), iri(vocab.PMLegacy)),
		tr(cat, o("serviceProvider"), sp),
		tr(cat, dc("publisher"), pub),
		tr(pub, a, o("Publisher")),
		tr(pub, dc("title"), str("Example PM Tools")),
		tr(pub, dc("identifier"), str("org.example.pm")),
		tr(sp, a, vocab.OSLCServiceProviderClass),
		tr(sp, dc("title"), typed("Host <b>web01</b> &amp; friends", vocab.RDFXMLLiteral)),
		tr(sp, o("service"), svc),
		tr(sp, o("prefixDefinition"), pd1),
		tr(sp, o("prefixDefinition"), pd2),
		tr(pd1, a, o("PrefixDefinition")),
		tr(pd1, o("prefix"), str("pm")),
		tr(pd1, o("prefixBase"), iri(vocab.PM)),
		tr(pd2, a, o("PrefixDefinition")),
		tr(pd2, o("prefix"), str("ems")),
		tr(pd2, o("prefixBase"), iri(vocab.EMS)),
		tr(svc, a, o("Service")),
		tr(svc, o("domain"), iri(vocab.PM)),
		tr(svc, o("queryCapability"), qc),
		tr(svc, o("creationFactory"), cf),
		tr(qc, a, o("QueryCapability")),
		tr(qc, dc("title"), typed("Records", vocab.RDFXMLLiteral)),
		tr(qc, o("queryBase"), iri(spURI+"/records")),
		tr(qc, o("resourceType"), vocab.PMRecord),
		tr(qc, o("resourceShape"), iri("http://pm.example.org/oslc/shapes/record")),
		tr(cf, a, o("CreationFactory")),
		tr(cf, dc("title"), typed("New record", vocab.RDFXMLLiteral)),
		tr(cf, o("creation"), iri(spURI+"/records")),
		tr(cf, o("resourceType"), vocab.PMRecord),
		tr(cf, o("resourceType"), iri(vocab.PMLegacy+"PerformanceMonitoringRecord")),
	}
}

// recordGraph is a PM record observing two ems:Measure blank nodes.
func recordGraph() []rdf.Triple {
	rec, m1, m2 := iri(recURI), bn("m1"), bn("m2")
	xsd := func(l string) rdf.IRI { return vocab.IRI(vocab.XSD, l) }
	return []rdf.Triple{
		tr(rec, a, vocab.PMRecord),
		tr(rec, a, iri(vocab.CRTV+"ServerInstance")),
		tr(rec, dc("title"), lang("CPU and memory of web01", "en")),
		tr(rec, dc("title"), lang("CPU und Speicher von web01", "de-DE")),
		tr(rec, dc("created"), typed("2024-05-01T10:00:00Z", vocab.XSDDateTime)),
		tr(rec, dc("isPartOf"), iri(spURI)),
		tr(rec, pm("observationOf"), iri(hostURI)),
		tr(rec, vocab.PMAvailabilityStatus, iri(vocab.PM+"Available")),
		tr(rec, em("observes"), m1),
		tr(rec, em("observes"), m2),
		tr(rec, o("instanceShape"), iri("http://pm.example.org/oslc/shapes/record")),
		tr(m1, a, vocab.EMSMeasure),
		tr(m1, vocab.EMSMetric, iri(vocab.PM+"CpuUsed")),
		tr(m1, vocab.EMSNumericValue, typed("42.5", xsd("double"))),
		tr(m1, vocab.EMSUnitOfMeasure, iri("http://qudt.org/vocab/unit#Percent")),
		tr(m2, a, vocab.EMSMeasure),
		tr(m2, vocab.EMSMetric, iri(vocab.PM+"MemoryAvailable")),
		tr(m2, vocab.EMSNumericValue, typed("2048", xsd("integer"))),
		tr(m2, vocab.EMSUnitOfMeasure, iri("http://qudt.org/vocab/unit#MegaByte")),
		tr(m2, dc("description"), str("free memory")),
	}
}

// fixtures are the test graphs, by name.
func fixtures() []fixture {
	return []fixture{
		{"catalog", catalogGraph(), iri(catURI), true},
		{"record", recordGraph(), iri(recURI), true},
		{"tricky", trickyGraph(), nil, true},
		{"nonxml", nonXMLGraph(), nil, false},
		{"nul", nulGraph(), nil, false},
	}
}

type fixture struct {
	name string
	g    []rdf.Triple
	root rdf.Subject
	xml  bool // RDF/XML can express it
}

// rapper reports whether rapper reads the fixture right: it cuts strings
// at NUL and drops noncharacters.
func (f fixture) rapper() bool { return f.name != "nul" }

// trickyGraph exercises escaping, datatypes, shapes of blank node graphs
// and namespaces outside the conventional ones. It holds only characters
// XML 1.0 allows, so every format can write it.
func trickyGraph() []rdf.Triple {
	s := iri(ex + "s")
	xsd := func(l string) rdf.IRI { return vocab.IRI(vocab.XSD, l) }
	shared, c1, c2, self, empty := bn("shared"), bn("c1"), bn("c2"), bn("self"), bn("empty")
	return []rdf.Triple{
		tr(s, iri(ex+"quote"), str(`say "hi" \ 'there'`)),
		tr(s, iri(ex+"lines"), str("line 1\nline 2\r\nline 3\ttabbed")),
		tr(s, iri(ex+"long"), str(strings.Repeat("long string with \"\"\" quotes ", 40))),
		tr(s, iri(ex+"unicode"), str("naïve café – 日本語 – 😀 – \u00a0nbsp")),
		tr(s, iri(ex+"markup"), str("<b>not XML</b> & <![CDATA[x]]> ]]>")),
		tr(s, iri(ex+"empty"), str("")),
		tr(s, iri(ex+"spaces"), str("  padded  ")),
		tr(s, iri(ex+"lang"), lang("colour", "en-GB")),
		tr(s, iri(ex+"lang"), lang("繁體", "zh-Hant-TW")),
		tr(s, iri(ex+"emptyLang"), lang("", "fr")),
		tr(s, iri(ex+"int"), typed("007", xsd("integer"))),
		tr(s, iri(ex+"int"), typed("-12", xsd("integer"))),
		tr(s, iri(ex+"int"), typed("12345678901234567890", xsd("integer"))),
		tr(s, iri(ex+"notInt"), typed("twelve", xsd("integer"))),
		tr(s, iri(ex+"dec"), typed("1.50", xsd("decimal"))),
		tr(s, iri(ex+"dec"), typed("1", xsd("decimal"))),
		tr(s, iri(ex+"dbl"), typed("1", xsd("double"))),
		tr(s, iri(ex+"dbl"), typed("1.5E3", xsd("double"))),
		tr(s, iri(ex+"dbl"), typed("INF", xsd("double"))),
		tr(s, iri(ex+"bool"), typed("true", xsd("boolean"))),
		tr(s, iri(ex+"bool"), typed("1", xsd("boolean"))),
		tr(s, iri(ex+"date"), typed(`2024-05-01"T"`, xsd("dateTime"))),
		tr(s, iri(ex+"custom"), typed(`a "quoted" \value`, iri(ex+"dt"))),
		tr(s, iri(ex+"custom"), typed("x", iri(vocab.PM+"unit(pct)"))),
		tr(s, iri(ex+"xml"), typed("a < b", vocab.RDFXMLLiteral)),
		tr(s, iri(ex+"xml"), typed(`<p xmlns="http://www.w3.org/1999/xhtml">x<br></br></p>`, vocab.RDFXMLLiteral)),
		tr(s, iri(ex+"xml"), typed(`<p/>`, vocab.RDFXMLLiteral)),
		tr(s, iri(ex+"typeAsObject"), a),
		tr(a, iri(ex+"typeAsSubject"), str("rdf:type described")),
		tr(s, iri(vocab.OSLC+"x."), str("local part ending in a dot")),
		tr(s, iri("http://other.example/ns#prop"), str("generated prefix")),
		tr(s, iri("http://other.example/ns2/123abc"), str("NCName suffix only")),
		tr(s, iri("urn:example:thing"), iri("urn:isbn:0451450523")),
		tr(s, iri(ex+"iri"), iri("http://example.org/ünïcode/path?q=1&r=2#frag")),
		tr(s, iri(ex+"shared"), shared),
		tr(iri(ex+"t"), iri(ex+"shared"), shared),
		tr(shared, iri(ex+"label"), str("referenced twice")),
		tr(s, iri(ex+"cycle"), c1),
		tr(c1, iri(ex+"next"), c2),
		tr(c2, iri(ex+"next"), c1),
		tr(self, iri(ex+"loop"), self),
		tr(s, iri(ex+"nothing"), empty),
		tr(s, vocab.IRI(vocab.RDF, "_1"), str("first")),
		tr(s, vocab.IRI(vocab.RDF, "value"), str("rdf:value")),
		tr(s, a, iri(vocab.RDF+"Description")),
		tr(s, a, iri(ex+"Thing")),
		tr(s, a, iri("http://example.org/types/123")),
	}
}

// nonXMLGraph holds what RDF/XML cannot express, characters XML 1.0
// forbids and a predicate that is no QName; every other format must write
// it.
func nonXMLGraph() []rdf.Triple {
	s := iri(ex + "ctl")
	return []rdf.Triple{
		tr(s, iri(vocab.PM+"a(b)"), str("local part needing escapes in Turtle")),
		tr(s, iri(ex+"bell"), str("bell\x07 esc\x1b del\x7f")),
		tr(s, iri(ex+"form"), typed("form\x0cfeed", vocab.IRI(vocab.XSD, "token"))),
		tr(s, iri(ex+"lang"), lang("back\x08space", "en")),
	}
}

// nulGraph holds what rapper cannot read.
func nulGraph() []rdf.Triple {
	s := iri(ex + "nul")
	return []rdf.Triple{
		tr(s, iri(ex+"nul"), str("before\x00after")),
		tr(s, iri(ex+"nonchar"), str("U+FFFE \ufffe U+FFFF \uffff")),
	}
}
