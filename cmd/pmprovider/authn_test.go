package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	basic := func(user, pw string) string {
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(user, pw)
		return req.Header.Get("Authorization")
	}

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
