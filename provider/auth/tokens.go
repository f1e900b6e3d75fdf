package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// TokenPrefix starts every API token, so that a Bearer value is known to
// be ours (or a JWT's) at a glance, and secret scanners can find leaked
// ones. A token reads pmt_<id>_<secret>: the id finds the entry, the
// secret (32 random bytes, base64url) proves possession.
const TokenPrefix = "pmt_"

// A Token is one entry of a tokens file. The file keeps a SHA-256 of the
// secret, never the secret: a copy of the file grants nothing, and a
// digest suffices because the secret is random, not chosen by a person.
type Token struct {
	// ID is 12 hex digits, the token's public name ("token:<id>" in
	// audit trails).
	ID string `json:"id"`
	// Name says what or whom the token is for; a comment.
	Name string `json:"name,omitempty"`
	Role Role   `json:"role"`
	// Jobs are the measurement jobs an Agent may push to; required for
	// agents and refused for the other roles.
	Jobs    []string  `json:"jobs,omitempty"`
	Created time.Time `json:"created"`
	// Expires is when the token stops working; every token has one.
	Expires time.Time `json:"expires"`
	// Hash is the hex SHA-256 of the secret part of the token.
	Hash string `json:"hash"`
}

type tokensFile struct {
	Tokens []Token `json:"tokens"`
}

// NewToken returns t with a new ID and Hash (and Created, when zero), and
// the token string to give its holder, which is shown this once: only its
// digest is kept.
func NewToken(t Token) (Token, string, error) {
	var id [6]byte
	rand.Read(id[:])
	var secret [32]byte
	rand.Read(secret[:])
	s := base64.RawURLEncoding.EncodeToString(secret[:])
	sum := sha256.Sum256([]byte(s))
	t.ID = hex.EncodeToString(id[:])
	t.Hash = hex.EncodeToString(sum[:])
	if t.Created.IsZero() {
		t.Created = time.Now().UTC().Truncate(time.Second)
	}
	if err := t.check(); err != nil {
		return Token{}, "", err
	}
	return t, TokenPrefix + t.ID + "_" + s, nil
}

// check says what is wrong with t.
func (t *Token) check() error {
	if len(t.ID) != 12 || strings.Trim(t.ID, "0123456789abcdef") != "" {
		return fmt.Errorf("token id %q: want 12 lowercase hex digits", t.ID)
	}
	if _, err := ParseRole(string(t.Role)); err != nil {
		return fmt.Errorf("token %s: %w", t.ID, err)
	}
	if err := CheckJobs(t.Role, t.Jobs); err != nil {
		return fmt.Errorf("token %s: %w", t.ID, err)
	}
	if t.Expires.IsZero() {
		return fmt.Errorf("token %s: no expiry", t.ID)
	}
	if h, err := hex.DecodeString(t.Hash); err != nil || len(h) != sha256.Size {
		return fmt.Errorf("token %s: hash is not a hex SHA-256", t.ID)
	}
	if strings.ContainsFunc(t.Name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return fmt.Errorf("token %s: name has control characters", t.ID)
	}
	return nil
}

func decodeTokens(path string, b []byte) ([]Token, error) {
	var f tokensFile
	if err := decodeJSONFile(path, b, &f); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(f.Tokens))
	for i := range f.Tokens {
		t := &f.Tokens[i]
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if seen[t.ID] {
			return nil, fmt.Errorf("%s: token %s appears twice", path, t.ID)
		}
		seen[t.ID] = true
	}
	return f.Tokens, nil
}

// ReadTokens returns the tokens of the file at path; none when it does
// not exist yet.
func ReadTokens(path string) ([]Token, error) {
	return readIfExists(path, decodeTokens)
}

// AddToken adds t (from NewToken) to the tokens file at path, creating it
// if need be.
func AddToken(path string, t Token) error {
	if err := t.check(); err != nil {
		return err
	}
	tokens, err := ReadTokens(path)
	if err != nil {
		return err
	}
	for _, o := range tokens {
		if o.ID == t.ID {
			return fmt.Errorf("token %s: %w", t.ID, ErrExists)
		}
	}
	return writeJSONFile(path, tokensFile{append(tokens, t)})
}

