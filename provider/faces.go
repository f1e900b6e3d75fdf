package provider

import (
	"net/http"
	"strings"

	"github.com/oslc-pm/pmprovider/provider/jobview"
	"github.com/oslc-pm/pmprovider/provider/mef"
	"github.com/oslc-pm/pmprovider/provider/oslc"
	"github.com/oslc-pm/pmprovider/provider/tmf628"
)

// faces are the JSON faces over the OSLC server's resources. Their hubs'
// listeners are subscriptions of the provider's event hub, each in its
// face's format: stored, and delivered from the change log as any
// subscription is.
type faces struct {
	tmf *tmf628.Server
	mef *mef.Server
}

// newFaces makes the faces over st and registers their formats with the
// event hub, which must not have started.
func (s *Server) newFaces(st Store) {
	b := jobview.New(s.api)
	f := &s.faces
	f.tmf = tmf628.New(b, s.hub, s.log)
	f.mef = mef.New(b, st, s.hub, s.log, s.api.Now)
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
