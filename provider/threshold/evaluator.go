// Package threshold watches the records the provider stores: thresholds
// (pmj:Threshold, after OSS/J's ThresholdDefinition, MEF's ThresholdMonitor
// and 3GPP TS 28.550) are evaluated on every record written, with the
// record's own time, and their crossings raise and clear alarms
// (pmj:Alarm, with TM Forum TMF642's fields).
//
// The evaluation sits in the write path: Evaluator.Store wraps the store,
// and every batch of records that goes through its Create, Load or Stage
// is written together with the alarms it raised or cleared, which carry
// the state of each (threshold, resource) it moved, in the same
// transaction. A crash
// therefore leaves the records, their alarms and the states consistent: a
// restart neither repeats a crossing nor loses one. The thresholds are
// kept in memory, indexed by monitored resource, and reloaded from the
// writes that change them, so that a record no threshold covers costs a
// map lookup. A threshold replaced so that it no longer watches a
// resource (another metric, locked, the resource left out) clears that
// resource's active alarm in the threshold's own transaction
// (Evaluator.Replace); a threshold deleted clears all of its alarms.
//
// The state machine (Spec.Step) is pure: it knows nothing of records,
// stores or clocks.
package threshold

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Store is what the evaluator wraps, and what its Store returns: the
// store the API and the job engine write through.
type Store interface {
	jobs.Store
	ViewChanges(ctx context.Context, fn func(sn store.ChangeView) error) error
	TrimChanges(ctx context.Context, before uint64) (int, error)
}

// stager is a store that stages writes (store.DB): the wrapper stages too.
type stager interface {
	Stage(ctx context.Context, rs []store.Resource) error
}

// Config configures an Evaluator.
type Config struct {
	Store Store
	// Base is the provider's base URL: thresholds live at
	// Base/oslc/thresholds/{id}, alarms at Base/oslc/alarms/{id}, records
	// at Base/oslc/records/{id} and monitored resources at
	// Base/oslc/resources/{id}.
	Base string
	// Now is the clock, for what records do not date; nil means time.Now.
	Now func() time.Time
	// Managed returns the server-managed triples of a new resource, as
	// the job engine's.
	Managed func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple
	Logger  *slog.Logger
}

// Evaluator evaluates thresholds on the records written through its
// Store. Its methods are safe for concurrent use.
type Evaluator struct {
	st      Store
	base    string
	now     func() time.Time
	managed func(id rdf.IRI, shape, ident string, created, modified time.Time) []rdf.Triple
	log     *slog.Logger

	records, thresholds, resources, alarms, states, adhoc string // IRI prefixes

	// mu is held from the evaluation of a batch to the end of its write,
	// so that the states a batch starts from are those the last one left.
	mu sync.Mutex
	// writes is held for reading by the writes of records no threshold
	// applies to, which run together once evaluated (and so share group
	// commits), and for writing, with mu, by every other write: those
	// wait for them, as they waited for mu.
	writes     sync.RWMutex
	defs       map[rdf.IRI]*Threshold
	byRes      map[rdf.IRI][]*Threshold // nil: to be rebuilt
	cells      map[key]*cell
	evaluated  uint64 // records evaluated against at least one threshold
	crossings  uint64
	classStale bool // a monitored resource changed: classes resolve again
}

type key struct{ thr, res rdf.IRI }

// A cell is where one threshold stands for one resource.
//
// Its state is kept in the store by the alarms themselves: an active
// alarm means crossed, none means armed. Only when an alarm is cleared by
// hand while its threshold stays crossed is a state resource written, and
// kept up to date from then on: it says what no alarm says.
type cell struct {
	state State
	alarm rdf.IRI      // the latest alarm raised; zero for none
	open  []rdf.Triple // its graph while raised; nil once cleared
	kept  bool         // a state resource holds the state
}

// New returns an Evaluator over cfg.Store. Call Load before writing
// through Store.
func New(cfg Config) *Evaluator {
	e := &Evaluator{st: cfg.Store, base: strings.TrimSuffix(cfg.Base, "/"), now: cfg.Now, managed: cfg.Managed, log: cfg.Logger,
		defs: make(map[rdf.IRI]*Threshold), cells: make(map[key]*cell)}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.managed == nil {
		e.managed = func(rdf.IRI, string, string, time.Time, time.Time) []rdf.Triple { return nil }
	}
	e.records = e.base + "/oslc/records/"
	e.thresholds = e.base + "/oslc/thresholds/"
	e.resources = e.base + "/oslc/resources/"
	e.alarms = e.base + "/oslc/alarms/"
	e.states = e.base + "/oslc/engine/thresholds/"
	e.adhoc = e.base + "/oslc/adhoc/"
	return e
}

