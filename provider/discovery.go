package provider

import (
	"fmt"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// graph builds triples about one subject at a time.
type graph []rdf.Triple

func (g *graph) add(s rdf.Subject, p rdf.IRI, objs ...rdf.Object) {
	for _, o := range objs {
		*g = append(*g, rdf.Triple{Subj: s, Pred: p, Obj: o})
	}
}

func str(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDString) }

// xmlLiteral is a title as OSLC tools read it: an rdf:XMLLiteral. Callers
// pass text that needs no escaping.
func xmlLiteral(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.RDFXMLLiteral) }

func oslc(local string) rdf.IRI { return vocab.IRI(vocab.OSLC, local) }

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

func (s *Server) handleRootServices(w http.ResponseWriter, r *http.Request) {
	rs, cat := s.iri("/rootservices"), s.iri("/oslc/catalog")
	var g graph
	g.add(rs, vocab.DCTitle, xmlLiteral("OSLC Performance Monitoring Root Services"))
	g.add(rs, pmServiceProviders, cat)
	g.add(rs, vocab.IRI(vocab.JD, "oslcCatalogs"), cat)
	g.add(cat, vocab.RDFType, vocab.OSLCServiceProviderCatalog)
	g.add(cat, oslc("domain"), vocab.IRI(vocab.PM, ""), vocab.IRI(vocab.PMLegacy, ""))
	g.add(cat, vocab.DCTitle, xmlLiteral(catalogTitle))
	s.respond(w, r, http.StatusOK, rs, g, "Root Services")
}

func (s *Server) publisher(g *graph, subj rdf.Subject) {
	pub := blank("publisher")
	g.add(subj, vocab.DCPublisher, pub)
	g.add(pub, vocab.RDFType, oslc("Publisher"))
	g.add(pub, vocab.DCTitle, xmlLiteral("pmprovider"))
	g.add(pub, vocab.DCIdentifier, str("pmprovider"))
}

func (s *Server) handleCatalog(w http.ResponseWriter, r *http.Request) {
	cat, sp := s.iri("/oslc/catalog"), s.iri("/oslc/provider")
	var g graph
	g.add(cat, vocab.RDFType, vocab.OSLCServiceProviderCatalog)
	g.add(cat, vocab.DCTitle, xmlLiteral(catalogTitle))
	g.add(cat, vocab.DCDescription, xmlLiteral("Performance monitoring records, measures and the monitored resources they belong to."))
	g.add(cat, oslc("domain"), vocab.IRI(vocab.PM, ""), vocab.IRI(vocab.PMLegacy, ""))
	s.publisher(&g, cat)
	g.add(cat, vocab.OSLCServiceProvider, sp)
	g.add(sp, vocab.RDFType, vocab.OSLCServiceProviderClass)
	g.add(sp, vocab.DCTitle, xmlLiteral(providerTitle))
	g.add(sp, oslc("details"), sp)
	s.respond(w, r, http.StatusOK, cat, g, catalogTitle)
}

