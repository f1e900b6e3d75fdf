package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The signature methods verified. RFC 5849 also defines PLAINTEXT (the
// secrets themselves as the signature) and RSA-SHA1 (a consumer's public
// key); Jazz friends sign with HMAC-SHA1, so neither is offered.
const (
	oauth1HMACSHA1   = "HMAC-SHA1"
	oauth1HMACSHA256 = "HMAC-SHA256" // not in RFC 5849, but common, and stronger
)

// oauth1MaxForm bounds the form body read to check a signature: an
// OAuth form is a few parameters, and the bytes are held in memory.
const oauth1MaxForm = 1 << 20

// oauth1Param is one parameter of a signed request, decoded.
type oauth1Param struct{ name, value string }

// oauth1Request is what a request says in OAuth terms: every parameter
// the signature covers (RFC 5849 §3.4.1.3.1) and the protocol parameters
// picked out of them.
type oauth1Request struct {
	params []oauth1Param // from the header, the query and the form body; no realm, no oauth_signature

	consumerKey, token, signatureMethod, signature string
	timestamp, nonce, version, callback, verifier  string
}

// errOAuth1Syntax is the error of an Authorization header that does not
// parse: the request uses OAuth, badly.
var errOAuth1Syntax = errors.New(`malformed OAuth Authorization header: want OAuth name="value" pairs separated by commas`)

// oauth1Collect gathers the OAuth parameters of r from the three places RFC
// 5849 §3.5 allows. It returns ErrNoCredentials when none carries an
// oauth_consumer_key, so that the next authenticator is asked. A form
// body is read and put back for the handler.
func oauth1Collect(r *http.Request) (*oauth1Request, error) {
	var req oauth1Request
	signed := false
	if h := r.Header.Get("Authorization"); len(h) > 6 && strings.EqualFold(h[:6], "OAuth ") {
		ps, err := oauth1ParseHeader(h[6:])
		if err != nil {
			return nil, err
		}
		req.params = ps
		signed = true
	}
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			if !signed {
				return nil, ErrNoCredentials
			}
			return nil, oauth1Errorf(http.StatusBadRequest, "URL", "the query string does not parse, so its signature cannot be checked: %v", err)
		}
		req.params = oauth1Append(req.params, q)
		signed = signed || q.Has("oauth_consumer_key")
	}
	if body, ok, err := oauth1Form(r, signed); err != nil {
		return nil, err
	} else if ok {
		req.params = oauth1Append(req.params, body)
		signed = signed || body.Has("oauth_consumer_key")
	}
	if !signed {
		return nil, ErrNoCredentials
	}
	// Pick the protocol parameters out; each may be given once (§3.2).
	fields := [...]struct {
		name string
		v    *string
	}{
		{"oauth_consumer_key", &req.consumerKey}, {"oauth_token", &req.token},
		{"oauth_signature_method", &req.signatureMethod}, {"oauth_signature", &req.signature},
		{"oauth_timestamp", &req.timestamp}, {"oauth_nonce", &req.nonce}, {"oauth_version", &req.version},
		{"oauth_callback", &req.callback}, {"oauth_verifier", &req.verifier},
	}
	kept := req.params[:0]
	seen := make(map[string]bool, 8)
	for _, p := range req.params {
		if strings.HasPrefix(p.name, "oauth_") {
			if seen[p.name] {
				return nil, oauth1Errorf(http.StatusBadRequest, "header Authorization", "the OAuth parameter %s is given more than once", p.name)
			}
			seen[p.name] = true
			for _, f := range fields {
				if f.name == p.name {
					*f.v = p.value
				}
			}
		}
		if p.name != "oauth_signature" { // the one parameter the signature does not cover
			kept = append(kept, p)
		}
	}
	req.params = kept
	return &req, nil
}

func oauth1Append(ps []oauth1Param, v url.Values) []oauth1Param {
	for name, values := range v {
		for _, value := range values {
			ps = append(ps, oauth1Param{name, value})
		}
	}
	return ps
}

// oauth1Form returns the parameters of r's body when it is a form
// (§3.4.1.3.1 counts them), leaving r.Body as it was for the handler.
// signed says whether the header or query already carry credentials: if
// not, a body that is not a readable form is simply not OAuth's.
func oauth1Form(r *http.Request, signed bool) (url.Values, bool, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, false, nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, false, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, oauth1MaxForm+1))
	rest := r.Body
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), rest), rest}
	if err != nil {
		return nil, false, oauth1Errorf(http.StatusBadRequest, "body", "the form body cannot be read: %v", err)
	}
	if len(b) > oauth1MaxForm {
		if !signed {
			return nil, false, nil
		}
		return nil, false, oauth1Errorf(http.StatusRequestEntityTooLarge, "body", "a signed form body is limited to %d bytes", oauth1MaxForm)
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		if !signed {
			return nil, false, nil
		}
		return nil, false, oauth1Errorf(http.StatusBadRequest, "body", "the form body does not parse, so its signature cannot be checked: %v", err)
	}
	return v, true, nil
}

