package oslc

import (
	"context"
	"net/http"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// subscriptionKind returns the kind of the event hub's subscriptions. The
// hub (provider/notify) serves their creation factory, query base and
// members itself, since a subscription's secret, its delivery status and
// TMF628's JSON are its own; the kind puts them in discovery and in the
// pages, and the route table gives it no generic routes (Hosted).
// Subscribing is job management in the role matrix.
func (s *Server) subscriptionKind() *Kind {
	return &Kind{Name: "subscriptions", Title: "Event Subscriptions", Shape: shapes.Lookup(shapes.SubscriptionName),
		Types: []rdf.IRI{vocab.PMJTerm("Subscription")}, Implied: vocab.PMJTerm("Subscription"), Jobs: true, hosted: true,
		create: func(context.Context, *newMember) ([]rdf.Triple, string, error) {
			return nil, "", Errorf(http.StatusMethodNotAllowed, "URL", "subscriptions are made by POST to /oslc/subscriptions")
		},
	}
}

// Hosted says that another handler serves the kind's creation factory,
// query base and members: the route table gives it none of the generic
// routes.
func (k *Kind) Hosted() bool { return k.hosted }
