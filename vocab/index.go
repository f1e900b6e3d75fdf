package vocab

import "github.com/knakk/rdf"

// What the provider asks its store to index beyond triples. The store
// knows no vocabulary: cmd/pmprovider passes these to it (as
// store.Options.TextPredicates and store.Options.Pairs).
var (
	// TextIndexed are the properties whose text the full-text index holds:
	// those oslc.searchTerms searches.
	TextIndexed = []rdf.IRI{DCTitle, DCDescription, DCIdentifier}

	// MeasurePair is the compound index of a measure's metric (Key) and
	// value (Value), also kept by the records observing the measures
	// (Via): ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>90}
	// is then one range scan listing the records. Its fields are those of
	// store.Pair, so store.Pair(MeasurePair) converts it.
	MeasurePair = struct{ Key, Value, Via rdf.IRI }{Key: EMSMetric, Value: EMSNumericValue, Via: EMSObserves}

	// DatePair is the compound index of what a record is part of (Key)
	// and its date (Value): dcterms:isPartOf=R and dcterms:date>=T1 and
	// dcterms:date<T2, an hour of one monitored resource's records, is then
	// one range scan, however many records R has.
	DatePair = struct{ Key, Value, Via rdf.IRI }{Key: DCIsPartOf, Value: DCDate}
)
