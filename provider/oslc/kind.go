package oslc

import (
	"context"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/adhoc"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// A Kind is a type of resource the provider serves: its query base is
// /oslc/<Name> and its members live under it. A kind carries its own
// behaviour: how a new member is made and kept, replaced and deleted (or
// that the provider alone makes them), which delegated dialogs it offers,
// whether its members have previews, and in which service domains it is
// offered.
type Kind struct {
	Name    string // "records"
	Title   string // "Performance Monitoring Records"
	Shape   *shapes.Shape
	Types   []rdf.IRI // oslc:resourceType of its members
	Implied rdf.IRI   // rdf:type added when a client leaves it out; zero for none
	// Legacy says that the kind is also offered in the older
	// http://open-services.net/ns/pm# service domain.
	Legacy bool
	// Preview says that its members have Compact resources and previews.
	Preview bool
	// Dialogs are its delegated selection and creation dialogs.
	Dialogs []Dialog
	// Jobs says that writing its members is job management (measurement
	// jobs, and the thresholds that watch what they collect), which the
	// role matrix governs apart (MEF's job management).
	Jobs bool

	// hosted: its routes are another handler's (Hosted).
	hosted bool

	fragments string // prefix of fragment ids minted for nested nodes

	// create stores a new member read from a POST (nil: no creation
	// factory); replace and remove do PUT and DELETE (nil: not allowed).
	create  func(ctx context.Context, n *newMember) (g []rdf.Triple, etag string, err error)
	replace func(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch, who string) (out []rdf.Triple, etag string, err error)
	remove  func(ctx context.Context, id rdf.IRI, ifMatch, who string) error
	// validate checks a PUT's graph before the read-only properties are
	// compared (nil: replace validates).
	validate func(id rdf.IRI, g []rdf.Triple) error
}

// A Dialog is a delegated dialog (OSLC Core 3.0 Delegated Dialogs) a kind
// offers: its descriptor is /oslc/dialogs/<Action>/<kind> and the page
// /ui/<Action>/<kind>.
type Dialog struct {
	Action        string // "select" or "create"
	Title, Label  string
	Width, Height string // hints, CSS lengths
}

// A newMember is a resource a client POSTs, given its IRI.
type newMember struct {
	id    rdf.IRI
	ident string
	g     []rdf.Triple
	now   time.Time // its dcterms:created
	who   string
}

// Path is the kind's query base path, "/oslc/records".
func (k *Kind) Path() string { return "/oslc/" + k.Name }

// Creatable says whether clients may POST new members.
func (k *Kind) Creatable() bool { return k.create != nil }

// Replaceable says whether clients may PUT members.
func (k *Kind) Replaceable() bool { return k.replace != nil }

// Deletable says whether clients may DELETE members.
func (k *Kind) Deletable() bool { return k.remove != nil }

// Dialog returns k's dialog for action, or nil.
func (k *Kind) Dialog(action string) *Dialog {
	for i := range k.Dialogs {
		if k.Dialogs[i].Action == action {
			return &k.Dialogs[i]
		}
	}
	return nil
}

// Kinds returns the kinds the server serves, in the order discovery lists
// them.
func (s *Server) Kinds() []*Kind { return s.kinds }

// Kind returns the kind named name ("records"), or nil.
func (s *Server) Kind(name string) *Kind {
	for _, k := range s.kinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// KindOf returns the kind of the resource id, or nil.
func (s *Server) KindOf(id string) *Kind {
	for _, k := range s.kinds {
		if strings.HasPrefix(id, s.URL(k.Path())+"/") {
			return k
		}
	}
	return nil
}

// newKinds returns the kinds of resource the provider serves.
func (s *Server) newKinds() []*Kind {
	stored := func(k *Kind) *Kind {
		k.validate = func(id rdf.IRI, g []rdf.Triple) error { return validate(k, id, g) }
		k.create = func(ctx context.Context, n *newMember) ([]rdf.Triple, string, error) {
			if err := validate(k, n.id, n.g); err != nil {
				return nil, "", err
			}
			g := dedupe(n.g)
			etag, err := s.store.Create(ctx, n.id, g)
			return g, etag, err
		}
		k.replace = func(ctx context.Context, id rdf.IRI, g []rdf.Triple, ifMatch, _ string) ([]rdf.Triple, string, error) {
			etag, err := s.store.Replace(ctx, id, g, ifMatch)
			return g, etag, err
		}
		k.remove = func(ctx context.Context, id rdf.IRI, ifMatch, _ string) error {
			return s.store.Delete(ctx, id, ifMatch)
		}
		return k
	}
	const wide, tall = "560px", "520px"
	records := stored(&Kind{Name: "records", Title: "Performance Monitoring Records", Shape: shapes.Lookup(shapes.RecordName),
		Types: []rdf.IRI{vocab.PMRecord}, Implied: vocab.PMRecord, fragments: "m", Legacy: true, Preview: true,
		Dialogs: []Dialog{{"select", "Select a performance monitoring record", "Performance Monitoring Record", wide, tall}}})
	resources := stored(&Kind{Name: "resources", Title: "Monitored Resources", Shape: shapes.Lookup(shapes.MonitoredName),
		Types: shapes.MonitoredClasses, fragments: "n", Legacy: true, Preview: true,
		Dialogs: []Dialog{
			{"select", "Select a monitored resource", "Monitored Resource", wide, tall},
			{"create", "Create a monitored resource", "Monitored Resource", wide, "560px"},
		}})
	jobKind := &Kind{Name: "jobs", Title: "Measurement Jobs", Shape: shapes.Lookup(shapes.JobName),
		Types: []rdf.IRI{vocab.PMJJob}, Implied: vocab.PMJJob, fragments: "j", Preview: true, Jobs: true,
		Dialogs: []Dialog{{"create", "Create a measurement job", "Measurement Job", "600px", "680px"}},
		create: func(ctx context.Context, n *newMember) ([]rdf.Triple, string, error) {
			return s.jobs.Create(ctx, n.id, n.ident, dedupe(n.g), n.who)
		},
		replace: s.jobs.Update,
		remove:  s.jobs.Delete,
	}
	made := func(name, title, shape string, class rdf.IRI) *Kind {
		return &Kind{Name: name, Title: title, Shape: shapes.Lookup(shape), Types: []rdf.IRI{class}}
	}
	adhoc := &Kind{Name: "adhoc", Title: "Ad-hoc Collections", Shape: shapes.Lookup(shapes.AdhocName),
		Types: []rdf.IRI{adhoc.Class}, Implied: adhoc.Class, fragments: "a"}
	adhoc.create = func(ctx context.Context, n *newMember) ([]rdf.Triple, string, error) {
		return s.createAdhoc(ctx, adhoc, n)
	}
	kinds := []*Kind{
		records,
		resources,
		jobKind,
		made("reports", "Performance Reports", shapes.ReportName, vocab.PMJReport),
		made("tracking", "Job Tracking Records", shapes.TrackingName, vocab.PMJTracking),
		made("notifications", "Job Notifications", shapes.NotificationName, vocab.PMJNotification),
		adhoc,
	}
	kinds = append(kinds, s.thresholdKinds()...)
	kinds = append(kinds, s.subscriptionKind())
	for _, k := range kinds {
		s.conform(k)
	}
	return kinds
}
