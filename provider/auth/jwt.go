package auth

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// JWTConfig says which JWTs a JWT authenticator accepts.
type JWTConfig struct {
	// Issuer is the issuer's URL, which the iss claim must equal exactly.
	// Unless JWKSFile is set, the keys are found through its discovery
	// document, <Issuer>/.well-known/openid-configuration; it must then be
	// https (or http on a loopback host, for tests).
	Issuer string
	// Audience must be one of the aud claim's values: the client id the
	// issuer puts in tokens meant for this provider. Required, so that a
	// token the issuer made for another service does not open this one.
	Audience string
	// RoleClaim names the claim that carries the role: a string or an
	// array of strings. A name with dots that is not a top-level claim is
	// a path into nested objects ("realm_access.roles"). Default pm_role.
	RoleClaim string
	// RoleMap maps the claim's values to roles (e.g. an issuer's group
	// "pm-admins" to Admin); values it does not map grant nothing. Nil:
	// the values are role names (ParseRole).
	RoleMap map[string]Role
	// NameClaim names the claim that names the principal in audit trails.
	// Default sub, the issuer's stable identifier of the user; a token
	// without NameClaim falls back to sub.
	NameClaim string
	// JWKSFile, when set, is a file of the issuer's keys (a JWK Set),
	// reloaded when it changes; nothing is fetched.
	JWKSFile string
	// Client fetches the discovery document and the keys; nil means a
	// client with a 10 s timeout that follows redirects only to https
	// (or loopback) URLs.
	Client *http.Client
	// Now is the clock that exp and nbf are checked against; nil means
	// time.Now.
	Now func() time.Time
	// Leeway is the clock skew allowed on exp, nbf and iat; 0 means one
	// minute.
	Leeway time.Duration
	// Logger receives key fetches and their errors; nil means
	// slog.Default().
	Logger *slog.Logger
}

// JWT authenticates requests that carry a JWT signed by an OpenID Connect
// issuer as a Bearer credential. Signatures and claims are checked by
// go-jose; only asymmetric algorithms are accepted, so that a public key
// can never be used as an HMAC secret. The issuer's keys are cached: an
// unknown key id makes it fetch them again (at most once a minute), and
// they are refreshed hourly so that withdrawn keys stop working. JWT is
// safe for concurrent use.
type JWT struct {
	cfg     JWTConfig
	jwksURI string       // when fetched
	file    *watchedFile // when from JWKSFile
	state   atomic.Pointer[jwtState]

	fetchMu    sync.Mutex
	lastFetch  time.Time // guarded by fetchMu
	refreshing atomic.Bool
}

// jwtState is one key set, with the tokens verified against it: new keys
// start with an empty cache, so that a withdrawn key's tokens go at once.
type jwtState struct {
	keys    []jose.JSONWebKey
	fetched time.Time
	cache   *verifiedCache[*Principal]
}

// jwtAlgorithms are the signature algorithms accepted: the asymmetric
// ones. HS* would let anyone holding the (public) JWKS mint tokens, and
// go-jose knows no "none".
var jwtAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

const (
	// DefaultRoleClaim is the claim a JWT carries its role in when
	// JWTConfig.RoleClaim is empty.
	DefaultRoleClaim = "pm_role"

	jwksRefetchInterval = time.Minute
	jwksRefreshInterval = time.Hour
	jwtCacheSize        = 1024
	jwtCacheTTL         = time.Minute
	maxJWTSize          = 16 << 10
	maxFetchSize        = 1 << 20
	fetchTimeout        = 10 * time.Second
)

