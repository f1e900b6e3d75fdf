package provider

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/notify"
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
	// op is what the route does, as the role matrix names it; public
	// routes are answered without authentication.
	op     auth.Operation
	public bool
	// stream is a response that lasts: no request deadline.
	stream bool
	// when further restricts the route (report files), or is nil.
	when func(r *http.Request) bool
	// container is the kind whose query base the path is, or nil: OPTIONS
	// answers that it is an LDP container.
	container *oslc.Kind
	// fail writes the route's errors in its API's format (the JSON
	// faces'); nil: an oslc:Error.
	fail func(w http.ResponseWriter, r *http.Request, status int, msg string)
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
	h := func(path string, methods []string, op auth.Operation, f http.HandlerFunc) route {
		return route{path: path, methods: methods, op: op, handler: f}
	}
	public := func(rt route) route { rt.public = true; return rt }
	subs := api.Kind("subscriptions")
	// The API's handlers return a response or an error, which api.Serve
	// writes; the pages' and the streams' write their own.
	rs := []route{
		// Discovery.
		h("/", get, auth.Read, api.Serve(api.Home)),
		// Jazz tools read the root services to find the OAuth URLs.
		public(h("/rootservices", get, auth.Read, api.Serve(api.RootServices))),
		// OSLC Core 3.0 Discovery: well-known URIs lead to the catalog.
		public(h("/.well-known/oslc/sp-catalog", get, auth.Read, api.WellKnown("/oslc/catalog"))),
		public(h("/.well-known/oslc/rootservices.xml", get, auth.Read, api.WellKnown("/rootservices"))),
		h("/oslc/catalog", get, auth.Read, api.Serve(api.Catalog)),
		h("/oslc/provider", get, auth.Read, api.Serve(api.ServiceProvider)),
		// Shapes and vocabularies describe terms, not data: tools dereference
		// them without credentials.
		public(h("/oslc/shapes/{name}", get, auth.Read, api.Serve(api.Shape))),
		public(h("/ns/{name}", get, auth.Read, api.Serve(api.Vocabulary))),
		h("/oslc/capabilities", get, auth.Read, api.Serve(api.Capabilities)),
		// The tracked resource set, for lifecycle indexers.
		h("/oslc/trs", get, auth.Read, api.Serve(api.TrackedResourceSet)),
		h("/oslc/trs/base", get, auth.Read, api.Serve(api.TRSBase)),
		h("/oslc/trs/changelog", get, auth.Read, api.Serve(api.TRSChangeLog)),
		h("/oslc/dialogs/{action:select|create}/{kind}", get, auth.Read, api.Serve(api.DialogDescriptor)),
		// Measurement jobs: operations, pushed records, events and
		// report files (a report's RDF is the generic GET below).
		h("/oslc/jobs/{id}/{action:suspend|resume|cancel}", post, auth.JobWrite, api.Serve(api.JobAction)),
		h("/oslc/jobs/{id}/push", post, auth.Push, api.Serve(api.Push)),
		// The job engine's notifications, or with types or oslc.where
		// parameters every event of the hub.
		{path: "/oslc/events", methods: get, op: auth.Read, handler: http.HandlerFunc(s.hubHTTP.Stream), stream: true, when: notify.WantsStream},
		// Alarms: acknowledged and cleared by hand, as jobs are operated.
		h("/oslc/alarms/{id}/{action:acknowledge|clear}", post, auth.JobWrite, api.Serve(api.AlarmAction)),
		{path: "/oslc/events", methods: get, op: auth.Read, handler: http.HandlerFunc(api.Events), stream: true},
		// Event subscriptions: managed as jobs are; the hub serves the
		// subscriptions kind (its pages through the UI's wrappers).
		{path: "/oslc/subscriptions", methods: get, op: auth.Read, handler: pages.Base(subs, api.Serve(s.hubHTTP.List)), container: subs},
		{path: "/oslc/subscriptions", methods: post, op: auth.JobWrite, handler: pages.Base(subs, s.hubHTTP.Create), container: subs},
		h("/oslc/subscriptions/{id}", get, auth.Read, pages.Member(subs, api.Serve(s.hubHTTP.Get))),
		h("/oslc/subscriptions/{id}", del, auth.JobWrite, api.Serve(s.hubHTTP.Delete)),
		h("/oslc/hub", post, auth.JobWrite, s.hubHTTP.Create),
		h("/oslc/hub/{id}", del, auth.JobWrite, api.Serve(s.hubHTTP.Delete)),
		{path: "/oslc/reports/{id}", methods: get, op: auth.Read, handler: http.HandlerFunc(api.ReportFile), when: oslc.WantsReportFile},
		// The pages' own: dialogs and static files.
		h("/ui/select/{kind}", get, auth.Read, pages.SelectDialog),
		h("/ui/select/{kind}/search", get, auth.Read, pages.SelectSearch),
		h("/ui/create/{kind}", get, auth.Read, pages.CreateDialog),
		{path: "/ui/live", methods: get, op: auth.Read, handler: http.HandlerFunc(pages.Live), stream: true},
		{path: "/ui/static/", prefix: true, methods: get, handler: pages.Static(), public: true},
	}
	// The TMF628 and MEF faces over the same jobs (faces.go).
	rs = append(rs, s.faceRoutes()...)
	rs = append(rs, s.opsRoutes()...)
	// OAuth 1.0a: the token endpoints check the consumer's signature
	// themselves; the user who allows a consumer signs in as usual.
	if o := s.oauth; o != nil {
		rs = append(rs,
			public(h(auth.OAuth1RequestTokenPath, post, auth.Read, o.RequestToken)),
			public(h(auth.OAuth1AccessTokenPath, post, auth.Read, o.AccessToken)),
			h(auth.OAuth1AuthorizePath, []string{http.MethodGet, http.MethodHead, http.MethodPost}, auth.Read, o.Authorize),
		)
	}
	// Each kind of resource: its query base, creation factory and members,
	// with the methods the kind allows. A query may be POSTed as a form
	// (OSLC Query 3.0); any other POST is a creation, where the kind has
	// a creation factory.
	for _, k := range api.Kinds() {
		if k.Hosted() {
			continue
		}
		base, member := k.Path(), k.Path()+"/{id}"
		write := auth.Write
		if k.Jobs {
			write = auth.JobWrite
		}
		container := func(rt route) route { rt.container = k; return rt }
		rs = append(rs, container(h(base, get, auth.Read, pages.Base(k, api.Serve(api.List(k))))))
		query := container(h(base, post, auth.Read, pages.Base(k, api.Serve(api.FormQuery(k)))))
		if k.Creatable() {
			query.when = oslc.IsFormQuery
			rs = append(rs, query, container(h(base, post, write, pages.Base(k, api.Serve(api.Create(k))))))
		} else {
			rs = append(rs, query)
		}
		rs = append(rs, h(member, get, auth.Read, pages.Member(k, api.Serve(api.Get(k)))))
		if k.Replaceable() {
			rs = append(rs, h(member, put, write, api.Serve(api.Replace(k))))
		}
		if k.Deletable() {
			rs = append(rs, h(member, del, write, api.Serve(api.Delete(k))))
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
		m.Methods(append([]string(nil), rt.methods...)...).Handler(s.guard(rt))
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
		s.writeError(w, r, route{fail: s.faceFail(r)}, oslc.Errorf(http.StatusMethodNotAllowed, "method", "%s is not allowed on %s", r.Method, s.api.RequestIRI(r)))
	})
	s.router = r
}

