package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RequestToken serves OAuth1RequestTokenPath (RFC 5849 §2.1): a POST
// signed by a registered consumer, with an oauth_callback (an absolute
// http(s) URL, or "oob" for a consumer that cannot take redirects),
// answers a request token, form-encoded:
// oauth_token=…&oauth_token_secret=…&oauth_callback_confirmed=true.
func (o *OAuth1) RequestToken(w http.ResponseWriter, r *http.Request) {
	if !o.method(w, r, http.MethodPost) {
		return
	}
	req, c, err := o.verify(r, func(req *oauth1Request, _ *Consumer) (string, error) {
		if req.token != "" {
			return "", oauth1Errorf(http.StatusBadRequest, "header Authorization", "a request for a request token carries no oauth_token")
		}
		return "", nil
	})
	if err != nil {
		o.fail(w, r, err)
		return
	}
	if err := oauth1CheckCallback(req.callback); err != nil {
		o.fail(w, r, err)
		return
	}
	p := &oauth1Pending{
		token:    consumerRandom(16),
		secret:   oauth1Secret(),
		consumer: c.Key,
		callback: req.callback,
		expires:  o.now().Add(o.ttl),
	}
	if err := o.tokens.addPending(p, o.now()); err != nil {
		o.fail(w, r, err)
		return
	}
	oauth1WriteForm(w, url.Values{
		"oauth_token":              {p.token},
		"oauth_token_secret":       {p.secret},
		"oauth_callback_confirmed": {"true"},
	})
}

// oauth1MaxCallback bounds a callback URL, which is kept in memory.
const oauth1MaxCallback = 2048

func oauth1CheckCallback(cb string) error {
	if cb == "oob" {
		return nil
	}
	const where = "header Authorization"
	if cb == "" {
		return oauth1Errorf(http.StatusBadRequest, where, `oauth_callback is missing: want the URL to send the user back to, or "oob"`)
	}
	u, err := url.Parse(cb)
	if err != nil || len(cb) > oauth1MaxCallback || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return oauth1Errorf(http.StatusBadRequest, where, `oauth_callback %.100q: want an absolute http(s) URL without fragment (at most %d bytes), or "oob"`, cb, oauth1MaxCallback)
	}
	return nil
}

// Authorize serves OAuth1AuthorizePath (RFC 5849 §2.2) to the signed-in
// user (PrincipalFrom; 401 without one). GET ?oauth_token=… shows a page
// asking the user to allow or deny the consumer; its form POSTs back
// with a CSRF token bound to the request token and the user, so that
// another site cannot approve on the user's behalf (403 without it). On
// approval the user is sent to the consumer's callback with oauth_token
// and oauth_verifier, or shown the verifier to give the consumer ("oob").
// The consumer then acts as this user, with the user's role, until its
// tokens are revoked.
func (o *OAuth1) Authorize(w http.ResponseWriter, r *http.Request) {
	if !o.method(w, r, http.MethodGet, http.MethodHead, http.MethodPost) {
		return
	}
	user := PrincipalFrom(r.Context())
	if user == nil {
		o.errorf(w, r, http.StatusUnauthorized, "", "sign in to allow or deny a consumer's access")
		return
	}
	if r.Method != http.MethodPost {
		tok := r.URL.Query().Get("oauth_token")
		p, c, err := o.pendingFor(tok, "URL")
		if err != nil {
			o.fail(w, r, err)
			return
		}
		o.page(w, http.StatusOK, oauth1Page{
			Consumer: c.Name, Realm: o.realm, User: user.Name, Role: string(user.Role),
			Action: o.URL(OAuth1AuthorizePath), Token: p.token, CSRF: o.csrf(p.token, user.Name),
		})
		return
	}

	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		o.errorf(w, r, http.StatusBadRequest, "body", "the form does not parse: "+err.Error())
		return
	}
	tok := r.PostForm.Get("oauth_token")
	if !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(o.csrf(tok, user.Name))) {
		o.errorf(w, r, http.StatusForbidden, "body", "the form's csrf token is missing or wrong: allow the consumer from the page "+OAuth1AuthorizePath+" shows")
		return
	}
	_, c, err := o.pendingFor(tok, "body")
	if err != nil {
		o.fail(w, r, err)
		return
	}
	switch r.PostForm.Get("action") {
	case "deny":
		o.tokens.deny(tok)
		o.page(w, http.StatusOK, oauth1Page{Consumer: c.Name, Realm: o.realm, User: user.Name, Denied: true})
		return
	case "allow":
	default:
		o.errorf(w, r, http.StatusBadRequest, "body", `action: want "allow" or "deny"`)
		return
	}
	p, ok := o.tokens.approve(tok, user, o.now())
	if !ok {
		o.errorf(w, r, http.StatusBadRequest, "body", "the request token expired or was approved meanwhile; start again from the consumer")
		return
	}
	if p.callback == "oob" {
		o.page(w, http.StatusOK, oauth1Page{Consumer: c.Name, Realm: o.realm, User: user.Name, Verifier: p.verifier})
		return
	}
	sep := "?"
	if strings.Contains(p.callback, "?") {
		sep = "&"
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, p.callback+sep+url.Values{"oauth_token": {p.token}, "oauth_verifier": {p.verifier}}.Encode(), http.StatusSeeOther)
}

// pendingFor returns the request token tok, waiting for approval, and
// its consumer.
func (o *OAuth1) pendingFor(tok, where string) (oauth1Pending, *Consumer, error) {
	if tok == "" {
		return oauth1Pending{}, nil, oauth1Errorf(http.StatusBadRequest, where, "oauth_token is missing: follow the link the consumer gave you")
	}
	p, ok := o.tokens.getPending(tok, o.now())
	if !ok || p.verifier != "" {
		return oauth1Pending{}, nil, oauth1Errorf(http.StatusBadRequest, where, "the request token is unknown, expired or already approved; start again from the consumer")
	}
	c := o.consumers.lookup(p.consumer)
	if c == nil {
		return oauth1Pending{}, nil, oauth1Errorf(http.StatusBadRequest, where, "the consumer of this request token is no longer registered")
	}
	return p, c, nil
}

