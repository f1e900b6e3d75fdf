package oslc

import "strings"

// Every representation of a resource's state has its own ETag: the
// store's tag of the state with the representation's suffix ("…-3.ttl"),
// so that a cache holding the Turtle answer is never told by a 304 that
// its copy is the RDF/XML one (RFC 9110, 8.8.3: a strong tag names one
// representation). HTML pages, which depend on more than the state, have
// weak tags. Writes name the state: If-Match accepts the tag of any of its
// representations, and the store compares the state's tag (storeIfMatch).

// representationTag returns the ETag of rep of the state whose ETag (the
// store's, or one of its representations') is etag.
func representationTag(etag string, rep representation) string {
	t := `"` + stateOpaque(etag) + "." + rep.tag + `"`
	if rep.html {
		t = "W/" + t
	}
	return t
}

// stateOpaque returns the opaque part of the store's ETag of the state
// etag names: without W/, quotes or a representation suffix.
func stateOpaque(etag string) string {
	o := strings.Trim(strings.TrimPrefix(strings.TrimSpace(etag), "W/"), `"`)
	if i := strings.LastIndexByte(o, '.'); i >= 0 {
		for _, rep := range offered {
			if o[i+1:] == rep.tag {
				return o[:i]
			}
		}
	}
	return o
}

// etagMatch reports whether an If-Match header value names the state
// whose store ETag is etag: "*", or a list of entity tags of which one is
// the tag of any representation of the state, compared weakly.
func etagMatch(header, etag string) bool {
	want := stateOpaque(etag)
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || stateOpaque(v) == want {
			return true
		}
	}
	return false
}

// noneMatch reports whether an If-None-Match header value names the
// representation whose ETag is tag: "*", or a list of entity tags of which
// one is tag, compared weakly (RFC 9110, 13.1.2).
func noneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(tag, "W/")
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || strings.TrimPrefix(v, "W/") == want {
			return true
		}
	}
	return false
}

// storeIfMatch returns what the store compares for an If-Match value: the
// store's tag of the state it names ("" and "*" unchanged). The store
// compares one tag: a list is passed on as it is.
func storeIfMatch(header string) string {
	if header == "" || header == "*" || strings.Contains(header, ",") {
		return header
	}
	return `"` + stateOpaque(header) + `"`
}
