package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A signingKey is an issuer's private key, by id and algorithm.
type signingKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

// jwk is k's public half as the issuer publishes it.
func (k signingKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

// RSA keys are slow to make, the more so under the race detector: the
// tests share two.
var testRSAKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	var ks [2]*rsa.PrivateKey
	for i := range ks {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		ks[i] = k
	}
	return ks
})

func rsaKey(kid string, alg jose.SignatureAlgorithm, i int) signingKey {
	return signingKey{kid: kid, alg: alg, priv: testRSAKeys()[i]}
}

func ecKey(t testing.TB, kid string) signingKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return signingKey{kid: kid, alg: jose.ES256, priv: k}
}

func edKey(t testing.TB, kid string) signingKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return signingKey{kid: kid, alg: jose.EdDSA, priv: k}
}

// sign returns claims as a JWT signed with k.
func sign(t testing.TB, k signingKey, claims map[string]any) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	require.NoError(t, err)
	s, err := jwt.Signed(sig).Claims(claims).Serialize()
	require.NoError(t, err)
	return s
}

// testIssuer is an OpenID Connect issuer in the test's process: its
// discovery document and its JWK Set, which a test changes to rotate keys.
type testIssuer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetches atomic.Int64
}

func newTestIssuer(t testing.TB, keys ...signingKey) *testIssuer {
	is := &testIssuer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": is.URL, "jwks_uri": is.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		is.mu.Lock()
		defer is.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: is.keys})
	})
	is.Server = httptest.NewServer(mux)
	t.Cleanup(is.Close)
	is.publish(keys...)
	return is
}

// publish makes keys the issuer's key set.
func (is *testIssuer) publish(keys ...signingKey) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = nil
	for _, k := range keys {
		is.keys = append(is.keys, k.jwk())
	}
}

const testAudience = "pmprovider"

