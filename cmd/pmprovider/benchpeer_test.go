package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchPeerAgrees runs bench-peer on a small data set against a
// throwaway Virtuoso and checks that both sides found the same numbers of
// members and the same totals for every query shape: the SPARQL asks what
// the provider's queries ask. Latencies are not checked.
func TestBenchPeerAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts Virtuoso")
	}
	if _, err := exec.LookPath("virtuoso-t"); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("PM_E2E_REQUIRED") == "1" {
			t.Fatal("virtuoso-t is missing: run .ci/install-deps.sh")
		}
		t.Skip("virtuoso-t is missing (Debian virtuoso-opensource)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pmprovider")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)
	script, err := filepath.Abs("../../.ci/virtuoso.sh")
	require.NoError(t, err)
	cmd := exec.Command(bin, "bench-peer", "--records", "600", "--resources", "20", "--queries", "3", "--warmup", "1",
		"--dir", filepath.Join(dir, "peer"), "--virtuoso-script", script)
	out, err = cmd.CombinedOutput()
	t.Log("\n" + string(out))
	require.NoError(t, err)
	for _, want := range []string{"store bytes per triple", "load, triples/s", "peak RSS loading", "isPartOf=R, latest 10, p50", "agreement: the same numbers of members and totals on all 7 query shapes"} {
		assert.Contains(t, string(out), want)
	}
}
