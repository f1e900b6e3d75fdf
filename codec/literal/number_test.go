package literal_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

var numberTests = []struct {
	dt, lex string
	want    float64
	ok      bool
}{
	{"integer", "42", 42, true},
	{"integer", "-0", 0, true},
	{"integer", "+7", 7, true},
	{"integer", "4.0", 0, false},
	{"integer", "", 0, false},
	{"integer", "99999999999999999999999", 1e23, true},
	{"decimal", "1.5", 1.5, true},
	{"decimal", ".5", 0.5, true},
	{"decimal", "5.", 5, true},
	{"decimal", ".", 0, false},
	{"decimal", "1e3", 0, false},
	{"double", "1e3", 1000, true},
	{"double", "-1.5E-3", -0.0015, true},
	{"double", "INF", math.Inf(1), true},
	{"double", "+INF", math.Inf(1), true},
	{"double", "-INF", math.Inf(-1), true},
	{"double", "NaN", 0, false},
	{"double", "1e400", math.Inf(1), true},
	{"double", "1e-400", 0, true},
	{"double", " 7 ", 0, false},
	{"double", "abc", 0, false},
	{"double", "0x10", 0, false},
	{"double", "1_000", 0, false},
	{"float", "0.1", float64(float32(0.1)), true},
	{"float", "3.4028236e38", math.Inf(1), true},
	{"int", "12", 12, true},
	{"long", "-1", -1, true},
	{"unsignedByte", "255", 255, true},
	{"string", "1", 0, false},
	{"boolean", "1", 0, false},
	{"dateTime", "2026-11-01T00:00:00Z", 0, false},
}

func TestNumberValue(t *testing.T) {
	for _, tt := range numberTests {
		t.Run(tt.dt+" "+tt.lex, func(t *testing.T) {
			got, ok := literal.NumberValue(tt.dt, tt.lex)
			assert.Equal(t, tt.ok, ok, "ok")
			if tt.ok {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

// FuzzNumberValue checks NumberValue against strconv where it accepts the
// input, and that it never panics.
func FuzzNumberValue(f *testing.F) {
	for _, tt := range numberTests {
		f.Add(tt.lex)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, dt := range []string{"integer", "decimal", "double", "float"} {
			got, ok := literal.NumberValue(dt, s)
			if !ok {
				continue
			}
			bits := 64
			if dt == "float" {
				bits = 32
			}
			want, err := strconv.ParseFloat(strings.ReplaceAll(s, "INF", "Inf"), bits)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				t.Fatalf("%s %q accepted, strconv: %v", dt, s, err)
			}
			if got != want || math.IsNaN(got) {
				t.Fatalf("NumberValue(%s, %q) = %v; strconv gives %v", dt, s, got, want)
			}
		}
	})
}
