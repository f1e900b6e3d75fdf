package auth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests drive the provider with github.com/dghubble/oauth1, an OAuth
// 1.0a client we did not write.

type oauth1FixtureOptions struct {
	// baseURL is the public base URL; "" is the test server's own. Any
	// other is a proxy in front of the test server: requests to it are
	// sent to the test server with their path, and their Host unchanged.
	baseURL   string
	window    time.Duration
	ttl       time.Duration
	maxNonces int
	role      Role // of the consumer registered
}

type oauth1Fixture struct {
	o         atomic.Pointer[OAuth1]
	opt       oauth1FixtureOptions
	srv       *httptest.Server
	base      string // public base URL
	consumers string // path of the consumers file
	tokens    string
	key       string // of the consumer registered
	secret    string
	skew      atomic.Int64 // of the server's clock, in nanoseconds
	http      *http.Client // reaches the server through the "proxy"; no redirects
}

// oauth1TestUsers are the users the authorization page may be shown to,
// as the wiring's Basic authentication would give them: the request
// header X-Test-User names one.
var oauth1TestUsers = map[string]*Principal{
	"alice":  {Name: "alice", Role: Customer, Scheme: "basic"},
	"bob":    {Name: "bob", Role: Governance, Scheme: "basic"},
	"probe7": {Name: "probe7", Role: Agent, Scheme: "basic", Jobs: []string{"https://pm.example/jobs/7"}},
}

