package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckCommand: check reads an imported store, bulk-built and then
// written to again, and finds nothing wrong, the text and pair indexes
// included; it says what it checked, and refuses a directory without a
// store.
func TestCheckCommand(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	out, _, err := run1(t, "generate", "--records", "300", "--resources", "7")
	require.NoError(t, err)
	data := filepath.Join(tmp, "store")
	_, stderr, err := run1(t, "import", "--data", data, writeFile(t, tmp, "a.nt", out))
	require.NoError(t, err, stderr)
	more, _, err := run1(t, "generate", "--records", "100", "--resources", "7", "--seed", "2")
	require.NoError(t, err)
	_, stderr, err = run1(t, "import", "--data", data, writeFile(t, tmp, "b.nt", more))
	require.NoError(t, err, stderr)

	stdout, _, err := run1(t, "check", "--data", data)
	require.NoError(t, err)
	assert.Contains(t, stdout, "checked 414 resources")
	// The provider's text predicates and pairs, checked against what an
	// import builds, though the second import wrote them one by one.
	assert.Regexp(t, ` [1-9][0-9]* text, [1-9][0-9]* pair and [1-9][0-9]* pairvia keys`, stdout)
	assert.NotContains(t, stdout, "not checked")
	assert.Contains(t, stdout, "no problems")

	_, _, err = run1(t, "check", "--data", filepath.Join(tmp, "none"))
	require.ErrorContains(t, err, "no store in")
	_, _, err = run1(t, "check", "--data", data, "--max", "0")
	require.ErrorContains(t, err, "--max 0")
}
