package notify

import (
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/vocab"
)

// TestTermsDocumented checks that the terms subscriptions and their
// delivery status are written in, and every event type, are defined in
// the pmjob vocabulary document served at /ns/pmjob.
func TestTermsDocumented(t *testing.T) {
	g, err := vocab.Lookup("pmjob").Graph()
	require.NoError(t, err)
	labelled, typed := map[rdf.IRI]bool{}, map[rdf.IRI]rdf.Object{}
	for _, tr := range g {
		s, ok := tr.Subj.(rdf.IRI)
		if !ok {
			continue
		}
		switch tr.Pred {
		case vocab.IRI(vocab.RDFS, "label"):
			labelled[s] = true
		case vocab.RDFType:
			if tr.Obj == vocab.PMJTerm("EventType") || typed[s] == nil {
				typed[s] = tr.Obj
			}
		}
	}
	terms := []rdf.IRI{pmjSubscription, pmjCallback, pmjEventType, pmjWhere, pmjFormat, pmjQuery, pmjSecret,
		pmjDeliveredUpTo, pmjDelivered, pmjAttempts, pmjLastError, pmjLastErrorAt, pmjLastDelivered,
		pmjDeadLetter, pmjDeadLettered, pmjDeliveryStatus}
	for _, st := range []Status{{}, {Attempts: 1}, {LastError: "x", LastErrorAt: time.Unix(1, 0), DeadLettered: 1}} {
		terms = append(terms, st.state())
	}
	for _, term := range terms {
		assert.True(t, labelled[term], "%s has no rdfs:label in /ns/pmjob", term)
	}
	for _, ty := range Types {
		assert.True(t, labelled[ty.IRI()], "event type %s has no rdfs:label in /ns/pmjob", ty)
		assert.Equal(t, vocab.PMJTerm("EventType"), typed[ty.IRI()], "event type %s is not a pmj:EventType", ty)
	}
}