// methodOrder is the order methods are listed in Allow headers.
var methodOrder = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

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

// containerOf returns the kind whose query base r's path is, or nil.
func (s *Server) containerOf(r *http.Request) *oslc.Kind {
	for i, p := range s.paths {
		if k := s.routes[i].container; k != nil && p.Match(r, &mux.RouteMatch{}) {
			return k
		}
	}
	return nil
}

// options answers OPTIONS with the methods the route table has for the
// path; on a query base, with what says it is an LDP container and links
// its dialogs (OSLC Core 3.0 Discovery and Delegated Dialogs); and, to a
// CORS preflight from an allowed origin, what a script may send.
func (s *Server) options(w http.ResponseWriter, r *http.Request) {
	allow := s.allowed(r)
	if allow == nil {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Allow", strings.Join(allow, ", "))
	if k := s.containerOf(r); k != nil {
		for name, v := range s.api.ContainerHeader(k) {
			h[name] = append(h[name], v...)
		}
		for _, l := range s.api.DialogLinks(k) {
			h.Add("Link", l)
		}
	}
	if r.Header.Get("Access-Control-Request-Method") != "" && h.Get("Access-Control-Allow-Origin") != "" {
		methods := allow
		if !s.trusted(r.Header.Get("Origin")) {
			// Other origins' scripts may read, never write.
			methods = []string{http.MethodGet, http.MethodHead}
		}
		h.Set("Access-Control-Allow-Methods", strings.Join(methods, ", "))
		h.Set("Access-Control-Allow-Headers", "Accept, Content-Type, If-Match, If-None-Match, Prefer, OSLC-Core-Version, Authorization, X-Jazz-CSRF-Prevent")
		h.Set("Access-Control-Max-Age", "600")
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, route{fail: s.faceFail(r)}, oslc.Errorf(http.StatusNotFound, "URL", "no resource at %s", s.api.RequestIRI(r)))
}
