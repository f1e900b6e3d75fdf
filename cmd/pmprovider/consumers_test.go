package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dghubble/oauth1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/auth"
)

var consumerAddedRe = regexp.MustCompile(`(?m)^key    ([0-9a-f]{32})\nsecret (\S+)\n$`)

func TestConsumerCommands(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	file := filepath.Join(data, consumersFileName)

	out, errOut, err := run1(t, "consumer", "add", "ELM", "--data", data)
	require.NoError(t, err, errOut)
	m := consumerAddedRe.FindStringSubmatch(out)
	require.NotNil(t, m, "add prints the key and the secret: %q", out)
	elmKey, elmSecret := m[1], m[2]
	assert.Contains(t, errOut, `consumer "ELM" (no two-legged requests) added to `+file)
	assert.Contains(t, errOut, "shown this once")
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	out, errOut, err = run1(t, "consumer", "add", "--data", data, "ETM", "--secret", "given", "--key", "etm-1", "--role", "governance")
	require.NoError(t, err, errOut)
	assert.Equal(t, "key    etm-1\n", out, "a secret given is not printed back")
	assert.Contains(t, errOut, "two-legged requests as governance")

	out, _, err = run1(t, "consumer", "list", "--data", data)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.Regexp(t, `^KEY +NAME +ROLE +ADDED$`, lines[0])
	assert.Regexp(t, `^`+elmKey+` +ELM +- +\d{4}-\d\d-\d\d \d\d:\d\dZ$`, lines[1])
	assert.Regexp(t, `^etm-1 +ETM +governance +`, lines[2])
	assert.NotContains(t, out, elmSecret, "list shows no secrets")

	cs, err := auth.ReadConsumers(file)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	assert.Equal(t, elmSecret, cs[0].Secret)
	assert.Equal(t, "given", cs[1].Secret)

	_, errOut, err = run1(t, "consumer", "revoke-tokens", "etm-1", "--data", data)
	require.NoError(t, err)
	assert.Contains(t, errOut, "consumer etm-1 has no valid access tokens now")
	after, err := auth.ReadConsumers(file)
	require.NoError(t, err)
	assert.NotEqual(t, cs[1].Epoch, after[1].Epoch)

	_, errOut, err = run1(t, "consumer", "remove", "--consumers", file, elmKey)
	require.NoError(t, err)
	assert.Contains(t, errOut, "consumer "+elmKey+" removed from "+file)
	out, _, err = run1(t, "consumer", "list", "--consumers", file)
	require.NoError(t, err)
	assert.NotContains(t, out, "ELM")
	assert.Contains(t, out, "ETM")
}

func TestConsumerSecretStdin(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "c.json")
	var out, errOut strings.Builder
	require.NoError(t, runConsumer([]string{"add", "ELM", "--secret-stdin", "--consumers", file}, strings.NewReader("from stdin\r\n"), &out, &errOut))
	assert.NotContains(t, out.String(), "secret")
	cs, err := auth.ReadConsumers(file)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, "from stdin", cs[0].Secret)
}

func TestConsumerCommandErrors(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	_, _, err := run1(t, "consumer", "add", "ELM", "--data", data, "--key", "elm")
	require.NoError(t, err)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"consumer"}, "want add, remove, revoke-tokens or list"},
		{[]string{"consumer", "rename"}, `unknown subcommand "rename"`},
		{[]string{"consumer", "add", "--data", data}, "want one consumer NAME"},
		{[]string{"consumer", "add", "A", "B", "--data", data}, "want one consumer NAME"},
		{[]string{"consumer", "add", "X", "--role", "root", "--data", data}, "--role: unknown role"},
		{[]string{"consumer", "add", "X", "--role", "agent", "--data", data}, "agents push with API tokens"},
		{[]string{"consumer", "add", "ELM", "--data", data}, "already registered"},
		{[]string{"consumer", "add", "X", "--key", "elm", "--data", data}, "already registered"},
		{[]string{"consumer", "add", "X", "--key", "a b", "--data", data}, "letters, digits"},
		{[]string{"consumer", "add", "X", "--secret", "s", "--secret-stdin", "--data", data}, "not both"},
		{[]string{"consumer", "remove", "nope", "--data", data}, "has no consumer of key nope"},
		{[]string{"consumer", "revoke-tokens", "--data", data}, "want one consumer KEY"},
		{[]string{"consumer", "list", "x", "--data", data}, `unexpected argument "x"`},
		{[]string{"consumer", "list", "--secret", "s"}, "flag provided but not defined: -secret"},
	} {
		_, _, err := run1(t, tc.args...)
		if assert.Error(t, err, tc.args) {
			assert.Contains(t, err.Error(), tc.want, tc.args)
		}
	}
}

// TestConsumerAddedCanSign: the key and secret `consumer add` prints
// are what a consumer signs with, against the provider on that file.
func TestConsumerAddedCanSign(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	out, _, err := run1(t, "consumer", "add", "ELM", "--data", data)
	require.NoError(t, err)
	m := consumerAddedRe.FindStringSubmatch(out)
	require.NotNil(t, m, out)

	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	o, err := auth.NewOAuth1(auth.OAuth1Config{
		BaseURL:       base,
		ConsumersFile: filepath.Join(data, consumersFileName),
		TokensFile:    filepath.Join(data, oauthTokensFileName),
	})
	require.NoError(t, err)
	srv.Config.Handler = http.HandlerFunc(o.RequestToken)
	srv.Start()
	defer srv.Close()

	cfg := &oauth1.Config{ConsumerKey: m[1], ConsumerSecret: m[2], CallbackURL: "oob",
		Endpoint: oauth1.Endpoint{RequestTokenURL: base + auth.OAuth1RequestTokenPath}}
	tok, secret, err := cfg.RequestToken()
	require.NoError(t, err)
	assert.NotEmpty(t, tok)
	assert.NotEmpty(t, secret)
}
