package codec

import (
	"errors"
	"fmt"
)

// Errors returned by Encode and Decode. Test for them with errors.Is; a
// Decode error that errors.Is(err, ErrSyntax) is also a *SyntaxError, which
// carries the position.
var (
	// ErrSyntax means the document is not well-formed in its format, or
	// not valid RDF (for example a relative IRI with no base to resolve it
	// against). Decode returns it as a *SyntaxError.
	ErrSyntax = errors.New("syntax error")

	// ErrTooLarge means the document exceeds MaxDocumentSize, MaxTriples or
	// MaxDepth. Decode stops reading as soon as a limit is passed.
	ErrTooLarge = errors.New("document too large")

	// ErrUnsupportedFormat means the Format value is not one of the
	// constants.
	ErrUnsupportedFormat = errors.New("unsupported format")

	// ErrInvalidTerm means Encode was given a term that is not valid RDF:
	// a nil term, an empty or relative IRI, a blank node without a label,
	// invalid UTF-8, or a malformed language tag.
	ErrInvalidTerm = errors.New("invalid RDF term")

	// ErrNotEncodable means the graph is valid RDF but the format cannot
	// express it, such as, in RDF/XML, a predicate IRI that cannot be split
	// into an XML QName, or a literal holding characters XML 1.0 forbids.
	ErrNotEncodable = errors.New("graph cannot be written in this format")
)

// A SyntaxError describes malformed input to Decode. Its message is meant
// for the client that sent the document.
type SyntaxError struct {
	Format Format
	Line   int // 1-based line of the error, 0 if unknown
	Column int // 1-based column (in characters for Turtle and N-Triples, bytes otherwise), 0 if unknown
	Msg    string
}

func (e *SyntaxError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s syntax error at line %d, column %d: %s", e.Format, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s syntax error at line %d: %s", e.Format, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s syntax error: %s", e.Format, e.Msg)
}

// Unwrap makes errors.Is(err, ErrSyntax) hold for every *SyntaxError.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// tooLarge returns an ErrTooLarge error with context.
func tooLarge(f Format, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", f, ErrTooLarge, fmt.Sprintf(format, args...))
}
