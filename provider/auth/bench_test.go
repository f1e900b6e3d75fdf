package auth

import (
	"path/filepath"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// The cost of authenticating one request, as the wiring pays it: a client
// that sends the same credentials again (the usual case) and, for
// comparison, the checks the caches spare.

func BenchmarkBasicCached(b *testing.B) {
	path := filepath.Join(b.TempDir(), "users.json")
	h, err := bcrypt.GenerateFromPassword([]byte("alice-pw"), bcrypt.DefaultCost)
	require.NoError(b, err)
	require.NoError(b, AddUser(path, User{Name: "alice", Role: Customer, Hash: string(h)}, false))
	users, err := LoadUsers(path, quiet)
	require.NoError(b, err)
	basic := NewBasic(users, nil)
	r := request(basicHeader("alice", "alice-pw"))
	_, err = basic.Authenticate(r)
	require.NoError(b, err)
	for b.Loop() {
		if _, err := basic.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBcrypt is what BasicCached spares: one check at the cost new
// hashes get.
func BenchmarkBcrypt(b *testing.B) {
	h, err := bcrypt.GenerateFromPassword([]byte("alice-pw"), bcrypt.DefaultCost)
	require.NoError(b, err)
	for b.Loop() {
		if err := bcrypt.CompareHashAndPassword(h, []byte("alice-pw")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToken(b *testing.B) {
	path := filepath.Join(b.TempDir(), "tokens.json")
	c := newTestClock()
	_, s := createToken(b, path, c, Customer, time.Hour)
	tk, err := LoadTokens(path, quiet)
	require.NoError(b, err)
	tk.now = c.Now
	r := bearerRequest(s)
	for b.Loop() {
		if _, err := tk.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}

func benchJWT(b *testing.B, k signingKey, cached bool) {
	is := newTestIssuer(b, k)
	c := newTestClock()
	j := newTestJWT(b, JWTConfig{Issuer: is.URL}, c)
	r := bearerRequest(sign(b, k, claims(is.URL, c)))
	_, err := j.Authenticate(r)
	require.NoError(b, err)
	for b.Loop() {
		if !cached {
			j.state.Load().cache = newVerifiedCache[*Principal](jwtCacheSize)
		}
		if _, err := j.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJWT(b *testing.B) { benchJWT(b, rsaKey("k", jose.RS256, 0), true) }

// BenchmarkJWTVerify* are what the JWT cache spares: parsing, a signature
// check and the claims, per algorithm.
func BenchmarkJWTVerifyRS256(b *testing.B) { benchJWT(b, rsaKey("k", jose.RS256, 0), false) }
func BenchmarkJWTVerifyES256(b *testing.B) { benchJWT(b, ecKey(b, "k"), false) }
func BenchmarkJWTVerifyEdDSA(b *testing.B) { benchJWT(b, edKey(b, "k"), false) }
