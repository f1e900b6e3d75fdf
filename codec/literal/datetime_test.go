package literal_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

func TestDateTimeValue(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-11-01T10:00:00+02:00", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)},
		{"2026-11-01T09:30:00.123456789Z", time.Date(2026, 11, 1, 9, 30, 0, 123456000, time.UTC)},
		{"2024-02-29T00:00:00-05:30", time.Date(2024, 2, 29, 5, 30, 0, 0, time.UTC)},
		{"1960-01-01T00:00:00.5Z", time.Date(1960, 1, 1, 0, 0, 0, 5e8, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := literal.DateTimeValue(tt.in, false)
			require.True(t, ok)
			assert.Equal(t, tt.want.UnixMicro(), got)
		})
	}
	got, ok := literal.DateTimeValue("9999999-01-01T00:00:00Z", false)
	require.True(t, ok)
	assert.Equal(t, int64(math.MaxInt64), got)
}

// TestDateTimeValueNeedTZ: without a timezone a dateTime is UTC, and no
// dateTimeStamp.
func TestDateTimeValueNeedTZ(t *testing.T) {
	const s = "2026-11-01T08:00:00"
	want := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC).UnixMicro()
	got, ok := literal.DateTimeValue(s, false)
	require.True(t, ok)
	assert.Equal(t, want, got)
	_, ok = literal.DateTimeValue(s, true)
	assert.False(t, ok)
	got, ok = literal.DateTimeValue(s+"Z", true)
	require.True(t, ok)
	assert.Equal(t, want, got)
}

// FuzzDateTime checks DateTimeValue against time.Parse where both accept
// the input, and that it never panics.
func FuzzDateTime(f *testing.F) {
	for _, s := range []string{
		"2026-11-01T10:00:00+02:00", "2026-11-01T09:30:00.123456789Z", "2026-10-31T24:00:00Z",
		"-0001-01-01T00:00:00Z", "123456789-01-01T00:00:00Z", "2026-02-29T10:00:00Z", "2026-11-01T10:00:00",
		"2026-11-01T02:00:00+02:00", "2026-11-01T01:15:00-01:00", "2026-11-01T05:00:00.5Z", "2026-11-01T24:00:01Z",
		"2026-13-01T00:00:00Z", "2026-11-01", "-0044-03-15T12:00:00Z", "12345-01-01T00:00:00Z", "99999999-01-01T00:00:00Z",
		"2026-11-01T00:00:00+14:00", "2026-11-01T00:00:00+14:01", "02026-11-01T00:00:00Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		us, ok := literal.DateTimeValue(s, false)
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || !ok || strings.Contains(s, "T24:") {
			return
		}
		// Both round fractions down, to the microsecond.
		if want := tm.UnixMicro(); us != want {
			t.Fatalf("DateTimeValue(%q) = %d; time.Parse gives %d", s, us, want)
		}
	})
}
