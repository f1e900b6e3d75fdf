package oslc

import (
	"fmt"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Graph builds triples about one subject at a time.
type Graph []rdf.Triple

// Add adds (s, p, o) for each of objs.
func (g *Graph) Add(s rdf.Subject, p rdf.IRI, objs ...rdf.Object) {
	for _, o := range objs {
		*g = append(*g, rdf.Triple{Subj: s, Pred: p, Obj: o})
	}
}

// blank returns a blank node labelled id; ids are ours and valid.
func blank(id string) rdf.Blank {
	b, _ := rdf.NewBlank(id)
	return b
}

const (
	providerTitle = "Performance Monitoring"
	catalogTitle  = "OSLC Performance Monitoring Service Provider Catalog"
)

// PMServiceProviders is the rootservices property linking the PM catalog.
var pmServiceProviders = vocab.IRI(vocab.PM, "pmServiceProviders")

// RootServices answers GET on /rootservices (Jazz root services).
func (s *Server) RootServices(r *http.Request) (*Response, error) {
	rs, cat := s.iri("/rootservices"), s.iri("/oslc/catalog")
	var g Graph
	g.Add(rs, vocab.DCTitle, vocab.XMLLiteral("OSLC Performance Monitoring Root Services"))
	g.Add(rs, pmServiceProviders, cat)
	g.Add(rs, vocab.IRI(vocab.JD, "oslcCatalogs"), cat)
	g.Add(rs, trsTrackedSetProp, s.iri(trsPath))
	g.Add(cat, vocab.RDFType, vocab.OSLCServiceProviderCatalog)
	g.Add(cat, vocab.OSLCTerm("domain"), vocab.IRI(vocab.PM, ""), vocab.IRI(vocab.PMLegacy, ""))
	g.Add(cat, vocab.DCTitle, vocab.XMLLiteral(catalogTitle))
	if s.rootServices != nil {
		g = append(g, s.rootServices(rs)...)
	}
	return ok(rs, g, "Root Services"), nil
}

func (s *Server) publisher(g *Graph, subj rdf.Subject) {
	pub := blank("publisher")
	g.Add(subj, vocab.DCPublisher, pub)
	g.Add(pub, vocab.RDFType, vocab.OSLCTerm("Publisher"))
	g.Add(pub, vocab.DCTitle, vocab.XMLLiteral("pmprovider"))
	g.Add(pub, vocab.DCIdentifier, vocab.Str("pmprovider"))
}

// Catalog answers GET on the service provider catalog.
func (s *Server) Catalog(r *http.Request) (*Response, error) {
	cat, sp := s.iri("/oslc/catalog"), s.iri("/oslc/provider")
	var g Graph
	g.Add(cat, vocab.RDFType, vocab.OSLCServiceProviderCatalog)
	g.Add(cat, vocab.DCTitle, vocab.XMLLiteral(catalogTitle))
	g.Add(cat, vocab.DCDescription, vocab.XMLLiteral("Performance monitoring records, measures and the monitored resources they belong to."))
	g.Add(cat, vocab.OSLCTerm("domain"), vocab.IRI(vocab.PM, ""), vocab.IRI(vocab.PMLegacy, ""))
	s.publisher(&g, cat)
	g.Add(cat, vocab.OSLCServiceProvider, sp)
	g.Add(sp, vocab.RDFType, vocab.OSLCServiceProviderClass)
	g.Add(sp, vocab.DCTitle, vocab.XMLLiteral(providerTitle))
	g.Add(sp, vocab.OSLCTerm("details"), sp)
	return ok(cat, g, catalogTitle), nil
}

// ServiceProvider answers GET on the service provider: its services, creation factories, query capabilities, dialogs and prefixes.
func (s *Server) ServiceProvider(r *http.Request) (*Response, error) {
	sp := s.iri("/oslc/provider")
	var g Graph
	g.Add(sp, vocab.RDFType, vocab.OSLCServiceProviderClass)
	g.Add(sp, vocab.DCTitle, vocab.XMLLiteral(providerTitle))
	g.Add(sp, vocab.DCDescription, vocab.XMLLiteral("Creation factories and query capabilities for performance monitoring records, monitored resources and measurement jobs, and query capabilities for the reports, tracking records and notifications the jobs produce."))
	g.Add(sp, vocab.OSLCTerm("details"), sp)
	s.publisher(&g, sp)
	for _, d := range vocab.Documents {
		g.Add(sp, vocab.IRI(vocab.RDFS, "seeAlso"), s.iri("/ns/"+d.Name))
	}
	g.Add(sp, vocab.PMJTerm("capabilities"), s.iri("/oslc/capabilities"))
	g.Add(sp, trsTrackedSetProp, s.iri(trsPath))
	for i, domain := range []string{vocab.PM, vocab.PMLegacy} {
		svc := blank(fmt.Sprintf("service%d", i))
		g.Add(sp, vocab.OSLCTerm("service"), svc)
		g.Add(svc, vocab.RDFType, vocab.OSLCTerm("Service"))
		g.Add(svc, vocab.OSLCTerm("domain"), vocab.IRI(domain, ""))
		for j, k := range s.kinds {
			if !k.Legacy && domain != vocab.PM {
				continue
			}
			if k.Creatable() {
				s.addCapability(&g, svc, blank(fmt.Sprintf("factory%d_%d", i, j)), "creationFactory", "CreationFactory", "Create ", "creation", k, s.iri("/oslc/shapes/"+k.Shape.Name))
			}
			for di := range k.Dialogs {
				d := &k.Dialogs[di]
				dn := blank(fmt.Sprintf("dialog%d_%d_%s", i, j, d.Action))
				prop := "selectionDialog"
				if d.Action == "create" {
					prop = "creationDialog"
				}
				g.Add(svc, vocab.OSLCTerm(prop), dn)
				s.describeDialog(&g, dn, k, d)
			}
			// OSLC Query 3.0: the capability's shape describes the result
			// container, which links the members' shape.
			s.addCapability(&g, svc, blank(fmt.Sprintf("query%d_%d", i, j)), "queryCapability", "QueryCapability", "Query ", "queryBase", k, vocab.IRI(s.resultShapeURL(k), ""))
		}
	}
	for _, p := range vocab.Prefixes {
		pd := blank("prefix_" + p.Prefix)
		g.Add(sp, vocab.OSLCTerm("prefixDefinition"), pd)
		g.Add(pd, vocab.RDFType, vocab.OSLCTerm("PrefixDefinition"))
		g.Add(pd, vocab.OSLCTerm("prefix"), vocab.Str(p.Prefix))
		g.Add(pd, vocab.OSLCTerm("prefixBase"), vocab.IRI(p.NS, ""))
	}
	return ok(sp, g, providerTitle), nil
}

// addCapability adds to svc, as node, k's creation factory or query
// capability: prop and class name which, and urlProp the property of its
// URL (oslc:creation or oslc:queryBase). Each is the only one of its
// service for k's resource types, so the one clients use by default
// (oslc:usage oslc:default).
func (s *Server) addCapability(g *Graph, svc, node rdf.Blank, prop, class, verb, urlProp string, k *Kind, shape rdf.IRI) {
	g.Add(svc, vocab.OSLCTerm(prop), node)
	g.Add(node, vocab.OSLCTerm("usage"), vocab.OSLCTerm("default"))
	g.Add(node, vocab.RDFType, vocab.OSLCTerm(class))
	g.Add(node, vocab.DCTitle, vocab.XMLLiteral(verb+k.Title))
	g.Add(node, vocab.OSLCTerm("label"), vocab.Str(k.Title))
	g.Add(node, vocab.OSLCTerm(urlProp), s.iri(k.Path()))
	g.Add(node, vocab.OSLCTerm("resourceShape"), shape)
	for _, t := range k.Types {
		g.Add(node, vocab.OSLCTerm("resourceType"), t)
	}
}

// Shape answers GET on /oslc/shapes/{name}: the shape of a kind's
// members, or of its query results (shapes.Result).
func (s *Server) Shape(r *http.Request) (*Response, error) {
	name := mux.Vars(r)["name"]
	if sh := shapes.Lookup(name); sh != nil {
		iri := s.iri("/oslc/shapes/" + name)
		return ok(iri, sh.Graph(iri), sh.Title+" shape"), nil
	}
	if res := shapes.LookupResult(name); res != nil {
		iri := s.iri("/oslc/shapes/" + name)
		return ok(iri, res.Graph(iri), res.Title()+" shape"), nil
	}
	return nil, Errorf(http.StatusNotFound, "URL", "no resource shape named %q", name)
}

// Vocabulary answers GET on /ns/{name}: a vocabulary document.
func (s *Server) Vocabulary(r *http.Request) (*Response, error) {
	name := mux.Vars(r)["name"]
	d := vocab.Lookup(name)
	if d == nil {
		return nil, Errorf(http.StatusNotFound, "URL", "no vocabulary document named %q", name)
	}
	g, err := d.Graph()
	if err != nil {
		return nil, err
	}
	return ok(vocab.IRI(d.NS, ""), g, d.Title), nil
}

// Home answers GET on /: the home page, linking the entry points.
func (s *Server) Home(r *http.Request) (*Response, error) {
	home := s.iri("/")
	var g Graph
	g.Add(home, vocab.DCTitle, vocab.XMLLiteral("OSLC Performance Monitoring provider"))
	g.Add(home, vocab.DCDescription, vocab.XMLLiteral("Start at the service provider catalog, or at the root services document."))
	g.Add(home, vocab.IRI(vocab.RDFS, "seeAlso"), s.iri("/oslc/catalog"), s.iri("/rootservices"), s.iri("/oslc/provider"))
	for _, k := range s.kinds {
		g.Add(home, vocab.IRI(vocab.RDFS, "seeAlso"), s.iri(k.Path()))
	}
	for _, d := range vocab.Documents {
		g.Add(home, vocab.IRI(vocab.RDFS, "seeAlso"), s.iri("/ns/"+d.Name))
	}
	return ok(home, g, "OSLC Performance Monitoring provider"), nil
}

// describeDialog adds the oslc:Dialog descriptor of k's dialog d, named
// subj, to g.
func (s *Server) describeDialog(g *Graph, subj rdf.Subject, k *Kind, d *Dialog) {
	g.Add(subj, vocab.RDFType, vocab.OSLCTerm("Dialog"))
	g.Add(subj, vocab.DCTitle, vocab.XMLLiteral(d.Title))
	g.Add(subj, vocab.OSLCTerm("label"), vocab.Str(d.Label))
	g.Add(subj, vocab.OSLCTerm("dialog"), s.iri("/ui/"+d.Action+"/"+k.Name))
	g.Add(subj, vocab.OSLCTerm("hintWidth"), vocab.Str(d.Width))
	g.Add(subj, vocab.OSLCTerm("hintHeight"), vocab.Str(d.Height))
	g.Add(subj, vocab.OSLCTerm("usage"), vocab.OSLCTerm("default"))
	for _, t := range k.Types {
		g.Add(subj, vocab.OSLCTerm("resourceType"), t)
	}
	if d.Action == "create" {
		g.Add(subj, vocab.OSLCTerm("resourceShape"), s.iri("/oslc/shapes/"+k.Shape.Name))
	}
}

// DialogDescriptor answers GET on /oslc/dialogs/{action}/{kind}: the
// oslc:Dialog of one of a kind's dialogs.
func (s *Server) DialogDescriptor(r *http.Request) (*Response, error) {
	v := mux.Vars(r)
	k := s.Kind(v["kind"])
	var d *Dialog
	if k != nil {
		d = k.Dialog(v["action"])
	}
	if d == nil {
		return nil, Errorf(http.StatusNotFound, "URL", "no %s dialog for %q", v["action"], v["kind"])
	}
	id := s.iri(dialogPath(k, d))
	var g Graph
	s.describeDialog(&g, id, k, d)
	resp := ok(id, g, d.Title)
	resp.Header = http.Header{"Allow": {"GET, HEAD, OPTIONS"}}
	return resp, nil
}

// WellKnown answers GET on the well-known URIs of OSLC Core 3.0 Discovery
// ("Well-known URI Bootstrapping"): /.well-known/oslc/sp-catalog
// redirects to the service provider catalog and
// /.well-known/oslc/rootservices.xml to the root services, which links
// the catalog too.
func (s *Server) WellKnown(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", s.URL(path))
		w.WriteHeader(http.StatusFound)
	}
}