// RevokeToken removes the token id from the tokens file at path;
// ErrNotFound when there is none.
func RevokeToken(path, id string) error {
	tokens, err := ReadTokens(path)
	if err != nil {
		return err
	}
	for i := range tokens {
		if tokens[i].ID == id {
			tokens = append(tokens[:i], tokens[i+1:]...)
			if tokens == nil {
				tokens = []Token{}
			}
			return writeJSONFile(path, tokensFile{tokens})
		}
	}
	return fmt.Errorf("token %s: %w", id, ErrNotFound)
}

// Tokens authenticates requests that carry an API token as a Bearer
// credential (Authorization: Bearer pmt_...), against a tokens file that
// is reloaded like Users'. Other Bearer values are not its business: it
// answers ErrNoCredentials and leaves them to the JWT authenticator.
// Tokens are safe for concurrent use.
type Tokens struct {
	file    watchedFile
	log     *slog.Logger
	now     func() time.Time
	state   atomic.Pointer[map[string]*tokenEntry]
	reloads atomic.Int64
}

type tokenEntry struct {
	Token
	sum []byte // Hash, decoded
}

// LoadTokens loads the tokens file at path. log receives the errors and
// news of later reloads; nil means slog.Default().
func LoadTokens(path string, log *slog.Logger) (*Tokens, error) {
	if log == nil {
		log = slog.Default()
	}
	t := &Tokens{file: watchedFile{path: path}, log: log, now: time.Now}
	if err := t.load(); err != nil {
		return nil, err
	}
	t.file.due(t.now())
	return t, nil
}

func (t *Tokens) load() error {
	b, err := t.file.read()
	if err != nil {
		return err
	}
	tokens, err := decodeTokens(t.file.path, b)
	if err != nil {
		return err
	}
	m := make(map[string]*tokenEntry, len(tokens))
	for _, tok := range tokens {
		sum, _ := hex.DecodeString(tok.Hash)
		m[tok.ID] = &tokenEntry{Token: tok, sum: sum}
	}
	t.state.Store(&m)
	return nil
}

func (t *Tokens) current() map[string]*tokenEntry {
	if t.file.due(t.now()) && t.file.changed() {
		if err := t.load(); err != nil {
			t.log.Error("tokens file not reloaded; the tokens loaded before stay in force", "err", err)
		} else {
			t.reloads.Add(1)
			t.log.Info("tokens file reloaded", "path", t.file.path, "tokens", len(*t.state.Load()))
		}
	}
	return *t.state.Load()
}

// Len is the number of tokens in force, expired ones included.
func (t *Tokens) Len() int { return len(t.current()) }

// bearer returns the credentials of r's Bearer authorization, if any.
func bearer(r *http.Request) (string, bool) {
	scheme, v, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(v), true
}

var errTokenUnknown = fmt.Errorf("%w: unknown or revoked API token", ErrInvalid)

// Authenticate returns the principal of r's API token.
func (t *Tokens) Authenticate(r *http.Request) (*Principal, error) {
	v, ok := bearer(r)
	if !ok || !strings.HasPrefix(v, TokenPrefix) {
		return nil, ErrNoCredentials
	}
	id, secret, ok := strings.Cut(v[len(TokenPrefix):], "_")
	if !ok || id == "" || secret == "" {
		return nil, fmt.Errorf("%w: malformed API token (want %s<id>_<secret>)", ErrInvalid, TokenPrefix)
	}
	e := t.current()[id]
	if e == nil {
		return nil, errTokenUnknown
	}
	sum := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(sum[:], e.sum) != 1 {
		return nil, errTokenUnknown
	}
	if !t.now().Before(e.Expires) {
		return nil, fmt.Errorf("%w: API token %s expired at %s", ErrInvalid, id, e.Expires.UTC().Format(time.RFC3339))
	}
	return &Principal{Name: "token:" + id, Role: e.Role, Scheme: "bearer", Jobs: slices.Clone(e.Jobs)}, nil
}

// Challenge is the Bearer challenge, which API tokens share with JWTs.
func (t *Tokens) Challenge() string { return bearerChallenge }

const bearerChallenge = `Bearer realm="pmprovider"`