// oauth1ParseHeader parses the parameters of an OAuth Authorization
// header after the scheme (RFC 5849 §3.5.1):
//
//	params = param *( OWS "," OWS param )
//	param  = name "=" DQUOTE value DQUOTE   ; name and value percent-encoded
//
// The realm is dropped: the signature does not cover it.
func oauth1ParseHeader(s string) ([]oauth1Param, error) {
	var ps []oauth1Param
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return ps, nil
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return nil, errOAuth1Syntax
		}
		name := strings.TrimRight(s[:eq], " \t")
		end := strings.IndexByte(s[eq+2:], '"')
		if end < 0 {
			return nil, errOAuth1Syntax
		}
		raw := s[eq+2 : eq+2+end]
		s = strings.TrimLeft(s[eq+2+end+1:], " \t")
		if s != "" {
			if s[0] != ',' {
				return nil, errOAuth1Syntax
			}
			s = s[1:]
		}
		n, err1 := url.PathUnescape(name)
		v, err2 := url.PathUnescape(raw)
		if err1 != nil || err2 != nil || n == "" || strings.ContainsAny(n, " \t,\"") {
			return nil, errOAuth1Syntax
		}
		if n == "realm" {
			continue
		}
		ps = append(ps, oauth1Param{n, v})
	}
}

// oauth1Unreserved says whether c is left as it is by the
// percent-encoding of RFC 5849 §3.6.
func oauth1Unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// oauth1AppendEncoded appends s to dst percent-encoded as RFC 5849 §3.6
// says: every byte but the unreserved characters, in upper-case hex.
func oauth1AppendEncoded(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		if c := s[i]; oauth1Unreserved(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// oauth1Escape returns s percent-encoded (§3.6).
func oauth1Escape(s string) string {
	for i := 0; i < len(s); i++ {
		if !oauth1Unreserved(s[i]) {
			return string(oauth1AppendEncoded(make([]byte, 0, len(s)+16), s))
		}
	}
	return s
}

// oauth1BaseString is the signature base string (RFC 5849 §3.4.1):
// method, base string URI and normalized parameters, each encoded.
func oauth1BaseString(method, uri string, params []oauth1Param) string {
	enc := make([]oauth1Param, len(params))
	n := 0
	for i, p := range params {
		enc[i] = oauth1Param{oauth1Escape(p.name), oauth1Escape(p.value)}
		n += len(enc[i].name) + len(enc[i].value) + 2
	}
	slices.SortFunc(enc, func(a, b oauth1Param) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	norm := make([]byte, 0, n)
	for i, p := range enc {
		if i > 0 {
			norm = append(norm, '&')
		}
		norm = append(append(append(norm, p.name...), '='), p.value...)
	}
	b := make([]byte, 0, len(method)+3*len(uri)+3*len(norm)/2+2)
	b = oauth1AppendEncoded(b, strings.ToUpper(method))
	b = append(b, '&')
	b = oauth1AppendEncoded(b, uri)
	b = append(b, '&')
	b = oauth1AppendEncoded(b, string(norm))
	return string(b)
}

// oauth1Origin is the scheme and authority of u as the base string URI
// writes them (RFC 5849 §3.4.1.2): in lower case, the default port
// dropped. The path follows as the client sent it, without the query.
func oauth1Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80") && !(scheme == "https" && p == "443") {
		host += ":" + p
	}
	return scheme + "://" + host
}

// oauth1Signature is the HMAC of base keyed by the two secrets (§3.4.2);
// it returns nil for a method not offered.
func oauth1Signature(method, consumerSecret, tokenSecret, base string) []byte {
	var h func() hash.Hash
	switch method {
	case oauth1HMACSHA1:
		h = sha1.New
	case oauth1HMACSHA256:
		h = sha256.New
	default:
		return nil
	}
	mac := hmac.New(h, []byte(oauth1Escape(consumerSecret)+"&"+oauth1Escape(tokenSecret)))
	mac.Write([]byte(base))
	return mac.Sum(nil)
}

// oauth1SignatureOK says whether sig, as the client sent it (base64),
// is want; in constant time for a given length.
func oauth1SignatureOK(sig string, want []byte) bool {
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	return hmac.Equal(got, want)
}