func newOAuth1Fixture(tb testing.TB, opt oauth1FixtureOptions) *oauth1Fixture {
	tb.Helper()
	dir := tb.TempDir()
	f := &oauth1Fixture{opt: opt, consumers: filepath.Join(dir, "oauth-consumers.json"), tokens: filepath.Join(dir, "oauth-tokens.json")}
	c, err := AddConsumer(f.consumers, Consumer{Name: "ELM", Role: opt.role})
	require.NoError(tb, err)
	f.key, f.secret = c.Key, c.Secret

	f.srv = httptest.NewUnstartedServer(nil)
	f.base = "http://" + f.srv.Listener.Addr().String()
	if opt.baseURL != "" {
		f.base = opt.baseURL
	}
	u, err := url.Parse(f.base)
	require.NoError(tb, err)
	prefix := strings.TrimSuffix(u.Path, "/")
	mux := http.NewServeMux()
	mux.HandleFunc(prefix+OAuth1RequestTokenPath, func(w http.ResponseWriter, r *http.Request) { f.o.Load().RequestToken(w, r) })
	mux.HandleFunc(prefix+OAuth1AccessTokenPath, func(w http.ResponseWriter, r *http.Request) { f.o.Load().AccessToken(w, r) })
	mux.HandleFunc(prefix+OAuth1AuthorizePath, func(w http.ResponseWriter, r *http.Request) {
		if p := oauth1TestUsers[r.Header.Get("X-Test-User")]; p != nil {
			r = r.WithContext(WithPrincipal(r.Context(), p))
		}
		f.o.Load().Authorize(w, r)
	})
	mux.HandleFunc(prefix+"/protected", f.protected)
	mux.HandleFunc(prefix+"/protected/", f.protected)
	f.srv.Config.Handler = mux
	f.srv.Start()
	tb.Cleanup(f.srv.Close)
	f.start(tb)

	srvURL, _ := url.Parse(f.srv.URL)
	f.http = &http.Client{
		Transport: oauth1RoundTripper(func(r *http.Request) (*http.Response, error) {
			r = r.Clone(r.Context())
			r.URL.Scheme, r.URL.Host = srvURL.Scheme, srvURL.Host
			return http.DefaultTransport.RoundTrip(r)
		}),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return f
}

// start (re)starts the provider on the fixture's files, as a restart of
// the server would.
func (f *oauth1Fixture) start(tb testing.TB) {
	o, err := NewOAuth1(OAuth1Config{
		BaseURL: f.base, ConsumersFile: f.consumers, TokensFile: f.tokens,
		Window: f.opt.window, RequestTokenTTL: f.opt.ttl, MaxNonces: f.opt.maxNonces,
		Logger: quietOAuth1Log,
	})
	require.NoError(tb, err)
	o.now = func() time.Time { return time.Now().Add(time.Duration(f.skew.Load())) }
	f.o.Store(o)
}

// oauth1Echo is what the protected handler answers: who the request
// comes from, and the form it carried (read after Authenticate).
type oauth1Echo struct {
	Principal Principal
	Form      url.Values
}

func (f *oauth1Fixture) protected(w http.ResponseWriter, r *http.Request) {
	o := f.o.Load()
	p, err := o.Authenticate(r)
	if err != nil {
		if errors.Is(err, ErrNoCredentials) {
			w.Header().Set("WWW-Authenticate", o.Challenge())
		}
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	json.NewEncoder(w).Encode(oauth1Echo{Principal: *p, Form: r.PostForm})
}

type oauth1RoundTripper func(*http.Request) (*http.Response, error)

func (f oauth1RoundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// config is the OAuth client of the consumer registered, with secret.
func (f *oauth1Fixture) config(key, secret string) *oauth1.Config {
	return &oauth1.Config{
		ConsumerKey:    key,
		ConsumerSecret: secret,
		CallbackURL:    "https://elm.example/jts/oauth-callback?friend=pm",
		Endpoint: oauth1.Endpoint{
			RequestTokenURL: f.base + OAuth1RequestTokenPath,
			AuthorizeURL:    f.base + OAuth1AuthorizePath,
			AccessTokenURL:  f.base + OAuth1AccessTokenPath,
		},
		HTTPClient: f.http,
	}
}

// client signs requests as cfg with tok; base, if not nil, sees each
// signed request before it is sent.
func (f *oauth1Fixture) client(cfg *oauth1.Config, tok *oauth1.Token, base oauth1RoundTripper) *http.Client {
	proxy, next := f.http.Transport, f.http.Transport
	if base != nil {
		next = oauth1RoundTripper(func(r *http.Request) (*http.Response, error) {
			r = r.Clone(r.Context())
			if resp, err := base(r); resp != nil || err != nil {
				return resp, err
			}
			return proxy.RoundTrip(r)
		})
	}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, &http.Client{Transport: next})
	return cfg.Client(ctx, tok)
}

// send sends r with c and returns the status and body.
func oauth1Send(t *testing.T, c *http.Client, r *http.Request) (int, string) {
	t.Helper()
	resp, err := c.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

var (
	oauth1CSRFRe   = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	oauth1ActionRe = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
)

// authorizePage shows the authorization page of requestToken to user
// ("" for nobody) and returns its status, the form's CSRF token and
// action.
func (f *oauth1Fixture) authorizePage(t *testing.T, requestToken, user string) (status int, csrf, action string) {
	t.Helper()
	r, _ := http.NewRequest("GET", f.base+OAuth1AuthorizePath+"?oauth_token="+url.QueryEscape(requestToken), nil)
	if user != "" {
		r.Header.Set("X-Test-User", user)
	}
	status, body := oauth1Send(t, f.http, r)
	if m := oauth1CSRFRe.FindStringSubmatch(body); m != nil {
		csrf = m[1]
	}
	if m := oauth1ActionRe.FindStringSubmatch(body); m != nil {
		action = m[1]
	}
	return status, csrf, action
}

// postAuthorize posts the authorization form as user would.
func (f *oauth1Fixture) postAuthorize(t *testing.T, action, user string, form url.Values) *http.Response {
	t.Helper()
	r, _ := http.NewRequest("POST", action, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		r.Header.Set("X-Test-User", user)
	}
	resp, err := f.http.Do(r)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// approve has user allow the consumer's request token and returns the
// verifier the callback receives.
func (f *oauth1Fixture) approve(t *testing.T, requestToken, user string) string {
	t.Helper()
	status, csrf, action := f.authorizePage(t, requestToken, user)
	require.Equal(t, http.StatusOK, status)
	require.NotEmpty(t, csrf)
	require.Equal(t, f.o.Load().URL(OAuth1AuthorizePath), action)
	resp := f.postAuthorize(t, action, user, url.Values{"oauth_token": {requestToken}, "csrf": {csrf}, "action": {"allow"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "https://elm.example/jts/oauth-callback?friend=pm&"), loc)
	tok, verifier, err := oauth1.ParseAuthorizationCallback(httptest.NewRequest("GET", loc, nil))
	require.NoError(t, err)
	require.Equal(t, requestToken, tok)
	return verifier
}

// dance runs the three legs for user and returns the access token.
func (f *oauth1Fixture) dance(t *testing.T, cfg *oauth1.Config, user string) *oauth1.Token {
	t.Helper()
	rt, rs, err := cfg.RequestToken()
	require.NoError(t, err)
	authURL, err := cfg.AuthorizationURL(rt)
	require.NoError(t, err)
	require.Equal(t, f.base+OAuth1AuthorizePath+"?oauth_token="+rt, authURL.String())
	verifier := f.approve(t, rt, user)
	at, as, err := cfg.AccessToken(rt, rs, verifier)
	require.NoError(t, err)
	return oauth1.NewToken(at, as)
}

// echo decodes what the protected handler answered.
func oauth1DecodeEcho(t *testing.T, body string) oauth1Echo {
	t.Helper()
	var e oauth1Echo
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	return e
}

func TestOAuth1Dance(t *testing.T) {
	for _, tc := range []struct{ name, base string }{
		{"direct", ""},
		// Behind a proxy: the client signs the public URL, which differs
		// from the Host the server sees, in case and port too.
		{"behind a proxy", "https://PM.Example.com:443/pm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newOAuth1Fixture(t, oauth1FixtureOptions{baseURL: tc.base})
			cfg := f.config(f.key, f.secret)
			tok := f.dance(t, cfg, "alice")
			c := f.client(cfg, tok, nil)
			alice := Principal{Name: "alice", Role: Customer, Scheme: "oauth1"}

			r, _ := http.NewRequest("GET", f.base+"/protected?q=a%20b&euro=%E2%82%AC&empty=&plus=1%2B1", nil)
			status, body := oauth1Send(t, c, r)
			require.Equal(t, http.StatusOK, status, body)
			assert.Equal(t, alice, oauth1DecodeEcho(t, body).Principal)

			r, _ = http.NewRequest("POST", f.base+"/protected?via=query", strings.NewReader("title=Hello+world&n=%3D1"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			status, body = oauth1Send(t, c, r)
			require.Equal(t, http.StatusOK, status, body)
			e := oauth1DecodeEcho(t, body)
			assert.Equal(t, alice, e.Principal)
			assert.Equal(t, url.Values{"title": {"Hello world"}, "n": {"=1"}}, e.Form, "the handler reads the form body Authenticate read")
		})
	}
}

// oauth1MoveParams moves the signed request's OAuth parameters from its
// Authorization header to the query or to the form body (RFC 5849 §3.5.2
// and §3.5.3): the signature covers the same parameters, so it holds.
func oauth1MoveParams(toBody bool) oauth1RoundTripper {
	return func(r *http.Request) (*http.Response, error) {
		h := r.Header.Get("Authorization")
		ps, err := oauth1ParseHeader(strings.TrimPrefix(h, "OAuth "))
		if err != nil {
			return nil, err
		}
		r.Header.Del("Authorization")
		v := url.Values{}
		for _, p := range ps {
			v.Add(p.name, p.value)
		}
		if !toBody {
			sep := "&"
			if r.URL.RawQuery == "" {
				sep = ""
			}
			r.URL.RawQuery += sep + v.Encode()
			return nil, nil
		}
		b, _ := io.ReadAll(r.Body)
		s := string(b)
		if s != "" {
			s += "&"
		}
		s += v.Encode()
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(s)), int64(len(s))
		return nil, nil
	}
}

func TestOAuth1ParamsInQueryOrBody(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{})
	cfg := f.config(f.key, f.secret)
	tok := f.dance(t, cfg, "alice")

	r, _ := http.NewRequest("GET", f.base+"/protected?x=1", nil)
	status, body := oauth1Send(t, f.client(cfg, tok, oauth1MoveParams(false)), r)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "alice", oauth1DecodeEcho(t, body).Principal.Name)

	r, _ = http.NewRequest("POST", f.base+"/protected", strings.NewReader("x=1"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, body = oauth1Send(t, f.client(cfg, tok, oauth1MoveParams(true)), r)
	require.Equal(t, http.StatusOK, status, body)
	e := oauth1DecodeEcho(t, body)
	assert.Equal(t, "alice", e.Principal.Name)
	assert.Equal(t, "1", e.Form.Get("x"))
}

func TestOAuth1HMACSHA256(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{})
	cfg := f.config(f.key, f.secret)
	cfg.Signer = &oauth1.HMAC256Signer{ConsumerSecret: f.secret}
	tok := f.dance(t, cfg, "bob")
	r, _ := http.NewRequest("GET", f.base+"/protected", nil)
	status, body := oauth1Send(t, f.client(cfg, tok, nil), r)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, Principal{Name: "bob", Role: Governance, Scheme: "oauth1"}, oauth1DecodeEcho(t, body).Principal)
}

func TestOAuth1OOB(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{})
	cfg := f.config(f.key, f.secret)
	cfg.CallbackURL = "oob"
	rt, rs, err := cfg.RequestToken()
	require.NoError(t, err)
	status, csrf, action := f.authorizePage(t, rt, "alice")
	require.Equal(t, http.StatusOK, status)
	resp := f.postAuthorize(t, action, "alice", url.Values{"oauth_token": {rt}, "csrf": {csrf}, "action": {"allow"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`<code>([^<]+)</code>`).FindSubmatch(b)
	require.NotNil(t, m, "the page shows the verifier: %s", b)
	_, _, err = cfg.AccessToken(rt, rs, string(m[1]))
	require.NoError(t, err)
}

// TestOAuth1Principal: the access token carries the approving user's
// role and jobs, as they were at approval, across a restart.
func TestOAuth1Principal(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{})
	cfg := f.config(f.key, f.secret)
	tok := f.dance(t, cfg, "probe7")

	fi, err := os.Stat(f.tokens)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the tokens file holds secrets")

	f.start(t) // a restart: access tokens persist
	r, _ := http.NewRequest("GET", f.base+"/protected", nil)
	status, body := oauth1Send(t, f.client(cfg, tok, nil), r)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, Principal{Name: "probe7", Role: Agent, Scheme: "oauth1", Jobs: []string{"https://pm.example/jobs/7"}}, oauth1DecodeEcho(t, body).Principal)
}

func TestOAuth1TwoLegged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		role   Role
		status int
		want   string
	}{
		{"consumer with a role", Governance, http.StatusOK, `"Name":"consumer:`},
		{"consumer without a role", "", http.StatusUnauthorized, "registered without a role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newOAuth1Fixture(t, oauth1FixtureOptions{role: tc.role})
			// dghubble signs with oauth_token="" when the token is empty.
			c := f.client(f.config(f.key, f.secret), oauth1.NewToken("", ""), nil)
			r, _ := http.NewRequest("GET", f.base+"/protected", nil)
			status, body := oauth1Send(t, c, r)
			require.Equal(t, tc.status, status, body)
			assert.Contains(t, body, tc.want)
			if status == http.StatusOK {
				assert.Equal(t, Principal{Name: "consumer:" + f.key, Role: Governance, Scheme: "oauth1"}, oauth1DecodeEcho(t, body).Principal)
			}
		})
	}
}

