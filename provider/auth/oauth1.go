package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// The paths of the OAuth 1.0a endpoints, under the base URL. The request-
// and access-token endpoints check the consumer's signature themselves:
// the wiring serves them to anyone. The authorization page needs a
// signed-in user (PrincipalFrom): the wiring authenticates it like any
// page, by Basic or another scheme that is not OAuth.
const (
	OAuth1RequestTokenPath = "/oauth/request-token"
	OAuth1AuthorizePath    = "/oauth/authorize"
	OAuth1AccessTokenPath  = "/oauth/access-token"
)

// JFS is the namespace of Jazz Foundation Services, whose rootservices
// properties tell Jazz tools where a friend's OAuth endpoints are.
const JFS = "http://jazz.net/xmlns/prod/jazz/jfs/1.0/"

// OAuth1Config configures an OAuth1.
type OAuth1Config struct {
	// BaseURL is the provider's public base URL, as clients see it
	// (behind a proxy, the request's Host may differ): signatures cover
	// the URL clients sign, which is BaseURL and the request's path
	// below the base URL's path. The endpoints' URLs start with it.
	BaseURL string
	// ConsumersFile holds the registered consumers (AddConsumer); it is
	// looked at again at most once a second and reloaded when replaced.
	// A missing file is no consumers.
	ConsumersFile string
	// TokensFile keeps the access tokens across restarts, mode 0600.
	TokensFile string
	// Realm is the realm of the OAuth challenge and of rootservices'
	// jfs:oauthRealmName; "" means BaseURL.
	Realm string
	// Window is how far a request's oauth_timestamp may be from the
	// server's clock, either way; 0 means 5 minutes.
	Window time.Duration
	// RequestTokenTTL is how long a request token may wait for the
	// user's approval and the exchange; 0 means 10 minutes.
	RequestTokenTTL time.Duration
	// MaxNonces bounds the nonces remembered against replays (about 40
	// bytes each); 0 means 1<<20. Past it, signed requests are refused
	// until older nonces age out of the window.
	MaxNonces int
	// MaxPending bounds the request tokens waiting for approval; 0 means
	// 10000.
	MaxPending int
	// Logger receives errors of the files; nil means slog.Default().
	Logger *slog.Logger
	// Error writes the endpoints' error responses: status, the part of
	// the request at fault ("header Authorization", "URL", "body" or "")
	// and a message (the wiring writes an oslc:Error). A 401 from the
	// token endpoints already carries the OAuth challenge; a 401 from the
	// authorization page (no user) needs the wiring's login challenges.
	// nil writes the message as text/plain.
	Error func(w http.ResponseWriter, r *http.Request, status int, where, message string)
}

// OAuth1 is the provider side of OAuth 1.0a (RFC 5849), three-legged, as
// Jazz "friends" use it: the three endpoints of the dance, and an
// Authenticator of the requests signed with HMAC-SHA1 (or HMAC-SHA256).
//
// A three-legged request's Principal is the user who approved the
// consumer, as that user was at approval time: Name and Role and Jobs of
// the user, Scheme "oauth1"; the audit trail names the person, not the
// tool. A two-legged request (signed without a token) is the consumer's
// own: Name "consumer:<key>", the Role the consumer was registered with;
// a consumer registered without a role may make none.
//
// Replays are refused: a timestamp outside the window, or a nonce seen
// within it for the same consumer, token and timestamp.
type OAuth1 struct {
	base   string // normalized origin and path of BaseURL, no trailing slash
	prefix string // BaseURL's escaped path, no trailing slash
	realm  string
	window time.Duration
	ttl    time.Duration

	consumers *consumerSet
	tokens    *oauth1Tokens
	nonces    *oauth1Nonces
	csrfKey   []byte
	log       *slog.Logger
	errorf    func(w http.ResponseWriter, r *http.Request, status int, where, message string)
	now       func() time.Time
}

