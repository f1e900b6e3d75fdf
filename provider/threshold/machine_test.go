package threshold

import (
	"fmt"
	"testing"
)

// A step is one value and the transition it must make.
type step struct {
	v    float64
	want Transition
}

func (t Transition) String() string { return [...]string{"none", "raise", "clear"}[t] }

func run(t *testing.T, s Spec, steps []step) {
	t.Helper()
	st := Armed
	for i, x := range steps {
		var got Transition
		st, got = s.Step(st, x.v)
		if got != x.want {
			t.Errorf("value %d (%g): got %s; want %s", i+1, x.v, got, x.want)
		}
	}
}

// TestRMON is the worked sequence of RFC 2819's alarm group: with
// alarmRisingThreshold 15 and alarmFallingThreshold 5, 16 makes a rising
// event, 20 while risen none, 4 a falling event, 6 none, and 16 a rising
// event again. 3GPP's both-directions form with hysteresis gives those
// levels as value 10 ± 5.
func TestRMON(t *testing.T) {
	s := Spec{Dir: Both, Value: 10, Offset: 5}
	hi, lo := s.Levels()
	if hi != 15 || lo != 5 {
		t.Fatalf("levels: got %g/%g; want 15/5", hi, lo)
	}
	run(t, s, []step{{16, Raise}, {20, None}, {4, Clear}, {6, None}, {16, Raise}})
	t.Run("startup falling", func(t *testing.T) {
		// alarmStartupAlarm risingOrFallingAlarm: a first sample at or
		// below the falling threshold is a falling event; then only a rise
		// makes the next event.
		run(t, s, []step{{4, Clear}, {3, None}, {16, Raise}, {5, Clear}, {15, Raise}})
	})
	t.Run("between levels", func(t *testing.T) {
		run(t, s, []step{{10, None}, {14.9, None}, {5.1, None}, {15, Raise}, {5.1, None}, {14, None}, {5, Clear}})
	})
}

// TestOpenNMSHighLow follows OpenNMS's high and low threshold evaluators:
// a high threshold triggers when the value reaches it (equality
// triggers), does not trigger again while it stays high, and re-arms when
// the value reaches the re-arm level (here value − offset); a low
// threshold mirrors it.
func TestOpenNMSHighLow(t *testing.T) {
	high := Spec{Dir: Rising, Value: 99, Offset: 4} // re-arm at 95
	low := Spec{Dir: Falling, Value: 10, Offset: 5} // re-arm at 15
	cases := []struct {
		name  string
		s     Spec
		steps []step
	}{
		{"high: below does not trigger", high, []step{{98, None}, {0, None}}},
		{"high: equality triggers", high, []step{{99, Raise}}},
		{"high: above triggers", high, []step{{100, Raise}}},
		{"high: no second trigger until re-armed", high, []step{{100, Raise}, {101, None}, {99, None}, {96, None}, {100, None}}},
		{"high: re-arm on equality, then trigger again", high, []step{{100, Raise}, {95, Clear}, {96, None}, {99, Raise}}},
		{"high: re-arm below", high, []step{{100, Raise}, {50, Clear}, {50, None}}},
		{"low: above does not trigger", low, []step{{11, None}, {100, None}}},
		{"low: equality triggers", low, []step{{10, Raise}}},
		{"low: no second trigger until re-armed", low, []step{{9, Raise}, {1, None}, {14, None}, {2, None}}},
		{"low: re-arm on equality, then trigger again", low, []step{{9, Raise}, {15, Clear}, {11, None}, {10, Raise}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { run(t, c.s, c.steps) })
	}
}

// TestSeed004 reads seed 004 (OSS/J ThresholdDefinition) sentence by
// sentence.
func TestSeed004(t *testing.T) {
	cases := []struct {
		name  string
		s     Spec
		steps []step
	}{
		// "A threshold enters a threshold crossed state when it reaches the
		// threshold value."
		{"reaching the value crosses", Spec{Rising, 90, 10}, []step{{85, None}, {90, Raise}}},
		// "It will remain in this state until it enters a threshold cleared state."
		{"stays crossed", Spec{Rising, 90, 10}, []step{{95, Raise}, {85, None}, {81, None}, {99, None}}},
		// "If the direction of the threshold is rising, the value is
		// computed by subtracting the offset from the threshold value."
		{"rising clears at value - offset", Spec{Rising, 90, 10}, []step{{95, Raise}, {80.5, None}, {80, Clear}}},
		// "Once the threshold reaches this value, it will remain in a
		// threshold cleared state until it rises to the threshold value again."
		{"rising stays cleared until the value", Spec{Rising, 90, 10}, []step{{95, Raise}, {79, Clear}, {89, None}, {70, None}, {90, Raise}}},
		// "If the direction is falling, the offset is added to the threshold
		// value and it will remain in the threshold cleared state until it
		// descends to the threshold value again."
		{"falling clears at value + offset", Spec{Falling, 20, 5}, []step{{19, Raise}, {24, None}, {25, Clear}, {21, None}, {20, Raise}}},
		{"no offset", Spec{Rising, 50, 0}, []step{{50, Raise}, {50, Clear}, {50, Raise}, {49, Clear}}},
		{"the walk-through", Spec{Rising, 90, 10}, []step{{85, None}, {95, Raise}, {85, None}, {79, Clear}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { run(t, c.s, c.steps) })
	}
}

func FuzzStep(f *testing.F) {
	f.Add(uint8(0), 90.0, 10.0, 95.0, 79.0, 91.0)
	f.Fuzz(func(t *testing.T, dir uint8, value, offset, a, b, c float64) {
		if offset < 0 {
			offset = -offset
		}
		s := Spec{Dir: Direction(dir % 3), Value: value, Offset: offset}
		st := Armed
		var last Transition
		for _, v := range []float64{a, b, c, a, b, c} {
			var tr Transition
			st, tr = s.Step(st, v)
			// Raises and clears alternate: never two of a kind in a row.
			if tr != None && tr == last {
				t.Fatal(fmt.Sprintf("%v: two %s in a row", s, tr))
			}
			if tr != None {
				last = tr
			}
		}
	})
}
