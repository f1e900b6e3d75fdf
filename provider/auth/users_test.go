package auth

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func basicHeader(name, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+password))
}

// addUser adds a user of role with password to the users file at path.
func addUser(t testing.TB, path, name string, role Role, password string, jobs ...string) {
	t.Helper()
	h, err := HashPassword(password, testCost)
	require.NoError(t, err)
	require.NoError(t, AddUser(path, User{Name: name, Role: role, Hash: h, Jobs: jobs}, false))
}

// loadUsers loads the users file at path with clock c.
func loadUsers(t testing.TB, path string, c *testClock) *Users {
	t.Helper()
	u, err := LoadUsers(path, quiet)
	require.NoError(t, err)
	u.now = c.Now
	u.file.next.Store(0)
	u.file.due(c.Now())
	return u
}

func TestUsersFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.json")

	users, err := ReadUsers(path)
	require.NoError(t, err, "a missing file has no users")
	assert.Empty(t, users)

	addUser(t, path, "alice", Customer, "alice-pw")
	addUser(t, path, "probe7", Agent, "probe-pw", "https://pm.example/jobs/7")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the file is its owner's only")

	users, err = ReadUsers(path)
	require.NoError(t, err)
	require.Len(t, users, 2)
	assert.Equal(t, "alice", users[0].Name)
	assert.Equal(t, Customer, users[0].Role)
	assert.True(t, strings.HasPrefix(users[0].Hash, "$2a$"), "bcrypt hash; got %s", users[0].Hash)
	assert.False(t, users[0].Created.IsZero())
	assert.Equal(t, []string{"https://pm.example/jobs/7"}, users[1].Jobs)

	h, _ := HashPassword("x", testCost)
	err = AddUser(path, User{Name: "alice", Role: Admin, Hash: h}, false)
	assert.ErrorIs(t, err, ErrExists)
	require.NoError(t, AddUser(path, User{Name: "alice", Role: Admin, Hash: h}, true))
	users, _ = ReadUsers(path)
	assert.Equal(t, Admin, users[0].Role, "replaced in place")

	require.NoError(t, RemoveUser(path, "alice"))
	assert.ErrorIs(t, RemoveUser(path, "alice"), ErrNotFound)
	require.NoError(t, RemoveUser(path, "probe7"))
	users, err = ReadUsers(path)
	require.NoError(t, err)
	assert.Empty(t, users)
	b, _ := os.ReadFile(path)
	assert.JSONEq(t, `{"users":[]}`, string(b))

	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".users.json.*"))
	assert.Empty(t, left, "no temporary files left behind")
}

func TestUsersFileRefused(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("pw", testCost)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, body, want string
	}{
		{"syntax", "{\n\"users\": [\n,]}", "users.json:3:"},
		{"unknown role", `{"users":[{"name":"a","role":"root","hash":"` + h + `"}]}`, `unknown role "root"`},
		{"not bcrypt", `{"users":[{"name":"a","role":"admin","hash":"secret"}]}`, "not a bcrypt hash"},
		{"agent without jobs", `{"users":[{"name":"a","role":"agent","hash":"` + h + `"}]}`, "needs at least one job"},
		{"jobs for customer", `{"users":[{"name":"a","role":"customer","hash":"` + h + `","jobs":["https://x/j"]}]}`, "jobs are for the agent role only"},
		{"relative job", `{"users":[{"name":"a","role":"agent","hash":"` + h + `","jobs":["jobs/1"]}]}`, "absolute"},
		{"colon", `{"users":[{"name":"a:b","role":"admin","hash":"` + h + `"}]}`, "colon"},
		{"empty name", `{"users":[{"name":"","role":"admin","hash":"` + h + `"}]}`, "empty user name"},
		{"twice", `{"users":[{"name":"a","role":"admin","hash":"` + h + `"},{"name":"a","role":"admin","hash":"` + h + `"}]}`, "appears twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "users.json")
			require.NoError(t, os.WriteFile(path, []byte(tc.body), 0o600))
			_, err := LoadUsers(path, quiet)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, err = ReadUsers(path)
			assert.Error(t, err)
		})
	}
	_, err = LoadUsers(filepath.Join(t.TempDir(), "none.json"), quiet)
	assert.ErrorIs(t, err, os.ErrNotExist, "the server needs the file it is given")
}

