package ui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/oslc-pm/pmprovider/provider/oslc"
)

// pagePolicy is the content security policy of every page: scripts,
// styles and requests of the provider's own origin only, no plugins, no
// base or form targets elsewhere.
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "

// ContentPolicy is the Content-Security-Policy of the provider's pages,
// which no other site may frame; the wiring sends it with every response
// (it is harmless on RDF). Dialogs and previews replace it with one that
// lets the configured FrameAncestors embed them.
func (s *Server) ContentPolicy() string { return pagePolicy + "frame-ancestors 'self'" }

func (c Config) embeddablePolicy() string {
	if len(c.FrameAncestors) == 0 {
		return pagePolicy + "frame-ancestors *"
	}
	return pagePolicy + "frame-ancestors " + strings.Join(c.FrameAncestors, " ")
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

// Static serves the pages' own CSS, scripts and icons at /ui/static/.
func (s *Server) Static() http.Handler {
	static, _ := fs.Sub(webFS, "web")
	return http.StripPrefix(s.api.Prefix()+"/ui/static/", staticHandler(http.FileServer(http.FS(static))))
}

func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}

// Member wraps next, the API's GET of a member of k: when k's members
// have previews, requests for a Compact resource or a preview document get
// the UI's answer, and any other successful GET links the Compact.
func (s *Server) Member(k *oslc.Kind, next http.HandlerFunc) http.HandlerFunc {
	if !k.Preview {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Has("compact") || accepts(r, compactXML):
			s.Compact(w, r)
			return
		case q.Has("preview"):
			s.Preview(w, r)
			return
		case prefers(r, preferCompact):
			s.PreferCompact(w, r)
			return
		}
		w.Header().Add("Vary", "Prefer")
		w.Header().Set("Accept", compactXML) // OSLC Resource Preview: says a compact is offered
		next(&successLinks{ResponseWriter: w, links: []string{`<` + s.api.RequestIRI(r).String() + `?compact>; rel="` + relCompact + `"`}}, r)
	}
}

// Base wraps next, an API handler on k's query base and creation
// factory: successful answers link k's dialogs, and a 201 also the new
// resource's Compact.
// A page of members that people read, which asks for no order, lists the
// newest first when they have dates.
func (s *Server) Base(k *oslc.Kind, next http.HandlerFunc) http.HandlerFunc {
	if viewOf(k).sortByDate {
		next = newestFirstPages(next)
	}
	if len(k.Dialogs) == 0 {
		return next
	}
	var links []string
	for _, d := range k.Dialogs {
		rel := relSelectionDialog
		if d.Action == "create" {
			rel = relCreationDialog
		}
		links = append(links, `<`+s.URL("/oslc/dialogs/"+d.Action+"/"+k.Name)+`>; rel="`+rel+`"`)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		next(&successLinks{ResponseWriter: w, links: links, created: r.Method == http.MethodPost}, r)
	}
}

// newestFirstPages orders the HTML pages of next newest first, unless
// they ask for an order.
func newestFirstPages(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && !q.Has("oslc.orderBy") && !q.Has("oslc.searchTerms") && wantsHTML(r) {
			q.Set("oslc.orderBy", newestFirstText)
			r2 := r.Clone(r.Context())
			r2.URL.RawQuery = q.Encode()
			r = r2
		}
		next(w, r)
	}
}

// wantsHTML tells whether r asks for a page rather than RDF.
func wantsHTML(r *http.Request) bool {
	f := r.URL.Query().Get("format")
	return f == "html" || f == "" && accepts(r, "text/html")
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
	w.Header().Set("Content-Security-Policy", s.cfg.embeddablePolicy())
}
