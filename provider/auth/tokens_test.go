package auth

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createToken adds a token of role, valid for ttl from c's now, to the
// tokens file at path, and returns it and its string.
func createToken(t testing.TB, path string, c *testClock, role Role, ttl time.Duration, jobs ...string) (Token, string) {
	t.Helper()
	tok, s, err := NewToken(Token{Name: "test", Role: role, Jobs: jobs, Created: c.Now(), Expires: c.Now().Add(ttl)})
	require.NoError(t, err)
	require.NoError(t, AddToken(path, tok))
	return tok, s
}

func loadTokens(t testing.TB, path string, c *testClock) *Tokens {
	t.Helper()
	tk, err := LoadTokens(path, quiet)
	require.NoError(t, err)
	tk.now = c.Now
	tk.file.next.Store(0)
	tk.file.due(c.Now())
	return tk
}

func TestNewToken(t *testing.T) {
	t.Parallel()
	exp := time.Now().Add(time.Hour)
	tok, s, err := NewToken(Token{Role: Customer, Expires: exp})
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^pmt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$`), s)
	assert.True(t, strings.HasPrefix(s, TokenPrefix+tok.ID+"_"))
	assert.NotContains(t, tok.Hash, s[len(TokenPrefix)+13:], "the file keeps a digest, not the secret")
	assert.Len(t, tok.Hash, 64)
	tok2, s2, _ := NewToken(Token{Role: Customer, Expires: exp})
	assert.NotEqual(t, tok.ID, tok2.ID)
	assert.NotEqual(t, s, s2)

	for _, tc := range []struct {
		name string
		tok  Token
		want string
	}{
		{"no expiry", Token{Role: Customer}, "no expiry"},
		{"bad role", Token{Role: "root", Expires: exp}, "unknown role"},
		{"agent without jobs", Token{Role: Agent, Expires: exp}, "needs at least one job"},
		{"jobs for admin", Token{Role: Admin, Expires: exp, Jobs: []string{"https://x/j"}}, "agent role only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := NewToken(tc.tok)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestTokensFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tokens.json")
	c := newTestClock()
	tok, _ := createToken(t, path, c, Agent, time.Hour, "https://pm.example/jobs/1")
	createToken(t, path, c, Governance, time.Hour)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	tokens, err := ReadTokens(path)
	require.NoError(t, err)
	require.Len(t, tokens, 2)
	assert.Equal(t, tok, tokens[0])
	assert.ErrorIs(t, AddToken(path, tok), ErrExists)

	require.NoError(t, RevokeToken(path, tok.ID))
	assert.ErrorIs(t, RevokeToken(path, tok.ID), ErrNotFound)
	tokens, _ = ReadTokens(path)
	assert.Len(t, tokens, 1)

	require.NoError(t, os.WriteFile(path, []byte(`{"tokens":[{"id":"abc","role":"admin"}]}`), 0o600))
	_, err = LoadTokens(path, quiet)
	assert.ErrorContains(t, err, "12 lowercase hex digits")
}

func TestTokensAuthenticate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tokens.json")
	c := newTestClock()
	agentTok, agent := createToken(t, path, c, Agent, time.Hour, "https://pm.example/jobs/1")
	adminTok, admin := createToken(t, path, c, Admin, 2*time.Hour)
	tk := loadTokens(t, path, c)

	p, err := tk.Authenticate(request("Bearer " + agent))
	require.NoError(t, err)
	assert.Equal(t, &Principal{Name: "token:" + agentTok.ID, Role: Agent, Scheme: "bearer", Jobs: []string{"https://pm.example/jobs/1"}}, p)
	p, err = tk.Authenticate(request("bearer " + admin))
	require.NoError(t, err, "the scheme is case-insensitive")
	assert.Equal(t, "token:"+adminTok.ID, p.Name)

	id, secret, _ := strings.Cut(admin[len(TokenPrefix):], "_")
	for _, tc := range []struct {
		name, authz string
		want        error
		msg         string
	}{
		{"none", "", ErrNoCredentials, ""},
		{"basic", "Basic YTpi", ErrNoCredentials, ""},
		{"a JWT", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", ErrNoCredentials, ""},
		{"bearer of another kind", "Bearer opaque-token", ErrNoCredentials, ""},
		{"wrong secret", "Bearer " + TokenPrefix + id + "_" + strings.Repeat("A", len(secret)), ErrInvalid, "unknown or revoked"},
		{"secret of another token", "Bearer " + TokenPrefix + agentTok.ID + "_" + secret, ErrInvalid, "unknown or revoked"},
		{"unknown id", "Bearer " + TokenPrefix + "000000000000_" + secret, ErrInvalid, "unknown or revoked"},
		{"no secret", "Bearer " + TokenPrefix + id, ErrInvalid, "malformed"},
		{"empty secret", "Bearer " + TokenPrefix + id + "_", ErrInvalid, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tk.Authenticate(request(tc.authz))
			assert.Nil(t, p)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}

	// Expiry.
	c.Add(time.Hour)
	_, err = tk.Authenticate(request("Bearer " + agent))
	require.ErrorIs(t, err, ErrInvalid)
	assert.ErrorContains(t, err, "API token "+agentTok.ID+" expired at 2026-03-01T13:00:00Z")
	_, err = tk.Authenticate(request("Bearer " + admin))
	assert.NoError(t, err, "the other one has an hour left")

	// Revocation reaches a running server within a second.
	require.NoError(t, RevokeToken(path, adminTok.ID))
	c.Add(reloadInterval)
	_, err = tk.Authenticate(request("Bearer " + admin))
	assert.ErrorIs(t, err, ErrInvalid)
	assert.Equal(t, 1, tk.Len())
	assert.Equal(t, int64(1), tk.reloads.Load())

	// A new token too.
	_, fresh := createToken(t, path, c, Customer, time.Hour)
	c.Add(reloadInterval)
	_, err = tk.Authenticate(request("Bearer " + fresh))
	assert.NoError(t, err)

	assert.Equal(t, `Bearer realm="pmprovider"`, tk.Challenge())
}