// NewJWT returns the JWT authenticator of cfg, with the issuer's keys
// loaded: fetched through the issuer's discovery document (ctx bounds
// that), or read from cfg.JWKSFile.
func NewJWT(ctx context.Context, cfg JWTConfig) (*JWT, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("jwt: no issuer")
	}
	if cfg.Audience == "" {
		return nil, errors.New("jwt: no audience (the client id the issuer puts in aud for this provider)")
	}
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = DefaultRoleClaim
	}
	if cfg.NameClaim == "" {
		cfg.NameClaim = "sub"
	}
	for v, r := range cfg.RoleMap {
		if _, err := ParseRole(string(r)); err != nil {
			return nil, fmt.Errorf("jwt: role map %s: %w", v, err)
		}
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: fetchTimeout, CheckRedirect: checkRedirect}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = jwt.DefaultLeeway
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	j := &JWT{cfg: cfg}
	if cfg.JWKSFile != "" {
		j.file = &watchedFile{path: cfg.JWKSFile}
		if err := j.loadFile(); err != nil {
			return nil, err
		}
		j.file.due(cfg.Now())
		return j, nil
	}
	if err := fetchableURL(cfg.Issuer); err != nil {
		return nil, fmt.Errorf("jwt: issuer: %w", err)
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	discURL := strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/openid-configuration"
	if err := getJSON(ctx, cfg.Client, discURL, &disc); err != nil {
		return nil, fmt.Errorf("jwt: discovery: %w", err)
	}
	if disc.Issuer != cfg.Issuer {
		return nil, fmt.Errorf("jwt: discovery: %s says the issuer is %q, not %q (the iss of its tokens must match the configured issuer exactly)", discURL, disc.Issuer, cfg.Issuer)
	}
	if err := fetchableURL(disc.JWKSURI); err != nil {
		return nil, fmt.Errorf("jwt: discovery: jwks_uri: %w", err)
	}
	j.jwksURI = disc.JWKSURI
	j.fetchMu.Lock()
	defer j.fetchMu.Unlock()
	if err := j.fetch(ctx); err != nil {
		return nil, err
	}
	return j, nil
}

// fetchableURL says whether keys may be fetched from s: over TLS, or from
// this host.
func fetchableURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	switch {
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q: want an https URL (or http on a loopback host)", s)
}

// checkRedirect keeps a fetch of keys on TLS (or loopback) across
// redirects.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return fetchableURL(req.URL.String())
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func getJSON(ctx context.Context, c *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchSize+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(b) > maxFetchSize {
		return fmt.Errorf("GET %s: larger than %d bytes", u, maxFetchSize)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// parseJWKS returns the signature keys of a JWK Set. Keys it cannot use
// (encryption keys, symmetric keys, kinds go-jose does not know) are
// skipped rather than failing the set, as issuers publish such keys too;
// private keys are reduced to their public half.
func parseJWKS(b []byte, log *slog.Logger, where string) ([]jose.JSONWebKey, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: not a JWK Set: %w", where, err)
	}
	var keys []jose.JSONWebKey
	for i, r := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(r); err != nil {
			log.Warn("JWKS key skipped", "where", where, "key", i, "err", err)
			continue
		}
		if k.Use == "enc" {
			continue
		}
		pub := k.Public()
		if !pub.Valid() || !pub.IsPublic() {
			continue
		}
		keys = append(keys, pub)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no usable signature keys", where)
	}
	return keys, nil
}

func (j *JWT) setKeys(keys []jose.JSONWebKey) {
	j.state.Store(&jwtState{keys: keys, fetched: j.cfg.Now(), cache: newVerifiedCache[*Principal](jwtCacheSize)})
}

func (j *JWT) loadFile() error {
	b, err := j.file.read()
	if err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	keys, err := parseJWKS(b, j.cfg.Logger, j.file.path)
	if err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	j.setKeys(keys)
	return nil
}

// fetch gets the keys from the issuer; the caller holds fetchMu.
func (j *JWT) fetch(ctx context.Context) error {
	j.lastFetch = j.cfg.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.jwksURI, nil)
	if err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := j.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("jwt: fetch keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("jwt: fetch keys: GET %s: %s", j.jwksURI, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchSize+1))
	if err != nil {
		return fmt.Errorf("jwt: fetch keys: %w", err)
	}
	if len(b) > maxFetchSize {
		return fmt.Errorf("jwt: fetch keys: GET %s: larger than %d bytes", j.jwksURI, maxFetchSize)
	}
	keys, err := parseJWKS(b, j.cfg.Logger, j.jwksURI)
	if err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	j.setKeys(keys)
	j.cfg.Logger.Info("JWT issuer keys loaded", "jwks_uri", j.jwksURI, "keys", len(keys))
	return nil
}