func TestOAuth1NoCredentials(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{})
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/protected", nil),
		httptest.NewRequest("GET", "/protected?oauth_token=x&a=1", nil), // no consumer key: not OAuth's
		func() *http.Request {
			r := httptest.NewRequest("POST", "/protected", strings.NewReader("a=1&b=%zz"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}(),
		func() *http.Request {
			r := httptest.NewRequest("GET", "/protected", nil)
			r.Header.Set("Authorization", "Basic YWxpY2U6c2VjcmV0")
			return r
		}(),
	} {
		_, err := f.o.Load().Authenticate(r)
		assert.ErrorIs(t, err, ErrNoCredentials, r.URL.String())
	}
	assert.Equal(t, `OAuth realm="`+f.base+`"`, f.o.Load().Challenge())
}

// TestOAuth1Refused: each way a signed request can be wrong is refused
// with a message that says why, and the good request around it passes.
func TestOAuth1Refused(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{})
	good := f.config(f.key, f.secret)
	tok := f.dance(t, good, "alice")
	get := func(c *http.Client, path string) (int, string) {
		r, _ := http.NewRequest("GET", f.base+path, nil)
		return oauth1Send(t, c, r)
	}

	t.Run("wrong consumer secret", func(t *testing.T) {
		_, _, err := f.config(f.key, "not-the-secret").RequestToken()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "401")
		assert.Contains(t, err.Error(), "signature does not match")
		status, body := get(f.client(f.config(f.key, "not-the-secret"), tok, nil), "/protected")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "signature does not match")
	})
	t.Run("wrong token secret", func(t *testing.T) {
		status, body := get(f.client(good, oauth1.NewToken(tok.Token, "not-the-secret"), nil), "/protected")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "signature does not match")
	})
	t.Run("unknown consumer", func(t *testing.T) {
		_, _, err := f.config("nobody", f.secret).RequestToken()
		require.Error(t, err)
		assert.Contains(t, err.Error(), `unknown oauth_consumer_key "nobody"`)
	})
	t.Run("unknown token", func(t *testing.T) {
		status, body := get(f.client(good, oauth1.NewToken("made-up", tok.TokenSecret), nil), "/protected")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "not an access token of this consumer")
	})
	for _, tamper := range []struct {
		name string
		edit func(*http.Request)
	}{
		{"query changed", func(r *http.Request) { r.URL.RawQuery = "id=2" }},
		{"query added", func(r *http.Request) { r.URL.RawQuery += "&admin=1" }},
		{"path changed", func(r *http.Request) { r.URL.Path = "/protected/" }},
		{"method changed", func(r *http.Request) { r.Method = "DELETE" }},
		{"form body changed", func(r *http.Request) {
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader("id=2")), 4
		}},
		{"signed parameter changed", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), `oauth_timestamp="`, `oauth_timestamp="1`, 1))
		}},
	} {
		t.Run("tampered: "+tamper.name, func(t *testing.T) {
			c := f.client(good, tok, func(r *http.Request) (*http.Response, error) {
				tamper.edit(r)
				return nil, nil
			})
			r, _ := http.NewRequest("POST", f.base+"/protected?id=1", strings.NewReader("id=1"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			status, body := oauth1Send(t, c, r)
			assert.Equal(t, http.StatusUnauthorized, status, body)
		})
	}
	t.Run("timestamp outside the window", func(t *testing.T) {
		for _, skew := range []time.Duration{6 * time.Minute, -6 * time.Minute} {
			f.skew.Store(int64(skew))
			status, body := get(f.client(good, tok, nil), "/protected")
			assert.Equal(t, http.StatusUnauthorized, status)
			assert.Contains(t, body, "off the server's clock")
		}
		f.skew.Store(int64(4 * time.Minute))
		status, body := get(f.client(good, tok, nil), "/protected")
		assert.Equal(t, http.StatusOK, status, "inside the window: %s", body)
		f.skew.Store(0)
	})
	t.Run("replayed nonce", func(t *testing.T) {
		var signed *http.Request
		c := f.client(good, tok, func(r *http.Request) (*http.Response, error) {
			signed = r
			return nil, nil
		})
		status, body := get(c, "/protected?x=1")
		require.Equal(t, http.StatusOK, status, body)
		replay, _ := http.NewRequest("GET", signed.URL.String(), nil)
		replay.Header = signed.Header.Clone()
		status, body = oauth1Send(t, f.http, replay)
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "used before")
	})
	t.Run("request token used as an access token", func(t *testing.T) {
		rt, rs, err := good.RequestToken()
		require.NoError(t, err)
		status, body := get(f.client(good, oauth1.NewToken(rt, rs), nil), "/protected")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "not an access token")
	})
	t.Run("access token of another consumer", func(t *testing.T) {
		other, err := AddConsumer(f.consumers, Consumer{Name: "ETM"})
		require.NoError(t, err)
		f.o.Load().consumers.file.next.Store(0) // look at the file now, not in a second
		status, body := get(f.client(f.config(other.Key, other.Secret), tok, nil), "/protected")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "not an access token of this consumer")
	})
	t.Run("revoked token", func(t *testing.T) {
		status, _ := get(f.client(good, tok, nil), "/protected")
		require.Equal(t, http.StatusOK, status)
		require.NoError(t, RevokeConsumerTokens(f.consumers, f.key))
		f.o.Load().consumers.file.next.Store(0)
		status, body := get(f.client(good, tok, nil), "/protected")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "revoked")

		tok2 := f.dance(t, good, "alice") // a new approval works again
		status, body = get(f.client(good, tok2, nil), "/protected")
		assert.Equal(t, http.StatusOK, status, body)
		b, err := os.ReadFile(f.tokens)
		require.NoError(t, err)
		assert.NotContains(t, string(b), tok.Token, "revoked tokens leave the file at the next write")
		assert.Contains(t, string(b), tok2.Token)
	})
	t.Run("removed consumer", func(t *testing.T) {
		tok := f.dance(t, good, "alice")
		require.NoError(t, RemoveConsumer(f.consumers, f.key))
		f.o.Load().consumers.file.next.Store(0)
		status, body := get(f.client(good, tok, nil), "/protected")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "unknown oauth_consumer_key")

		// Registered again with the same key and secret, its old tokens stay dead.
		_, err := AddConsumer(f.consumers, Consumer{Key: f.key, Name: "ELM", Secret: f.secret})
		require.NoError(t, err)
		f.o.Load().consumers.file.next.Store(0)
		status, body = get(f.client(good, tok, nil), "/protected")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, body, "revoked")
	})
}

