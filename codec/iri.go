package codec

import (
	"fmt"
	"strings"
)

// resolveIRI resolves the IRI reference ref against base, following
// RFC 3986 section 5.2 on strings (net/url would re-escape non-ASCII IRIs).
// An absolute ref is returned unchanged, as RDF parsers do. The result is
// checked with validIRI.
func resolveIRI(base, ref string) (string, error) {
	if hasScheme(ref) {
		return ref, validIRI(ref)
	}
	if base == "" {
		return "", fmt.Errorf("relative IRI <%s> and no base IRI to resolve it against", ref)
	}
	b, r := splitIRI(base), splitIRI(ref)
	var t iriParts
	t.scheme = b.scheme
	switch {
	case r.hasAuth:
		t.hasAuth, t.auth = true, r.auth
		t.path = removeDotSegments(r.path)
		t.hasQuery, t.query = r.hasQuery, r.query
	case r.path == "":
		t.hasAuth, t.auth = b.hasAuth, b.auth
		t.path = b.path
		t.hasQuery, t.query = b.hasQuery, b.query
		if r.hasQuery {
			t.hasQuery, t.query = true, r.query
		}
	default:
		t.hasAuth, t.auth = b.hasAuth, b.auth
		if strings.HasPrefix(r.path, "/") {
			t.path = removeDotSegments(r.path)
		} else {
			t.path = removeDotSegments(mergePaths(b, r.path))
		}
		t.hasQuery, t.query = r.hasQuery, r.query
	}
	t.hasFrag, t.frag = r.hasFrag, r.frag
	s := t.String()
	return s, validIRI(s)
}

type iriParts struct {
	scheme            string
	hasAuth, hasQuery bool
	hasFrag           bool
	auth, path, query string
	frag              string
}

func (p iriParts) String() string {
	var b strings.Builder
	if p.scheme != "" {
		b.WriteString(p.scheme)
		b.WriteByte(':')
	}
	if p.hasAuth {
		b.WriteString("//")
		b.WriteString(p.auth)
	}
	b.WriteString(p.path)
	if p.hasQuery {
		b.WriteByte('?')
		b.WriteString(p.query)
	}
	if p.hasFrag {
		b.WriteByte('#')
		b.WriteString(p.frag)
	}
	return b.String()
}

// splitIRI splits an IRI reference into its RFC 3986 components.
func splitIRI(s string) iriParts {
	var p iriParts
	if i := strings.IndexByte(s, '#'); i >= 0 {
		p.hasFrag, p.frag = true, s[i+1:]
		s = s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		p.hasQuery, p.query = true, s[i+1:]
		s = s[:i]
	}
	if i := schemeEnd(s); i > 0 {
		p.scheme, s = s[:i], s[i+1:]
	}
	if strings.HasPrefix(s, "//") {
		s = s[2:]
		i := strings.IndexByte(s, '/')
		if i < 0 {
			i = len(s)
		}
		p.hasAuth, p.auth, s = true, s[:i], s[i:]
	}
	p.path = s
	return p
}

// mergePaths implements RFC 3986 section 5.2.3.
func mergePaths(base iriParts, ref string) string {
	if base.hasAuth && base.path == "" {
		return "/" + ref
	}
	i := strings.LastIndexByte(base.path, '/')
	return base.path[:i+1] + ref
}

// removeDotSegments implements RFC 3986 section 5.2.4.
func removeDotSegments(in string) string {
	var out []string // output segments, each with its leading "/" if any
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			start := 0
			if in[0] == '/' {
				start = 1
			}
			i := strings.IndexByte(in[start:], '/')
			if i < 0 {
				i = len(in)
			} else {
				i += start
			}
			out = append(out, in[:i])
			in = in[i:]
		}
	}
	return strings.Join(out, "")
}
