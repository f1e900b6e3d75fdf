package collect

import (
	"fmt"
	"runtime/debug"
)

// A PanicError is a panic recovered from a collector, with the stack of
// the goroutine that panicked. It is a bug of the collector, not a failure
// to measure: the engine logs the stack, records the period's collection
// as failed and carries on with the other jobs and the next periods.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("collector panicked: %v", e.Value) }

// Recover turns a panic of the goroutine that defers it into a
// *PanicError in *err. A collector that starts goroutines defers it in
// each, since a panic there would end the process, and returns the error
// from Collect.
func Recover(err *error) {
	if v := recover(); v != nil {
		*err = &PanicError{Value: v, Stack: debug.Stack()}
	}
}
