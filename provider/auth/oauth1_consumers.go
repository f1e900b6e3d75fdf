package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
)

// A Consumer is an OAuth 1.0a client registered with the provider, e.g. a
// Jazz "friend". A consumers file holds them:
//
//	{"consumers": [{"key": "4f0c…", "name": "ELM", "secret": "…", "role": "governance",
//	                "epoch": "9b1e…", "added": "2026-01-02T15:04:05Z"}]}
//
// The secret is in clear: HMAC-SHA1 needs it to check signatures. The
// file is written mode 0600; keep it so.
type Consumer struct {
	// Key is the oauth_consumer_key, unique: unreserved URI characters only.
	Key string `json:"key"`
	// Name is what the authorization page and `consumer list` show.
	Name string `json:"name"`
	// Secret is the consumer secret, in clear: signatures are keyed by it.
	Secret string `json:"secret"`
	// Role is the role of the consumer's two-legged requests (signed
	// without a token); empty means it may make none.
	Role Role `json:"role,omitempty"`
	// Epoch changes when the consumer's access tokens are revoked (and
	// when a key is registered again): a token issued under another
	// epoch is refused.
	Epoch string    `json:"epoch"`
	Added time.Time `json:"added,omitzero"`
}

type consumersFile struct {
	Consumers []Consumer `json:"consumers"`
}

// Limits of a consumer's fields, so that a file stays small and a key
// needs no encoding in a header.
const (
	consumerMaxKey    = 128
	consumerMaxName   = 100
	consumerMaxSecret = 256
)

// check says what is wrong with c, if anything.
func (c *Consumer) check() error {
	if c.Key == "" || len(c.Key) > consumerMaxKey {
		return fmt.Errorf("consumer key %q: want 1 to %d characters", c.Key, consumerMaxKey)
	}
	for i := 0; i < len(c.Key); i++ {
		if b := c.Key[i]; !('A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '.' || b == '_' || b == '~') {
			return fmt.Errorf("consumer key %q: want letters, digits and -._~ only", c.Key)
		}
	}
	if n := strings.TrimSpace(c.Name); n == "" || n != c.Name || len(c.Name) > consumerMaxName || strings.IndexFunc(c.Name, unicode.IsControl) >= 0 {
		return fmt.Errorf("consumer %s: name %q: want 1 to %d printable characters, no leading or trailing space", c.Key, c.Name, consumerMaxName)
	}
	if c.Secret == "" || len(c.Secret) > consumerMaxSecret || strings.IndexFunc(c.Secret, unicode.IsControl) >= 0 {
		return fmt.Errorf("consumer %s: secret: want 1 to %d printable characters", c.Key, consumerMaxSecret)
	}
	if c.Role != "" {
		if _, err := ParseRole(string(c.Role)); err != nil {
			return fmt.Errorf("consumer %s: %w", c.Key, err)
		}
		if c.Role == Agent {
			return fmt.Errorf("consumer %s: role agent: agents push with API tokens, not as OAuth consumers", c.Key)
		}
	}
	if c.Epoch == "" {
		return fmt.Errorf("consumer %s: no epoch", c.Key)
	}
	return nil
}

// consumerRandom returns n random bytes in hex.
func consumerRandom(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// consumerSecret returns a random consumer secret: 192 bits, base64url.
func consumerSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ReadConsumers returns the consumers of the file at path; none when it
// does not exist.
func ReadConsumers(path string) ([]Consumer, error) {
	return readIfExists(path, consumerDecode)
}

// AddConsumer registers c in the file at path, creating it, and returns
// c as registered: a random key and secret when c has none, a new epoch.
// ErrExists when a consumer has its key or name.
func AddConsumer(path string, c Consumer) (Consumer, error) {
	cs, err := ReadConsumers(path)
	if err != nil {
		return Consumer{}, err
	}
	if c.Key == "" {
		c.Key = consumerRandom(16)
	}
	if c.Secret == "" {
		c.Secret = consumerSecret()
	}
	c.Epoch = consumerRandom(8)
	if c.Added.IsZero() {
		c.Added = time.Now().UTC().Truncate(time.Second)
	}
	if err := c.check(); err != nil {
		return Consumer{}, err
	}
	for _, o := range cs {
		if o.Key == c.Key {
			return Consumer{}, fmt.Errorf("consumer key %s: %w", c.Key, ErrExists)
		}
		if o.Name == c.Name {
			return Consumer{}, fmt.Errorf("consumer name %q (key %s): %w", c.Name, o.Key, ErrExists)
		}
	}
	cs = append(cs, c)
	return c, writeJSONFile(path, consumersFile{Consumers: cs})
}

// RemoveConsumer removes the consumer of key from the file at path; its
// access tokens stop working within a second on a running server.
// ErrNotFound when there is none.
func RemoveConsumer(path, key string) error {
	return consumerEdit(path, key, func(cs []Consumer, i int) []Consumer {
		return slices.Delete(cs, i, i+1)
	})
}

// RevokeConsumerTokens revokes every access token of the consumer of
// key, by changing its epoch in the file at path: within a second a
// running server refuses them, and its users must authorize the
// consumer again. ErrNotFound when there is none.
func RevokeConsumerTokens(path, key string) error {
	return consumerEdit(path, key, func(cs []Consumer, i int) []Consumer {
		cs[i].Epoch = consumerRandom(8)
		return cs
	})
}

func consumerEdit(path, key string, edit func([]Consumer, int) []Consumer) error {
	cs, err := ReadConsumers(path)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(cs, func(c Consumer) bool { return c.Key == key })
	if i < 0 {
		return fmt.Errorf("consumer key %s: %w", key, ErrNotFound)
	}
	return writeJSONFile(path, consumersFile{Consumers: edit(cs, i)})
}

func consumerDecode(path string, b []byte) ([]Consumer, error) {
	var f consumersFile
	if err := decodeJSONFile(path, b, &f); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(f.Consumers))
	for i := range f.Consumers {
		c := &f.Consumers[i]
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if seen[c.Key] {
			return nil, fmt.Errorf("%s: consumer key %s: registered twice", path, c.Key)
		}
		seen[c.Key] = true
	}
	return f.Consumers, nil
}

// consumerSet is the consumers of a file as a running server sees them:
// the file is looked at again at most once a second and reloaded when it
// was replaced, so that the consumer commands take effect without a
// restart. A file that no longer loads is logged and the consumers last
// loaded stay in force; a missing file is no consumers.
type consumerSet struct {
	file  watchedFile
	log   *slog.Logger
	now   func() time.Time
	byKey atomic.Pointer[map[string]*Consumer]
}

func newConsumerSet(path string, log *slog.Logger, now func() time.Time) (*consumerSet, error) {
	s := &consumerSet{file: watchedFile{path: path}, log: log, now: now}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.file.due(now())
	return s, nil
}

func (s *consumerSet) load() error {
	var cs []Consumer
	b, err := s.file.read()
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		if cs, err = consumerDecode(s.file.path, b); err != nil {
			return err
		}
	}
	m := make(map[string]*Consumer, len(cs))
	for i := range cs {
		m[cs[i].Key] = &cs[i]
	}
	s.byKey.Store(&m)
	return nil
}

// lookup returns the consumer of key as the file says now.
func (s *consumerSet) lookup(key string) *Consumer {
	if s.file.due(s.now()) && s.file.changed() {
		if err := s.load(); err != nil {
			s.log.Error("OAuth consumers file not reloaded; the consumers loaded before stay in force", "path", s.file.path, "err", err)
		}
	}
	return (*s.byKey.Load())[key]
}