// claims are good claims from issuer at c's now, changed by kv pairs (a
// nil value deletes the claim).
func claims(issuer string, c *testClock, kv ...any) map[string]any {
	now := c.Now()
	m := map[string]any{
		"iss":     issuer,
		"aud":     testAudience,
		"sub":     "user-123",
		"iat":     now.Unix(),
		"nbf":     now.Unix(),
		"exp":     now.Add(10 * time.Minute).Unix(),
		"pm_role": "customer",
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	return m
}

func newTestJWT(t testing.TB, cfg JWTConfig, c *testClock) *JWT {
	t.Helper()
	if cfg.Audience == "" {
		cfg.Audience = testAudience
	}
	cfg.Now = c.Now
	cfg.Logger = quiet
	j, err := NewJWT(context.Background(), cfg)
	require.NoError(t, err)
	return j
}

func bearerRequest(token string) *http.Request { return request("Bearer " + token) }

func TestJWTGood(t *testing.T) {
	t.Parallel()
	keys := []signingKey{rsaKey("rs", jose.RS256, 0), rsaKey("ps", jose.PS256, 0), ecKey(t, "es"), edKey(t, "ed")}
	is := newTestIssuer(t, keys...)
	c := newTestClock()
	j := newTestJWT(t, JWTConfig{Issuer: is.URL}, c)
	for _, k := range keys {
		t.Run(string(k.alg), func(t *testing.T) {
			p, err := j.Authenticate(bearerRequest(sign(t, k, claims(is.URL, c))))
			require.NoError(t, err)
			assert.Equal(t, &Principal{Name: "user-123", Role: Customer, Scheme: "jwt"}, p)
		})
	}
	assert.Equal(t, int64(1), is.fetches.Load(), "keys fetched once")
	assert.Equal(t, `Bearer realm="pmprovider"`, j.Challenge())

	// The audience may be one of several; the issuer's clock may be a
	// little ahead or behind.
	tok := sign(t, keys[0], claims(is.URL, c, "aud", []string{"other", testAudience}, "nbf", c.Now().Add(30*time.Second).Unix()))
	_, err := j.Authenticate(bearerRequest(tok))
	assert.NoError(t, err)
	tok = sign(t, keys[0], claims(is.URL, c, "exp", c.Now().Add(-30*time.Second).Unix()))
	_, err = j.Authenticate(bearerRequest(tok))
	assert.NoError(t, err, "expired less than the leeway ago")
}

func TestJWTRefused(t *testing.T) {
	t.Parallel()
	good := rsaKey("k1", jose.RS256, 0)
	is := newTestIssuer(t, good, ecKey(t, "k2"))
	c := newTestClock()
	j := newTestJWT(t, JWTConfig{Issuer: is.URL}, c)
	now := c.Now()

	hs, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: jose.JSONWebKey{Key: x509.MarshalPKCS1PublicKey(&testRSAKeys()[0].PublicKey), KeyID: "k1"}}, nil)
	require.NoError(t, err)
	hsTok, err := jwt.Signed(hs).Claims(claims(is.URL, c)).Serialize()
	require.NoError(t, err)
	payload, _ := json.Marshal(claims(is.URL, c))
	noneTok := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"k1"}`)) + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
	// A token signed by a key that is not the issuer's, under its key id.
	forged := sign(t, rsaKey("k1", jose.RS256, 1), claims(is.URL, c))
	// A good token with its payload changed.
	h, _, _ := cutJWT(sign(t, good, claims(is.URL, c)))
	_, _, s := cutJWT(sign(t, good, claims(is.URL, c)))
	admin, _ := json.Marshal(claims(is.URL, c, "pm_role", "admin"))
	tampered := h + "." + base64.RawURLEncoding.EncodeToString(admin) + "." + s

	for _, tc := range []struct {
		name, token, msg string
	}{
		{"wrong iss", sign(t, good, claims(is.URL, c, "iss", "https://evil.example")), `issuer "https://evil.example" is not`},
		{"wrong aud", sign(t, good, claims(is.URL, c, "aud", "other-service")), `audience ["other-service"] does not include "pmprovider"`},
		{"no aud", sign(t, good, claims(is.URL, c, "aud", nil)), "audience"},
		{"expired", sign(t, good, claims(is.URL, c, "exp", now.Add(-2*time.Minute).Unix())), "expired at 2026-03-01T11:58:00Z"},
		{"no exp", sign(t, good, claims(is.URL, c, "exp", nil)), "no exp claim"},
		{"nbf in the future", sign(t, good, claims(is.URL, c, "nbf", now.Add(5*time.Minute).Unix())), "not valid before 2026-03-01T12:05:00Z"},
		{"iat in the future", sign(t, good, claims(is.URL, c, "iat", now.Add(5*time.Minute).Unix(), "nbf", nil)), "issued in the future"},
		{"bad signature", forged, "bad signature"},
		{"tampered payload", tampered, "bad signature"},
		{"alg none", noneTok, "unexpected signature algorithm"},
		{"HS256 with the public key as secret", hsTok, `unexpected signature algorithm "HS256"`},
		{"algorithm other than the key's", sign(t, rsaKey("k1", jose.PS256, 0), claims(is.URL, c)), "bad signature"},
		{"missing role claim", sign(t, good, claims(is.URL, c, "pm_role", nil)), "no pm_role claim to take a role from"},
		{"unknown role", sign(t, good, claims(is.URL, c, "pm_role", "root")), `claim pm_role (["root"]) grants no known role`},
		{"role not a string", sign(t, good, claims(is.URL, c, "pm_role", 7)), "not a string or an array of strings"},
		{"no role in array", sign(t, good, claims(is.URL, c, "pm_role", []string{"offline_access", "uma"})), "grants no known role"},
		{"no sub", sign(t, good, claims(is.URL, c, "sub", nil)), "no sub claim"},
		{"unknown kid", sign(t, rsaKey("k9", jose.RS256, 1), claims(is.URL, c)), `signed with key "k9", which the issuer does not publish`},
		{"not base64", "a.b.c", "JWT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := j.Authenticate(bearerRequest(tc.token))
			assert.Nil(t, p)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func cutJWT(s string) (h, p, sig string) {
	parts := strings.Split(s, ".")
	return parts[0], parts[1], parts[2]
}

func TestJWTNotOurs(t *testing.T) {
	t.Parallel()
	is := newTestIssuer(t, ecKey(t, "k"))
	j := newTestJWT(t, JWTConfig{Issuer: is.URL}, newTestClock())
	for _, authz := range []string{"", "Basic YTpi", "Bearer pmt_0123456789ab_secret", "Bearer opaque", "Bearer a.b.c.d.e", "Token a.b.c"} {
		_, err := j.Authenticate(request(authz))
		assert.ErrorIs(t, err, ErrNoCredentials, authz)
	}
}

func TestJWTKeyRotation(t *testing.T) {
	t.Parallel()
	k1, k2, k3 := ecKey(t, "k1"), ecKey(t, "k2"), ecKey(t, "k3")
	is := newTestIssuer(t, k1)
	c := newTestClock()
	j := newTestJWT(t, JWTConfig{Issuer: is.URL}, c)
	_, err := j.Authenticate(bearerRequest(sign(t, k1, claims(is.URL, c))))
	require.NoError(t, err)
	require.Equal(t, int64(1), is.fetches.Load())

	// The issuer rotates to k2: its first token fetches the keys again.
	c.Add(2 * time.Minute)
	is.publish(k1, k2)
	p, err := j.Authenticate(bearerRequest(sign(t, k2, claims(is.URL, c))))
	require.NoError(t, err)
	assert.Equal(t, "user-123", p.Name)
	assert.Equal(t, int64(2), is.fetches.Load())

	// An unknown key id does not make it fetch again within a minute.
	for range 5 {
		_, err = j.Authenticate(bearerRequest(sign(t, k3, claims(is.URL, c))))
		assert.ErrorIs(t, err, ErrInvalid)
	}
	assert.Equal(t, int64(2), is.fetches.Load(), "at most one fetch a minute")
	is.publish(k1, k2, k3)
	c.Add(jwksRefetchInterval)
	_, err = j.Authenticate(bearerRequest(sign(t, k3, claims(is.URL, c))))
	require.NoError(t, err, "a minute later it fetches, and finds k3")
	assert.Equal(t, int64(3), is.fetches.Load())

	// k1 is withdrawn, which the hourly refresh notices.
	tok1 := sign(t, k1, claims(is.URL, c, "exp", c.Now().Add(3*time.Hour).Unix()))
	_, err = j.Authenticate(bearerRequest(tok1))
	require.NoError(t, err)
	is.publish(k2, k3)
	_, err = j.Authenticate(bearerRequest(tok1))
	require.NoError(t, err, "the keys in force until the refresh")
	c.Add(jwksRefreshInterval)
	_, _ = j.Authenticate(bearerRequest(tok1)) // starts the refresh
	require.Eventually(t, func() bool {
		_, err := j.Authenticate(bearerRequest(tok1))
		return err != nil
	}, 5*time.Second, 10*time.Millisecond, "a withdrawn key's tokens are refused after the refresh")
	_, err = j.Authenticate(bearerRequest(tok1))
	assert.ErrorContains(t, err, `signed with key "k1", which the issuer does not publish`)
	assert.Equal(t, int64(4), is.fetches.Load())
}

func TestJWTCache(t *testing.T) {
	t.Parallel()
	k := rsaKey("k", jose.RS256, 0)
	is := newTestIssuer(t, k)
	c := newTestClock()
	j := newTestJWT(t, JWTConfig{Issuer: is.URL}, c)
	tok := sign(t, k, claims(is.URL, c, "exp", c.Now().Add(30*time.Second).Unix()))
	p1, err := j.Authenticate(bearerRequest(tok))
	require.NoError(t, err)
	p2, err := j.Authenticate(bearerRequest(tok))
	require.NoError(t, err)
	assert.Same(t, p1, p2, "the second request is answered from the cache")
	c.Add(2 * time.Minute)
	_, err = j.Authenticate(bearerRequest(tok))
	assert.ErrorContains(t, err, "expired", "the cache keeps no token past its exp")
}

func TestJWTRoles(t *testing.T) {
	t.Parallel()
	k := ecKey(t, "k")
	is := newTestIssuer(t, k)
	c := newTestClock()
	plain := newTestJWT(t, JWTConfig{Issuer: is.URL}, c)
	mapped := newTestJWT(t, JWTConfig{Issuer: is.URL, RoleClaim: "groups", RoleMap: map[string]Role{"pm-admins": Admin, "pm-viewers": Governance}}, c)
	nested := newTestJWT(t, JWTConfig{Issuer: is.URL, RoleClaim: "realm_access.roles", NameClaim: "preferred_username"}, c)
	namespaced := newTestJWT(t, JWTConfig{Issuer: is.URL, RoleClaim: "https://pm.example/role"}, c)

	for _, tc := range []struct {
		name   string
		j      *JWT
		claims map[string]any
		role   Role
		who    string
		err    string
	}{
		{"string", plain, claims(is.URL, c, "pm_role", "governance"), Governance, "user-123", ""},
		{"array: the most rights", plain, claims(is.URL, c, "pm_role", []string{"offline_access", "governance", "other-pss"}), OtherPSS, "user-123", ""},
		{"mapped", mapped, claims(is.URL, c, "groups", []string{"staff", "pm-viewers"}), Governance, "user-123", ""},
		{"mapped, several", mapped, claims(is.URL, c, "groups", []string{"pm-viewers", "pm-admins"}), Admin, "user-123", ""},
		{"a map grants only what it maps", mapped, claims(is.URL, c, "groups", "admin"), "", "", "grants no known role"},
		{"nested", nested, claims(is.URL, c, "realm_access", map[string]any{"roles": []string{"customer"}}, "preferred_username", "alice"), Customer, "alice", ""},
		{"name claim missing: sub", nested, claims(is.URL, c, "realm_access", map[string]any{"roles": "customer"}), Customer, "user-123", ""},
		{"nested, missing", nested, claims(is.URL, c, "realm_access", map[string]any{"other": 1}), "", "", "no realm_access.roles claim"},
		{"claim name with dots", namespaced, claims(is.URL, c, "https://pm.example/role", "admin"), Admin, "user-123", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.j.Authenticate(bearerRequest(sign(t, k, tc.claims)))
			if tc.err != "" {
				require.ErrorIs(t, err, ErrInvalid)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.role, p.Role)
			assert.Equal(t, tc.who, p.Name)
		})
	}
}

func TestJWTKeysFile(t *testing.T) {
	t.Parallel()
	k1, k2 := ecKey(t, "k1"), edKey(t, "k2")
	path := filepath.Join(t.TempDir(), "jwks.json")
	writeJWKS := func(keys ...signingKey) {
		var set jose.JSONWebKeySet
		for _, k := range keys {
			set.Keys = append(set.Keys, k.jwk())
		}
		b, err := json.Marshal(set)
		require.NoError(t, err)
		require.NoError(t, writeJSONFile(path, json.RawMessage(b)))
	}
	writeJWKS(k1)
	const issuer = "https://login.example/realms/pm" // never fetched
	c := newTestClock()
	j := newTestJWT(t, JWTConfig{Issuer: issuer, JWKSFile: path}, c)

	p, err := j.Authenticate(bearerRequest(sign(t, k1, claims(issuer, c))))
	require.NoError(t, err)
	assert.Equal(t, Customer, p.Role)
	_, err = j.Authenticate(bearerRequest(sign(t, k2, claims(issuer, c))))
	assert.ErrorIs(t, err, ErrInvalid)

	// The operator replaces the file: k2 in, k1 out.
	writeJWKS(k2)
	c.Add(reloadInterval)
	_, err = j.Authenticate(bearerRequest(sign(t, k2, claims(issuer, c))))
	assert.NoError(t, err)
	_, err = j.Authenticate(bearerRequest(sign(t, k1, claims(issuer, c))))
	assert.ErrorIs(t, err, ErrInvalid)

	// A set may hold keys we cannot use; they are skipped.
	mixed := `{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"hmac"},{"kty":"weird","kid":"x"},` + string(must(json.Marshal(k1.jwk()))) + `]}`
	require.NoError(t, os.WriteFile(path, []byte(mixed), 0o600))
	c.Add(reloadInterval)
	_, err = j.Authenticate(bearerRequest(sign(t, k1, claims(issuer, c))))
	assert.NoError(t, err)

	require.NoError(t, os.WriteFile(path, []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`), 0o600))
	_, err = NewJWT(context.Background(), JWTConfig{Issuer: issuer, Audience: "a", JWKSFile: path, Logger: quiet})
	assert.ErrorContains(t, err, "no usable signature keys")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestNewJWTRefused(t *testing.T) {
	t.Parallel()
	is := newTestIssuer(t, ecKey(t, "k"))
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": is.URL, "jwks_uri": is.URL + "/keys"})
	}))
	t.Cleanup(other.Close)
	downgrade := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://login.invalid/.well-known/openid-configuration", http.StatusFound)
	}))
	t.Cleanup(downgrade.Close)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cfg  JWTConfig
		want string
	}{
		{"no issuer", JWTConfig{Audience: "a"}, "no issuer"},
		{"no audience", JWTConfig{Issuer: is.URL}, "no audience"},
		{"plain http", JWTConfig{Issuer: "http://login.example", Audience: "a"}, "want an https URL"},
		{"issuer mismatch", JWTConfig{Issuer: other.URL, Audience: "a"}, "says the issuer is"},
		{"trailing slash", JWTConfig{Issuer: is.URL + "/", Audience: "a"}, "says the issuer is"},
		{"no discovery", JWTConfig{Issuer: is.URL + "/nothing", Audience: "a"}, "404"},
		{"redirect off TLS", JWTConfig{Issuer: downgrade.URL, Audience: "a"}, `"http://login.invalid/.well-known/openid-configuration": want an https URL`},
		{"bad role map", JWTConfig{Issuer: is.URL, Audience: "a", RoleMap: map[string]Role{"x": "root"}}, "unknown role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Logger = quiet
			_, err := NewJWT(ctx, tc.cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestParseRoleMap(t *testing.T) {
	t.Parallel()
	_, err := ParseRoleMap("pm-admins=admin, pm-users = customer,cn=gov,ou=x=governance")
	require.Error(t, err, "a value with a comma cannot be written")
	m, err := ParseRoleMap("pm-admins=admin, pm-users = customer,cn=gov=governance")
	require.NoError(t, err)
	assert.Equal(t, map[string]Role{"pm-admins": Admin, "pm-users": Customer, "cn=gov": Governance}, m)
	for _, bad := range []string{"", ",", "admins", "=admin", "a=root", "a=admin,a=customer"} {
		_, err := ParseRoleMap(bad)
		assert.Error(t, err, bad)
	}
}

func TestChallenges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := newTestClock()
	addUser(t, filepath.Join(dir, "users.json"), "alice", Admin, "pw")
	createToken(t, filepath.Join(dir, "tokens.json"), c, Admin, time.Hour)
	b := NewBasic(loadUsers(t, filepath.Join(dir, "users.json"), c), nil)
	tk := loadTokens(t, filepath.Join(dir, "tokens.json"), c)
	j := &JWT{}
	chain := Chain{b, tk, j}
	assert.Equal(t, []string{`Basic realm="pmprovider", charset="UTF-8"`, `Bearer realm="pmprovider"`}, chain.Challenges())
}
