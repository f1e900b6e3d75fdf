package oslc

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/knakk/rdf"
)

// The encoded answers of GETs are kept by what fixes their bytes, so that
// a resource read again in the same state is written without decoding
// its graph into a page or encoding it again (RDF/XML costs several times
// the rest of a GET). What fixes them:
//
//   - a member: the store's ETag of its state, which changes on every
//     write (invalidation is exact: a new state has a new key, the old
//     entry is never looked up again and ages out), the representation,
//     and the request's path and query (oslc.properties selects triples);
//   - a query page: the store's version (Config.Version), which changes on
//     every write that may change any answer, the representation, the
//     Prefer header and the path and query.
//
// With the store's version, a GET of a resource read before at the same
// version takes its ETag from memory (etagMemo) and needs no store read
// when its encoding is kept.
//
// HTML is never kept: a page shows more than the state it is about (a
// monitored resource's page charts its latest records up to now).
//
// Keys never name the principal: no representation depends on who asks
// (what they may ask is decided before the handler runs).

// DefaultCacheBytes is the default Config.CacheBytes.
const DefaultCacheBytes = 32 << 20

// maxCachedBody is the largest body kept: a large page would push out
// hundreds of records for one answer that is cheap per byte anyway.
const maxCachedBody = 1 << 20

// A cachedRep is an encoded answer.
type cachedRep struct {
	body        []byte
	contentType string
}

// repCache is a least-recently-used cache of encoded answers, bounded in
// bytes; safe for concurrent use. A nil *repCache keeps nothing.
type repCache struct {
	mu         sync.Mutex
	max, bytes int
	entries    map[string]*repEntry
	head       repEntry // sentinel of the recency list: head.next is the newest
}

type repEntry struct {
	key        string
	rep        *cachedRep
	prev, next *repEntry
}

// newRepCache returns a cache of at most max bytes of bodies, or nil if
// max is negative.
func newRepCache(max int) *repCache {
	if max < 0 {
		return nil
	}
	if max == 0 {
		max = DefaultCacheBytes
	}
	c := &repCache{max: max, entries: make(map[string]*repEntry)}
	c.head.next, c.head.prev = &c.head, &c.head
	return c
}

func (c *repCache) get(key string) *cachedRep {
	if c == nil || key == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil {
		return nil
	}
	c.unlink(e)
	c.pushFront(e)
	return e.rep
}

func (c *repCache) put(key string, rep *cachedRep) {
	if c == nil || key == "" || len(rep.body) > maxCachedBody || len(rep.body) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[key]; old != nil {
		c.unlink(old)
		c.bytes -= cost(old)
	}
	e := &repEntry{key: key, rep: rep}
	c.entries[key] = e
	c.pushFront(e)
	c.bytes += cost(e)
	for c.bytes > c.max && c.head.prev != &c.head {
		last := c.head.prev
		c.unlink(last)
		delete(c.entries, last.key)
		c.bytes -= cost(last)
	}
}

// cost counts an entry's body and key, and a little for the rest.
func cost(e *repEntry) int { return len(e.rep.body) + 2*len(e.key) + 128 }

func (c *repCache) unlink(e *repEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *repCache) pushFront(e *repEntry) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}

// memberKey is the cache key of rep of the state whose store ETag is etag,
// read at requestURI; "" (not kept) for HTML, whose pages show more than
// the state (a resource's latest records, charts up to now: etag.go).
func memberKey(etag string, rep representation, requestURI string) string {
	if rep.html {
		return ""
	}
	return "m\x00" + rep.tag + "\x00" + etag + "\x00" + requestURI
}

// pageKey is the cache key of rep of a query page read at requestURI, with
// the Prefer header prefer, when the store's version is version; "" for
// HTML, as for memberKey.
func pageKey(version uint64, rep representation, prefer []string, requestURI string) string {
	if rep.html {
		return ""
	}
	return "p\x00" + rep.tag + "\x00" + strconv.FormatUint(version, 10) + "\x00" + strings.Join(prefer, "\x01") + "\x00" + requestURI
}

// etagMemo remembers the ETag a resource had when the store's version was
// some number: while the version stays, so does the ETag. Safe for
// concurrent use.
type etagMemo struct {
	mu sync.Mutex
	m  map[string]versionedETag
}

type versionedETag struct {
	version uint64
	etag    string
}

// maxETagMemo bounds the memo: past it, it starts again empty.
const maxETagMemo = 1 << 16

func newETagMemo() *etagMemo { return &etagMemo{m: make(map[string]versionedETag)} }

// get returns id's ETag at version, if known.
func (m *etagMemo) get(id string, version uint64) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[id]
	return e.etag, ok && e.version == version
}

// put notes that id had etag at version (read before the ETag was).
func (m *etagMemo) put(id string, version uint64, etag string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.m) >= maxETagMemo {
		clear(m.m)
	}
	m.m[id] = versionedETag{version, etag}
}

// cachedMember answers a GET of resource id at the store's version from
// memory, if its ETag at that version and its encoding in the negotiated
// representation are kept: as writeGraph would, with the
// representation's ETag, or 304 if If-None-Match names it. Else nil.
func (s *Server) cachedMember(r *http.Request, id rdf.IRI, version uint64, uri string) *Response {
	etag, ok := s.etags.get(id.String(), version)
	if !ok {
		return nil
	}
	rep, ok := negotiate(r)
	if !ok {
		return nil
	}
	c := s.reps.get(memberKey(etag, rep, uri))
	if c == nil {
		return nil
	}
	tag := representationTag(etag, rep)
	h := http.Header{"Etag": {tag}}
	if noneMatch(r.Header.Get("If-None-Match"), tag) {
		h.Set("Vary", "Accept")
		return &Response{Status: http.StatusNotModified, NoBody: true, Header: h}
	}
	return &Response{Status: http.StatusOK, Header: h, cached: c}
}
