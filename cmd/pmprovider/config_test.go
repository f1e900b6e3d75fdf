package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pmprovider.conf")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	return p
}

func TestConfigPrecedence(t *testing.T) {
	file := writeConfig(t, `# a comment
addr = 127.0.0.1:7001
query-budget = 30
data = "/srv/pm data"   
log-format = json
cors-origins = https://a.example, https://b.example
host-job = false
`)
	env := map[string]string{"PMPROVIDER_QUERY_BUDGET": "20", "PMPROVIDER_ADDR": "127.0.0.1:7002", "PMPROVIDER_CONFIG": file}
	getenv := func(k string) string { return env[k] }

	c, err := parseFlagsEnv([]string{"--addr", "127.0.0.1:7003"}, io.Discard, getenv)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7003", c.addr, "a flag beats the environment and the file")
	assert.Equal(t, 20, c.queryBudget, "the environment beats the file")
	assert.Equal(t, "/srv/pm data", c.dataDir, "the file beats the default")
	assert.Equal(t, "json", c.logFormat)
	assert.False(t, c.hostJob)
	assert.Equal(t, []string{"https://a.example", "https://b.example"}, c.ui.CORSOrigins)
	assert.Equal(t, 1024, c.maxConns, "untouched: the default")

	delete(env, "PMPROVIDER_ADDR")
	c, err = parseFlagsEnv(nil, io.Discard, getenv)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7001", c.addr)
	assert.Equal(t, "http://127.0.0.1:7001", c.baseURL)

	env["PMPROVIDER_CORS_ORIGINS"] = "https://c.example"
	c, err = parseFlagsEnv([]string{"--config", file}, io.Discard, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"https://a.example", "https://b.example"}, c.ui.CORSOrigins, "no getenv: only the file")
	c, err = parseFlagsEnv(nil, io.Discard, getenv)
	require.NoError(t, err)
	assert.Equal(t, []string{"https://c.example"}, c.ui.CORSOrigins, "the environment's list replaces the file's")

	_, err = parseFlagsEnv(nil, io.Discard, func(k string) string {
		if k == "PMPROVIDER_MAX_CONNS" {
			return "many"
		}
		return ""
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PMPROVIDER_MAX_CONNS")
}

func TestConfigCheck(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string // lines of the report
	}{
		{"good", "addr = 127.0.0.1:9000\nterm-cache = 10\n", []string{"ok"}},
		{"unknown key", "addr = 127.0.0.1:9000\n\nquery-budgt = 3\n", []string{`:3: unknown key "query-budgt" (did you mean "query-budget"?)`}},
		{"bad value", "# x\nmax-conns = lots\nhost-job = maybe\n", []string{`:2: max-conns: bad value "lots"`, `:3: host-job: bad value "maybe"`}},
		{"not a setting", "addr 127.0.0.1:9000\n", []string{":1: want name = value"}},
		{"twice", "addr = a:1\naddr = b:2\n", []string{":2: addr is set again (first on line 1)"}},
		{"disagree", "tls-cert = c.pem\n", []string{"go together"}},
		{"nested", "config = other.conf\n", []string{":1: config: a configuration file cannot name another"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeConfig(t, c.text)
			var out bytes.Buffer
			err := dispatch(t.Context(), []string{"config", "check", p}, &out, io.Discard)
			if c.want[0] == "ok" {
				require.NoError(t, err)
				assert.Equal(t, p+": ok\n", out.String())
				return
			}
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, out.String(), w)
			}
			assert.Contains(t, out.String(), p)
		})
	}
}

func TestLogFormat(t *testing.T) {
	_, err := parseFlagsEnv([]string{"--log-format", "xml"}, io.Discard, nil)
	require.Error(t, err)
	var b bytes.Buffer
	newLogger("json", &b).Info("hello")
	assert.Contains(t, b.String(), `"msg":"hello"`)
}
