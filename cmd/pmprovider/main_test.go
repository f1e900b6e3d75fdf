package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/store"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    config
		wantErr string
	}{
		{nil, config{addr: "127.0.0.1:8080", baseURL: "http://127.0.0.1:8080", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--addr", "127.0.0.1:9090"}, config{addr: "127.0.0.1:9090", baseURL: "http://127.0.0.1:9090", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--addr", ":9090"}, config{addr: ":9090", baseURL: "http://127.0.0.1:9090", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--base-url", "https://pm.example.org/oslc-pm", "--data", "/tmp/x"}, config{addr: "127.0.0.1:8080", baseURL: "https://pm.example.org/oslc-pm", dataDir: "/tmp/x", hostJob: true, terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--host-job=false"}, config{addr: "127.0.0.1:8080", baseURL: "http://127.0.0.1:8080", dataDir: "data", terms: store.DefaultTermCacheSize}, ""},
		{[]string{"--term-cache", "-1"}, config{}, "--term-cache"},
		{[]string{"--frame-ancestors", "'self', https://alm.example.com", "--cors-origins", "https://alm.example.com"}, config{addr: "127.0.0.1:8080", baseURL: "http://127.0.0.1:8080", dataDir: "data", hostJob: true, terms: store.DefaultTermCacheSize,
			ui: provider.UIConfig{FrameAncestors: []string{"'self'", "https://alm.example.com"}, CORSOrigins: []string{"https://alm.example.com"}}}, ""},
		{[]string{"--bogus"}, config{}, "flag provided but not defined"},
		{[]string{"--addr", "nope"}, config{}, "want host:port"},
		{[]string{"--addr", "127.0.0.1:99999"}, config{}, "bad port"},
		{[]string{"--base-url", "ftp://x"}, config{}, "--base-url"},
		{[]string{"--base-url", "http://x/?q=1"}, config{}, "--base-url"},
		{[]string{"--data", ""}, config{}, "--data"},
		{[]string{"extra"}, config{}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(fmtArgs(tt.args), func(t *testing.T) {
			got, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func fmtArgs(a []string) string {
	if len(a) == 0 {
		return "defaults"
	}
	s := ""
	for _, x := range a {
		s += x + " "
	}
	return s
}
