package provider

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/oslc-pm/pmprovider/provider/jobs"
	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/provider/mef"
	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/provider/tmf628"
)

// FacesConfig configures the JSON faces of the provider: TM Forum TMF628
// and MEF Legato performance monitoring.
type FacesConfig struct {
	// Delivery sends the hubs' events to their listeners; nil means one
	// HTTP POST each (jobview.HTTPDelivery).
	Delivery jobview.Delivery
	// WatchInterval is how often the hubs look for changes to announce;
	// 0 means DefaultWatchInterval.
	WatchInterval time.Duration
}

// DefaultWatchInterval is how often the hubs look for changes by default.
const DefaultWatchInterval = 2 * time.Second

// faces are the JSON faces over the OSLC server's resources, and what
// feeds their hubs: one watcher of the jobs' tracking records and one
// subscription to the engine's notifications.
type faces struct {
	tmf      *tmf628.Server
	mef      *mef.Server
	interval time.Duration
	stop     context.CancelFunc
	done     chan struct{}

	mu      sync.Mutex // serializes deliveries
	watcher *jobview.Watcher
	sub     *jobs.Subscription
}

func (s *Server) newFaces(cfg FacesConfig) {
	b := jobview.New(s.api)
	f := &s.faces
	f.tmf = tmf628.New(b, cfg.Delivery, s.log)
	f.mef = mef.New(b, cfg.Delivery, s.log, s.api.Now)
	f.interval = cfg.WatchInterval
	if f.interval <= 0 {
		f.interval = DefaultWatchInterval
	}
	f.watcher = b.NewWatcher(s.api.Now())
	f.sub = s.api.Jobs().Subscribe()
}

// faceRoutes are the faces' routes, for the route table. Their errors,
// the guard's too, are written in the face's own error format.
func (s *Server) faceRoutes() []route {
	var rs []route
	for _, fr := range s.faces.tmf.Routes() {
		rs = append(rs, route{path: fr.Path, methods: fr.Methods, op: fr.Op, handler: fr.Handler, fail: s.faces.tmf.Fail})
	}
	for _, fr := range s.faces.mef.Routes() {
		rs = append(rs, route{path: fr.Path, methods: fr.Methods, op: fr.Op, handler: fr.Handler, fail: s.faces.mef.Fail})
	}
	return rs
}

// DeliverEvents announces, to the listeners of the faces' hubs, the
// changes of jobs since it last ran: what their tracking records say
// (creations, updates, state changes, deletions, through any API or by
// the engine) and the engine's notifications (report ready, or not).
// Start runs it every FacesConfig.WatchInterval.
func (s *Server) DeliverEvents(ctx context.Context) error {
	f := &s.faces
	f.mu.Lock()
	defer f.mu.Unlock()
	cs, err := f.watcher.Poll(ctx)
	if err != nil {
		return err
	}
	for drained := false; !drained; {
		select {
		case ev, ok := <-f.sub.C:
			if !ok {
				// Fell behind: the notifications missed are lost to the
				// hubs, not to the store.
				f.sub = s.api.Jobs().Subscribe()
				drained = true
				continue
			}
			cs = append(cs, jobview.NotificationChange(ev))
		default:
			drained = true
		}
	}
	for _, c := range cs {
		f.tmf.Publish(ctx, c)
		f.mef.Publish(ctx, c)
	}
	return nil
}

func (s *Server) startFaces() {
	ctx, cancel := context.WithCancel(context.Background())
	f := &s.faces
	f.stop, f.done = cancel, make(chan struct{})
	go func() {
		defer close(f.done)
		tick := time.NewTicker(f.interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := s.DeliverEvents(ctx); err != nil && ctx.Err() == nil {
					s.log.Warn("hubs: look for changes", "err", err)
				}
			}
		}
	}()
}

func (s *Server) stopFaces() {
	f := &s.faces
	if f.stop != nil {
		f.stop()
		<-f.done
		f.stop = nil
	}
	f.sub.Cancel()
}

// faceFail returns the error writer of the face whose base path r's path
// is under, or nil.
func (s *Server) faceFail(r *http.Request) func(http.ResponseWriter, *http.Request, int, string) {
	p := strings.TrimPrefix(r.URL.Path, s.api.BasePath())
	switch {
	case strings.HasPrefix(p, tmf628.BasePath+"/"):
		return s.faces.tmf.Fail
	case strings.HasPrefix(p, mef.BasePath+"/"):
		return s.faces.mef.Fail
	}
	return nil
}

// writeError writes e as rt's API does: an oslc:Error, or the face's.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, rt route, e *oslc.Error) {
	if rt.fail != nil {
		for k, v := range e.Header {
			w.Header()[k] = v
		}
		rt.fail(w, r, e.Status, e.Message)
		return
	}
	s.api.WriteError(w, r, e)
}
