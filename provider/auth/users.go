package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// A User is one entry of a users file:
//
//	{"users": [{"name": "alice", "role": "customer", "hash": "$2a$10$...", "created": "..."},
//	           {"name": "probe7", "role": "agent", "hash": "...", "jobs": ["https://.../jobs/7"]}]}
type User struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Hash is the bcrypt hash of the user's password (HashPassword).
	Hash string `json:"hash"`
	// Jobs are the measurement jobs an Agent may push to; required for
	// agents and refused for the other roles.
	Jobs    []string  `json:"jobs,omitempty"`
	Created time.Time `json:"created,omitzero"`
}

type usersFile struct {
	Users []User `json:"users"`
}

// DefaultBcryptCost is the bcrypt cost of new hashes unless told otherwise:
// bcrypt's default, 50 to 100 ms of a core per check.
const DefaultBcryptCost = bcrypt.DefaultCost

// maxPassword is bcrypt's limit: it ignores bytes past 72, so longer
// passwords are refused rather than silently truncated.
const maxPassword = 72

// HashPassword returns the bcrypt hash of password for a users file, at
// cost (log2 of the rounds, bcrypt.MinCost to bcrypt.MaxCost; 0 means
// DefaultBcryptCost).
func HashPassword(password string, cost int) (string, error) {
	if password == "" {
		return "", errors.New("empty password")
	}
	if len(password) > maxPassword {
		return "", fmt.Errorf("password longer than %d bytes (bcrypt ignores the rest)", maxPassword)
	}
	if cost == 0 {
		cost = DefaultBcryptCost
	}
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return "", fmt.Errorf("bcrypt cost %d: want %d to %d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// NewPassword returns a random password of 26 characters (130 bits).
func NewPassword() string {
	return rand.Text()
}

// CheckUserName says what is wrong with a user name, if anything: HTTP
// Basic cannot carry a colon in it, and control characters have no place
// in audit trails.
func CheckUserName(name string) error {
	if name == "" {
		return errors.New("empty user name")
	}
	if len(name) > 256 {
		return errors.New("user name longer than 256 bytes")
	}
	if strings.ContainsRune(name, ':') {
		return fmt.Errorf("user name %q has a colon, which HTTP Basic cannot carry", name)
	}
	if strings.ContainsFunc(name, unicode.IsControl) || strings.TrimSpace(name) != name {
		return fmt.Errorf("user name %q has control characters or surrounding spaces", name)
	}
	return nil
}

// CheckJobs says whether jobs suit role: an Agent must be bound to at
// least one job, given as an absolute IRI; the other roles reach jobs by
// their role and are bound to none.
func CheckJobs(role Role, jobs []string) error {
	if role != Agent {
		if len(jobs) > 0 {
			return fmt.Errorf("jobs are for the %s role only: a %s has the jobs its role allows", Agent, role)
		}
		return nil
	}
	if len(jobs) == 0 {
		return fmt.Errorf("the %s role needs at least one job to push to", Agent)
	}
	for _, j := range jobs {
		u, err := url.Parse(j)
		if err != nil || !u.IsAbs() || u.Host == "" {
			return fmt.Errorf("job %q: want an absolute http(s) IRI", j)
		}
	}
	return nil
}

// check says what is wrong with u.
func (u *User) check() error {
	if err := CheckUserName(u.Name); err != nil {
		return err
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return fmt.Errorf("user %s: %w", u.Name, err)
	}
	if _, err := bcrypt.Cost([]byte(u.Hash)); err != nil {
		return fmt.Errorf("user %s: hash is not a bcrypt hash: %w", u.Name, err)
	}
	if err := CheckJobs(u.Role, u.Jobs); err != nil {
		return fmt.Errorf("user %s: %w", u.Name, err)
	}
	return nil
}

// decodeUsers decodes and checks the contents of a users file.
func decodeUsers(path string, b []byte) ([]User, error) {
	var f usersFile
	if err := decodeJSONFile(path, b, &f); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(f.Users))
	for i := range f.Users {
		u := &f.Users[i]
		if err := u.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if seen[u.Name] {
			return nil, fmt.Errorf("%s: user %s appears twice", path, u.Name)
		}
		seen[u.Name] = true
	}
	return f.Users, nil
}

// ReadUsers returns the users of the file at path; none when it does not
// exist yet.
func ReadUsers(path string) ([]User, error) {
	return readIfExists(path, decodeUsers)
}

// AddUser adds u to the users file at path, creating it if need be, or
// replaces the user of that name when replace is set; ErrExists when
// there is one and replace is not set.
func AddUser(path string, u User, replace bool) error {
	if err := u.check(); err != nil {
		return err
	}
	users, err := ReadUsers(path)
	if err != nil {
		return err
	}
	if u.Created.IsZero() {
		u.Created = time.Now().UTC().Truncate(time.Second)
	}
	for i := range users {
		if users[i].Name == u.Name {
			if !replace {
				return fmt.Errorf("user %s: %w", u.Name, ErrExists)
			}
			users[i] = u
			return writeJSONFile(path, usersFile{users})
		}
	}
	return writeJSONFile(path, usersFile{append(users, u)})
}

// RemoveUser removes the user name from the users file at path;
// ErrNotFound when there is none.
func RemoveUser(path, name string) error {
	users, err := ReadUsers(path)
	if err != nil {
		return err
	}
	for i := range users {
		if users[i].Name == name {
			users = append(users[:i], users[i+1:]...)
			if users == nil {
				users = []User{}
			}
			return writeJSONFile(path, usersFile{users})
		}
	}
	return fmt.Errorf("user %s: %w", name, ErrNotFound)
}

// Users are the users of a users file, as a running server sees them: the
// file is looked at again at most once a second and reloaded when it was
// replaced, so that `pmprovider user add` and `user remove` take effect
// without a restart. A file that no longer loads is logged and the users
// last loaded stay in force. Users are safe for concurrent use.
type Users struct {
	file  watchedFile
	log   *slog.Logger
	now   func() time.Time
	state atomic.Pointer[usersState]
	// key keys the digests of the cache, so that they are worth nothing
	// outside this process (a bare SHA-256 of a password is cheap to
	// brute-force, a bcrypt hash is not).
	key [32]byte
	// slots bounds the bcrypt compares running at once, so that a flood
	// of wrong passwords leaves CPU for the other requests.
	slots chan struct{}
	// reloads counts the loads after the first, compares the bcrypt
	// compares, for tests.
	reloads, compares atomic.Int64
}

// usersState is one load of the file, with the outcomes of the checks
// made against it: a reload starts with an empty cache.
type usersState struct {
	byName map[string]*User
	// decoy is a hash of the file that a name not in it is checked
	// against, so that a wrong name costs as long as a wrong password and
	// does not tell which names exist.
	decoy []byte
	cache *verifiedCache[*User] // nil value: the credentials are wrong
}

// The cache of checked credentials: enough entries for every user and
// agent of a deployment, kept long enough that steady clients never pay
// for bcrypt, short enough that a stolen process image ages out.
const (
	basicCacheSize = 1024
	basicCacheTTL  = 5 * time.Minute
)

// LoadUsers loads the users file at path. log receives the errors and
// news of later reloads; nil means slog.Default().
func LoadUsers(path string, log *slog.Logger) (*Users, error) {
	if log == nil {
		log = slog.Default()
	}
	u := &Users{
		file:  watchedFile{path: path},
		log:   log,
		now:   time.Now,
		slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)),
	}
	rand.Read(u.key[:])
	if err := u.load(); err != nil {
		return nil, err
	}
	u.file.due(u.now())
	return u, nil
}

