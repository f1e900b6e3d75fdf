package provider

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oslc-pm/pmprovider/provider/oslc"
)

// A route is a path template and what serves one or more methods on it.
// The table below is every route the provider has; an OPTIONS answer and
// the Allow header of a 405 are derived from it.
type route struct {
	path    string // mux path template, under the base URL's path
	prefix  bool   // path is a prefix: everything under it
	methods []string
	handler http.Handler
	// when further restricts the route (report files), or is nil.
	when func(r *http.Request) bool
}

var (
	get  = []string{http.MethodGet, http.MethodHead}
	post = []string{http.MethodPost}
	put  = []string{http.MethodPut}
	del  = []string{http.MethodDelete}
)

// table returns the provider's routes, in the order they are tried.
func (s *Server) table() []route {
	api, pages := s.api, s.ui
	h := func(path string, methods []string, f http.HandlerFunc) route {
		return route{path: path, methods: methods, handler: f}
	}
	// The API's handlers return a response or an error, which api.Serve
	// writes; the pages' and the streams' write their own.
	rs := []route{
		// Discovery.
		h("/", get, api.Serve(api.Home)),
		h("/rootservices", get, api.Serve(api.RootServices)),
		h("/oslc/catalog", get, api.Serve(api.Catalog)),
		h("/oslc/provider", get, api.Serve(api.ServiceProvider)),
		h("/oslc/shapes/{name}", get, api.Serve(api.Shape)),
		h("/ns/{name}", get, api.Serve(api.Vocabulary)),
		h("/oslc/capabilities", get, api.Serve(api.Capabilities)),
		h("/oslc/dialogs/{action:select|create}/{kind}", get, api.Serve(api.DialogDescriptor)),
		// Measurement jobs: operations, pushed records, events and
		// report files (a report's RDF is the generic GET below).
		h("/oslc/jobs/{id}/{action:suspend|resume|cancel}", post, api.Serve(api.JobAction)),
		h("/oslc/jobs/{id}/push", post, api.Serve(api.Push)),
		h("/oslc/events", get, api.Events),
		{path: "/oslc/reports/{id}", methods: get, handler: http.HandlerFunc(api.ReportFile), when: oslc.WantsReportFile},
		// The pages' own: dialogs and static files.
		h("/ui/select/{kind}", get, pages.SelectDialog),
		h("/ui/select/{kind}/search", get, pages.SelectSearch),
		h("/ui/create/{kind}", get, pages.CreateDialog),
		{path: "/ui/static/", prefix: true, methods: get, handler: pages.Static()},
	}
	// Each kind of resource: its query base, creation factory and members,
	// with the methods the kind allows.
	for _, k := range api.Kinds() {
		base, member := k.Path(), k.Path()+"/{id}"
		rs = append(rs, h(base, get, pages.Base(k, api.Serve(api.List(k)))))
		if k.Creatable() {
			rs = append(rs, h(base, post, pages.Base(k, api.Serve(api.Create(k)))))
		}
		rs = append(rs, h(member, get, pages.Member(k, api.Serve(api.Get(k)))))
		if k.Replaceable() {
			rs = append(rs, h(member, put, api.Serve(api.Replace(k))))
		}
		if k.Deletable() {
			rs = append(rs, h(member, del, api.Serve(api.Delete(k))))
		}
	}
	return rs
}

// register builds the router from the table, under the base URL's path
// prefix.
func (s *Server) register(prefix string) {
	sub := func() *mux.Router {
		r := mux.NewRouter()
		if prefix != "" {
			r = r.PathPrefix(prefix).Subrouter()
		}
		return r
	}
	r, paths := sub(), sub()
	s.routes = s.table()
	s.paths = make([]*mux.Route, len(s.routes))
	for i, rt := range s.routes {
		var m *mux.Route
		if rt.prefix {
			m = r.PathPrefix(rt.path)
			s.paths[i] = paths.PathPrefix(rt.path)
		} else {
			m = r.Path(rt.path)
			s.paths[i] = paths.Path(rt.path)
		}
		// mux upper-cases the slice it is given in place: give it a copy
		// of the table's shared ones.
		m.Methods(append([]string(nil), rt.methods...)...).Handler(rt.handler)
		if rt.when != nil {
			when := rt.when
			m.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool { return when(r) })
		}
	}
	// OSLC Resource Preview: resources with previews MUST support OPTIONS;
	// it is also the CORS preflight.
	r.Methods(http.MethodOptions).HandlerFunc(s.options)
	r.NotFoundHandler = http.HandlerFunc(s.notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allow := s.allowed(r)
		if allow == nil {
			// Only the OPTIONS route, which takes any path, matched it.
			s.notFound(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.api.WriteError(w, r, oslc.Errorf(http.StatusMethodNotAllowed, "method", "%s is not allowed on %s", r.Method, s.api.RequestIRI(r)))
	})
	s.router = r
}

// methodOrder is the order methods are listed in Allow headers.
var methodOrder = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete}

// allowed returns the methods the table has for r's path, and OPTIONS;
// none when no route has the path.
func (s *Server) allowed(r *http.Request) []string {
	has := map[string]bool{}
	for i, p := range s.paths {
		if p.Match(r, &mux.RouteMatch{}) {
			for _, m := range s.routes[i].methods {
				has[m] = true
			}
		}
	}
	if len(has) == 0 {
		return nil
	}
	var out []string
	for _, m := range methodOrder {
		if has[m] {
			out = append(out, m)
		}
	}
	return append(out, http.MethodOptions)
}

// options answers OPTIONS with the methods the route table has for the
// path, and, to a CORS preflight from an allowed origin, what a script
// may send.
func (s *Server) options(w http.ResponseWriter, r *http.Request) {
	allow := s.allowed(r)
	if allow == nil {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Allow", strings.Join(allow, ", "))
	if r.Header.Get("Access-Control-Request-Method") != "" && h.Get("Access-Control-Allow-Origin") != "" {
		h.Set("Access-Control-Allow-Methods", strings.Join(allow, ", "))
		h.Set("Access-Control-Allow-Headers", "Accept, Content-Type, If-Match, If-None-Match, Prefer, OSLC-Core-Version, Authorization")
		h.Set("Access-Control-Max-Age", "600")
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.api.WriteError(w, r, oslc.Errorf(http.StatusNotFound, "URL", "no resource at %s", s.api.RequestIRI(r)))
}
