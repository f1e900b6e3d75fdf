package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/gorilla/mux"

	"github.com/oslc-pm/pmprovider/provider/auth"
	"github.com/oslc-pm/pmprovider/provider/oslc"
)

// LocalUser is the principal of every request when no authenticator is
// configured: the one user of a provider on a loopback address, who may do
// everything. cmd refuses to listen elsewhere without authentication.
var LocalUser = &auth.Principal{Name: "local user", Role: auth.Admin, Scheme: "local"}

// guard authenticates a request to rt and checks that its principal may do
// what rt does, before rt's handler runs; the principal then rides in the
// request's context (auth.PrincipalFrom), for audit trails.
func (s *Server) guard(rt route) http.Handler {
	next := rt.handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRoute(r, rt.path)
		if s.timeout > 0 && !rt.stream {
			ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		p, err := s.authenticate(r)
		if err != nil {
			if !rt.public {
				s.unauthorized(w, r, rt, err)
				return
			}
			p = nil // public routes serve anyone
		}
		if p != nil {
			if e := s.authorize(p, rt, r); e != nil {
				s.writeError(w, r, rt, e)
				return
			}
			r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate returns the principal of r: LocalUser when no authenticator
// is configured.
func (s *Server) authenticate(r *http.Request) (*auth.Principal, error) {
	if len(s.authn) == 0 {
		return LocalUser, nil
	}
	return s.authn.Authenticate(r)
}

// authorize returns a 403 error unless p may do what rt does to r.
func (s *Server) authorize(p *auth.Principal, rt route, r *http.Request) *oslc.Error {
	if !auth.Allowed(p.Role, rt.op) {
		return oslc.Errorf(http.StatusForbidden, "role", "%s (role %s) may not %s %s", p.Name, p.Role, rt.op, s.api.RequestIRI(r))
	}
	if rt.op == auth.Push && p.Role == auth.Agent {
		job := s.api.URL("/oslc/jobs/" + mux.Vars(r)["id"])
		if !p.BoundTo(job) {
			return oslc.Errorf(http.StatusForbidden, "role", "agent %s is not bound to job %s", p.Name, job)
		}
	}
	return nil
}

// challenge adds a WWW-Authenticate challenge of every configured scheme.
func (s *Server) challenge(w http.ResponseWriter) {
	for _, c := range s.challenges {
		w.Header().Add("WWW-Authenticate", c)
	}
}

// unauthorized answers 401 with a challenge of every configured scheme.
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, rt route, err error) {
	s.challenge(w)
	msg := "authentication required"
	if !errors.Is(err, auth.ErrNoCredentials) {
		msg = "authentication failed: " + err.Error()
	}
	s.writeError(w, r, rt, oslc.Errorf(http.StatusUnauthorized, "Authorization", "%s for %s", msg, s.api.RequestIRI(r)))
}

// recoverPanic answers a request whose handler panicked with a 500 and
// logs the panic with its stack; the server goes on.
func (s *Server) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	s.log.ErrorContext(r.Context(), "handler panic", "method", r.Method, "url", r.URL.String(), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if ww, ok := w.(*trackingWriter); ok && ww.wrote {
		panic(http.ErrAbortHandler) // too late for an error body: cut the response
	}
	s.api.WriteError(w, r, errors.New(fmt.Sprint("panic: ", v)))
}

// A trackingWriter knows whether a response has begun, and its status.
type trackingWriter struct {
	http.ResponseWriter
	wrote  bool
	status int // 0 until the header is written
}

func (w *trackingWriter) WriteHeader(code int) {
	if code >= 200 {
		w.wrote = true
		if w.status == 0 {
			w.status = code
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *trackingWriter) Write(b []byte) (int, error) {
	w.wrote = true
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes and
// deadlines of event streams).
func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush implements http.Flusher for handlers that assert it.
func (w *trackingWriter) Flush() {
	w.wrote = true
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
