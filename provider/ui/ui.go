package ui

import (
	"context"
	"net/http"
	"net/url"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Config configures the pages other tools embed in theirs: the
// delegated dialogs and the resource previews.
type Config struct {
	// FrameAncestors are the CSP frame-ancestors sources that may embed
	// dialogs and previews in a frame, e.g. "https://alm.example.com" or
	// "'self'". None means any page may ("*"): dialogs are made to be
	// embedded, and the provider has no sessions a frame could abuse.
	FrameAncestors []string
	// CORSOrigins are the origins whose scripts may write, and read the
	// provider's responses with credentials: they are echoed, with
	// credentials allowed. None means any origin's scripts may read
	// without credentials ("*"); a write a browser sends from an origin
	// not listed is refused.
	CORSOrigins []string
	// Alarms are the active alarms the overview, resource pages and
	// previews show; nil: none, and no alarm sections.
	Alarms Alarms
}

// Server serves the pages people use: the HTML representation of every
// resource, query pages, charts, previews and dialogs. It reads through
// the OSLC API it sits beside, and queries through the query engine.
type Server struct {
	api  *oslc.Server
	cfg  Config
	live changeWatch // the change-log poller the open pages share
}

// New returns the pages of api, and makes them api's HTML representation.
func New(api *oslc.Server, cfg Config) *Server {
	s := &Server{api: api, cfg: cfg}
	api.SetHTML(s)
	return s
}

// The API's services, as the pages use them.

// URL returns the absolute URL of path (which starts with "/").
func (s *Server) URL(path string) string { return s.api.URL(path) }

func (s *Server) iri(path string) rdf.IRI { return s.api.IRI(path) }

func (s *Server) kind(name string) *oslc.Kind { return s.api.Kind(name) }

func (s *Server) kindOf(id string) *oslc.Kind { return s.api.KindOf(id) }

func (s *Server) store() oslc.Store { return s.api.Store() }

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	s.api.WriteError(w, r, err)
}

// uiQuery runs q on k's members: what k's query base answers.
func (s *Server) uiQuery(ctx context.Context, k *oslc.Kind, q *query.Query, size int) (*query.Result, error) {
	return s.api.Query(ctx, k, q, size)
}

// newestFirst orders records by dcterms:date, newest first, as
// newestFirstText writes it in links.
var newestFirst = parser.Order(parser.Desc(vocab.DCDate))

const newestFirstText = "-dcterms:date"

// moreLink is the URL of k's query base answering where, newest first:
// where the pages' short tables link to all of their rows.
func (s *Server) moreLink(k *oslc.Kind, where *parser.Where) string {
	v := url.Values{"oslc.where": {where.Compact(parser.DefaultPrefixes()).String()}, "oslc.orderBy": {newestFirstText}}
	return s.URL(k.Path()) + "?" + v.Encode()
}
