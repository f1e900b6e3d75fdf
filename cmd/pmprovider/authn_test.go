package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The server end to end with every credential it takes, over TLS: Basic
// against the users file the user command writes, an API token of the
// token command, a JWT of an issuer whose keys are in a file; and the
// audit trail names who authenticated, whatever the client says.
func TestServeAuthenticated(t *testing.T) {
	data := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, dispatch(t.Context(), []string{"user", "add", "alice", "--role", "customer", "--data", data, "--bcrypt-cost", "4"}, &out, io.Discard))
	password := strings.TrimSpace(out.String()[strings.LastIndex(out.String(), " ")+1:])
	require.NotEmpty(t, password)
	require.NoError(t, runUser([]string{"add", "gina", "--role", "governance", "--data", data, "--bcrypt-cost", "4", "--password-stdin"}, strings.NewReader("gina's secret\n"), io.Discard, io.Discard))
	out.Reset()
	require.NoError(t, dispatch(t.Context(), []string{"token", "create", "--role", "other-pss", "--name", "collector", "--data", data}, &out, io.Discard))
	token := ""
	for _, f := range strings.Fields(out.String()) {
		if strings.HasPrefix(f, "pmt_") {
			token = f
		}
	}
	require.NotEmpty(t, token, "%s", out.String())

	// An issuer's key, published in a JWK Set file.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	set, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	require.NoError(t, err)
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	require.NoError(t, os.WriteFile(jwks, set, 0o600))
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	require.NoError(t, err)
	jwtFor := func(aud string) string {
		s, err := jwt.Signed(signer).Claims(map[string]any{
			"iss": "https://issuer.example", "aud": aud, "sub": "oscar", "pm_role": "customer",
			"exp": time.Now().Add(time.Hour).Unix(), "nbf": time.Now().Add(-time.Minute).Unix(),
		}).Serialize()
		require.NoError(t, err)
		return s
	}

	ca := newTestCA(t)
	addr, _ := serve(t, "--data", data, "--tls-cert", ca.certFile, "--tls-key", ca.keyFile,
		"--oidc-issuer", "https://issuer.example", "--oidc-jwks", jwks, "--oidc-audience", "pmprovider")
	base := "https://" + addr
	client := ca.client()
	do := func(method, path, body string, h ...string) (*http.Response, string) {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		for i := 0; i+1 < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	basic := basicHeader

	resp, body := do("GET", "/oslc/catalog", "", "Accept", "text/turtle")
	assert.Equal(t, 401, resp.StatusCode)
	assert.ElementsMatch(t, []string{`Basic realm="pmprovider", charset="UTF-8"`, `Bearer realm="pmprovider"`}, resp.Header.Values("WWW-Authenticate"))
	assert.Contains(t, body, "oslc:Error")
	resp, _ = do("GET", "/rootservices", "")
	assert.Equal(t, 200, resp.StatusCode, "root services are public")

	for name, cred := range map[string]string{
		"basic": basic("alice", password), "token": "Bearer " + token, "jwt": "Bearer " + jwtFor("pmprovider"),
	} {
		resp, body := do("GET", "/oslc/catalog", "", "Authorization", cred)
		assert.Equal(t, 200, resp.StatusCode, "%s: %s", name, body)
	}
	for name, cred := range map[string]string{
		"wrong password": basic("alice", "nope"), "unknown user": basic("mallory", "x"),
		"unknown token":            "Bearer pmt_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"jwt for another audience": "Bearer " + jwtFor("other-service"),
		"basic, not base64":        "Basic %%%",
		"basic, no colon":          "Basic YWxpY2U=",
		"bearer, garbage":          "Bearer a.b.c",
		"bearer, huge":             "Bearer " + strings.Repeat("x", 60000),
		"jwt, alg none":            "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJvc2NhciJ9.",
		"oauth, malformed":         `OAuth oauth_consumer_key="x", oauth_signature=`,
		"unknown scheme":           "Negotiate abc",
	} {
		resp, body := do("GET", "/oslc/catalog", "", "Authorization", cred)
		assert.Equal(t, 401, resp.StatusCode, "%s: %s", name, body)
		assert.Contains(t, body, "oslc:Error", name)
	}

	// Governance may read, never write.
	resource := `<> a <http://open-services.net/ns/crtv#ComputerSystem> ; <http://purl.org/dc/terms/title> "web1" ; <http://purl.org/dc/terms/creator> "mallory" .`
	resp, body = do("POST", "/oslc/resources", resource, "Authorization", basic("gina", "gina's secret"), "Content-Type", "text/turtle")
	assert.Equal(t, 403, resp.StatusCode, "%s", body)
	for name, want := range map[string]string{basic("alice", password): "alice", "Bearer " + jwtFor("pmprovider"): "oscar"} {
		resp, body = do("POST", "/oslc/resources", resource, "Authorization", name, "Content-Type", "text/turtle", "Accept", "application/n-triples", "From", "mallory@example.org")
		require.Equal(t, 201, resp.StatusCode, "%s", body)
		assert.Contains(t, body, `<http://purl.org/dc/terms/creator> "`+want+`"`)
		assert.NotContains(t, body, "mallory")
	}
}

