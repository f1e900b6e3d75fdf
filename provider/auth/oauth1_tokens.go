package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"sync"
	"time"
)

// oauth1Secret returns a random token secret or verifier: 192 bits.
func oauth1Secret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// oauth1Pending is a request token between the request-token endpoint
// and the access-token endpoint. It lives in memory only: a restart in
// the middle of a dance asks the user to start again.
type oauth1Pending struct {
	token, secret string
	consumer      string // key
	callback      string // an absolute http(s) URL, or "oob"
	expires       time.Time
	// Set when the user approves:
	verifier string
	user     *Principal
}

// oauth1Access is an access token, one entry of the tokens file:
//
//	{"tokens": [{"token": "…", "secret": "…", "consumer": "4f0c…", "epoch": "9b1e…",
//	             "user": "alice", "role": "customer", "issued": "2026-01-02T15:04:05Z"}]}
//
// The secret is in clear because HMAC needs it; the file is mode 0600.
// The user, role and jobs are those of the user who approved the
// consumer, as they were then.
type oauth1Access struct {
	Token    string    `json:"token"`
	Secret   string    `json:"secret"`
	Consumer string    `json:"consumer"`
	Epoch    string    `json:"epoch"`
	User     string    `json:"user"`
	Role     Role      `json:"role"`
	Jobs     []string  `json:"jobs,omitempty"`
	Issued   time.Time `json:"issued"`
}

type oauth1TokensFile struct {
	Tokens []*oauth1Access `json:"tokens"`
}

// oauth1Tokens holds the request tokens in memory and the access tokens
// in memory and in a file. The server is the only writer of the file:
// the commands revoke tokens through the consumers file (Consumer.Epoch).
type oauth1Tokens struct {
	path       string
	maxPending int

	mu      sync.RWMutex
	pending map[string]*oauth1Pending
	access  map[string]*oauth1Access
}