// fetchContext bounds a fetch made on behalf of a request: it goes on if
// that client leaves, as its result serves every later request.
func fetchContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), fetchTimeout)
}

// current returns the keys in force: from the file, reloaded if it
// changed; or fetched, refreshed in the background once they are old.
func (j *JWT) current() *jwtState {
	st := j.state.Load()
	if j.file != nil {
		if j.file.due(j.cfg.Now()) && j.file.changed() {
			if err := j.loadFile(); err != nil {
				j.cfg.Logger.Error("JWKS file not reloaded; the keys loaded before stay in force", "err", err)
			} else {
				j.cfg.Logger.Info("JWKS file reloaded", "path", j.file.path)
			}
			st = j.state.Load()
		}
		return st
	}
	if j.cfg.Now().Sub(st.fetched) >= jwksRefreshInterval && j.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer j.refreshing.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
			defer cancel()
			j.fetchMu.Lock()
			defer j.fetchMu.Unlock()
			if j.state.Load() != st {
				return
			}
			if err := j.fetch(ctx); err != nil {
				// Keep the keys we have, and try again in a minute.
				j.cfg.Logger.Error("JWT issuer keys not refreshed", "err", err)
				cur := *st
				cur.fetched = j.cfg.Now().Add(jwksRefetchInterval - jwksRefreshInterval)
				j.state.CompareAndSwap(st, &cur)
			}
		}()
	}
	return st
}

// keysFor returns the keys a token whose header names kid may be signed
// with, fetching the issuer's keys again if kid is new to us.
func (j *JWT) keysFor(r *http.Request, st *jwtState, kid string) ([]jose.JSONWebKey, *jwtState) {
	if ks := matchKeys(st.keys, kid); len(ks) > 0 || j.file != nil {
		return ks, st
	}
	j.fetchMu.Lock()
	defer j.fetchMu.Unlock()
	// Another request may have fetched them while this one waited.
	if cur := j.state.Load(); cur != st {
		return matchKeys(cur.keys, kid), cur
	}
	if j.cfg.Now().Sub(j.lastFetch) < jwksRefetchInterval {
		return nil, st
	}
	ctx, cancel := fetchContext(r)
	defer cancel()
	if err := j.fetch(ctx); err != nil {
		j.cfg.Logger.Error("JWT issuer keys not fetched for a new key id", "kid", kid, "err", err)
		return nil, st
	}
	cur := j.state.Load()
	return matchKeys(cur.keys, kid), cur
}

// matchKeys returns the keys of id kid; every key when the token names
// none, as issuers with a single key often omit it.
func matchKeys(keys []jose.JSONWebKey, kid string) []jose.JSONWebKey {
	if kid == "" {
		return keys
	}
	var out []jose.JSONWebKey
	for _, k := range keys {
		if k.KeyID == kid {
			out = append(out, k)
		}
	}
	return out
}

