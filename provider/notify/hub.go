package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/store"
)

// Store is what the hub needs of the store: resources to keep its
// subscriptions in, and snapshots to read the change log (its outbox)
// with the resources it names. query/boltsource.DB is one.
type Store interface {
	Get(ctx context.Context, id rdf.IRI) (g []rdf.Triple, etag string, err error)
	Delete(ctx context.Context, id rdf.IRI, ifMatch string) error
	Load(ctx context.Context, rs []store.Resource) error
	ViewChanges(ctx context.Context, fn func(sn store.ChangeView) error) error
}

// Retry says how a delivery that fails is retried: after First, then
// twice as long each time up to Max, Attempts times in all; then the
// event is dead-lettered and the next one delivered.
type Retry struct {
	First, Max time.Duration
	Attempts   int
}

// Defaults of Config.
const (
	DefaultPoll        = 20 * time.Millisecond
	DefaultMaxInFlight = 64
	DefaultTimeout     = 10 * time.Second
	DefaultRetryFirst  = time.Second
	DefaultRetryMax    = 5 * time.Minute
	DefaultAttempts    = 10
)

// Config configures a Hub. The zero value of each field but Store and
// Base is its default.
type Config struct {
	Store Store
	// Base is the provider's base URL: subscriptions live at
	// <Base>/oslc/subscriptions/{id}.
	Base string
	// Allow is where callbacks may be: checked when a subscription is
	// made (refused with 400) and at each connection. Nil means
	// collect.DefaultAllowList.
	Allow *collect.AllowList
	// Client is the base of the client that delivers; its transport is
	// wrapped to connect only where Allow allows.
	Client *http.Client
	Logger *slog.Logger
	Now    func() time.Time
	// Poll is how often the change log is read for new changes.
	Poll time.Duration
	// MaxInFlight bounds the deliveries under way at once, all
	// subscriptions together.
	MaxInFlight int
	// Timeout bounds one delivery.
	Timeout time.Duration
	Retry   Retry
	// Alertmanager, if set, is the base URL of a Prometheus Alertmanager
	// that alarms are pushed to (see alertmanager.go).
	Alertmanager string
	// AlertResend is how often active alarms are sent again to the
	// Alertmanager; 0 means DefaultAlertResend.
	AlertResend time.Duration
}

// subscriptionsPath is where subscriptions live.
const subscriptionsPath = "/oslc/subscriptions"

// A Hub keeps subscriptions and delivers to each, in order, the events
// derived from the store's change log after its cursor. Subscriptions and
// cursors are stored, so delivery resumes after a restart where it was
// acknowledged: at least once, with the same event ids.
type Hub struct {
	cfg    Config
	d      deriver
	client *http.Client
	slots  chan struct{} // a token per delivery under way
	log    *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	subs    map[rdf.IRI]*dispatcher
	formats map[string]Format
	wake    chan struct{} // closed when the change log grows
	newest  uint64
	started bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	am     *alertmanager
}

// New returns a hub; Start loads its subscriptions and delivers.
func New(cfg Config) (*Hub, error) {
	if cfg.Store == nil {
		return nil, errors.New("notify: no store")
	}
	cfg.Base = strings.TrimSuffix(cfg.Base, "/")
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retry.First <= 0 {
		cfg.Retry.First = DefaultRetryFirst
	}
	if cfg.Retry.Max <= 0 {
		cfg.Retry.Max = DefaultRetryMax
	}
	if cfg.Retry.Attempts <= 0 {
		cfg.Retry.Attempts = DefaultAttempts
	}
	h := &Hub{
		cfg: cfg, d: deriver{base: cfg.Base}, log: cfg.Logger, now: cfg.Now,
		slots:   make(chan struct{}, cfg.MaxInFlight),
		subs:    map[rdf.IRI]*dispatcher{},
		formats: map[string]Format{},
		wake:    make(chan struct{}),
	}
	h.client = cfg.Allow.Client(cfg.Client)
	h.client.Timeout = cfg.Timeout
	h.ctx, h.cancel = context.WithCancel(context.Background())
	if cfg.Alertmanager != "" {
		am, err := newAlertmanager(h, cfg.Alertmanager, cfg.AlertResend)
		if err != nil {
			return nil, err
		}
		h.am = am
	}
	return h, nil
}

