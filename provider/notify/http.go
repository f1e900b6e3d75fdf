package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// HTTP serves the hub: the subscriptions' creation factory and members
// (RDF, and TMF628's JSON EventSubscription), and the event stream.
type HTTP struct {
	hub *Hub
	api *oslc.Server
}

// NewHTTP returns the handlers of hub, answering through api.
func NewHTTP(hub *Hub, api *oslc.Server) *HTTP { return &HTTP{hub: hub, api: api} }

// maxSubscriptionBody bounds a subscription's body.
const maxSubscriptionBody = 64 << 10

// A jsonSubscription is TMF628's EventSubscription(Input), with the
// filter also as fields of its own, and the secret in the answer to a
// creation only.
type jsonSubscription struct {
	ID       string   `json:"id,omitempty"`
	Href     string   `json:"href,omitempty"`
	Callback string   `json:"callback"`
	Query    string   `json:"query,omitempty"`
	Types    []string `json:"eventTypes,omitempty"`
	Where    string   `json:"where,omitempty"`
	Format   string   `json:"format,omitempty"`
	Secret   string   `json:"secret,omitempty"`
}

// Create makes a subscription from a POST: RDF with a pmj:callback, or
// JSON {callback, query} as TMF628's /hub, where query is
// "eventType=A,B&oslc.where=..." (both optional). A JSON request is
// answered in JSON, others in RDF; either way the answer, 201 with the
// Location of the subscription, holds its secret, which no later answer
// does.
func (x *HTTP) Create(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSubscriptionBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	asJSON := mt == "application/json"
	l, err := x.readListener(r, mt)
	if err != nil {
		x.api.WriteError(w, r, err)
		return
	}
	if p := auth.PrincipalFrom(r.Context()); p != nil {
		l.Creator = p.Name
	}
	sub, secret, err := x.hub.Subscribe(r.Context(), l)
	if errors.Is(err, ErrCallback) {
		x.api.WriteError(w, r, oslc.Errorf(http.StatusBadRequest, "callback", "%v", err))
		return
	}
	if err != nil {
		x.api.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", sub.ID.String())
	if asJSON {
		js := toJSON(&sub)
		js.Secret = secret
		b, _ := json.Marshal(js)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write(b)
		return
	}
	g := append(sub.Graph(x.hub.cfg.Base), rdf.Triple{Subj: sub.ID, Pred: pmjSecret, Obj: str(secret)})
	x.api.Respond(w, r, http.StatusCreated, sub.ID, g, "Subscription")
}

func toJSON(s *Subscription) jsonSubscription {
	js := jsonSubscription{ID: path.Base(s.ID.String()), Href: s.ID.String(), Callback: s.Callback, Format: s.Format}
	q := url.Values{}
	for _, t := range s.Filter.Types {
		js.Types = append(js.Types, string(t))
	}
	if len(js.Types) > 0 {
		q.Set("eventType", strings.Join(js.Types, ","))
	}
	if s.Filter.Where != nil {
		js.Where = s.Filter.Where.String()
		q.Set("oslc.where", js.Where)
	}
	js.Query = q.Encode()
	return js
}

// readListener reads the listener of a creation request of media type mt.
func (x *HTTP) readListener(r *http.Request, mt string) (Listener, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return Listener{}, oslc.Errorf(http.StatusRequestEntityTooLarge, "body", "a subscription is at most %d bytes", maxSubscriptionBody)
		}
		return Listener{}, err
	}
	var (
		cb, where, format string
		types             []string
	)
	switch f, ok := codec.FormatOf(mt); {
	case mt == "application/json":
		var js jsonSubscription
		if err := json.Unmarshal(body, &js); err != nil {
			return Listener{}, oslc.Errorf(http.StatusBadRequest, "body", "the body is not a JSON EventSubscription {callback, query}: %v", err)
		}
		cb, where, format, types = js.Callback, js.Where, js.Format, js.Types
		if js.Query != "" {
			q, err := url.ParseQuery(js.Query)
			if err != nil {
				return Listener{}, oslc.Errorf(http.StatusBadRequest, "query", "the query %q is not eventType=A,B&oslc.where=...: %v", js.Query, err)
			}
			for k, vs := range q {
				switch k {
				case "eventType", "eventTypes", "type":
					for _, v := range vs {
						types = append(types, strings.Split(v, ",")...)
					}
				case "oslc.where", "where":
					where = vs[0]
				default:
					return Listener{}, oslc.Errorf(http.StatusBadRequest, "query", "the query names %q; it may name eventType and oslc.where", k)
				}
			}
		}
	case ok:
		g, err := codec.Decode(bytes.NewReader(body), f, x.api.RequestIRI(r).String())
		if err != nil {
			return Listener{}, oslc.Errorf(http.StatusBadRequest, "body", "%v", err)
		}
		var root rdf.Subject
		for _, t := range g {
			if t.Pred == pmjCallback {
				if root != nil && !rdf.TermsEqual(root, t.Subj) {
					return Listener{}, oslc.Errorf(http.StatusBadRequest, "body", "the body holds more than one pmj:callback subject")
				}
				root, cb = t.Subj, t.Obj.String()
			}
		}
		if root == nil {
			return Listener{}, oslc.Errorf(http.StatusBadRequest, "body", "a subscription needs a pmj:callback, the URL events are POSTed to")
		}
		for _, t := range g {
			if !rdf.TermsEqual(t.Subj, root) {
				continue
			}
			switch t.Pred {
			case pmjEventType:
				types = append(types, t.Obj.String())
			case pmjWhere:
				where = t.Obj.String()
			case pmjFormat:
				format = t.Obj.String()
			}
		}
	case mt == "":
		return Listener{}, oslc.Errorf(http.StatusUnsupportedMediaType, "header Content-Type", "a Content-Type is required: RDF, or application/json")
	default:
		return Listener{}, oslc.Errorf(http.StatusUnsupportedMediaType, "header Content-Type", "media type %q is not accepted: RDF, or application/json", mt)
	}
	if cb == "" {
		return Listener{}, oslc.Errorf(http.StatusBadRequest, "callback", "a subscription needs a callback, the URL events are POSTed to")
	}
	filter, err := ParseFilter(types, where)
	if err != nil {
		var pe *parser.Error
		if errors.As(err, &pe) {
			return Listener{}, oslc.Errorf(http.StatusBadRequest, "oslc.where", "%v", err)
		}
		return Listener{}, oslc.Errorf(http.StatusBadRequest, "eventType", "%v", err)
	}
	if format != "" {
		x.hub.mu.Lock()
		_, ok := x.hub.formats[format]
		x.hub.mu.Unlock()
		if !ok {
			return Listener{}, oslc.Errorf(http.StatusBadRequest, "format", "no format %q; leave it out for the default JSON", format)
		}
	}
	return Listener{Callback: cb, Filter: filter, Format: format}, nil
}