func (s *Server) handleProvider(w http.ResponseWriter, r *http.Request) {
	sp := s.iri("/oslc/provider")
	var g graph
	g.add(sp, vocab.RDFType, vocab.OSLCServiceProviderClass)
	g.add(sp, vocab.DCTitle, xmlLiteral(providerTitle))
	g.add(sp, vocab.DCDescription, xmlLiteral("Creation factories and query capabilities for performance monitoring records, monitored resources and measurement jobs, and query capabilities for the reports, tracking records and notifications the jobs produce."))
	g.add(sp, oslc("details"), sp)
	s.publisher(&g, sp)
	for _, d := range vocab.Documents {
		g.add(sp, vocab.IRI(vocab.RDFS, "seeAlso"), s.iri("/ns/"+d.Name))
	}
	g.add(sp, vocab.PMJTerm("capabilities"), s.iri("/oslc/capabilities"))
	for i, domain := range []string{vocab.PM, vocab.PMLegacy} {
		svc := blank(fmt.Sprintf("service%d", i))
		g.add(sp, oslc("service"), svc)
		g.add(svc, vocab.RDFType, oslc("Service"))
		g.add(svc, oslc("domain"), vocab.IRI(domain, ""))
		for j, k := range s.kinds {
			if k.jobs && domain != vocab.PM {
				continue
			}
			shape := s.iri("/oslc/shapes/" + k.shape.Name)
			if !k.readOnly {
				s.addCapability(&g, svc, blank(fmt.Sprintf("factory%d_%d", i, j)), "creationFactory", "CreationFactory", "Create ", "creation", k, shape)
			}
			for di := range dialogs {
				d := &dialogs[di]
				if "/oslc/"+d.kind != k.path {
					continue
				}
				dn := blank(fmt.Sprintf("dialog%d_%d_%s", i, j, d.action))
				prop := "selectionDialog"
				if d.action == "create" {
					prop = "creationDialog"
				}
				g.add(svc, oslc(prop), dn)
				s.describeDialog(&g, dn, d)
			}
			s.addCapability(&g, svc, blank(fmt.Sprintf("query%d_%d", i, j)), "queryCapability", "QueryCapability", "Query ", "queryBase", k, shape)
		}
	}
	for _, p := range vocab.Prefixes {
		pd := blank("prefix_" + p.Prefix)
		g.add(sp, oslc("prefixDefinition"), pd)
		g.add(pd, vocab.RDFType, oslc("PrefixDefinition"))
		g.add(pd, oslc("prefix"), str(p.Prefix))
		g.add(pd, oslc("prefixBase"), vocab.IRI(p.NS, ""))
	}
	s.respond(w, r, http.StatusOK, sp, g, providerTitle)
}

// addCapability adds to svc, as node, k's creation factory or query
// capability: prop and class name which, and urlProp the property of its
// URL (oslc:creation or oslc:queryBase).
func (s *Server) addCapability(g *graph, svc, node rdf.Blank, prop, class, verb, urlProp string, k *kind, shape rdf.IRI) {
	g.add(svc, oslc(prop), node)
	g.add(node, vocab.RDFType, oslc(class))
	g.add(node, vocab.DCTitle, xmlLiteral(verb+k.title))
	g.add(node, oslc("label"), str(k.title))
	g.add(node, oslc(urlProp), s.iri(k.path))
	g.add(node, oslc("resourceShape"), shape)
	for _, t := range k.types {
		g.add(node, oslc("resourceType"), t)
	}
}

func (s *Server) handleShape(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	sh := shapes.Lookup(name)
	if sh == nil {
		s.writeError(w, r, errorf(http.StatusNotFound, "URL", "no resource shape named %q", name))
		return
	}
	iri := s.iri("/oslc/shapes/" + name)
	s.respond(w, r, http.StatusOK, iri, sh.Graph(iri), sh.Title+" shape")
}

func (s *Server) handleVocab(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	d := vocab.Lookup(name)
	if d == nil {
		s.writeError(w, r, errorf(http.StatusNotFound, "URL", "no vocabulary document named %q", name))
		return
	}
	g, err := d.Graph()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, vocab.IRI(d.NS, ""), g, d.Title)
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	home := s.iri("/")
	var g graph
	g.add(home, vocab.DCTitle, xmlLiteral("OSLC Performance Monitoring provider"))
	g.add(home, vocab.DCDescription, xmlLiteral("Start at the service provider catalog, or at the root services document."))
	g.add(home, vocab.IRI(vocab.RDFS, "seeAlso"), s.iri("/oslc/catalog"), s.iri("/rootservices"), s.iri("/oslc/provider"))
	for _, k := range s.kinds {
		g.add(home, vocab.IRI(vocab.RDFS, "seeAlso"), s.iri(k.path))
	}
	for _, d := range vocab.Documents {
		g.add(home, vocab.IRI(vocab.RDFS, "seeAlso"), s.iri("/ns/"+d.Name))
	}
	s.respond(w, r, http.StatusOK, home, g, "OSLC Performance Monitoring provider")
}
