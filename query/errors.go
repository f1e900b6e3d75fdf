package query

import (
	"errors"

	"github.com/oslc-pm/pmprovider/query/parser"
)

// These errors classify what Run returns besides the errors of its
// source; test for them with errors.Is. An error in a query parameter is
// an *Error wrapping one of them. ErrSyntax, ErrUnknownPrefix,
// ErrUnsupported and ErrTooComplex are the parser's own values, so that one errors.Is
// covers a parameter's parsing and its running.
var (
	// ErrSyntax is a malformed parameter value: HTTP 400.
	ErrSyntax = parser.ErrSyntax

	// ErrUnknownPrefix is a prefixed name whose prefix is neither one of
	// the provider's nor defined by oslc.prefix: HTTP 400.
	ErrUnknownPrefix = parser.ErrUnknownPrefix

	// ErrUnsupported is a well-formed request the engine does not answer,
	// such as ordering IRIs with "<": HTTP 501.
	ErrUnsupported = parser.ErrUnsupported

	// ErrTooComplex is a query past one of the limits of its size
	// (parser.MaxDepth...): HTTP 400.
	ErrTooComplex = parser.ErrTooComplex

	// ErrCursor is a paging cursor that is malformed or was made for
	// another query: HTTP 400.
	ErrCursor = errors.New("invalid page cursor")
)

// Error is an error in one query parameter, as the parser reports it:
//
//	oslc.where: at 14: expected comparison operator, found "}"
type Error = parser.Error