// subscriptionOf is the subscription a request's {id} names.
func (x *HTTP) subscriptionOf(r *http.Request) rdf.IRI {
	return x.hub.iri(subscriptionsPath + "/" + url.PathEscape(mux.Vars(r)["id"]))
}

// Get answers a subscription with its delivery status: the cursor, the
// attempts and last error of the event being retried, the ids of the
// dead-lettered events.
func (x *HTTP) Get(r *http.Request) (*oslc.Response, error) {
	id := x.subscriptionOf(r)
	sub, st, ok := x.hub.Lookup(id)
	if !ok {
		return nil, oslc.Errorf(http.StatusNotFound, "URL", "no subscription at %s", id.String())
	}
	g := append(sub.Graph(x.hub.cfg.Base), st.graph(id)...)
	return &oslc.Response{Status: http.StatusOK, Root: id, Graph: g, Title: "Subscription " + sub.Callback}, nil
}

// List answers the subscriptions, the query base of the subscriptions
// kind: those whose graph and delivery status pass the oslc.where
// parameter, and whose values hold every oslc.searchTerms word.
func (x *HTTP) List(r *http.Request) (*oslc.Response, error) {
	base := x.hub.iri(subscriptionsPath)
	q := r.URL.Query()
	f, err := ParseFilter(nil, q.Get("oslc.where"))
	if err != nil {
		return nil, oslc.Errorf(http.StatusBadRequest, "oslc.where", "%v", err)
	}
	var terms parser.SearchTerms
	if v := q.Get("oslc.searchTerms"); v != "" {
		if terms, err = parser.ParseSearchTerms(v); err != nil {
			return nil, oslc.Errorf(http.StatusBadRequest, "oslc.searchTerms", "%v", err)
		}
	}
	g := []rdf.Triple{
		{Subj: base, Pred: vocab.RDFType, Obj: vocab.IRI(vocab.LDP, "BasicContainer")},
		{Subj: base, Pred: vocab.DCTitle, Obj: str("Event subscriptions")},
	}
	n := 0
	for _, s := range x.hub.Subscriptions() {
		sg := s.Graph(x.hub.cfg.Base)
		ok, err := x.passes(r, s.ID, sg, f.Where, terms)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		n++
		// ldp:contains for LDP clients, rdfs:member for OSLC Query's.
		g = append(g, rdf.Triple{Subj: base, Pred: vocab.IRI(vocab.LDP, "contains"), Obj: s.ID},
			rdf.Triple{Subj: base, Pred: vocab.RDFSMember, Obj: s.ID})
		g = append(g, sg...)
	}
	g = append(g, rdf.Triple{Subj: base, Pred: vocab.OSLCTerm("totalCount"), Obj: integer(int64(n))})
	return &oslc.Response{Status: http.StatusOK, Root: base, Graph: g, Title: "Event subscriptions"}, nil
}