func TestHashPassword(t *testing.T) {
	t.Parallel()
	_, err := HashPassword("", testCost)
	assert.Error(t, err)
	_, err = HashPassword(strings.Repeat("x", 73), testCost)
	assert.ErrorContains(t, err, "72 bytes")
	_, err = HashPassword("pw", 3)
	assert.ErrorContains(t, err, "want 4 to 31")
	h, err := HashPassword("pw", 0)
	require.NoError(t, err)
	cost, _ := bcrypt.Cost([]byte(h))
	assert.Equal(t, DefaultBcryptCost, cost)
	assert.Equal(t, 10, DefaultBcryptCost)
	p1, p2 := NewPassword(), NewPassword()
	assert.Len(t, p1, 26)
	assert.NotEqual(t, p1, p2)
}

func TestBasic(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.json")
	addUser(t, path, "alice", Customer, "alice-pw")
	addUser(t, path, "probe7", Agent, "probe:pw", "https://pm.example/jobs/7")
	b := NewBasic(loadUsers(t, path, newTestClock()), nil)

	p, err := b.Authenticate(request(basicHeader("alice", "alice-pw")))
	require.NoError(t, err)
	assert.Equal(t, &Principal{Name: "alice", Role: Customer, Scheme: "basic"}, p)

	p, err = b.Authenticate(request(basicHeader("probe7", "probe:pw")))
	require.NoError(t, err, "a colon in the password is fine")
	assert.Equal(t, &Principal{Name: "probe7", Role: Agent, Scheme: "basic", Jobs: []string{"https://pm.example/jobs/7"}}, p)
	p.Jobs[0] = "changed"
	p, _ = b.Authenticate(request(basicHeader("probe7", "probe:pw")))
	assert.Equal(t, "https://pm.example/jobs/7", p.Jobs[0], "a principal's jobs are its own copy")

	for _, tc := range []struct {
		name, authz string
		want        error
		msg         string
	}{
		{"none", "", ErrNoCredentials, ""},
		{"bearer", "Bearer pmt_x_y", ErrNoCredentials, ""},
		{"wrong password", basicHeader("alice", "nope"), ErrInvalid, "wrong user name or password"},
		{"unknown user", basicHeader("mallory", "alice-pw"), ErrInvalid, "wrong user name or password"},
		{"case of the name", basicHeader("Alice", "alice-pw"), ErrInvalid, "wrong user name or password"},
		{"malformed", "Basic !!!", ErrInvalid, "malformed"},
		{"lower-case scheme", "basic " + base64.StdEncoding.EncodeToString([]byte("alice:nope")), ErrInvalid, "wrong"},
		{"too long", basicHeader("alice", strings.Repeat("p", 100)), ErrInvalid, "wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := b.Authenticate(request(tc.authz))
			assert.Nil(t, p)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	assert.Equal(t, `Basic realm="pmprovider", charset="UTF-8"`, b.Challenge())
}

func TestBasicNeedsTLSOrLoopback(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.json")
	addUser(t, path, "alice", Customer, "alice-pw")
	users := loadUsers(t, path, newTestClock())
	b := NewBasic(users, nil)

	for _, tc := range []struct {
		name, remote string
		tls, ok      bool
	}{
		{"loopback v4", "127.0.0.1:1234", false, true},
		{"loopback v6", "[::1]:1234", false, true},
		{"other loopback", "127.8.9.10:1234", false, true},
		{"remote", "192.0.2.7:1234", false, false},
		{"remote v6", "[2001:db8::1]:1234", false, false},
		{"no address", "", false, false},
		{"remote over TLS", "192.0.2.7:1234", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := request(basicHeader("alice", "alice-pw"))
			r.RemoteAddr = tc.remote
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			p, err := b.Authenticate(r)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, "alice", p.Name)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), "Basic authentication needs TLS or a loopback connection")
		})
	}

	// The wiring decides, e.g. behind a proxy that ends TLS.
	proxied := NewBasic(users, func(r *http.Request) bool { return r.Header.Get("X-Forwarded-Proto") == "https" })
	r := request(basicHeader("alice", "alice-pw"))
	r.RemoteAddr = "192.0.2.7:1234"
	r.Header.Set("X-Forwarded-Proto", "https")
	_, err := proxied.Authenticate(r)
	assert.NoError(t, err)
	r = request(basicHeader("alice", "alice-pw"))
	_, err = proxied.Authenticate(r)
	assert.ErrorIs(t, err, ErrInvalid, "the function given decides, even for loopback")
}

