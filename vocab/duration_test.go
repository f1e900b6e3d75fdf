package vocab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDurations(t *testing.T) {
	for _, s := range []string{"PT10S", "PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "P1D", "PT1H30M"} {
		d, err := ParseDuration(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, FormatDuration(d))
	}
	for _, s := range []string{"", "P", "PT", "10S", "PT-1S", "P1Y"} {
		_, err := ParseDuration(s)
		assert.Error(t, err, s)
	}
}