func (u *Users) load() error {
	b, err := u.file.read()
	if err != nil {
		return err
	}
	users, err := decodeUsers(u.file.path, b)
	if err != nil {
		return err
	}
	st := &usersState{byName: make(map[string]*User, len(users)), cache: newVerifiedCache[*User](basicCacheSize)}
	for i := range users {
		st.byName[users[i].Name] = &users[i]
		if st.decoy == nil {
			st.decoy = []byte(users[i].Hash)
		}
	}
	u.state.Store(st)
	return nil
}

// current returns the users in force, reloading the file if it changed.
func (u *Users) current() *usersState {
	if u.file.due(u.now()) && u.file.changed() {
		if err := u.load(); err != nil {
			u.log.Error("users file not reloaded; the users loaded before stay in force", "err", err)
		} else {
			u.reloads.Add(1)
			u.log.Info("users file reloaded", "path", u.file.path, "users", len(u.state.Load().byName))
		}
	}
	return u.state.Load()
}

// Len is the number of users in force.
func (u *Users) Len() int { return len(u.current().byName) }

var errWrongPassword = fmt.Errorf("%w: wrong user name or password", ErrInvalid)

// verify returns the user name whose password is password; the error is
// ctx's when ctx ends while it waits for a turn at bcrypt.
func (u *Users) verify(ctx context.Context, name, password string) (*User, error) {
	st := u.current()
	now := u.now()
	// A keyed digest, not an HMAC: the digests never leave the process,
	// so length extension gives nothing, and this costs a seventh as much.
	buf := make([]byte, 0, len(u.key)+8+len(name)+len(password))
	buf = append(buf, u.key[:]...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(name)))
	buf = append(buf, name...)
	buf = append(buf, password...)
	k := sha256.Sum256(buf)
	clear(buf)
	if user, ok := st.cache.get(k, now); ok {
		if user == nil {
			return nil, errWrongPassword
		}
		return user, nil
	}
	if len(password) > maxPassword {
		return nil, errWrongPassword
	}
	select {
	case u.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	user := st.byName[name]
	var err error
	if user == nil {
		if st.decoy != nil {
			_ = bcrypt.CompareHashAndPassword(st.decoy, []byte(password))
		}
	} else {
		err = bcrypt.CompareHashAndPassword([]byte(user.Hash), []byte(password))
	}
	<-u.slots
	u.compares.Add(1)
	if user == nil || err != nil {
		// Remembering a refusal spares bcrypt to a client that retries
		// stale credentials (a reload forgets it); but a flood of wrong
		// passwords must not evict the users who got theirs right.
		st.cache.putIfRoom(k, nil, now, now.Add(basicCacheTTL))
		return nil, errWrongPassword
	}
	st.cache.put(k, user, now, now.Add(basicCacheTTL))
	return user, nil
}
