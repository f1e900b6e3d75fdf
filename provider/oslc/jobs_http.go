package oslc

import (
	"net"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Jobs returns the server's job engine.
func (s *Server) Jobs() *jobs.Engine { return s.jobs }

// who names the client of a request for audit trails (dcterms:creator):
// the principal that authenticated it, never a name the client states.
// A request without one (the wiring always sets one on routes that
// write) is named by its address.
func who(r *http.Request) string {
	if p := auth.PrincipalFrom(r.Context()); p != nil {
		return p.Name
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "anonymous client at " + host
}

// jobOf is the job a /oslc/jobs/{id}/... request is about.
func (s *Server) jobOf(r *http.Request) rdf.IRI {
	return s.iri("/oslc/jobs/" + mux.Vars(r)["id"])
}

// JobAction suspends, resumes or cancels a job (MEF's suspend,
// resume and cancel job operations). The body, if any, is ignored.
func (s *Server) JobAction(r *http.Request) (*Response, error) {
	g, etag, err := s.jobs.Act(r.Context(), s.jobOf(r), mux.Vars(r)["action"], who(r))
	if err != nil {
		return nil, err
	}
	id := s.jobOf(r)
	resp := ok(id, g, Title(id, g))
	resp.Header = http.Header{}
	resp.Header.Set("ETag", etag)
	resp.Header.Set("Content-Location", id.String())
	return resp, nil
}

// Push takes records an agent pushes to a push job: one or more
// pm:PerformanceMonitoringRecords for the job's monitored resources. Each
// is checked like a record POSTed to the records factory, and all are
// stored, or none.
func (s *Server) Push(r *http.Request) (*Response, error) {
	job := s.jobOf(r)
	if ok, err := s.jobs.Has(r.Context(), job); err != nil {
		return nil, err
	} else if !ok {
		return nil, Errorf(http.StatusNotFound, "URL", "no measurement job at %s", job)
	}
	k := s.Kind("records")
	factory := s.iri(k.Path())
	g, err := s.readBody(r, factory.String())
	if err != nil {
		return nil, err
	}
	roots := recordRoots(g)
	nodes := indexNodes(g, roots)
	if len(roots) == 0 {
		return nil, Errorf(http.StatusBadRequest, "body", "the body holds no pm:PerformanceMonitoringRecord")
	}
	var rs []store.Resource
	var out []rdf.Triple
	now := s.now()
	for _, root := range roots {
		sub := nodes.reachable(root)
		ident := s.newID()
		id := s.iri(k.Path() + "/" + ident)
		sub = relabel(sub, root, id, k.fragments, map[string]bool{})
		if err := checkSubjects(sub, id); err != nil {
			return nil, err
		}
		kept := sub[:0]
		for _, t := range sub {
			if rdf.TermsEqual(t.Subj, id) && isServerManaged(k, t.Pred.String()) {
				continue
			}
			kept = append(kept, t)
		}
		sub = append(kept, s.serverProps(id, k.Shape.Name, now, now, ident)...)
		if err := validate(k, id, sub); err != nil {
			return nil, err
		}
		sub, err = s.jobs.CheckPush(r.Context(), job, id, dedupe(sub))
		if err != nil {
			return nil, err
		}
		rs = append(rs, store.Resource{ID: id, Triples: sub})
		out = append(out, rdf.Triple{Subj: job, Pred: vocab.RDFSMember, Obj: id})
		out = append(out, sub...)
	}
	if err := s.store.Load(r.Context(), rs); err != nil {
		return nil, err
	}
	resp := &Response{Status: http.StatusCreated, Root: job, Graph: out, Title: "Records pushed to " + job.String(), Header: http.Header{}}
	if len(rs) == 1 {
		resp.Header.Set("Location", rs[0].ID.String())
	}
	return resp, nil
}

// recordRoots returns the subjects typed pm:PerformanceMonitoringRecord.
func recordRoots(g []rdf.Triple) []rdf.Subject {
	var out []rdf.Subject
	seen := make(map[string]bool)
	for _, t := range g {
		if t.Pred == vocab.RDFType && t.Obj == vocab.PMRecord && !seen[termKey(t.Subj)] {
			seen[termKey(t.Subj)] = true
			out = append(out, t.Subj)
		}
	}
	return out
}

// nodeIndex is a pushed graph by subject, and which subjects are
// records: built once, so that splitting a push into its records costs
// what the body weighs, not that times the number of records.
type nodeIndex struct {
	records map[string]bool
	bySubj  map[string][]rdf.Triple
}

func indexNodes(g []rdf.Triple, roots []rdf.Subject) nodeIndex {
	x := nodeIndex{records: make(map[string]bool, len(roots)), bySubj: make(map[string][]rdf.Triple)}
	for _, r := range roots {
		x.records[termKey(r)] = true
	}
	for _, t := range g {
		x.bySubj[termKey(t.Subj)] = append(x.bySubj[termKey(t.Subj)], t)
	}
	return x
}

// reachable returns the triples of root and of the nodes it reaches that
// are not records themselves.
func (x nodeIndex) reachable(root rdf.Subject) []rdf.Triple {
	records, bySubj := x.records, x.bySubj
	var out []rdf.Triple
	seen := map[string]bool{termKey(root): true}
	queue := []string{termKey(root)}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, t := range bySubj[k] {
			out = append(out, t)
			ok := termKey(t.Obj)
			if _, isLit := t.Obj.(rdf.Literal); !isLit && !seen[ok] && !records[ok] && len(bySubj[ok]) > 0 {
				seen[ok] = true
				queue = append(queue, ok)
			}
		}
	}
	return out
}

// Capabilities answers GET on /oslc/capabilities: what the job engine
// supports.
func (s *Server) Capabilities(r *http.Request) (*Response, error) {
	id := s.iri("/oslc/capabilities")
	return ok(id, s.jobs.Capabilities(id), "Measurement job capabilities"), nil
}
