package auth

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConsumersFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oauth-consumers.json")
	cs, err := ReadConsumers(path)
	require.NoError(t, err, "a missing file is no consumers")
	assert.Empty(t, cs)

	elm, err := AddConsumer(path, Consumer{Name: "ELM"})
	require.NoError(t, err)
	assert.Len(t, elm.Key, 32)
	assert.Len(t, elm.Secret, 32)
	assert.NotEmpty(t, elm.Epoch)
	assert.False(t, elm.Added.IsZero())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	etm, err := AddConsumer(path, Consumer{Key: "etm.example", Name: "ETM", Secret: "s3cret", Role: Governance})
	require.NoError(t, err)
	assert.Equal(t, "etm.example", etm.Key)
	assert.Equal(t, "s3cret", etm.Secret)

	cs, err = ReadConsumers(path)
	require.NoError(t, err)
	assert.Equal(t, []Consumer{elm, etm}, cs)

	_, err = AddConsumer(path, Consumer{Key: "etm.example", Name: "other"})
	assert.ErrorIs(t, err, ErrExists)
	_, err = AddConsumer(path, Consumer{Name: "ETM"})
	assert.ErrorIs(t, err, ErrExists)

	require.NoError(t, RevokeConsumerTokens(path, etm.Key))
	cs, err = ReadConsumers(path)
	require.NoError(t, err)
	assert.NotEqual(t, etm.Epoch, cs[1].Epoch)
	assert.Equal(t, etm.Secret, cs[1].Secret, "revoking tokens keeps the consumer's secret")

	require.NoError(t, RemoveConsumer(path, elm.Key))
	cs, err = ReadConsumers(path)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, "ETM", cs[0].Name)
	assert.ErrorIs(t, RemoveConsumer(path, elm.Key), ErrNotFound)
	assert.ErrorIs(t, RevokeConsumerTokens(path, "nope"), ErrNotFound)
}

func TestConsumersRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	for _, tc := range []struct {
		name string
		c    Consumer
		want string
	}{
		{"no name", Consumer{}, "name"},
		{"spaced name", Consumer{Name: " ELM"}, "name"},
		{"control in name", Consumer{Name: "EL\nM"}, "name"},
		{"key with a space", Consumer{Key: "a b", Name: "x"}, "letters, digits"},
		{"key with a quote", Consumer{Key: `a"b`, Name: "x"}, "letters, digits"},
		{"unknown role", Consumer{Name: "x", Role: "root"}, "unknown role"},
		{"agent", Consumer{Name: "x", Role: Agent}, "API tokens"},
		{"control in secret", Consumer{Name: "x", Secret: "a\x00b"}, "secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := AddConsumer(path, tc.c)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	_, err := os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing was written")

	for _, tc := range []struct{ name, content, want string }{
		{"syntax", "{\n\"consumers\": [\n}", "c.json:3"},
		{"no secret", `{"consumers": [{"key": "k", "name": "n", "epoch": "1"}]}`, "secret"},
		{"twice", `{"consumers": [{"key": "k", "name": "n", "secret": "s", "epoch": "1"}, {"key": "k", "name": "m", "secret": "s", "epoch": "1"}]}`, "registered twice"},
	} {
		t.Run("file: "+tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			_, err := ReadConsumers(path)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestConsumersReload: a running server sees consumers added after it
// started, within a second and without a restart; a file that breaks
// leaves the consumers loaded before in force.
func TestConsumersReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.json")
	now := time.Unix(1_800_000_000, 0)
	s, err := newConsumerSet(path, quietOAuth1Log, func() time.Time { return now })
	require.NoError(t, err)
	assert.Nil(t, s.lookup("k1"))

	c, err := AddConsumer(path, Consumer{Key: "k1", Name: "one"})
	require.NoError(t, err)
	assert.Nil(t, s.lookup("k1"), "not looked at again within the second")
	now = now.Add(reloadInterval)
	assert.Equal(t, &c, s.lookup("k1"))

	require.NoError(t, os.WriteFile(path, []byte("{broken"), 0o600))
	now = now.Add(reloadInterval)
	assert.Equal(t, &c, s.lookup("k1"), "a broken file changes nothing")

	require.NoError(t, os.Remove(path))
	now = now.Add(reloadInterval)
	assert.Nil(t, s.lookup("k1"), "no file, no consumers")
}
