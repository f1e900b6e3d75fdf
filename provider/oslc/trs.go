package oslc

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// The tracked resource set (OSLC Tracked Resource Set 3.0) lets
// lifecycle indexers learn the provider's records, monitored resources,
// jobs and reports, and then what changes, by polling:
//
//	/oslc/trs            trs:TrackedResourceSet: trs:base, and trs:changeLog
//	                     with the newest events inline
//	/oslc/trs/base       the base, an ldp:DirectContainer, paged (ldp:Page,
//	                     ldp:nextPage, Link rel="next"); its first page
//	                     names trs:cutoffEvent
//	/oslc/trs/changelog  older segments of the change log (?before=ORDER),
//	                     each linked from the newer by trs:previous
//
// The events are the store's change log (store.Snapshot.Changes), which
// every write commits with itself, whatever path it takes (HTTP, the job
// engine, imports, retention): an event is never lost or invented. The
// store logs every resource; the set tracks those under the query bases
// of trackedKinds, and the other events are left out here.
//
// The base is computed when read: its first page lists the members and
// names the newest tracked event as its cutoff, both read in one store
// view. Later pages list the members after the last one of the page
// before, read then: a resource created or deleted meanwhile is both
// listed or not and in an event after the cutoff, which the spec allows
// (a base may be an approximation that the events after its cutoff
// correct). Their URLs carry the cutoff, so no two bases share a page
// URL but the first, the base itself.
//
// Compaction (Compact, run every TRSConfig.CompactEvery) drops the events
// older than TRSConfig.Keep, and the oldest beyond TRSConfig.MaxChanges,
// but never the newest tracked event: that is the cutoff of any base
// computed now, which the change log must hold. A client whose last seen
// event was dropped finds it in no segment and reads the base again.

// The TRS vocabulary.
const trsNS = "http://open-services.net/ns/core/trs#"

var (
	trsTrackedResourceSet = vocab.IRI(trsNS, "TrackedResourceSet")
	trsTrackedSetProp     = vocab.IRI(trsNS, "trackedResourceSet")
	trsBase               = vocab.IRI(trsNS, "base")
	trsBaseClass          = vocab.IRI(trsNS, "Base")
	trsChangeLog          = vocab.IRI(trsNS, "changeLog")
	trsChangeLogClass     = vocab.IRI(trsNS, "ChangeLog")
	trsChange             = vocab.IRI(trsNS, "change")
	trsChanged            = vocab.IRI(trsNS, "changed")
	trsOrder              = vocab.IRI(trsNS, "order")
	trsPrevious           = vocab.IRI(trsNS, "previous")
	trsCutoffEvent        = vocab.IRI(trsNS, "cutoffEvent")

	trsEventClass = map[store.ChangeKind]rdf.IRI{
		store.Created:  vocab.IRI(trsNS, "Creation"),
		store.Modified: vocab.IRI(trsNS, "Modification"),
		store.Deleted:  vocab.IRI(trsNS, "Deletion"),
	}

	ldpDirectContainer    = vocab.IRI(vocab.LDP, "DirectContainer")
	ldpPage               = vocab.IRI(vocab.LDP, "Page")
	ldpPageOf             = vocab.IRI(vocab.LDP, "pageOf")
	ldpNextPage           = vocab.IRI(vocab.LDP, "nextPage")
	ldpMember             = vocab.IRI(vocab.LDP, "member")
	ldpHasMemberRelation  = vocab.IRI(vocab.LDP, "hasMemberRelation")
	ldpMembershipResource = vocab.IRI(vocab.LDP, "membershipResource")
	rdfNil                = vocab.IRI(vocab.RDF, "nil")
	trsChangeLogNode      = blank("changeLog")
)

// trackedKinds name the kinds whose members the set tracks. Tracking
// records and notifications are left out: they record what the jobs did,
// which the jobs and reports already tell an indexer, at a rate of
// several per period. Alarms are tracked, so that a lifecycle indexer
// knows the alarms of the resources it links.
var trackedKinds = []string{"records", "resources", "jobs", "reports", "thresholds", "alarms"}

// Paths and parameters of the TRS resources.
const (
	trsPath                 = "/oslc/trs"
	trsBasePath             = "/oslc/trs/base"
	trsChangeLogPath        = "/oslc/trs/changelog"
	trsEventPath            = "/oslc/trs/changes/"
	trsBaseParamAfter       = "after"
	trsBaseParamCutoff      = "cutoff"
	trsChangeLogParamBefore = "before"
)

