package ui

import (
	"bytes"
	"context"
	"net/http"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/vocab"
)

// A view says how the pages show the members of one kind of resource:
// the columns of its tables, its icon and preview, and what its page
// shows above the triples.
type view struct {
	noun      string   // first column of its tables: "Record"
	columns   []column // further columns
	measures  bool     // its members observe measures, shown in tables, previews and search hits
	icon      string   // file under /ui/static
	iconTitle string
	preview   string  // data-kind of its previews
	shortName rdf.IRI // the property of its compacts' short title, besides dcterms:identifier
	// owners is the kind whose members its members are part of
	// (dcterms:isPartOf): the selection dialog finds records by the
	// title of their resource.
	owners string
	// extras writes what a member's page shows above its triples.
	extras func(s *Server, buf *bytes.Buffer, r *http.Request, id rdf.IRI, g []rdf.Triple) error
	// form lays out the fields of its creation dialog.
	form func(s *Server, ctx context.Context) ([]formField, error)
	// sortByDate orders its dialogs' latest members, and its pages'
	// members unless they ask for an order, by dcterms:date, newest first.
	sortByDate bool
	// nounDate shows the first column as the member's dcterms:date.
	nounDate bool
	// empty says what would fill an empty list; createKind names the
	// kind whose creation dialog it links, with createText.
	empty, createKind, createText string
}

// columns of the member tables.
type column struct {
	name  string
	pred  rdf.IRI
	label bool // show the linked resource's label
}

var pmj = vocab.PMJTerm

// views are the views of the kinds of resource, by kind name; a kind
// without one is shown as notifications are.
var views = map[string]*view{
	"records": {noun: "Time", nounDate: true, measures: true, sortByDate: true, owners: "resources",
		columns: []column{{"Resource", vocab.DCIsPartOf, true}, {"Status", vocab.PMAvailabilityStatus, false}},
		icon:    "record.svg", iconTitle: "Performance monitoring record", preview: "record",
		empty: "No records yet: measurement jobs write them, and agents POST them here.", createKind: "jobs", createText: "Create a measurement job"},
	"resources": {noun: "Resource",
		columns: []column{{"Type", vocab.RDFType, false}, {"Name", vocab.IRI(vocab.CRTV, "name"), false}},
		icon:    "resource.svg", iconTitle: "Monitored resource", preview: "resource", shortName: vocab.IRI(vocab.CRTV, "name"),
		empty: "No monitored resources yet.", createKind: "resources", createText: "Register a monitored resource"},
	"jobs": {noun: "Job",
		columns: []column{{"State", pmj("executionState"), false}, {"Collector", pmj("collector"), false}, {"Granularity", pmj("granularity"), false}},
		icon:    "job.svg", iconTitle: "Measurement job", preview: "job",
		empty: "No measurement jobs yet.", createKind: "jobs", createText: "Create a measurement job"},
	"reports": {noun: "Report", sortByDate: true,
		columns: []column{{"Job", pmj("producedBy"), true}, {"Period start", pmj("periodStart"), false}, {"Records", pmj("recordCount"), false}},
		empty:   "No reports yet: jobs write one per reporting period.", createKind: "jobs", createText: "Create a measurement job"},
	"tracking": {noun: "Tracking record", sortByDate: true,
		columns: []column{{"Job", pmj("producedBy"), true}, {"Time", vocab.DCDate, false}, {"Event", pmj("event"), false}, {"To state", pmj("toState"), false}},
		empty:   "No tracking records yet: jobs write one per change of state.", createKind: "jobs", createText: "Create a measurement job"},
}

// defaultView shows the kinds without a view of their own.
var defaultView = &view{noun: "Resource", sortByDate: true, columns: []column{{"Job", pmj("producedBy"), true}, {"Time", vocab.DCDate, false}},
	icon: "job.svg", iconTitle: "Measurement job", preview: "job", empty: "Nothing here yet."}

func init() {
	views["resources"].form = (*Server).resourceForm
	views["jobs"].form = (*Server).jobForm
	views["records"].extras = (*Server).recordExtras
	views["resources"].extras = func(s *Server, buf *bytes.Buffer, r *http.Request, id rdf.IRI, _ []rdf.Triple) error {
		return s.resourceExtras(buf, r, id.String())
	}
	views["jobs"].extras = func(s *Server, buf *bytes.Buffer, r *http.Request, id rdf.IRI, _ []rdf.Triple) error {
		return s.jobExtras(buf, r, id.String())
	}
}

// viewOf returns k's view.
func viewOf(k *oslc.Kind) *view {
	if v, ok := views[k.Name]; ok {
		return v
	}
	return defaultView
}