// passes says whether subscription id, of graph g, passes where (with
// its delivery status) and holds every search word in its values.
func (x *HTTP) passes(r *http.Request, id rdf.IRI, g []rdf.Triple, where *parser.Where, terms parser.SearchTerms) (bool, error) {
	for _, w := range terms {
		found := false
		for _, t := range g {
			if strings.Contains(strings.ToLower(t.Obj.String()), strings.ToLower(w)) {
				found = true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	if where == nil {
		return true, nil
	}
	if _, st, ok := x.hub.Lookup(id); ok {
		g = append(g[:len(g):len(g)], st.graph(id)...)
	}
	src := &graphSource{id: id, g: g, rest: emptySource{}}
	res, err := query.Run(r.Context(), src, query.Scope{Prefix: id.String()}, &query.Query{Where: where}, query.Page{Size: 4, NoTotal: true})
	if err != nil {
		return false, oslc.QueryError(err)
	}
	return len(res.Members) > 0, nil
}

// Delete deletes a subscription: its deliveries stop.
func (x *HTTP) Delete(r *http.Request) (*oslc.Response, error) {
	id := x.subscriptionOf(r)
	err := x.hub.Unsubscribe(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		return nil, oslc.Errorf(http.StatusNotFound, "URL", "no subscription at %s", id.String())
	}
	if err != nil {
		return nil, err
	}
	return &oslc.Response{Status: http.StatusNoContent, NoBody: true}, nil
}

// WantsStream says whether a request of the event stream asks for the
// hub's events (a types or oslc.where parameter) rather than the job
// engine's notifications alone.
func WantsStream(r *http.Request) bool {
	q := r.URL.Query()
	return q.Has("types") || q.Has("oslc.where")
}

// Stream sends the hub's events as server-sent events: after the
// Last-Event-ID header (or after parameter), those the types parameter
// (comma-separated; "all" for any) and the oslc.where parameter pass.
// The event id is the change log order, the event type the Type, the
// data the event's JSON Message.
func (x *HTTP) Stream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from := r.Header.Get("Last-Event-ID")
	if v := q.Get("after"); v != "" {
		from = v
	}
	after := x.hub.Newest()
	if from != "" {
		n, err := strconv.ParseUint(strings.TrimSpace(from), 10, 64)
		if err != nil {
			x.api.WriteError(w, r, oslc.Errorf(http.StatusBadRequest, "header Last-Event-ID", "%q is not an event id; ids are the numbers sent as id:", from))
			return
		}
		after = n
	}
	var types []string
	if v := q.Get("types"); v != "" && v != "all" {
		types = strings.Split(v, ",")
	}
	f, err := ParseFilter(types, q.Get("oslc.where"))
	if err != nil {
		x.api.WriteError(w, r, oslc.Errorf(http.StatusBadRequest, "parameter types or oslc.where", "%v", err))
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	flusher, ok := w.(http.Flusher)
	if !ok {
		x.api.WriteError(w, r, oslc.Errorf(http.StatusInternalServerError, "", "streaming is not supported here"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	fmt.Fprint(w, "retry: 2000\n\n")
	flusher.Flush()
	ctx := r.Context()
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	for ctx.Err() == nil {
		wake := x.hub.waiter(after)
		var werr error
		next, err := x.hub.Read(ctx, after, &f, func(ev *Event) bool {
			b, err := ev.JSON()
			if err == nil {
				_, err = fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, b)
			}
			werr = err
			return err == nil
		})
		if err != nil || werr != nil {
			return
		}
		flusher.Flush()
		if next > after {
			after = next
			continue
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-keep.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}