// NewOAuth1 returns the OAuth 1.0a provider cfg describes, with the
// consumers and access tokens of its files.
func NewOAuth1(cfg OAuth1Config) (*OAuth1, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("oauth1: base URL %q: want an absolute http(s) URL without query or fragment", cfg.BaseURL)
	}
	if cfg.ConsumersFile == "" || cfg.TokensFile == "" {
		return nil, errors.New("oauth1: want a consumers file and a tokens file")
	}
	o := &OAuth1{
		prefix: strings.TrimSuffix(u.EscapedPath(), "/"),
		realm:  cfg.Realm,
		window: oauth1Or(cfg.Window, 5*time.Minute),
		ttl:    oauth1Or(cfg.RequestTokenTTL, 10*time.Minute),
		log:    cfg.Logger,
		errorf: cfg.Error,
		now:    time.Now,
	}
	o.base = oauth1Origin(u) + o.prefix
	if o.realm == "" {
		o.realm = strings.TrimSuffix(cfg.BaseURL, "/")
	}
	if o.log == nil {
		o.log = slog.Default()
	}
	if o.errorf == nil {
		o.errorf = oauth1PlainError
	}
	o.csrfKey = make([]byte, 32)
	rand.Read(o.csrfKey)
	o.nonces = newOAuth1Nonces(o.window, oauth1Or(cfg.MaxNonces, 1<<20))
	if o.consumers, err = newConsumerSet(cfg.ConsumersFile, o.log, func() time.Time { return o.now() }); err != nil {
		return nil, fmt.Errorf("oauth1: %w", err)
	}
	if o.tokens, err = loadOAuth1Tokens(cfg.TokensFile, oauth1Or(cfg.MaxPending, 10000)); err != nil {
		return nil, fmt.Errorf("oauth1: %w", err)
	}
	return o, nil
}

