//go:build race

package store_test

// Under the race detector the simulations take fewer steps: the nine of
// them still cover every operation many times, in a third of the time.
func init() { simSteps = 80 }
