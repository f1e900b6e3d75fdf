package store

import "errors"

// ErrUnavailable is returned, wrapped, by a store that could not reach
// the database it keeps its triples in (a remote SPARQL endpoint that is
// down or overloaded): the request may succeed if retried later, and
// nothing of it was acknowledged.
var ErrUnavailable = errors.New("store: database unavailable")