func TestOAuth1DanceRefused(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{window: time.Hour})
	cfg := f.config(f.key, f.secret)

	t.Run("no callback", func(t *testing.T) {
		cfg := f.config(f.key, f.secret)
		cfg.CallbackURL = ""
		_, _, err := cfg.RequestToken()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "400")
		assert.Contains(t, err.Error(), "oauth_callback is missing")
		cfg.CallbackURL = "javascript:alert(1)"
		_, _, err = cfg.RequestToken()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "want an absolute http(s) URL")
	})
	t.Run("unsigned request token", func(t *testing.T) {
		r, _ := http.NewRequest("POST", f.base+OAuth1RequestTokenPath, nil)
		resp, err := f.http.Do(r)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Equal(t, `OAuth realm="`+f.base+`"`, resp.Header.Get("WWW-Authenticate"))
		r, _ = http.NewRequest("GET", f.base+OAuth1RequestTokenPath, nil)
		resp, err = f.http.Do(r)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	})
	t.Run("access token before approval", func(t *testing.T) {
		rt, rs, err := cfg.RequestToken()
		require.NoError(t, err)
		_, _, err = cfg.AccessToken(rt, rs, "guess")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not been approved")
	})
	t.Run("verifier mismatch", func(t *testing.T) {
		rt, rs, err := cfg.RequestToken()
		require.NoError(t, err)
		verifier := f.approve(t, rt, "alice")
		_, _, err = cfg.AccessToken(rt, rs, verifier+"x")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "oauth_verifier does not match")
		_, _, err = cfg.AccessToken(rt, rs, verifier)
		require.Error(t, err, "a wrong verifier voids the request token")
		assert.Contains(t, err.Error(), "401")
	})
	t.Run("request token exchanged twice", func(t *testing.T) {
		rt, rs, err := cfg.RequestToken()
		require.NoError(t, err)
		verifier := f.approve(t, rt, "alice")
		_, _, err = cfg.AccessToken(rt, rs, verifier)
		require.NoError(t, err)
		_, _, err = cfg.AccessToken(rt, rs, verifier)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "401")
	})
	t.Run("expired request token", func(t *testing.T) {
		rt, rs, err := cfg.RequestToken()
		require.NoError(t, err)
		verifier := f.approve(t, rt, "alice")
		f.skew.Store(int64(11 * time.Minute))
		defer f.skew.Store(0)
		_, _, err = cfg.AccessToken(rt, rs, verifier)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not a live request token")

		rt, _, err = cfg.RequestToken()
		require.NoError(t, err)
		f.skew.Store(int64(21 * time.Minute))
		status, _, _ := f.authorizePage(t, rt, "alice")
		assert.Equal(t, http.StatusBadRequest, status, "an expired request token cannot be approved")
	})
	t.Run("authorize without a user", func(t *testing.T) {
		rt, _, err := cfg.RequestToken()
		require.NoError(t, err)
		status, csrf, _ := f.authorizePage(t, rt, "")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Empty(t, csrf)
		resp := f.postAuthorize(t, f.base+OAuth1AuthorizePath, "", url.Values{"oauth_token": {rt}, "action": {"allow"}})
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})
	t.Run("authorize without the CSRF token", func(t *testing.T) {
		rt, rs, err := cfg.RequestToken()
		require.NoError(t, err)
		_, aliceCSRF, action := f.authorizePage(t, rt, "alice")
		for _, form := range []url.Values{
			{"oauth_token": {rt}, "action": {"allow"}},
			{"oauth_token": {rt}, "action": {"allow"}, "csrf": {"forged"}},
			{"oauth_token": {rt}, "action": {"allow"}, "csrf": {aliceCSRF}}, // posted as bob
		} {
			user := "alice"
			if form.Get("csrf") == aliceCSRF {
				user = "bob"
			}
			resp := f.postAuthorize(t, action, user, form)
			assert.Equal(t, http.StatusForbidden, resp.StatusCode, form.Encode())
		}
		_, _, err = cfg.AccessToken(rt, rs, "")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not been approved", "nothing was approved")
	})
	t.Run("deny", func(t *testing.T) {
		rt, rs, err := cfg.RequestToken()
		require.NoError(t, err)
		_, csrf, action := f.authorizePage(t, rt, "alice")
		resp := f.postAuthorize(t, action, "alice", url.Values{"oauth_token": {rt}, "csrf": {csrf}, "action": {"deny"}})
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		status, _, _ := f.authorizePage(t, rt, "alice")
		assert.Equal(t, http.StatusBadRequest, status)
		_, _, err = cfg.AccessToken(rt, rs, "")
		require.Error(t, err)
	})
	t.Run("approved once", func(t *testing.T) {
		rt, _, err := cfg.RequestToken()
		require.NoError(t, err)
		_, csrf, action := f.authorizePage(t, rt, "alice")
		f.approve(t, rt, "alice")
		resp := f.postAuthorize(t, action, "alice", url.Values{"oauth_token": {rt}, "csrf": {csrf}, "action": {"allow"}})
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a second approval (maybe by someone else) is refused")
	})
}

