package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/auth"
)

// tokenAuth authenticates token against the tokens file at path, as the
// server does.
func tokenAuth(t *testing.T, path, token string) (*auth.Principal, error) {
	t.Helper()
	tokens, err := auth.LoadTokens(path, nil)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return tokens.Authenticate(r)
}

func TestTokenCommands(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(data, "tokens.json")

	out, errOut, err := run1(t, "token", "create", "--role", "agent", "--name", "probe on host 7", "--job", "https://pm.example/jobs/7", "--data", data)
	require.NoError(t, err, errOut)
	agent := strings.TrimSpace(out)
	assert.Regexp(t, `^pmt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$`, agent)
	id := agent[4:16]
	assert.Contains(t, errOut, "token "+id+" (agent) added to "+path+", expires ")
	wantExp := time.Now().Add(720 * time.Hour).UTC()
	assert.Contains(t, errOut, wantExp.Format("2006-01-02T"), "720 h by default")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	b, _ := os.ReadFile(path)
	assert.NotContains(t, string(b), agent[17:], "the file keeps no secret")

	p, err := tokenAuth(t, path, agent)
	require.NoError(t, err)
	assert.Equal(t, &auth.Principal{Name: "token:" + id, Role: auth.Agent, Scheme: "bearer", Jobs: []string{"https://pm.example/jobs/7"}}, p)

	out, _, err = run1(t, "token", "create", "--role", "governance", "--expires", "2d", "--tokens", path)
	require.NoError(t, err)
	gov := strings.TrimSpace(out)
	_, err = tokenAuth(t, path, gov)
	require.NoError(t, err)

	out, _, err = run1(t, "token", "list", "--data", data)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^ID\s+ROLE\s+CREATED\s+EXPIRES\s+NAME\s+JOBS$`, lines[0])
	assert.Regexp(t, `^`+id+`\s+agent\s+.*probe on host 7\s+https://pm.example/jobs/7$`, lines[1])
	assert.Contains(t, lines[2], time.Now().Add(48*time.Hour).UTC().Format("2006-01-02"))
	assert.NotContains(t, out, agent[17:])

	_, errOut, err = run1(t, "token", "revoke", id, "--data", data)
	require.NoError(t, err)
	assert.Contains(t, errOut, "token "+id+" revoked")
	_, err = tokenAuth(t, path, agent)
	assert.ErrorIs(t, err, auth.ErrInvalid)
	_, _, err = run1(t, "token", "revoke", id, "--data", data)
	assert.ErrorContains(t, err, "has no token "+id)

	// Revoking by the token itself, for whoever finds one leaked.
	_, _, err = run1(t, "token", "revoke", gov, "--data", data)
	require.NoError(t, err)
	_, errOut, err = run1(t, "token", "list", "--data", data)
	require.NoError(t, err)
	assert.Contains(t, errOut, "no tokens in")
}

func TestTokenCommandErrors(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "want create, revoke or list"},
		{"unknown subcommand", []string{"delete"}, `unknown subcommand "delete"`},
		{"no role", []string{"create"}, "--role is required"},
		{"bad role", []string{"create", "--role", "root"}, `unknown role "root"`},
		{"agent without job", []string{"create", "--role", "agent"}, "the agent role needs at least one job"},
		{"job for governance", []string{"create", "--role", "governance", "--job", "https://x/j"}, "jobs are for the agent role only"},
		{"zero lifetime", []string{"create", "--role", "admin", "--expires", "0s"}, "every token expires"},
		{"negative lifetime", []string{"create", "--role", "admin", "--expires", "-1h"}, "want a positive lifetime"},
		{"bad lifetime", []string{"create", "--role", "admin", "--expires", "soon"}, "want a duration (720h) or days (30d)"},
		{"operand", []string{"create", "--role", "admin", "x"}, `unexpected argument "x"`},
		{"no id", []string{"revoke"}, "want one token ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run1(t, append(append([]string{"token"}, tc.args...), "--data", data)...)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	_, err := os.Stat(filepath.Join(data, "tokens.json"))
	assert.ErrorIs(t, err, os.ErrNotExist, "no refused command wrote the file")
}