// A Jazz friend end to end, with an OAuth 1.0a client we did not write
// (dghubble/oauth1): the root services publish the OAuth URLs; the
// consumer gets a request token, the user signs in with Basic and allows
// it, the consumer trades the verifier for an access token and signs its
// requests, which act as that user.
func TestServeOAuth1(t *testing.T) {
	data := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, dispatch(t.Context(), []string{"consumer", "add", "ELM", "--data", data}, &out, io.Discard))
	fields := map[string]string{}
	for _, line := range strings.Split(out.String(), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	require.NotEmpty(t, fields["key"], "%s", out.String())
	require.NotEmpty(t, fields["secret"], "%s", out.String())
	require.NoError(t, runUser([]string{"add", "alice", "--role", "customer", "--data", data, "--bcrypt-cost", "4", "--password-stdin"}, strings.NewReader("alice's secret\n"), io.Discard, io.Discard))

	addr, _ := serve(t, "--data", data)
	base := "http://" + addr
	get := func(u string, h ...string) (*http.Response, string) {
		req, err := http.NewRequest("GET", u, nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	_, rs := get(base+"/rootservices", "Accept", "application/n-triples")
	for _, p := range []string{"oauthRequestTokenUrl> <" + base + "/oauth/request-token>", "oauthUserAuthorizationUrl> <" + base + "/oauth/authorize>", "oauthAccessTokenUrl> <" + base + "/oauth/access-token>"} {
		assert.Contains(t, rs, "<http://jazz.net/xmlns/prod/jazz/jfs/1.0/"+p)
	}
	resp, _ := get(base + "/oslc/catalog")
	assert.Contains(t, resp.Header.Values("WWW-Authenticate"), `OAuth realm="`+base+`"`)

	cfg := oauth1.Config{
		ConsumerKey: fields["key"], ConsumerSecret: fields["secret"], CallbackURL: "oob",
		Endpoint: oauth1.Endpoint{RequestTokenURL: base + "/oauth/request-token", AuthorizeURL: base + "/oauth/authorize", AccessTokenURL: base + "/oauth/access-token"},
	}
	requestToken, requestSecret, err := cfg.RequestToken()
	require.NoError(t, err)
	authorize, err := cfg.AuthorizationURL(requestToken)
	require.NoError(t, err)

	// The user: signs in, sees the page, allows.
	req, _ := http.NewRequest("GET", authorize.String(), nil)
	req.SetBasicAuth("alice", "alice's secret")
	page, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	require.Equal(t, 200, page.StatusCode, "%s", body)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindStringSubmatch(string(body))
	require.Len(t, csrf, 2, "%s", body)
	form := url.Values{"oauth_token": {requestToken}, "csrf": {csrf[1]}, "action": {"allow"}}
	req, _ = http.NewRequest("POST", base+"/oauth/authorize", strings.NewReader(form.Encode()))
	req.SetBasicAuth("alice", "alice's secret")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	allowed, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ = io.ReadAll(allowed.Body)
	allowed.Body.Close()
	require.Equal(t, 200, allowed.StatusCode, "%s", body)
	verifier := regexp.MustCompile(`<code>([^<]*)</code>`).FindStringSubmatch(string(body))
	require.Len(t, verifier, 2, "%s", body)

	accessToken, accessSecret, err := cfg.AccessToken(requestToken, requestSecret, verifier[1])
	require.NoError(t, err)
	client := cfg.Client(t.Context(), oauth1.NewToken(accessToken, accessSecret))
	cat, err := client.Get(base + "/oslc/catalog")
	require.NoError(t, err)
	cat.Body.Close()
	assert.Equal(t, 200, cat.StatusCode)
	res, err := client.Post(base+"/oslc/resources", "text/turtle", strings.NewReader(`<> a <http://open-services.net/ns/crtv#ComputerSystem> ; <http://purl.org/dc/terms/title> "web1" .`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 201, res.StatusCode)
	_, g := get(res.Header.Get("Location"), "Accept", "application/n-triples", "Authorization", basicHeader("alice", "alice's secret"))
	assert.Contains(t, g, `<http://purl.org/dc/terms/creator> "alice"`, "the consumer acts as the user who allowed it")

	// A wrong secret is refused.
	bad := cfg
	bad.ConsumerSecret = "nope"
	cat, err = bad.Client(t.Context(), oauth1.NewToken(accessToken, accessSecret)).Get(base + "/oslc/catalog")
	require.NoError(t, err)
	cat.Body.Close()
	assert.Equal(t, 401, cat.StatusCode)
}

// basicHeader is the Authorization header of HTTP Basic.
func basicHeader(user, pw string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, pw)
	return req.Header.Get("Authorization")
}