// TRSConfig configures the tracked resource set. The zero value is the
// default.
type TRSConfig struct {
	// BasePageSize is the most members a page of the base lists; 0 means
	// DefaultTRSBasePageSize.
	BasePageSize int
	// ChangePageSize is the most events a segment of the change log
	// holds, the first inline in the tracked resource set; 0 means
	// DefaultTRSChangePageSize.
	ChangePageSize int
	// Keep is how long an event stays in the change log: compaction
	// drops older ones, by the store's clock. 0 means DefaultTRSKeep; a
	// negative Keep keeps events whatever their age.
	Keep time.Duration
	// MaxChanges bounds the events the change log keeps: compaction drops
	// the oldest beyond it. 0 means DefaultTRSMaxChanges; a negative
	// MaxChanges sets no bound.
	MaxChanges int
	// CompactEvery is how often StartCompaction compacts; 0 means
	// DefaultTRSCompactEvery.
	CompactEvery time.Duration
}

// Defaults of TRSConfig. A client that polls at least once a week never
// has to read the base again, unless more than a million changes were
// made meanwhile (about 100 MB of log).
const (
	DefaultTRSBasePageSize   = 1000
	DefaultTRSChangePageSize = 200
	DefaultTRSKeep           = 7 * 24 * time.Hour
	DefaultTRSMaxChanges     = 1000000
	DefaultTRSCompactEvery   = time.Minute
)

// withDefaults returns c with its zero fields set to the defaults.
func (c TRSConfig) withDefaults() TRSConfig {
	if c.BasePageSize <= 0 {
		c.BasePageSize = DefaultTRSBasePageSize
	}
	if c.ChangePageSize <= 0 {
		c.ChangePageSize = DefaultTRSChangePageSize
	}
	if c.Keep == 0 {
		c.Keep = DefaultTRSKeep
	}
	if c.MaxChanges == 0 {
		c.MaxChanges = DefaultTRSMaxChanges
	}
	if c.CompactEvery <= 0 {
		c.CompactEvery = DefaultTRSCompactEvery
	}
	return c
}

// trackedPrefixes returns the IRI prefixes of the tracked resources,
// sorted: the base lists them in this order.
func (s *Server) trackedPrefixes() []string {
	var ps []string
	for _, name := range trackedKinds {
		if k := s.Kind(name); k != nil {
			ps = append(ps, s.URL(k.Path())+"/")
		}
	}
	sort.Strings(ps)
	return ps
}

// tracked says whether resource id is in the tracked resource set.
func (s *Server) tracked(id rdf.IRI) bool {
	for _, p := range s.trsPrefixes {
		if strings.HasPrefix(id.String(), p) {
			return true
		}
	}
	return false
}

// eventIRI is the IRI of the event c. Its order alone would not do: the
// spec wants event IRIs unique even if orders are reused after a server
// is rolled back (a store restored from a backup), and the events written
// after such a rollback have later times.
func (s *Server) eventIRI(c store.Change) rdf.IRI {
	return s.iri(trsEventPath + strconv.FormatUint(c.Order, 10) + "-" + strconv.FormatInt(c.Time.UnixNano(), 36))
}

// addEvent adds the triples of event c to g.
func (s *Server) addEvent(g *Graph, c store.Change) rdf.IRI {
	ev := s.eventIRI(c)
	g.Add(ev, vocab.RDFType, trsEventClass[c.Kind])
	g.Add(ev, trsChanged, c.ID)
	g.Add(ev, trsOrder, rdf.NewTypedLiteral(strconv.FormatUint(c.Order, 10), vocab.XSDInteger))
	return ev
}

// trackedChanges returns up to limit tracked events with orders below
// before (0: all), newest first, and whether it stopped at the limit:
// then older ones may follow.
func (s *Server) trackedChanges(ctx context.Context, sn store.ChangeView, before uint64, limit int) (cs []store.Change, full bool, err error) {
	err = sn.Changes(ctx, before, func(c store.Change) bool {
		if s.tracked(c.ID) {
			cs = append(cs, c)
		}
		return len(cs) < limit
	})
	return cs, len(cs) == limit, err
}

// trsETag is a weak entity tag of every TRS resource: every write and
// every compaction changes the newest or the oldest event, and the time
// of the newest tells a store replaced since apart.
func (s *Server) trsETag(ctx context.Context, sn store.ChangeView) (string, error) {
	oldest, newest := sn.ChangeSpan()
	var t time.Time
	err := sn.Changes(ctx, 0, func(c store.Change) bool { t = c.Time; return false })
	return `W/"` + strconv.FormatUint(oldest, 36) + "-" + strconv.FormatUint(newest, 36) + "-" + strconv.FormatInt(t.UnixNano(), 36) + `"`, err
}