// TestOAuth1AuthorizePage: the page is safe to show: not framable, not
// cached, and the consumer's name is escaped.
func TestOAuth1AuthorizePage(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{})
	c, err := AddConsumer(f.consumers, Consumer{Name: `<script>alert("x")</script>`})
	require.NoError(t, err)
	f.o.Load().consumers.file.next.Store(0)
	rt, _, err := f.config(c.Key, c.Secret).RequestToken()
	require.NoError(t, err)
	r, _ := http.NewRequest("GET", f.base+OAuth1AuthorizePath+"?oauth_token="+rt, nil)
	r.Header.Set("X-Test-User", "alice")
	resp, err := f.http.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.NotContains(t, string(b), "<script>")
	assert.Contains(t, string(b), "&lt;script&gt;")
	assert.Contains(t, string(b), "alice")
}

func TestOAuth1NonceCacheBounded(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{maxNonces: 3, role: Governance})
	c := f.client(f.config(f.key, f.secret), oauth1.NewToken("", ""), nil)
	var statuses []int
	for range 4 {
		r, _ := http.NewRequest("GET", f.base+"/protected", nil)
		status, _ := oauth1Send(t, c, r)
		statuses = append(statuses, status)
	}
	assert.Equal(t, []int{200, 200, 200, 401}, statuses, "past the bound, requests are refused, not unchecked")
}