// Store returns the store to write through: it is the wrapped one, and
// evaluates what it writes. It stages if the wrapped store does.
func (e *Evaluator) Store() Store {
	w := &wrapped{Store: e.st, e: e}
	if s, ok := e.st.(stager); ok {
		return &staging{wrapped: w, st: s}
	}
	return w
}

// Load reads the thresholds and their states from the store.
func (e *Evaluator) Load(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ths, sts []rdf.IRI
	err := e.st.Resources(ctx, mustIRI(e.thresholds), func(id rdf.IRI) bool {
		switch s := id.String(); {
		case strings.HasPrefix(s, e.thresholds):
			ths = append(ths, id)
			return true
		default:
			return s < e.thresholds
		}
	})
	if err != nil {
		return fmt.Errorf("list thresholds: %w", err)
	}
	err = e.st.Resources(ctx, mustIRI(e.states), func(id rdf.IRI) bool {
		if strings.HasPrefix(id.String(), e.states) {
			sts = append(sts, id)
			return true
		}
		return id.String() < e.states
	})
	if err != nil {
		return fmt.Errorf("list threshold states: %w", err)
	}
	for _, id := range ths {
		g, _, err := e.st.Get(ctx, id)
		if err != nil {
			return err
		}
		th, err := Parse(id, g)
		if err != nil {
			e.log.Warn("stored threshold is not valid; not evaluated", "threshold", id.String(), "err", err)
			continue
		}
		e.defs[id] = th
	}
	for _, id := range sts {
		g, _, err := e.st.Get(ctx, id)
		if err != nil {
			return err
		}
		k, c := readState(id, g)
		e.cells[k] = c
	}
	// An active alarm means crossed, whatever a state resource said
	// before it was raised.
	var active []rdf.IRI
	err = e.st.View(ctx, func(src query.Source) error {
		res, err := query.Run(ctx, src, query.Scope{Prefix: e.alarms}, &query.Query{Where: parser.And(parser.Eq(pAlarmState, raised))}, query.Page{NoTotal: true})
		if err != nil {
			return err
		}
		for _, m := range res.Members {
			active = append(active, m.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list active alarms: %w", err)
	}
	for _, id := range active {
		g, _, err := e.st.Get(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		k := key{objectOf(g, id, pThreshold), objectOf(g, id, pAlarmed)}
		c := e.cells[k]
		if c == nil {
			c = &cell{}
			e.cells[k] = c
		}
		c.state, c.alarm, c.open = Crossed, id, g
	}
	e.byRes = nil
	return e.orphans(ctx)
}

func mustIRI(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}

// Stats says how many records were evaluated against a threshold and how
// many crossings (raises and clears) they made.
func (e *Evaluator) Stats() (evaluated, crossings uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.evaluated, e.crossings
}

// Check parses the threshold id in g as a creation or replacement would
// store it, and returns its faults.
func (e *Evaluator) Check(id rdf.IRI, g []rdf.Triple) error {
	_, err := Parse(id, g)
	return err
}

// index returns the thresholds by monitored resource, resolving the
// classes of those that name one. It runs with e.mu held.
func (e *Evaluator) index(ctx context.Context) map[rdf.IRI][]*Threshold {
	if e.byRes != nil && !e.classStale {
		return e.byRes
	}
	idx := make(map[rdf.IRI][]*Threshold)
	var classes []*Threshold
	for _, th := range e.defs {
		if th.Locked {
			continue
		}
		if th.Class != (rdf.IRI{}) {
			classes = append(classes, th)
			continue
		}
		for _, o := range th.Objects {
			idx[o] = append(idx[o], th)
		}
	}
	if len(classes) > 0 {
		err := e.st.View(ctx, func(src query.Source) error {
			for _, th := range classes {
				res, err := query.Run(ctx, src, query.Scope{Prefix: e.resources}, &query.Query{Where: instancesOf(th)}, query.Page{NoTotal: true})
				if err != nil {
					return err
				}
				for _, m := range res.Members {
					idx[m.ID] = append(idx[m.ID], th)
				}
			}
			return nil
		})
		if err != nil {
			// Evaluate what is known; resolve again at the next record.
			e.log.Error("resolve threshold classes", "err", err)
			e.byRes = idx
			return idx
		}
	}
	e.byRes, e.classStale = idx, false
	return idx
}

// A batch is what one write evaluates to: the alarms and states to write
// with its records, and the cells to keep once written.
type batch struct {
	extra   []store.Resource
	order   []rdf.IRI
	byID    map[rdf.IRI][]rdf.Triple
	cells   map[key]*cell
	persist map[key]bool // cells whose state resource is written
	shifts  uint64
	seen    uint64
}

func (b *batch) put(id rdf.IRI, g []rdf.Triple) {
	if _, ok := b.byID[id]; !ok {
		b.order = append(b.order, id)
	}
	b.byID[id] = g
}

// evaluate evaluates the records among rs. It runs with e.mu held; what
// it returns is committed by keep once the write succeeded.
func (e *Evaluator) evaluate(ctx context.Context, rs []store.Resource) *batch {
	var b *batch
	var idx map[rdf.IRI][]*Threshold
	for i := range rs {
		r := &rs[i]
		if !strings.HasPrefix(r.ID.String(), e.records) {
			continue
		}
		if idx == nil {
			if len(e.defs) == 0 {
				return nil
			}
			idx = e.index(ctx)
		}
		res := recordResource(r.ID, r.Triples)
		ths := idx[res]
		if len(ths) == 0 {
			continue
		}
		if b == nil {
			b = &batch{byID: make(map[rdf.IRI][]rdf.Triple), cells: make(map[key]*cell), persist: make(map[key]bool)}
		}
		b.seen++
		rec := readRecord(r.ID, res, r.Triples)
		if strings.HasPrefix(rec.by.String(), e.adhoc) {
			// An ad-hoc collection aggregates the past again: its
			// values were evaluated when first recorded.
			continue
		}
		for _, th := range ths {
			if !th.granularityOK(rec.period) {
				continue
			}
			for _, m := range rec.measures {
				if m.metric != th.Metric {
					continue
				}
				e.step(b, th, rec, m)
			}
		}
	}
	if b == nil {
		return nil
	}
	now := e.now()
	for k := range b.persist {
		b.put(e.stateID(k), e.stateGraph(k, b.cells[k], now))
	}
	for _, id := range b.order {
		b.extra = append(b.extra, store.Resource{ID: id, Triples: b.byID[id]})
	}
	return b
}

// step moves the cell of (th, rec's resource) by measure m.
func (e *Evaluator) step(b *batch, th *Threshold, rec *record, m measure) {
	k := key{th.ID, rec.res}
	c, ok := b.cells[k]
	if !ok {
		c = &cell{}
		if old := e.cells[k]; old != nil {
			*c = *old
		}
	}
	st, tr := th.Spec.Step(c.state, m.value)
	if st == c.state {
		return
	}
	c.state = st
	b.cells[k] = c
	b.shifts++
	switch tr {
	case Raise:
		id, g := e.raise(th, rec, m)
		c.alarm, c.open = id, g
		b.put(id, g)
	case Clear:
		switch {
		case c.open != nil:
			g := e.clearByRecord(c.alarm, c.open, rec, m)
			c.open = nil
			b.put(c.alarm, g)
		case c.kept:
			// The alarm was cleared by hand: only the state resource
			// says that the threshold is armed again.
			b.persist[k] = true
		}
	}
}

// keep makes b's cells the current ones, after its write succeeded.
func (e *Evaluator) keep(b *batch) {
	if b == nil {
		return
	}
	for k, c := range b.cells {
		e.cells[k] = c
	}
	e.evaluated += b.seen
	e.crossings += b.shifts
}

// observe updates the thresholds and the index after a write of rs (or
// the deletion of the resource id) succeeded. It runs with e.mu held.
func (e *Evaluator) observe(id rdf.IRI, g []rdf.Triple, deleted bool) {
	s := id.String()
	switch {
	case strings.HasPrefix(s, e.thresholds):
		delete(e.defs, id)
		if !deleted {
			th, err := Parse(id, g)
			if err != nil {
				e.log.Warn("threshold is not valid; not evaluated", "threshold", s, "err", err)
			} else {
				e.defs[id] = th
			}
		}
		e.byRes = nil
	case strings.HasPrefix(s, e.resources):
		e.classStale = true
	}
}

// stateID is where the state of k is kept.
func (e *Evaluator) stateID(k key) rdf.IRI {
	return mustIRI(e.states + lastSegment(k.thr) + "-" + hash(k.res.String()))
}

func hash(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	return strconv.FormatUint(h.Sum64(), 36)
}

func str(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDString) }

func number(v float64) rdf.Literal {
	return rdf.NewTypedLiteral(strconv.FormatFloat(v, 'g', -1, 64), vocab.XSDDouble)
}

func stamp(t time.Time) rdf.Literal {
	return rdf.NewTypedLiteral(t.Format(time.RFC3339Nano), vocab.XSDDateTime)
}
