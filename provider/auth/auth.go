// Package auth says who a request comes from and what that principal may
// do: HTTP Basic against a users file of bcrypt hashes, API tokens, JWTs
// from an OpenID Connect issuer, and OAuth 1.0a for Jazz "friends"; and
// the role matrix of MEF's performance monitoring job management (seed
// 000), extended to records, resources, reports and ad-hoc collections.
//
// An Authenticator turns a request into a Principal; the wiring stores it
// in the request's context (WithPrincipal) and checks Allowed before a
// handler runs. Nothing here reads flags: cmd loads the files and passes
// them in.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// A Role is what a principal may do (see Allowed).
type Role string

// The roles. Customer and OtherPSS may create, update, cancel and view
// jobs and view all (MEF); Governance may only view; Agent may only push
// samples to the jobs it is bound to; Admin may do everything, and manages
// users, tokens and consumers.
const (
	Admin      Role = "admin"
	Customer   Role = "customer"
	OtherPSS   Role = "other-pss"
	Governance Role = "governance"
	Agent      Role = "agent"
)

// Roles lists every role, in the order the README's matrix shows them.
var Roles = []Role{Admin, Customer, OtherPSS, Governance, Agent}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return "", fmt.Errorf("unknown role %q (want one of %s)", s, strings.Join(names, ", "))
}

// A Principal is who a request comes from, as an authenticator proved it.
type Principal struct {
	// Name identifies the principal in audit trails (dcterms:creator):
	// a user name, "token:<id>", a JWT's subject, an OAuth consumer's key.
	Name string
	Role Role
	// Scheme is how the principal was authenticated: "basic", "bearer",
	// "jwt", "oauth1", or "local" for the zero-config loopback user.
	Scheme string
	// Jobs are the measurement jobs (IRIs) an Agent may push to; empty
	// for other roles.
	Jobs []string
}

// BoundTo says whether p may push to job.
func (p *Principal) BoundTo(job string) bool {
	for _, j := range p.Jobs {
		if j == job {
			return true
		}
	}
	return false
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal ctx carries, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Errors of authenticators. ErrNoCredentials means the request does not
// use the authenticator's scheme: the next one is asked. Any other error
// means it does, and the credentials are wrong: the request is refused.
var (
	ErrNoCredentials = errors.New("no credentials")
	ErrInvalid       = errors.New("invalid credentials")
)

// An Authenticator proves who a request comes from by one scheme.
type Authenticator interface {
	// Authenticate returns the request's principal, ErrNoCredentials when
	// the request does not use this scheme, or an error (wrapping
	// ErrInvalid) saying why its credentials are refused.
	Authenticate(r *http.Request) (*Principal, error)
	// Challenge is this scheme's WWW-Authenticate challenge, e.g.
	// `Basic realm="pmprovider", charset="UTF-8"`.
	Challenge() string
}

// Chain asks each authenticator in turn.
type Chain []Authenticator

// Authenticate returns the principal of the first authenticator whose
// scheme the request uses; ErrNoCredentials when it uses none.
func (c Chain) Authenticate(r *http.Request) (*Principal, error) {
	for _, a := range c {
		p, err := a.Authenticate(r)
		if errors.Is(err, ErrNoCredentials) {
			continue
		}
		return p, err
	}
	return nil, ErrNoCredentials
}

// Challenges are the WWW-Authenticate values of every scheme in c, each
// once: API tokens and JWTs share the Bearer challenge.
func (c Chain) Challenges() []string {
	var out []string
	for _, a := range c {
		if ch := a.Challenge(); ch != "" && !slices.Contains(out, ch) {
			out = append(out, ch)
		}
	}
	return out
}