func jwtInvalid(format string, args ...any) error {
	return fmt.Errorf("%w: JWT: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Authenticate returns the principal of r's JWT.
func (j *JWT) Authenticate(r *http.Request) (*Principal, error) {
	v, ok := bearer(r)
	if !ok || strings.Count(v, ".") != 2 {
		return nil, ErrNoCredentials
	}
	if len(v) > maxJWTSize {
		return nil, jwtInvalid("longer than %d bytes", maxJWTSize)
	}
	now := j.cfg.Now()
	st := j.current()
	k := sha256.Sum256([]byte(v))
	if p, ok := st.cache.get(k, now); ok {
		return p, nil
	}
	tok, err := jwt.ParseSigned(v, jwtAlgorithms)
	if err != nil {
		return nil, jwtInvalid("%v", err)
	}
	h := tok.Headers[0]
	keys, st := j.keysFor(r, st, h.KeyID)
	if len(keys) == 0 {
		return nil, jwtInvalid("signed with key %q, which the issuer does not publish", h.KeyID)
	}
	var std jwt.Claims
	var claims map[string]any
	verified := false
	for _, key := range keys {
		if key.Algorithm != "" && key.Algorithm != h.Algorithm {
			continue
		}
		if err := tok.Claims(key.Key, &std, &claims); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, jwtInvalid("bad signature")
	}
	if std.Expiry == nil {
		return nil, jwtInvalid("no exp claim; tokens that never expire are refused")
	}
	err = std.ValidateWithLeeway(jwt.Expected{
		Issuer:      j.cfg.Issuer,
		AnyAudience: jwt.Audience{j.cfg.Audience},
		Time:        now,
	}, j.cfg.Leeway)
	switch {
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return nil, jwtInvalid("issuer %q is not %q", std.Issuer, j.cfg.Issuer)
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, jwtInvalid("audience %q does not include %q", []string(std.Audience), j.cfg.Audience)
	case errors.Is(err, jwt.ErrExpired):
		return nil, jwtInvalid("expired at %s", std.Expiry.Time().UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrNotValidYet):
		return nil, jwtInvalid("not valid before %s", std.NotBefore.Time().UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, jwtInvalid("issued in the future (%s)", std.IssuedAt.Time().UTC().Format(time.RFC3339))
	case err != nil:
		return nil, jwtInvalid("%v", err)
	}
	role, err := j.role(claims)
	if err != nil {
		return nil, err
	}
	name := std.Subject
	if s, ok := claims[j.cfg.NameClaim].(string); ok && s != "" {
		name = s
	}
	if name == "" {
		return nil, jwtInvalid("no sub claim")
	}
	p := &Principal{Name: name, Role: role, Scheme: "jwt"}
	exp := std.Expiry.Time()
	if lim := now.Add(jwtCacheTTL); lim.Before(exp) {
		exp = lim
	}
	st.cache.put(k, p, now, exp)
	return p, nil
}

// claimValue returns the claim name of claims, following a dotted path
// into nested objects when name is not a top-level claim.
func claimValue(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	var cur any = claims
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// role returns the role the role claim grants: of several, the one listed
// first in Roles (the most rights). Values that name no role are ignored
// in an array, as issuers put unrelated groups there, but refused alone.
func (j *JWT) role(claims map[string]any) (Role, error) {
	c := j.cfg.RoleClaim
	v, ok := claimValue(claims, c)
	if !ok {
		return "", jwtInvalid("no %s claim to take a role from", c)
	}
	var values []string
	switch v := v.(type) {
	case string:
		values = []string{v}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				values = append(values, s)
			}
		}
	default:
		return "", jwtInvalid("claim %s is not a string or an array of strings", c)
	}
	best := -1
	for _, s := range values {
		var r Role
		if j.cfg.RoleMap != nil {
			r = j.cfg.RoleMap[s]
		} else {
			r, _ = ParseRole(s)
		}
		if i := slices.Index(Roles, r); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		shown := values
		if len(shown) > 5 {
			shown = append(shown[:5:5], "...")
		}
		return "", jwtInvalid("claim %s (%q) grants no known role", c, shown)
	}
	return Roles[best], nil
}

// Challenge is the Bearer challenge, which JWTs share with API tokens.
func (j *JWT) Challenge() string { return bearerChallenge }

// ParseRoleMap parses a map from the values an issuer puts in the role
// claim to roles, written VALUE=ROLE,VALUE=ROLE (e.g.
// "pm-admins=admin,pm-users=customer"). A value may hold '=' (the last
// one in an item separates the role) but not ','.
func ParseRoleMap(s string) (map[string]Role, error) {
	m := make(map[string]Role)
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		i := strings.LastIndexByte(item, '=')
		if i <= 0 {
			return nil, fmt.Errorf("role map item %q: want VALUE=ROLE", item)
		}
		role, err := ParseRole(strings.TrimSpace(item[i+1:]))
		if err != nil {
			return nil, fmt.Errorf("role map item %q: %w", item, err)
		}
		v := strings.TrimSpace(item[:i])
		if _, dup := m[v]; dup {
			return nil, fmt.Errorf("role map: value %q mapped twice", v)
		}
		m[v] = role
	}
	if len(m) == 0 {
		return nil, errors.New("role map: no VALUE=ROLE item")
	}
	return m, nil
}