func loadOAuth1Tokens(path string, maxPending int) (*oauth1Tokens, error) {
	t := &oauth1Tokens{path: path, maxPending: maxPending, pending: map[string]*oauth1Pending{}, access: map[string]*oauth1Access{}}
	b, _, err := readFileInfo(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	var f oauth1TokensFile
	if err := decodeJSONFile(path, b, &f); err != nil {
		return nil, err
	}
	for _, a := range f.Tokens {
		if a == nil || a.Token == "" || a.Secret == "" || a.Consumer == "" || a.User == "" {
			return nil, fmt.Errorf("%s: an access token without token, secret, consumer or user", path)
		}
		t.access[a.Token] = a
	}
	return t, nil
}

// addPending registers a new request token, dropping the expired ones.
func (t *oauth1Tokens) addPending(p *oauth1Pending, now time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, o := range t.pending {
		if !now.Before(o.expires) {
			delete(t.pending, k)
		}
	}
	if len(t.pending) >= t.maxPending {
		return oauth1Errorf(503, "", "too many request tokens are waiting for approval; retry in a few minutes")
	}
	t.pending[p.token] = p
	return nil
}

// getPending returns a copy of the live request token tok.
func (t *oauth1Tokens) getPending(tok string, now time.Time) (oauth1Pending, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	p, ok := t.pending[tok]
	if !ok || !now.Before(p.expires) {
		return oauth1Pending{}, false
	}
	return *p, true
}

// approve records user's approval of the live, unapproved request token
// tok and returns it with its verifier.
func (t *oauth1Tokens) approve(tok string, user *Principal, now time.Time) (oauth1Pending, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.pending[tok]
	if !ok || !now.Before(p.expires) || p.verifier != "" {
		return oauth1Pending{}, false
	}
	u := *user
	u.Jobs = append([]string(nil), user.Jobs...)
	p.user, p.verifier = &u, oauth1Secret()
	return *p, true
}

// deny forgets the request token tok.
func (t *oauth1Tokens) deny(tok string) {
	t.mu.Lock()
	delete(t.pending, tok)
	t.mu.Unlock()
}

// takePending removes the request token tok and returns it: a request
// token is exchanged once, and a wrong verifier burns it, so that
// verifiers cannot be guessed.
func (t *oauth1Tokens) takePending(tok string) (*oauth1Pending, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.pending[tok]
	delete(t.pending, tok)
	return p, ok
}

// lookupAccess returns the access token tok.
func (t *oauth1Tokens) lookupAccess(tok string) (*oauth1Access, bool) {
	t.mu.RLock()
	a, ok := t.access[tok]
	t.mu.RUnlock()
	return a, ok
}

// addAccess stores a new access token and writes the file, leaving out
// the tokens live says are no longer valid (their consumer gone or
// revoked).
func (t *oauth1Tokens) addAccess(a *oauth1Access, live func(*oauth1Access) bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := oauth1TokensFile{Tokens: make([]*oauth1Access, 0, len(t.access)+1)}
	for k, o := range t.access {
		if !live(o) {
			delete(t.access, k)
			continue
		}
		f.Tokens = append(f.Tokens, o)
	}
	f.Tokens = append(f.Tokens, a)
	if err := writeJSONFile(t.path, f); err != nil {
		return fmt.Errorf("write OAuth tokens: %w", err)
	}
	t.access[a.Token] = a
	return nil
}

// oauth1Nonces remembers the nonces of the signed requests recently
// verified, to refuse a replay within the timestamp window. A request
// whose timestamp is within ±w of now can be replayed until now+2w, so a
// nonce is kept for at least 2w: in two generations of maps, the older
// dropped every 2w. Memory is bounded: past max nonces, requests are
// refused until a generation ages out.
type oauth1Nonces struct {
	seed   maphash.Seed
	period time.Duration
	max    int

	mu        sync.Mutex
	cur, prev map[uint64]struct{}
	rotate    time.Time
}

func newOAuth1Nonces(window time.Duration, max int) *oauth1Nonces {
	return &oauth1Nonces{seed: maphash.MakeSeed(), period: 2 * window, max: max, cur: map[uint64]struct{}{}, prev: map[uint64]struct{}{}}
}

// errNonceFull is the refusal of a request when the nonce cache is full.
var errNonceFull = oauth1Errorf(503, "header Authorization", "too many signed requests in the replay window to check this one for a replay; retry later")

// use records the nonce of a request signed by consumer with token at
// timestamp ts, or says why it cannot: a replay, or a full cache. The
// nonce is keyed by a 64-bit hash with a per-process seed: a false
// replay takes about 2^64/max requests.
func (n *oauth1Nonces) use(consumer, token, ts, nonce string, now time.Time) error {
	var h maphash.Hash
	h.SetSeed(n.seed)
	for _, s := range [...]string{consumer, token, ts, nonce} {
		var l [8]byte // lengths, so that no two tuples hash the same bytes
		binary.LittleEndian.PutUint64(l[:], uint64(len(s)))
		h.Write(l[:])
		h.WriteString(s)
	}
	k := h.Sum64()
	n.mu.Lock()
	defer n.mu.Unlock()
	if !now.Before(n.rotate) {
		if now.Before(n.rotate.Add(n.period)) {
			n.prev, n.cur = n.cur, make(map[uint64]struct{}, len(n.cur))
		} else {
			clear(n.prev)
			clear(n.cur)
		}
		n.rotate = now.Add(n.period)
	}
	if _, ok := n.cur[k]; ok {
		return oauth1Errorf(401, "header Authorization", "the nonce %q was used before (a replayed request)", nonce)
	}
	if _, ok := n.prev[k]; ok {
		return oauth1Errorf(401, "header Authorization", "the nonce %q was used before (a replayed request)", nonce)
	}
	if len(n.cur)+len(n.prev) >= n.max {
		return errNonceFull
	}
	n.cur[k] = struct{}{}
	return nil
}