// trsView reads the store for a TRS resource: fn builds the response in
// one view, tagged with the view's ETag.
func (s *Server) trsView(r *http.Request, fn func(sn store.ChangeView) (*Response, error)) (*Response, error) {
	var resp *Response
	err := s.store.ViewChanges(r.Context(), func(sn store.ChangeView) error {
		etag, err := s.trsETag(r.Context(), sn)
		if err != nil {
			return err
		}
		h := http.Header{}
		h.Set("ETag", etag)
		// If-None-Match is answered when the representation is written
		// (writeGraph): each representation has its own ETag.
		resp, err = fn(sn)
		if err == nil {
			for k, v := range h {
				if resp.Header == nil {
					resp.Header = http.Header{}
				}
				resp.Header[k] = v
			}
		}
		return err
	})
	return resp, err
}

// TrackedResourceSet answers GET on the tracked resource set: its base,
// and its change log with the newest events inline.
func (s *Server) TrackedResourceSet(r *http.Request) (*Response, error) {
	return s.trsView(r, func(sn store.ChangeView) (*Response, error) {
		set := s.iri(trsPath)
		var g Graph
		g.Add(set, vocab.RDFType, trsTrackedResourceSet)
		g.Add(set, vocab.DCTitle, vocab.XMLLiteral("Tracked Resource Set of the Performance Monitoring records, monitored resources, jobs and reports"))
		g.Add(set, trsBase, s.iri(trsBasePath))
		g.Add(set, trsChangeLog, trsChangeLogNode)
		if err := s.changeLogSegment(r.Context(), sn, &g, trsChangeLogNode, 0); err != nil {
			return nil, err
		}
		return ok(set, g, "Tracked Resource Set"), nil
	})
}

// TRSChangeLog answers GET on an older segment of the change log: the
// events with orders below the parameter before, newest first.
func (s *Server) TRSChangeLog(r *http.Request) (*Response, error) {
	v := r.URL.Query().Get(trsChangeLogParamBefore)
	before, err := strconv.ParseUint(v, 10, 64)
	if err != nil || before == 0 {
		return nil, Errorf(http.StatusBadRequest, "parameter "+trsChangeLogParamBefore, "%s must be the order of an event, a positive integer, not %q; the segments of the change log are linked from %s by trs:previous", trsChangeLogParamBefore, v, s.URL(trsPath))
	}
	return s.trsView(r, func(sn store.ChangeView) (*Response, error) {
		seg := s.RequestPageIRI(r)
		var g Graph
		if err := s.changeLogSegment(r.Context(), sn, &g, seg, before); err != nil {
			return nil, err
		}
		return ok(seg, g, "Change Log"), nil
	})
}

// changeLogSegment adds to g the segment node of the change log: the
// tracked events with orders below before (0: the newest), and
// trs:previous, the next older segment, or rdf:nil at the end, as TRS 2.0
// clients expect. A segment ends at the oldest event it lists, so later
// events never move into an older segment; events may move the other
// way, which the spec allows (clients skip events they have seen).
func (s *Server) changeLogSegment(ctx context.Context, sn store.ChangeView, g *Graph, node rdf.Subject, before uint64) error {
	cs, full, err := s.trackedChanges(ctx, sn, before, s.trs.ChangePageSize)
	if err != nil {
		return err
	}
	g.Add(node, vocab.RDFType, trsChangeLogClass)
	for _, c := range cs {
		g.Add(node, trsChange, s.addEvent(g, c))
	}
	if full {
		q := url.Values{trsChangeLogParamBefore: {strconv.FormatUint(cs[len(cs)-1].Order, 10)}}
		g.Add(node, trsPrevious, s.iri(trsChangeLogPath+"?"+q.Encode()))
	} else {
		g.Add(node, trsPrevious, rdfNil)
	}
	return nil
}