// csrf is the token the approval form carries: a MAC, under a key of
// this process, of the request token and the user who saw the form.
func (o *OAuth1) csrf(tok, user string) string {
	m := hmac.New(sha256.New, o.csrfKey)
	m.Write([]byte("oauth1-authorize\x00" + tok + "\x00" + user))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

type oauth1Page struct {
	Consumer, Realm, User, Role string
	Action, Token, CSRF         string
	Verifier                    string
	Denied                      bool
}

var oauth1Tmpl = template.Must(template.New("authorize").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Authorize {{.Consumer}}</title>
<style>body{font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em;line-height:1.5}button{font-size:1em;padding:.4em 1.2em;margin-right:.6em}code{font-size:1.3em;background:#eee;padding:.2em .4em}</style>
</head><body>
{{- if .Denied}}
<h1>Access denied</h1>
<p><strong>{{.Consumer}}</strong> was not given access to {{.Realm}}. You may close this page.</p>
{{- else if .Verifier}}
<h1>Access allowed</h1>
<p>Give this code to <strong>{{.Consumer}}</strong> to finish:</p>
<p><code>{{.Verifier}}</code></p>
{{- else}}
<h1>Allow {{.Consumer}}?</h1>
<p><strong>{{.Consumer}}</strong> asks to read and change data on {{.Realm}} as you, <strong>{{.User}}</strong> (role {{.Role}}), until an administrator revokes its access.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="oauth_token" value="{{.Token}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>
{{- end}}
</body></html>
`))

// page writes the authorization page. It may not be framed (a framed
// Allow button could be clicked by a trick), cached or leak its URL.
func (o *OAuth1) page(w http.ResponseWriter, status int, p oauth1Page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := oauth1Tmpl.Execute(w, p); err != nil {
		o.log.Error("write OAuth authorization page", "err", err)
	}
}

// AccessToken serves OAuth1AccessTokenPath (RFC 5849 §2.3): a POST signed
// by the consumer with the approved request token and carrying its
// oauth_verifier answers an access token, form-encoded:
// oauth_token=…&oauth_token_secret=…. A request token is exchanged once;
// a wrong verifier voids it.
func (o *OAuth1) AccessToken(w http.ResponseWriter, r *http.Request) {
	if !o.method(w, r, http.MethodPost) {
		return
	}
	const where = "header Authorization"
	req, c, err := o.verify(r, func(req *oauth1Request, c *Consumer) (string, error) {
		if req.token == "" {
			return "", oauth1Errorf(http.StatusBadRequest, where, "oauth_token is missing: sign with the request token")
		}
		p, ok := o.tokens.getPending(req.token, o.now())
		if !ok || p.consumer != c.Key {
			return "", oauth1Errorf(http.StatusUnauthorized, where, "the oauth_token is not a live request token of this consumer; start again")
		}
		if p.verifier == "" {
			return "", oauth1Errorf(http.StatusUnauthorized, where, "the request token has not been approved by a user yet")
		}
		return p.secret, nil
	})
	if err != nil {
		o.fail(w, r, err)
		return
	}
	p, ok := o.tokens.takePending(req.token)
	if !ok || !o.now().Before(p.expires) {
		o.fail(w, r, oauth1Errorf(http.StatusUnauthorized, where, "the request token expired or was exchanged already; start again"))
		return
	}
	if !hmac.Equal([]byte(req.verifier), []byte(p.verifier)) {
		o.fail(w, r, oauth1Errorf(http.StatusUnauthorized, where, "oauth_verifier does not match; the request token is void, start again"))
		return
	}
	a := &oauth1Access{
		Token:    consumerRandom(16),
		Secret:   oauth1Secret(),
		Consumer: c.Key,
		Epoch:    c.Epoch,
		User:     p.user.Name,
		Role:     p.user.Role,
		Jobs:     p.user.Jobs,
		Issued:   o.now().UTC().Truncate(time.Second),
	}
	if err := o.tokens.addAccess(a, o.live); err != nil {
		o.fail(w, r, err)
		return
	}
	oauth1WriteForm(w, url.Values{"oauth_token": {a.Token}, "oauth_token_secret": {a.Secret}})
}

// fail writes err: a refusal as its status says, with the OAuth
// challenge on a 401; anything else as an internal error.
func (o *OAuth1) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *oauth1Error
	switch {
	case errors.As(err, &e):
		if e.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", o.Challenge())
		}
		o.errorf(w, r, e.status, e.where, e.message)
	case errors.Is(err, ErrNoCredentials):
		w.Header().Set("WWW-Authenticate", o.Challenge())
		o.errorf(w, r, http.StatusUnauthorized, "header Authorization", "sign the request with OAuth 1.0a (HMAC-SHA1)")
	default:
		o.log.Error("OAuth endpoint", "method", r.Method, "url", r.URL.String(), "err", err)
		o.errorf(w, r, http.StatusInternalServerError, "", "internal server error; the provider's log has the details")
	}
}

// method says whether r's method is one of ok, answering 405 if not.
func (o *OAuth1) method(w http.ResponseWriter, r *http.Request, ok ...string) bool {
	for _, m := range ok {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(ok, ", "))
	o.errorf(w, r, http.StatusMethodNotAllowed, "method", "want "+strings.Join(ok, " or "))
	return false
}

func oauth1WriteForm(w http.ResponseWriter, v url.Values) {
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(v.Encode()))
}