func TestBasicCache(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.json")
	addUser(t, path, "alice", Customer, "alice-pw")
	c := newTestClock()
	users := loadUsers(t, path, c)
	b := NewBasic(users, nil)

	for range 10 {
		_, err := b.Authenticate(request(basicHeader("alice", "alice-pw")))
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), users.compares.Load(), "bcrypt once for ten requests")

	for range 3 {
		_, err := b.Authenticate(request(basicHeader("alice", "wrong")))
		require.ErrorIs(t, err, ErrInvalid)
	}
	assert.Equal(t, int64(2), users.compares.Load(), "a refusal is remembered too")

	c.Add(basicCacheTTL)
	_, err := b.Authenticate(request(basicHeader("alice", "alice-pw")))
	require.NoError(t, err)
	assert.Equal(t, int64(3), users.compares.Load(), "checked again once the entry expired")

	// A reload forgets: the new password works, the old one does not.
	h, _ := HashPassword("new-pw", testCost)
	require.NoError(t, AddUser(path, User{Name: "alice", Role: Customer, Hash: h}, true))
	c.Add(reloadInterval)
	_, err = b.Authenticate(request(basicHeader("alice", "alice-pw")))
	assert.ErrorIs(t, err, ErrInvalid, "old password after the change")
	_, err = b.Authenticate(request(basicHeader("alice", "new-pw")))
	assert.NoError(t, err)
	_, err = b.Authenticate(request(basicHeader("alice", "wrong")))
	assert.ErrorIs(t, err, ErrInvalid, "the refusal is checked again")
	assert.Equal(t, int64(6), users.compares.Load())
}

func TestUsersReload(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.json")
	addUser(t, path, "alice", Customer, "alice-pw")
	addUser(t, path, "bob", Governance, "bob-pw")
	c := newTestClock()
	users := loadUsers(t, path, c)
	b := NewBasic(users, nil)
	_, err := b.Authenticate(request(basicHeader("bob", "bob-pw")))
	require.NoError(t, err)

	// user remove on a running server: bob is out within a second.
	require.NoError(t, RemoveUser(path, "bob"))
	_, err = b.Authenticate(request(basicHeader("bob", "bob-pw")))
	assert.NoError(t, err, "the file is looked at once a second, not on every request")
	c.Add(reloadInterval)
	_, err = b.Authenticate(request(basicHeader("bob", "bob-pw")))
	assert.ErrorIs(t, err, ErrInvalid, "removed")
	assert.Equal(t, 1, users.Len())
	assert.Equal(t, int64(1), users.reloads.Load())

	// Nothing changed: no reload.
	c.Add(reloadInterval)
	assert.Equal(t, 1, users.Len())
	assert.Equal(t, int64(1), users.reloads.Load())

	// A broken file keeps the users in force, until it is mended.
	require.NoError(t, os.WriteFile(path, []byte(`{"users": [`), 0o600))
	c.Add(reloadInterval)
	_, err = b.Authenticate(request(basicHeader("alice", "alice-pw")))
	assert.NoError(t, err)
	addUser(t, filepath.Join(filepath.Dir(path), "other.json"), "carol", Admin, "carol-pw")
	require.NoError(t, os.Rename(filepath.Join(filepath.Dir(path), "other.json"), path))
	c.Add(reloadInterval)
	_, err = b.Authenticate(request(basicHeader("carol", "carol-pw")))
	assert.NoError(t, err)
	_, err = b.Authenticate(request(basicHeader("alice", "alice-pw")))
	assert.ErrorIs(t, err, ErrInvalid)
}

// TestUsersConcurrent runs requests while the file changes under them, for
// the race detector.
func TestUsersConcurrent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.json")
	addUser(t, path, "alice", Customer, "alice-pw")
	users, err := LoadUsers(path, quiet)
	require.NoError(t, err)
	b := NewBasic(users, nil)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				_, err := b.Authenticate(request(basicHeader("alice", "alice-pw")))
				if err != nil && !errors.Is(err, ErrInvalid) {
					t.Errorf("goroutine %d request %d: %v", g, i, err)
				}
			}
		})
	}
	for i := range 3 {
		addUser(t, path, "u"+string(rune('a'+i)), Governance, "pw")
		time.Sleep(reloadInterval / 3)
	}
	wg.Wait()
}

// TestBasicUnknownUser checks that a wrong name costs a bcrypt check like
// a wrong password, so that timing does not tell which names exist.
func TestBasicUnknownUser(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.json")
	addUser(t, path, "alice", Customer, "alice-pw")
	users := loadUsers(t, path, newTestClock())
	b := NewBasic(users, nil)
	_, err := b.Authenticate(request(basicHeader("mallory", "alice-pw")))
	assert.ErrorIs(t, err, ErrInvalid, "another user's password opens nothing")
	assert.Equal(t, int64(1), users.compares.Load())

	require.NoError(t, RemoveUser(path, "alice"))
	empty := NewBasic(loadUsers(t, path, newTestClock()), nil)
	_, err = empty.Authenticate(request(basicHeader("alice", "alice-pw")))
	assert.ErrorIs(t, err, ErrInvalid)
}
