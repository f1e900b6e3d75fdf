package auth

import (
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOAuth1BaseString checks the signature base string against the
// example of RFC 5849 §3.4.1.1, which draws parameters from the header,
// the query and a form body, with repeated names and odd encodings.
func TestOAuth1BaseString(t *testing.T) {
	r := httptest.NewRequest("POST", "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", strings.NewReader("c2&a3=2+q"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", oauth1Unfold(`OAuth realm="Example",
                oauth_consumer_key="9djdj82h48djs9d2",
                oauth_token="kkk9d7dh3k39sjv7",
                oauth_signature_method="HMAC-SHA1",
                oauth_timestamp="137131201",
                oauth_nonce="7d8f3e4a",
                oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`))
	req, err := oauth1Collect(r)
	require.NoError(t, err)
	got := oauth1BaseString(r.Method, "http://example.com"+r.URL.EscapedPath(), req.params)
	want := "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q" +
		"%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_" +
		"key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m" +
		"ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk" +
		"9d7dh3k39sjv7"
	assert.Equal(t, want, got)
	assert.Equal(t, "bYT5CMsGcbgUdFHObYMEfcx6bsw=", req.signature)

	body := make([]byte, 64)
	n, _ := r.Body.Read(body)
	assert.Equal(t, "c2&a3=2+q", string(body[:n]), "the form body is left for the handler")
}

// TestOAuth1RFCExample verifies the signed request of RFC 5849 §1.2 (the
// photo of the printer example) through Authenticate, with the secrets
// the RFC gives.
func TestOAuth1RFCExample(t *testing.T) {
	dir := t.TempDir()
	consumers, tokens := filepath.Join(dir, "c.json"), filepath.Join(dir, "t.json")
	require.NoError(t, os.WriteFile(consumers, []byte(`{"consumers": [{"key": "dpf43f3p2l4k3l03", "name": "printer", "secret": "kd94hf93k423kf44", "epoch": "1"}]}`), 0o600))
	require.NoError(t, os.WriteFile(tokens, []byte(`{"tokens": [{"token": "nnch734d00sl2jdk", "secret": "pfkkdhi9sl3r4s00", "consumer": "dpf43f3p2l4k3l03", "epoch": "1", "user": "jane", "role": "governance", "issued": "1974-05-06T00:00:00Z"}]}`), 0o600))
	o, err := NewOAuth1(OAuth1Config{BaseURL: "http://photos.example.net", ConsumersFile: consumers, TokensFile: tokens, Logger: quietOAuth1Log})
	require.NoError(t, err)
	o.now = func() time.Time { return time.Unix(137131202, 0) }

	r := httptest.NewRequest("GET", "http://10.0.0.7:8080/photos?file=vacation.jpg&size=original", nil)
	r.Header.Set("Authorization", oauth1Unfold(`OAuth realm="Photos",
        oauth_consumer_key="dpf43f3p2l4k3l03",
        oauth_token="nnch734d00sl2jdk",
        oauth_signature_method="HMAC-SHA1",
        oauth_timestamp="137131202",
        oauth_nonce="chapoH",
        oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"`))
	p, err := o.Authenticate(r)
	require.NoError(t, err, "the Host the request reached does not matter: the base URL does")
	assert.Equal(t, &Principal{Name: "jane", Role: Governance, Scheme: "oauth1"}, p)

	_, err = o.Authenticate(r)
	assert.ErrorIs(t, err, ErrInvalid, "the same request again is a replay")
	assert.ErrorContains(t, err, "used before")
}

func TestOAuth1ParseHeader(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []oauth1Param
		err      bool
	}{
		{"empty", ``, nil, false},
		{"one", `oauth_nonce="a%20b"`, []oauth1Param{{"oauth_nonce", "a b"}}, false},
		{"realm dropped", `realm="x", oauth_token="t"`, []oauth1Param{{"oauth_token", "t"}}, false},
		{"tabs", "a=\"1\",\tb=\"2\"", []oauth1Param{{"a", "1"}, {"b", "2"}}, false},
		{"spaces around the comma", `a="1" , b="2"`, []oauth1Param{{"a", "1"}, {"b", "2"}}, false},
		{"trailing comma", `a="1",`, []oauth1Param{{"a", "1"}}, false},
		{"plus stays plus", `a="1+2"`, []oauth1Param{{"a", "1+2"}}, false},
		{"empty value", `a=""`, []oauth1Param{{"a", ""}}, false},
		{"unquoted", `a=1`, nil, true},
		{"unterminated", `a="1`, nil, true},
		{"no comma", `a="1" b="2"`, nil, true},
		{"no name", `="1"`, nil, true},
		{"bad escape", `a="%zz"`, nil, true},
		{"name only", `a`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := oauth1ParseHeader(tc.in)
			if tc.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// FuzzOAuth1ParseHeader feeds the header parser anything: no panic, and
// what it parses encodes back to a header that parses the same.
func FuzzOAuth1ParseHeader(f *testing.F) {
	for _, s := range []string{``, `oauth_nonce="a%20b"`, `realm="x", oauth_token="t"`, `a="1",`, `a="%zz"`, `a="1" b="2"`, `="1"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := oauth1ParseHeader(s)
		if err != nil {
			return
		}
		var b strings.Builder
		for i, p := range ps {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(oauth1Escape(p.name) + `="` + oauth1Escape(p.value) + `"`)
		}
		again, err := oauth1ParseHeader(b.String())
		require.NoError(t, err, b.String())
		assert.Equal(t, ps, again)
	})
}

// FuzzOAuth1Authenticate feeds Authenticate hostile requests: no panic,
// and nothing but ErrNoCredentials or a refusal.
func FuzzOAuth1Authenticate(f *testing.F) {
	f.Add(`OAuth oauth_consumer_key="k", oauth_signature="x", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_nonce="n"`, "a=1", "oauth_consumer_key=k")
	f.Add(`OAuth oauth_consumer_key="k"`, "oauth_token=&oauth_token=", "")
	f.Add(`Basic YTpi`, "", "oauth_consumer_key=%zz")
	o := newOAuth1Fixture(f, oauth1FixtureOptions{}).o.Load()
	f.Fuzz(func(t *testing.T, authz, query, body string) {
		r := httptest.NewRequest("POST", "http://pm.example/x", strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Authorization", authz)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p, err := o.Authenticate(r)
		if err == nil {
			t.Fatalf("authenticated %+v", p)
		}
	})
}

// quietOAuth1Log discards the log of the servers under test.
var quietOAuth1Log = slog.New(slog.DiscardHandler)

// oauth1Unfold joins the lines of a header as the RFC prints it.
func oauth1Unfold(s string) string { return strings.Join(strings.Fields(s), " ") }