// TestOAuth1Nonces: a nonce is refused again while its request could
// pass the timestamp check (up to 2×window after it was seen), and
// forgotten some time after.
func TestOAuth1Nonces(t *testing.T) {
	const w = 5 * time.Minute
	n := newOAuth1Nonces(w, 4)
	t0 := time.Unix(1_800_000_000, 0)
	require.NoError(t, n.use("c", "t", "1", "a", t0))
	require.NoError(t, n.use("c", "t", "1", "b", t0))
	require.NoError(t, n.use("c", "t", "2", "a", t0), "another timestamp")
	require.NoError(t, n.use("c", "u", "1", "a", t0), "another token")
	assert.ErrorContains(t, n.use("x", "t", "1", "a", t0), "retry later", "full")
	for _, d := range []time.Duration{time.Second, w, 2*w - time.Second, 2 * w, 3 * w, 4*w - time.Second} {
		assert.ErrorContains(t, n.use("c", "t", "1", "a", t0.Add(d)), "used before", "after %v", d)
	}
	assert.NoError(t, n.use("c", "t", "1", "a", t0.Add(4*w+time.Second)), "forgotten after two periods")
	assert.NoError(t, n.use("c", "t", "1", "b", t0.Add(time.Hour)), "forgotten after a long idle time")
	assert.ErrorContains(t, n.use("c", "t", "1", "b", t0.Add(time.Hour)), "used before")
}

