package parser

import (
	"errors"
	"strconv"
)

// These errors classify what the Parse functions return; test for them
// with errors.Is. A parameter's error is an *Error wrapping one of them.
// The query engine returns the same values (query.ErrUnsupported is
// ErrUnsupported), so one test covers parsing and running.
var (
	// ErrSyntax is a malformed parameter value: HTTP 400.
	ErrSyntax = errors.New("malformed query parameter")

	// ErrUnknownPrefix is a prefixed name whose prefix is neither one of
	// the provider's nor defined by oslc.prefix: HTTP 400.
	ErrUnknownPrefix = errors.New("unknown namespace prefix")

	// ErrUnsupported is a well-formed request the engine does not answer,
	// such as ordering IRIs with "<": HTTP 501.
	ErrUnsupported = errors.New("unsupported query feature")

	// ErrTooComplex is a parameter past one of the limits of a query's
	// size (MaxDepth, MaxTerms...): HTTP 400.
	ErrTooComplex = errors.New("query too complex")
)

// Error is an error in one query parameter. Its message reads
//
//	oslc.where: at 14: expected comparison operator, found "}"
type Error struct {
	Param string // "oslc.where", "oslc.select", ...
	Pos   int    // 1-based byte column in the parameter's value; 0 if none
	Msg   string // what is wrong, or what was expected and what was found
	Err   error  // ErrSyntax, ErrUnknownPrefix, ErrUnsupported, ErrTooComplex, or the engine's query.ErrCursor
}

func (e *Error) Error() string {
	s := e.Param + ": "
	if e.Pos > 0 {
		s += "at " + strconv.Itoa(e.Pos) + ": "
	}
	return s + e.Msg
}

// Unwrap returns the error's class.
func (e *Error) Unwrap() error { return e.Err }
