package store

import "github.com/knakk/rdf"

// RecordOf is the Record that Records reports for resource id whose
// graph holds g, in the order of g: stores that read resources whole
// (store/sparql) report records with it.
func RecordOf(id rdf.IRI, g []rdf.Triple, q RecordQuery) Record { return recordOf(id, g, q) }