// oauth1Or returns v, or def when v is zero (or less).
func oauth1Or[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// URL returns the public URL of path under the base URL, e.g. of
// OAuth1AuthorizePath.
func (o *OAuth1) URL(path string) string { return o.base + path }

// Challenge is the OAuth challenge: `OAuth realm="<realm>"`, which Jazz
// tools match against a friend's jfs:oauthRealmName.
func (o *OAuth1) Challenge() string {
	return `OAuth realm="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(o.realm) + `"`
}

// RootServices returns the Jazz rootservices triples about subject (the
// rootservices document) that point Jazz tools at the OAuth endpoints:
// jfs:oauthRequestTokenUrl, jfs:oauthUserAuthorizationUrl,
// jfs:oauthAccessTokenUrl, jfs:oauthRealmName and jfs:oauthDomain.
func (o *OAuth1) RootServices(subject rdf.Subject) []rdf.Triple {
	iri := func(path string) rdf.IRI {
		i, err := rdf.NewIRI(o.URL(path))
		if err != nil {
			panic(err) // the base URL was checked by NewOAuth1; the paths are ours
		}
		return i
	}
	return []rdf.Triple{
		{Subj: subject, Pred: vocab.IRI(JFS, "oauthRequestTokenUrl"), Obj: iri(OAuth1RequestTokenPath)},
		{Subj: subject, Pred: vocab.IRI(JFS, "oauthUserAuthorizationUrl"), Obj: iri(OAuth1AuthorizePath)},
		{Subj: subject, Pred: vocab.IRI(JFS, "oauthAccessTokenUrl"), Obj: iri(OAuth1AccessTokenPath)},
		{Subj: subject, Pred: vocab.IRI(JFS, "oauthRealmName"), Obj: vocab.Str(o.realm)},
		{Subj: subject, Pred: vocab.IRI(JFS, "oauthDomain"), Obj: vocab.Str(o.base)},
	}
}

// Authenticate implements Authenticator: a request signed by a consumer
// with an access token is the user who approved it; signed without a
// token, the consumer itself (see OAuth1).
func (o *OAuth1) Authenticate(r *http.Request) (*Principal, error) {
	var acc *oauth1Access
	_, c, err := o.verify(r, func(req *oauth1Request, c *Consumer) (string, error) {
		if req.token == "" {
			if c.Role == "" {
				return "", oauth1Errorf(http.StatusUnauthorized, "header Authorization", "the consumer %q may not sign requests without a token (it was registered without a role); authorize it as a user first", c.Name)
			}
			return "", nil
		}
		a, ok := o.tokens.lookupAccess(req.token)
		if !ok || a.Consumer != c.Key {
			return "", oauth1Errorf(http.StatusUnauthorized, "header Authorization", "the oauth_token is not an access token of this consumer")
		}
		if a.Epoch != c.Epoch {
			return "", oauth1Errorf(http.StatusUnauthorized, "header Authorization", "the access token was revoked; authorize the consumer again")
		}
		acc = a
		return a.Secret, nil
	})
	if err != nil {
		return nil, err
	}
	if acc == nil {
		return &Principal{Name: "consumer:" + c.Key, Role: c.Role, Scheme: "oauth1"}, nil
	}
	return &Principal{Name: acc.User, Role: acc.Role, Scheme: "oauth1", Jobs: slices.Clone(acc.Jobs)}, nil
}

// oauth1MaxNonce bounds a nonce, which is kept in memory for the window.
const oauth1MaxNonce = 256

// verify checks the signature of r, returning its parameters and its
// consumer, or ErrNoCredentials when r is not signed with OAuth.
// tokenSecret returns the secret of the request's token, or "" for none,
// or an error when the token is not acceptable for the endpoint.
func (o *OAuth1) verify(r *http.Request, tokenSecret func(*oauth1Request, *Consumer) (string, error)) (*oauth1Request, *Consumer, error) {
	req, err := oauth1Collect(r)
	if err != nil {
		return nil, nil, err
	}
	const where = "header Authorization"
	switch {
	case req.consumerKey == "":
		return nil, nil, oauth1Errorf(http.StatusBadRequest, where, "oauth_consumer_key is missing")
	case req.signature == "":
		return nil, nil, oauth1Errorf(http.StatusBadRequest, where, "oauth_signature is missing")
	case req.signatureMethod != oauth1HMACSHA1 && req.signatureMethod != oauth1HMACSHA256:
		return nil, nil, oauth1Errorf(http.StatusBadRequest, where, "oauth_signature_method %q: want HMAC-SHA1 or HMAC-SHA256", req.signatureMethod)
	case req.version != "" && req.version != "1.0":
		return nil, nil, oauth1Errorf(http.StatusBadRequest, where, "oauth_version %q: want 1.0", req.version)
	case req.nonce == "" || len(req.nonce) > oauth1MaxNonce:
		return nil, nil, oauth1Errorf(http.StatusBadRequest, where, "oauth_nonce: want 1 to %d characters", oauth1MaxNonce)
	}
	ts, err := strconv.ParseInt(req.timestamp, 10, 64)
	if err != nil || ts <= 0 {
		return nil, nil, oauth1Errorf(http.StatusBadRequest, where, "oauth_timestamp %q: want seconds since 1970", req.timestamp)
	}
	now := o.now()
	if skew := time.Duration(now.Unix()-ts) * time.Second; skew > o.window || skew < -o.window {
		return nil, nil, oauth1Errorf(http.StatusUnauthorized, where, "oauth_timestamp %d is %v off the server's clock (%d); the window is ±%v", ts, skew.Abs(), now.Unix(), o.window)
	}
	c := o.consumers.lookup(req.consumerKey)
	if c == nil {
		return nil, nil, oauth1Errorf(http.StatusUnauthorized, where, "unknown oauth_consumer_key %q", req.consumerKey)
	}
	secret, err := tokenSecret(req, c)
	if err != nil {
		return nil, nil, err
	}
	uri := o.base + strings.TrimPrefix(r.URL.EscapedPath(), o.prefix)
	want := oauth1Signature(req.signatureMethod, c.Secret, secret, oauth1BaseString(r.Method, uri, req.params))
	if !oauth1SignatureOK(req.signature, want) {
		return nil, nil, oauth1Errorf(http.StatusUnauthorized, where, "the signature does not match: check the consumer and token secrets, and that the URL signed is %s", uri)
	}
	if err := o.nonces.use(c.Key, req.token, req.timestamp, req.nonce, now); err != nil {
		return nil, nil, err
	}
	return req, c, nil
}

// live says whether an access token still works: its consumer is
// registered and has not revoked its tokens since.
func (o *OAuth1) live(a *oauth1Access) bool {
	c := o.consumers.lookup(a.Consumer)
	return c != nil && c.Epoch == a.Epoch
}

// oauth1Error is a refusal: an HTTP status, the part of the request at
// fault and what is wrong. It wraps ErrInvalid, as Authenticator wants.
type oauth1Error struct {
	status  int
	where   string
	message string
}

func oauth1Errorf(status int, where, format string, args ...any) *oauth1Error {
	return &oauth1Error{status, where, fmt.Sprintf(format, args...)}
}

func (e *oauth1Error) Error() string {
	if e.where == "" {
		return "oauth: " + e.message
	}
	return "oauth: " + e.message + " (in " + e.where + ")"
}

func (e *oauth1Error) Unwrap() error { return ErrInvalid }

// oauth1PlainError writes an error as text/plain, when the wiring gave no
// writer.
func oauth1PlainError(w http.ResponseWriter, _ *http.Request, status int, where, message string) {
	if where != "" {
		message += " (in " + where + ")"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintln(w, message)
}
