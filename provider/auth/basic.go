package auth

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
)

// Basic authenticates HTTP Basic requests against Users. A password is
// only accepted over a connection that Secure approves: by default TLS or
// loopback, where nobody on the way can read it.
type Basic struct {
	users  *Users
	secure func(*http.Request) bool
}

// NewBasic returns the Basic authenticator of users. secure says whether a
// request came over a connection fit for a password; nil means
// TLSOrLoopback. A wiring behind a TLS-terminating proxy passes its own.
func NewBasic(users *Users, secure func(*http.Request) bool) *Basic {
	if secure == nil {
		secure = TLSOrLoopback
	}
	return &Basic{users: users, secure: secure}
}

// TLSOrLoopback says whether r came over TLS or from a loopback address.
func TLSOrLoopback(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var errBasicInsecure = fmt.Errorf("%w: Basic authentication needs TLS or a loopback connection", ErrInvalid)

// Authenticate returns the user whose name and password r carries.
func (b *Basic) Authenticate(r *http.Request) (*Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, _, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return nil, ErrNoCredentials
	}
	if !b.secure(r) {
		return nil, errBasicInsecure
	}
	name, password, ok := r.BasicAuth()
	if !ok {
		return nil, fmt.Errorf("%w: malformed Basic credentials (want base64 of name:password)", ErrInvalid)
	}
	u, err := b.users.verify(r.Context(), name, password)
	if err != nil {
		return nil, err
	}
	return &Principal{Name: u.Name, Role: u.Role, Scheme: "basic", Jobs: slices.Clone(u.Jobs)}, nil
}

// Challenge is Basic's WWW-Authenticate challenge.
func (b *Basic) Challenge() string { return `Basic realm="pmprovider", charset="UTF-8"` }