// Start loads the stored subscriptions and delivers to them, and pushes
// alarms to the Alertmanager, until Close.
func (h *Hub) Start() error {
	subs, err := h.load(h.ctx)
	if err != nil {
		return fmt.Errorf("load subscriptions: %w", err)
	}
	if err := h.poll(h.ctx); err != nil {
		return err
	}
	h.mu.Lock()
	h.started = true
	for _, d := range subs {
		h.subs[d.sub.ID] = d
		h.run(d)
	}
	h.mu.Unlock()
	h.wg.Add(1)
	go h.poller()
	if h.am != nil {
		h.wg.Add(1)
		go func() { defer h.wg.Done(); h.am.run(h.ctx) }()
	}
	return nil
}

// Close stops delivering, waits for the requests under way (each within
// Config.Timeout: a subscriber that acknowledges one is not sent it
// again) and saves the cursors.
func (h *Hub) Close() {
	h.cancel()
	h.wg.Wait()
}

// RegisterFormat names a format that subscriptions may ask for (see
// Listener.Format). Register formats before Start: a stored subscription
// names its format, and one not registered is delivered in the default.
func (h *Hub) RegisterFormat(name string, f Format) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.formats[name] = f
}

func (h *Hub) format(name string) Format {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f := h.formats[name]; f != nil {
		return f
	}
	return DefaultFormat
}

// poller reads the change log's newest order every Poll and wakes the
// dispatchers when it grew.
func (h *Hub) poller() {
	defer h.wg.Done()
	t := time.NewTicker(h.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			if err := h.poll(h.ctx); err != nil && h.ctx.Err() == nil {
				h.log.Error("notify: read change log", "err", err)
			}
		}
	}
}

func (h *Hub) poll(ctx context.Context) error {
	var newest uint64
	err := h.cfg.Store.ViewChanges(ctx, func(sn store.ChangeView) error {
		_, newest = sn.ChangeSpan()
		return nil
	})
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if newest > h.newest {
		h.newest = newest
		close(h.wake)
		h.wake = make(chan struct{})
	}
	return nil
}

// Wake makes the hub read the change log now, as after a write it knows
// of, rather than at the next poll.
func (h *Hub) Wake() {
	if err := h.poll(h.ctx); err != nil && h.ctx.Err() == nil {
		h.log.Error("notify: read change log", "err", err)
	}
}

// waiter returns a channel closed when the change log grows past after.
func (h *Hub) waiter(after uint64) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.newest > after {
		c := make(chan struct{})
		close(c)
		return c
	}
	return h.wake
}

// Newest is the order of the newest change the hub has seen.
func (h *Hub) Newest() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.newest
}

// Hold returns the oldest change log order that a subscription has yet
// to be given (0 when none waits): compaction of the log must keep it.
func (h *Hub) Hold() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var hold uint64
	for _, d := range h.subs {
		if c := d.cursorNow() + 1; hold == 0 || c < hold {
			hold = c
		}
	}
	return hold
}

// batch is how many change log entries a read derives at most.
const batch = 500

