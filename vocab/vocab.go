// Package vocab holds the namespace IRIs and terms the provider speaks, and the
// vocabulary documents it serves (pm, ems, crtv, OSLC Core), embedded as Turtle.
// It also says which terms the provider's store indexes (TextIndexed,
// MeasurePair): the store itself knows no vocabulary.
//
// It is a leaf: it imports only the RDF term model.
package vocab

import (
	"strings"

	"github.com/knakk/rdf"
)

// Namespace IRIs.
const (
	RDF     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	RDFS    = "http://www.w3.org/2000/01/rdf-schema#"
	XSD     = "http://www.w3.org/2001/XMLSchema#"
	OWL     = "http://www.w3.org/2002/07/owl#"
	DCTerms = "http://purl.org/dc/terms/"
	FOAF    = "http://xmlns.com/foaf/0.1/"
	OSLC    = "http://open-services.net/ns/core#"
	PM      = "http://open-services.net/ns/perfmon#"
	// PMLegacy is the domain IRI older OSLC PM tooling looks for.
	PMLegacy = "http://open-services.net/ns/pm#"
	EMS      = "http://open-services.net/ns/ems#"
	CRTV     = "http://open-services.net/ns/crtv#"
	JD       = "http://jazz.net/xmlns/prod/jazz/discovery/1.0/"
	QUDT     = "http://qudt.org/1.1/schema/qudt#"
	LDP      = "http://www.w3.org/ns/ldp#"
	// TRS is the namespace of OSLC Tracked Resource Set 3.0, one of
	// the prefixes OSLC Core predefines for queries.
	TRS = "http://open-services.net/ns/core/trs#"

	// PMJ is the namespace of our measurement job vocabulary
	// (data/pm-jobs-vocab.ttl). It is fixed: it does not depend on
	// where a provider is deployed.
	PMJ = "https://oslc-pm.github.io/ns/pmjob#"
)

// Prefix is a namespace prefix binding.
type Prefix struct {
	Prefix string
	NS     string
}

// Prefixes are the conventional prefixes, in the order writers declare them.
var Prefixes = []Prefix{
	{"rdf", RDF},
	{"rdfs", RDFS},
	{"xsd", XSD},
	{"dcterms", DCTerms},
	{"foaf", FOAF},
	{"oslc", OSLC},
	{"pm", PM},
	{"ems", EMS},
	{"crtv", CRTV},
	{"pmj", PMJ},
	{"jd", JD},
	{"owl", OWL},
	{"qudt", QUDT},
	{"ldp", LDP},
	{"trs", TRS},
}

// IRI returns the IRI ns+local. It panics on an invalid IRI, so use it only
// for constants.
func IRI(ns, local string) rdf.IRI {
	i, err := rdf.NewIRI(ns + local)
	if err != nil {
		panic(err)
	}
	return i
}

// Terms used throughout the provider.
var (
	RDFType       = IRI(RDF, "type")
	RDFXMLLiteral = IRI(RDF, "XMLLiteral")
	RDFLangString = IRI(RDF, "langString")
	RDFSLabel     = IRI(RDFS, "label")
	RDFSComment   = IRI(RDFS, "comment")
	RDFSSubClass  = IRI(RDFS, "subClassOf")
	RDFSMember    = IRI(RDFS, "member")
	RDFSClass     = IRI(RDFS, "Class")

	XSDString   = IRI(XSD, "string")
	XSDBoolean  = IRI(XSD, "boolean")
	XSDInteger  = IRI(XSD, "integer")
	XSDInt      = IRI(XSD, "int")
	XSDLong     = IRI(XSD, "long")
	XSDDecimal  = IRI(XSD, "decimal")
	XSDDouble   = IRI(XSD, "double")
	XSDFloat    = IRI(XSD, "float")
	XSDDateTime = IRI(XSD, "dateTime")

	DCTitle       = IRI(DCTerms, "title")
	DCDescription = IRI(DCTerms, "description")
	DCIdentifier  = IRI(DCTerms, "identifier")
	DCCreated     = IRI(DCTerms, "created")
	DCModified    = IRI(DCTerms, "modified")
	DCCreator     = IRI(DCTerms, "creator")
	DCDate        = IRI(DCTerms, "date")
	DCIsPartOf    = IRI(DCTerms, "isPartOf")
	DCPublisher   = IRI(DCTerms, "publisher")
	DCSource      = IRI(DCTerms, "source")

	OSLCServiceProvider        = IRI(OSLC, "serviceProvider")
	OSLCInstanceShape          = IRI(OSLC, "instanceShape")
	OSLCError                  = IRI(OSLC, "Error")
	OSLCStatusCode             = IRI(OSLC, "statusCode")
	OSLCMessage                = IRI(OSLC, "message")
	OSLCExtendedError          = IRI(OSLC, "extendedError")
	OSLCExtendedErrorClass     = IRI(OSLC, "ExtendedError")
	OSLCMoreInfo               = IRI(OSLC, "moreInfo")
	OSLCServiceProviderClass   = IRI(OSLC, "ServiceProvider")
	OSLCServiceProviderCatalog = IRI(OSLC, "ServiceProviderCatalog")

	LDPResource       = IRI(LDP, "Resource")
	LDPContainer      = IRI(LDP, "Container")
	LDPBasicContainer = IRI(LDP, "BasicContainer")
	LDPContains       = IRI(LDP, "contains")
	LDPConstrainedBy  = IRI(LDP, "constrainedBy")

	PMRecord             = IRI(PM, "PerformanceMonitoringRecord")
	PMAvailabilityStatus = IRI(PM, "availabilityStatus")

	EMSMeasure       = IRI(EMS, "Measure")
	EMSObserves      = IRI(EMS, "observes")
	EMSMetric        = IRI(EMS, "metric")
	EMSUnitOfMeasure = IRI(EMS, "unitOfMeasure")
	EMSNumericValue  = IRI(EMS, "numericValue")
)

// Short writes iri as a prefixed name when a conventional prefix fits, for
// messages and pages; otherwise it returns iri unchanged.
func Short(iri string) string {
	for _, p := range Prefixes {
		if strings.HasPrefix(iri, p.NS) && len(iri) > len(p.NS) {
			return p.Prefix + ":" + iri[len(p.NS):]
		}
	}
	return iri
}

// LocalName is what follows the last '#' or '/' of iri, the name of a term
// in its namespace whatever the namespace; iri itself if it has neither.
func LocalName(iri string) string { return iri[strings.LastIndexAny(iri, "#/")+1:] }

// Measurement job terms (PMJ).
var (
	PMJJob          = IRI(PMJ, "MeasurementJob")
	PMJReport       = IRI(PMJ, "PerformanceReport")
	PMJTracking     = IRI(PMJ, "TrackingRecord")
	PMJNotification = IRI(PMJ, "Notification")
	PMJCapabilities = IRI(PMJ, "Capabilities")
	PMJCollector    = IRI(PMJ, "Collector")
)

// PMJTerm returns the job vocabulary term pmj:local.
func PMJTerm(local string) rdf.IRI { return IRI(PMJ, local) }

// OSLCTerm returns the OSLC Core term named local.
func OSLCTerm(local string) rdf.IRI { return IRI(OSLC, local) }

// Str returns s as an xsd:string literal.
func Str(s string) rdf.Literal { return rdf.NewTypedLiteral(s, XSDString) }

// XMLLiteral returns s as an rdf:XMLLiteral, which is how OSLC tools read
// titles. Callers pass text that needs no escaping.
func XMLLiteral(s string) rdf.Literal { return rdf.NewTypedLiteral(s, RDFXMLLiteral) }
