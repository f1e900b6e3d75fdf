package provider

import (
	"embed"
	"io/fs"
	"net/http"
	"regexp"
	"strings"

	"github.com/gorilla/mux"
)

// UIConfig configures the pages other tools embed in theirs: the
// delegated dialogs and the resource previews.
type UIConfig struct {
	// FrameAncestors are the CSP frame-ancestors sources that may embed
	// dialogs and previews in a frame, e.g. "https://alm.example.com" or
	// "'self'". None means any page may ("*"): dialogs are made to be
	// embedded, and the provider has no sessions a frame could abuse.
	FrameAncestors []string
	// CORSOrigins are the origins whose scripts may read the provider's
	// responses. None means any origin ("*", without credentials); listed
	// origins are echoed, with credentials allowed.
	CORSOrigins []string
}

func (c UIConfig) frameAncestors() string {
	if len(c.FrameAncestors) == 0 {
		return "frame-ancestors *"
	}
	return "frame-ancestors " + strings.Join(c.FrameAncestors, " ")
}

//go:embed web
var webFS embed.FS

// OSLC link relations and Prefer include values of dialogs and previews.
const (
	relCompact         = "http://open-services.net/ns/core#Compact"
	relSelectionDialog = "http://open-services.net/ns/core#selectionDialog"
	relCreationDialog  = "http://open-services.net/ns/core#creationDialog"
	preferCompact      = "http://open-services.net/ns/core#PreferCompact"
	compactXML         = "application/x-oslc-compact+xml"
)

// uiRoutes adds the routes of the pages people use: static assets, dialog
// descriptors and dialogs, and a middleware that answers compact and
// preview requests on resources, adds their Link headers and does CORS.
func (s *Server) uiRoutes(r *mux.Router) {
	r.Use(s.uiMiddleware)
	// OPTIONS on anything: CORS preflight, and resources with previews
	// MUST support OPTIONS (OSLC Resource Preview).
	r.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool { return r.Method == http.MethodOptions }).HandlerFunc(s.handleOptions)
	static, _ := fs.Sub(webFS, "web")
	r.PathPrefix("/ui/static/").Handler(http.StripPrefix(s.prefix+"/ui/static/", staticHandler(http.FileServer(http.FS(static)))))
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/oslc/dialogs/{action:select|create}/{kind}", s.handleDialogDescriptor).Methods(get...)
	r.HandleFunc("/ui/select/{kind}", s.handleSelectDialog).Methods(get...)
	r.HandleFunc("/ui/select/{kind}/search", s.handleSelectSearch).Methods(get...)
	r.HandleFunc("/ui/create/{kind}", s.handleCreateDialog).Methods(get...)
}

func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}

// previewPath matches the resources that have a Compact resource.
var previewPath = regexp.MustCompile(`^/oslc/(records|resources|jobs)/[^/]+$`)

// dialogKinds are the query bases with dialogs, and which.
var dialogKinds = map[string][]string{
	"/oslc/records":   {"select"},
	"/oslc/resources": {"select", "create"},
	"/oslc/jobs":      {"create"},
}

func (s *Server) uiMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.cors(w, r)
		path := strings.TrimPrefix(r.URL.Path, s.prefix)
		if previewPath.MatchString(path) {
			switch r.Method {
			case http.MethodGet, http.MethodHead:
				q := r.URL.Query()
				switch {
				case q.Has("compact") || accepts(r, compactXML):
					s.handleCompact(w, r)
					return
				case q.Has("preview"):
					s.handlePreview(w, r)
					return
				case prefers(r, preferCompact):
					s.handlePreferCompact(w, r)
					return
				}
				w.Header().Add("Vary", "Prefer")
				w.Header().Set("Accept", compactXML) // OSLC Resource Preview: says a compact is offered
				w = &successLinks{ResponseWriter: w, links: []string{`<` + s.requestIRI(r).String() + `?compact>; rel="` + relCompact + `"`}}
			}
		}
		if kinds, ok := dialogKinds[path]; ok {
			sl := &successLinks{ResponseWriter: w, created: r.Method == http.MethodPost}
			for _, a := range kinds {
				rel := relSelectionDialog
				if a == "create" {
					rel = relCreationDialog
				}
				sl.links = append(sl.links, `<`+s.URL("/oslc/dialogs/"+a+path[len("/oslc"):])+`>; rel="`+rel+`"`)
			}
			w = sl
		}
		next.ServeHTTP(w, r)
	})
}

// successLinks adds Link headers to a successful response only; with
// created, also the Compact of a new resource, anchored at it.
type successLinks struct {
	http.ResponseWriter
	links   []string
	created bool
	wrote   bool
}

func (l *successLinks) WriteHeader(status int) {
	if !l.wrote && status < 300 {
		for _, v := range l.links {
			l.Header().Add("Link", v)
		}
		if loc := l.Header().Get("Location"); l.created && status == http.StatusCreated && loc != "" {
			l.Header().Add("Link", `<`+loc+`?compact>; rel="`+relCompact+`"; anchor="`+loc+`"`)
		}
	}
	l.wrote = true
	l.ResponseWriter.WriteHeader(status)
}

func (l *successLinks) Write(b []byte) (int, error) {
	if !l.wrote {
		l.WriteHeader(http.StatusOK)
	}
	return l.ResponseWriter.Write(b)
}

// cors lets pages of other origins read responses: the Compact resources
// and query results a client shows next to its own data.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if len(s.ui.CORSOrigins) == 0 {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		allowed := false
		for _, o := range s.ui.CORSOrigins {
			if o == origin {
				allowed = true
			}
		}
		if !allowed {
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Expose-Headers", "Location, ETag, Link, OSLC-Core-Version, Preference-Applied")
}

func (s *Server) handleOptions(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS")
	if r.Header.Get("Access-Control-Request-Method") != "" && h.Get("Access-Control-Allow-Origin") != "" {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Accept, Content-Type, If-Match, If-None-Match, Prefer, OSLC-Core-Version, Authorization")
		h.Set("Access-Control-Max-Age", "600")
	}
	w.WriteHeader(http.StatusNoContent)
}

// accepts tells whether r's Accept header names mt with a q above zero.
func accepts(r *http.Request, mt string) bool {
	for _, part := range strings.Split(strings.Join(r.Header.Values("Accept"), ","), ",") {
		fields := strings.Split(part, ";")
		if !strings.EqualFold(strings.TrimSpace(fields[0]), mt) {
			continue
		}
		q := "1"
		for _, f := range fields[1:] {
			if k, v, ok := strings.Cut(strings.TrimSpace(f), "="); ok && k == "q" {
				q = v
			}
		}
		return strings.Trim(q, "0.") != ""
	}
	return false
}

// prefers tells whether r's Prefer header asks for return=representation
// including include (RFC 7240, LDP).
func prefers(r *http.Request, include string) bool {
	for _, p := range r.Header.Values("Prefer") {
		if !strings.Contains(p, "return=representation") {
			continue
		}
		for _, f := range strings.Split(p, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
			if ok && k == "include" {
				for _, i := range strings.Fields(strings.Trim(v, `"`)) {
					if i == include {
						return true
					}
				}
			}
		}
	}
	return false
}

// embeddable marks a response as a page other sites may frame.
func (s *Server) embeddable(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", s.ui.frameAncestors())
}