// TRSBase answers GET on the base and its pages: without parameters the
// first page, which names the cutoff event; with after (and cutoff, the
// cutoff of the first page, which keeps page URLs of different bases
// apart) the members after after.
func (s *Server) TRSBase(r *http.Request) (*Response, error) {
	q := r.URL.Query()
	var after rdf.IRI
	first := !q.Has(trsBaseParamAfter)
	if !first {
		a, err := rdf.NewIRI(q.Get(trsBaseParamAfter))
		if err != nil {
			return nil, Errorf(http.StatusBadRequest, "parameter "+trsBaseParamAfter, "%s must be the IRI of the last member of the page before: %v; the pages are linked from %s by ldp:nextPage", trsBaseParamAfter, err, s.URL(trsBasePath))
		}
		after = a
	}
	cutoff := q.Get(trsBaseParamCutoff)
	if _, err := strconv.ParseUint(cutoff, 10, 64); cutoff != "" && err != nil {
		return nil, Errorf(http.StatusBadRequest, "parameter "+trsBaseParamCutoff, "%s must be the order of the cutoff event, an integer, not %q", trsBaseParamCutoff, cutoff)
	}
	return s.trsView(r, func(sn store.ChangeView) (*Response, error) {
		ctx := r.Context()
		base := s.iri(trsBasePath)
		page := s.RequestPageIRI(r)
		var g Graph
		if first {
			page = base
			g.Add(base, vocab.RDFType, trsBaseClass, ldpDirectContainer)
			g.Add(base, vocab.DCTitle, vocab.XMLLiteral("Base of the Tracked Resource Set"))
			g.Add(base, ldpHasMemberRelation, ldpMember)
			g.Add(base, ldpMembershipResource, base)
			cs, _, err := s.trackedChanges(ctx, sn, 0, 1)
			if err != nil {
				return nil, err
			}
			cutoff = "0"
			if len(cs) == 0 {
				// No tracked change yet: the base is the set at its
				// inception, and the log lists every change since.
				g.Add(base, trsCutoffEvent, rdfNil)
			} else {
				g.Add(base, trsCutoffEvent, s.eventIRI(cs[0]))
				cutoff = strconv.FormatUint(cs[0].Order, 10)
			}
		}
		size := s.trs.BasePageSize
		var members []rdf.IRI
		for _, p := range s.trsPrefixes {
			err := sn.ResourcesUnder(ctx, p, after, func(id rdf.IRI) bool {
				members = append(members, id)
				return len(members) <= size
			})
			if err != nil {
				return nil, err
			}
			if len(members) > size {
				break
			}
		}
		h := http.Header{}
		h.Add("Link", `<`+vocab.LDP+`Page>; rel="type"`)
		if first {
			// The first page is served at the base's URL: the container.
			h.Add("Link", `<`+vocab.LDP+`DirectContainer>; rel="type"`)
		}
		g.Add(page, vocab.RDFType, ldpPage)
		g.Add(page, ldpPageOf, base)
		if len(members) > size {
			members = members[:size]
			next := s.iri(trsBasePath + "?" + url.Values{
				trsBaseParamCutoff: {cutoff},
				trsBaseParamAfter:  {members[size-1].String()},
			}.Encode())
			g.Add(page, ldpNextPage, next)
			h.Add("Link", `<`+next.String()+`>; rel="next"`)
		} else {
			g.Add(page, ldpNextPage, rdfNil)
		}
		for _, m := range members {
			g.Add(base, ldpMember, m)
		}
		resp := ok(page, g, "Base of the Tracked Resource Set")
		resp.Header = h
		return resp, nil
	})
}

// Compact drops the events of the change log that TRSConfig.Keep and
// MaxChanges let go, but never the newest tracked event, and returns how
// many it dropped.
func (s *Server) Compact(ctx context.Context) (int, error) {
	var before uint64
	err := s.store.ViewChanges(ctx, func(sn store.ChangeView) error {
		oldest, newest := sn.ChangeSpan()
		if newest == 0 {
			return nil
		}
		// The newest tracked event is the cutoff of a base read now: the
		// log must keep it. Without one, no client has seen an event.
		floor := newest + 1
		cs, _, err := s.trackedChanges(ctx, sn, 0, 1)
		if err != nil {
			return err
		}
		if len(cs) > 0 {
			floor = cs[0].Order
		}
		if bound := s.trs.MaxChanges; bound > 0 && newest-oldest+1 > uint64(bound) {
			before = newest - uint64(bound) + 1
		}
		if s.trs.Keep > 0 {
			limit := time.Now().Add(-s.trs.Keep)
			err := sn.ChangesAfter(ctx, max(before, oldest)-1, func(c store.Change) bool {
				if !c.Time.Before(limit) || c.Order >= floor {
					return false
				}
				before = c.Order + 1
				return true
			})
			if err != nil {
				return err
			}
		}
		before = min(before, floor)
		if s.hold != nil {
			if h := s.hold(); h > 0 {
				before = min(before, h)
			}
		}
		return nil
	})
	if err != nil || before == 0 {
		return 0, err
	}
	return s.store.TrimChanges(ctx, before)
}

// HoldChanges makes compaction keep the change log from the order hold
// returns (0: no bound), for other readers of the log than the tracked
// resource set: the event hub's subscribers. Call it before
// StartCompaction.
func (s *Server) HoldChanges(hold func() uint64) { s.hold = hold }

// StartCompaction compacts the change log every TRSConfig.CompactEvery
// until stop is called.
func (s *Server) StartCompaction() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.trs.CompactEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if n, err := s.Compact(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("compact the change log", "err", err)
			} else if n > 0 {
				s.log.Info("compacted the change log", "events", n)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