// Read calls fn, in order, with the events after the change log order
// after that f passes, deriving at most a batch of entries; it returns
// the order of the last entry it read (after if none).
func (h *Hub) Read(ctx context.Context, after uint64, f *Filter, fn func(ev *Event) bool) (uint64, error) {
	last := after
	err := h.cfg.Store.ViewChanges(ctx, func(sn store.ChangeView) error {
		oldest, newest := sn.ChangeSpan()
		if oldest > after+1 && after > 0 {
			h.log.Warn("notify: the change log was compacted past a reader's cursor; events were lost to it", "after", after, "oldest", oldest)
		}
		var cs []store.Change
		if err := sn.ChangesAfter(ctx, after, func(c store.Change) bool {
			cs = append(cs, c)
			return len(cs) < batch
		}); err != nil {
			return err
		}
		for _, c := range cs {
			ev, ok, err := h.d.event(ctx, sn, newest, c)
			if err != nil {
				return err
			}
			last = c.Order
			if !ok {
				continue
			}
			if f != nil {
				ok, err := f.match(ctx, sn, &ev)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			if !fn(&ev) {
				return nil
			}
		}
		return nil
	})
	return last, err
}

// A Listener is what a subscriber registers.
type Listener struct {
	// Callback is the absolute http(s) URL events are POSTed to.
	Callback string
	Filter   Filter
	// Format names a format registered with RegisterFormat; "" is the
	// default (DefaultFormat).
	Format string
	// Creator names who subscribed (dcterms:creator).
	Creator string
	// Query is the subscriber's own selection, kept (pmj:query) for its
	// format to read and opaque to the hub: a face's hub query such as
	// TMF628's "eventType=...", whose types are the face's, not the
	// hub's.
	Query string
}

// A Subscription is a listener as the hub keeps it.
type Subscription struct {
	ID rdf.IRI
	Listener
	Created time.Time
	secret  string
}

// ErrCallback is wrapped by the error of a listener whose callback is not
// an absolute http(s) URL or is not in the allow-list.
var ErrCallback = errors.New("callback refused")

// ErrNotFound is returned for a subscription the hub does not have.
var ErrNotFound = errors.New("no such subscription")

// Subscribe stores a subscription of l and starts delivering to it the
// events committed from now on. It returns the subscription and its
// secret, with which deliveries are signed; the secret is told only
// here.
func (h *Hub) Subscribe(ctx context.Context, l Listener) (Subscription, string, error) {
	if err := h.checkCallback(ctx, l.Callback); err != nil {
		return Subscription{}, "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Subscription{}, "", err
	}
	id, err := newID()
	if err != nil {
		return Subscription{}, "", err
	}
	sub := Subscription{
		ID:       h.iri(subscriptionsPath + "/" + id),
		Listener: l,
		Created:  h.now(),
		secret:   hex.EncodeToString(raw[:]),
	}
	if err := h.poll(ctx); err != nil {
		return Subscription{}, "", err
	}
	d := h.newDispatcher(sub, Status{Cursor: h.Newest()})
	if err := h.cfg.Store.Load(ctx, []store.Resource{
		{ID: sub.ID, Triples: sub.graph(h.cfg.Base)},
		{ID: deliveryIRI(sub.ID), Triples: d.status().graph(deliveryIRI(sub.ID))},
	}); err != nil {
		return Subscription{}, "", err
	}
	h.mu.Lock()
	h.subs[sub.ID] = d
	if h.started {
		h.run(d)
	}
	h.mu.Unlock()
	return sub, sub.secret, nil
}

// Unsubscribe stops the deliveries of the subscription id and deletes it.
func (h *Hub) Unsubscribe(ctx context.Context, id rdf.IRI) error {
	h.mu.Lock()
	d := h.subs[id]
	delete(h.subs, id)
	h.mu.Unlock()
	if d == nil {
		return ErrNotFound
	}
	d.stop()
	if err := h.cfg.Store.Delete(ctx, id, ""); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := h.cfg.Store.Delete(ctx, deliveryIRI(id), ""); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// Subscriptions returns the subscriptions, by IRI.
func (h *Hub) Subscriptions() []Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Subscription, 0, len(h.subs))
	for _, d := range h.subs {
		out = append(out, d.sub)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID.String() < out[j].ID.String() })
	return out
}

// Backlog counts the change log entries that subscriptions have yet to
// pass: delivered, dead-lettered or filtered out. Filtered entries count
// until the dispatcher reaches them, so it bounds the deliveries waiting.
func (h *Hub) Backlog() uint64 {
	newest := h.Newest()
	h.mu.Lock()
	ds := make([]*dispatcher, 0, len(h.subs))
	for _, d := range h.subs {
		ds = append(ds, d)
	}
	h.mu.Unlock()
	var n uint64
	for _, d := range ds {
		if c := d.status().Cursor; c < newest {
			n += newest - c
		}
	}
	return n
}

// Lookup returns the subscription id and its delivery status.
func (h *Hub) Lookup(id rdf.IRI) (Subscription, Status, bool) {
	h.mu.Lock()
	d := h.subs[id]
	h.mu.Unlock()
	if d == nil {
		return Subscription{}, Status{}, false
	}
	return d.sub, d.status(), true
}

// checkCallback refuses a callback that is not an absolute http(s) URL
// or that the allow-list refuses.
func (h *Hub) checkCallback(ctx context.Context, cb string) error {
	if !absoluteHTTP(cb) {
		return fmt.Errorf("%w: %q is not an absolute http or https URL", ErrCallback, cb)
	}
	if err := h.cfg.Allow.Check(ctx, cb); err != nil {
		return fmt.Errorf("%w: %v", ErrCallback, err)
	}
	return nil
}

func (h *Hub) iri(path string) rdf.IRI {
	i, err := rdf.NewIRI(h.cfg.Base + path)
	if err != nil {
		panic(err) // the base is the server's, validated
	}
	return i
}

// newID returns a fresh subscription id: the time, for order, and random
// digits.
func newID() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("%x%s", time.Now().UnixNano(), hex.EncodeToString(b[:])), nil
}
