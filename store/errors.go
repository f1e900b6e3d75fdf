package store

import "errors"

// These errors are returned by DB methods. Test for them with errors.Is: some
// are wrapped with detail.
var (
	// ErrNotFound is returned when the resource does not exist.
	ErrNotFound = errors.New("store: resource not found")

	// ErrExists is returned by Create when the resource already exists.
	ErrExists = errors.New("store: resource already exists")

	// ErrPreconditionFailed is returned by Replace and Delete when ifMatch is
	// set and does not match the resource's current ETag.
	ErrPreconditionFailed = errors.New("store: precondition failed")

	// ErrInvalid is returned for input the store cannot hold: an empty
	// resource IRI, a nil or zero term in a triple, or a term of a type other
	// than rdf.IRI, rdf.Blank or rdf.Literal. It is wrapped with detail.
	ErrInvalid = errors.New("store: invalid input")

	// ErrIncomparable is returned by Range when a bound is neither a number
	// nor an xsd:dateTime, or when lo and hi are of different kinds.
	ErrIncomparable = errors.New("store: range bounds are not comparable")

	// ErrVersion is returned by Open when the file was written in a format
	// this version of the package does not know, or, opening read-only, in
	// an older one that a writable Open would upgrade.
	ErrVersion = errors.New("store: unsupported file format version")

	// ErrBuilding is returned by a read-only Open of a file whose bulk
	// load (see DB.BeginBulk) did not end: its posg, pair and text indexes
	// are not built, and a writable Open builds them.
	ErrBuilding = errors.New("store: indexes of a bulk load not built")

	// ErrCorrupt is returned when an index refers to a term or bucket that is
	// missing or undecodable. It is wrapped with detail.
	ErrCorrupt = errors.New("store: corrupt database")
)

// isOutcome reports whether err is a result for the caller rather than a
// failure of the transaction. Write functions return these only before they
// have written anything, so the batch they run in may still commit.
func isOutcome(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists) ||
		errors.Is(err, ErrPreconditionFailed) || errors.Is(err, ErrInvalid)
}