func TestOAuth1RootServices(t *testing.T) {
	f := newOAuth1Fixture(t, oauth1FixtureOptions{baseURL: "https://pm.example.com/pm/"})
	rs, _ := rdf.NewIRI("https://pm.example.com/pm/rootservices")
	got := map[string]string{}
	for _, tr := range f.o.Load().RootServices(rs) {
		assert.Equal(t, rs, tr.Subj)
		got[tr.Pred.String()] = tr.Obj.String()
	}
	assert.Equal(t, map[string]string{
		JFS + "oauthRequestTokenUrl":      "https://pm.example.com/pm/oauth/request-token",
		JFS + "oauthUserAuthorizationUrl": "https://pm.example.com/pm/oauth/authorize",
		JFS + "oauthAccessTokenUrl":       "https://pm.example.com/pm/oauth/access-token",
		JFS + "oauthRealmName":            "https://pm.example.com/pm",
		JFS + "oauthDomain":               "https://pm.example.com/pm",
	}, got)
}

// BenchmarkOAuth1Verify is the cost of Authenticate on a request signed
// with HMAC-SHA1 and an access token, as a Jazz tool sends: parsing,
// the base string, the HMAC and the nonce.
func BenchmarkOAuth1Verify(b *testing.B) {
	f := newOAuth1Fixture(b, oauth1FixtureOptions{})
	o := f.o.Load()
	consumer := o.consumers.lookup(f.key)
	access := &oauth1Access{Token: "tok", Secret: "toksecret", Consumer: f.key, Epoch: consumer.Epoch, User: "alice", Role: Customer}
	o.tokens.access[access.Token] = access

	// Sign a batch of requests with the client library; verify them in turn.
	const batch = 4096
	var headers []string
	signer := &http.Client{Transport: oauth1RoundTripper(func(r *http.Request) (*http.Response, error) {
		headers = append(headers, r.Header.Get("Authorization"))
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, signer)
	c := f.config(f.key, f.secret).Client(ctx, oauth1.NewToken(access.Token, access.Secret))
	const target = "/oslc/records?oslc.where=pm%3AobservesMetric%3D%3Chttp%3A%2F%2Fexample.org%2Fcpu%3E&oslc.pageSize=100"
	for range batch {
		resp, err := c.Get(f.base + target)
		require.NoError(b, err)
		resp.Body.Close()
	}
	r := httptest.NewRequest("GET", target, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%batch == 0 && i > 0 {
			b.StopTimer()
			o.nonces = newOAuth1Nonces(o.window, 1<<20)
			b.StartTimer()
		}
		r.Header.Set("Authorization", headers[i%batch])
		if _, err := o.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}
