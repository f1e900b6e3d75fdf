package main

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/auth"
)

// runUserIn runs `pmprovider user args...` with stdin.
func runUserIn(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runUser(args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// basicAuth authenticates name and password against the users file at
// path, as the server does.
func basicAuth(t *testing.T, path, name, password string) (*auth.Principal, error) {
	t.Helper()
	users, err := auth.LoadUsers(path, nil)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:1"
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(name+":"+password)))
	return auth.NewBasic(users, nil).Authenticate(r)
}

func TestUserCommands(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(data, "users.json")

	// A generated password, printed once on stdout.
	out, errOut, err := run1(t, "user", "add", "alice", "--role", "customer", "--data", data, "--bcrypt-cost", "4")
	require.NoError(t, err, errOut)
	assert.Contains(t, errOut, "user alice (customer) added to "+path)
	assert.Contains(t, errOut, "shown this once")
	password := strings.TrimSpace(out)
	assert.Len(t, password, 26)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	b, _ := os.ReadFile(path)
	assert.NotContains(t, string(b), password)
	p, err := basicAuth(t, path, "alice", password)
	require.NoError(t, err)
	assert.Equal(t, auth.Customer, p.Role)

	// A password from stdin, flags before the name, an agent's jobs.
	out, errOut, err = runUserIn(t, "s3cret pass\r\nignored\n", "add", "--data", data, "--role", "agent", "--password-stdin",
		"--job", "https://pm.example/jobs/1", "probe", "--job", "https://pm.example/jobs/2", "--bcrypt-cost", "4")
	require.NoError(t, err, errOut)
	assert.Empty(t, out, "nothing to show")
	p, err = basicAuth(t, path, "probe", "s3cret pass")
	require.NoError(t, err)
	assert.Equal(t, []string{"https://pm.example/jobs/1", "https://pm.example/jobs/2"}, p.Jobs)

	out, _, err = run1(t, "user", "list", "--users", path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^NAME\s+ROLE\s+CREATED\s+JOBS$`, lines[0])
	assert.Regexp(t, `^alice\s+customer\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s*$`, lines[1])
	assert.Regexp(t, `^probe\s+agent\s+.*https://pm.example/jobs/1 https://pm.example/jobs/2$`, lines[2])
	assert.NotContains(t, out, "$2a$", "no hashes")

	_, _, err = run1(t, "user", "add", "alice", "--role", "admin", "--data", data)
	assert.ErrorContains(t, err, "already has a user alice (--replace to change it")
	_, errOut, err = runUserIn(t, "new-pw\n", "add", "alice", "--role", "admin", "--password-stdin", "--replace", "--data", data, "--bcrypt-cost", "4")
	require.NoError(t, err, errOut)
	p, err = basicAuth(t, path, "alice", "new-pw")
	require.NoError(t, err)
	assert.Equal(t, auth.Admin, p.Role)

	_, errOut, err = run1(t, "user", "remove", "probe", "--data", data)
	require.NoError(t, err)
	assert.Contains(t, errOut, "user probe removed from "+path)
	users, err := auth.ReadUsers(path)
	require.NoError(t, err)
	require.Len(t, users, 1)
	assert.Equal(t, "alice", users[0].Name)
	_, _, err = run1(t, "user", "remove", "probe", "--data", data)
	assert.ErrorContains(t, err, "has no user probe")

	_, errOut, err = run1(t, "user", "list", "--data", t.TempDir())
	require.NoError(t, err)
	assert.Contains(t, errOut, "no users in")
}

func TestUserCommandErrors(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no subcommand", "", nil, "want add, remove or list"},
		{"unknown subcommand", "", []string{"delete", "x"}, `unknown subcommand "delete"`},
		{"no name", "", []string{"add", "--role", "admin"}, "want one user NAME"},
		{"two names", "", []string{"add", "a", "b", "--role", "admin"}, "want one user NAME"},
		{"no role", "", []string{"add", "a"}, "--role is required"},
		{"bad role", "", []string{"add", "a", "--role", "root"}, `unknown role "root"`},
		{"agent without job", "", []string{"add", "a", "--role", "agent"}, "the agent role needs at least one job"},
		{"job for a customer", "", []string{"add", "a", "--role", "customer", "--job", "https://x/j"}, "jobs are for the agent role only"},
		{"relative job", "", []string{"add", "a", "--role", "agent", "--job", "jobs/1"}, "want an absolute http(s) IRI"},
		{"empty stdin", "", []string{"add", "a", "--role", "admin", "--password-stdin"}, "empty password on standard input"},
		{"long password", strings.Repeat("x", 80) + "\n", []string{"add", "a", "--role", "admin", "--password-stdin"}, "longer than 72 bytes"},
		{"colon in name", "", []string{"add", "a:b", "--role", "admin"}, "colon"},
		{"bad cost", "", []string{"add", "a", "--role", "admin", "--bcrypt-cost", "40"}, "bcrypt cost 40: want 4 to 31"},
		{"list with operand", "", []string{"list", "x"}, `unexpected argument "x"`},
		{"unknown flag", "", []string{"list", "--nope"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runUserIn(t, tc.stdin, append(tc.args, "--data", data)...)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	_, err := os.Stat(filepath.Join(data, "users.json"))
	assert.ErrorIs(t, err, os.ErrNotExist, "no refused command wrote the file")
}

// TestUserAddDefaultCost checks the cost of a hash made without
// --bcrypt-cost: the one hash of this package's tests at full cost.
func TestUserAddDefaultCost(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.json")
	_, _, err := run1(t, "user", "add", "bob", "--role", "governance", "--users", path)
	require.NoError(t, err)
	users, err := auth.ReadUsers(path)
	require.NoError(t, err)
	require.Len(t, users, 1)
	assert.True(t, strings.HasPrefix(users[0].Hash, "$2a$10$"), "cost 10; got %s", users[0].Hash)
}

func TestParseWithOperands(t *testing.T) {
	t.Parallel()
	fs := newFlagSet("x", "", &bytes.Buffer{})
	role := fs.String("role", "", "")
	ops, err := parseWithOperands(fs, []string{"a", "--role", "r", "b", "--", "--c", "-d"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "--c", "-d"}, ops)
	assert.Equal(t, "r", *role)
}
