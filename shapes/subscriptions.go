package shapes

import (
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// SubscriptionName is the name of the event subscription shape.
const SubscriptionName = "subscription"

// EventTypes are the pmj event type individuals a subscription may ask
// for, in the order the hub lists them.
var EventTypes = []rdf.IRI{vocab.PMJTerm("JobCreated"), vocab.PMJTerm("JobStateChanged"), vocab.PMJTerm("JobDeleted"),
	vocab.PMJTerm("ReportReady"), vocab.PMJTerm("PreparationError"), vocab.PMJTerm("ThresholdCrossed"),
	vocab.PMJTerm("ThresholdCleared"), vocab.PMJTerm("ResourceCreated"), vocab.PMJTerm("ResourceChanged"),
	vocab.PMJTerm("ResourceDeleted")}

// subscriptionShape describes a subscription as clients write it and read
// it back: what they give, and the delivery status the hub adds to a GET.
func subscriptionShape() *Shape {
	s := &Shape{Name: SubscriptionName, Title: "Event Subscription", Describes: []rdf.IRI{vocab.PMJTerm("Subscription")}}
	dt, n := vocab.XSDDateTime, vocab.XSDInteger
	types := pmjProp("eventType", ZeroOrMany, Resource, "A type of event to deliver; none: every type.")
	types.Allowed = EventTypes
	status := managed(pmjProp("deliveryStatus", ZeroOrOne, Resource, "pmj:Delivering, pmj:Retrying (an event failed and waits for its next attempt) or pmj:DeadLettered (the last event tried was given up on)."))
	status.Allowed = []rdf.IRI{vocab.PMJTerm("Delivering"), vocab.PMJTerm("Retrying"), vocab.PMJTerm("DeadLettered")}
	secret := managed(pmjProp("secret", ZeroOrOne, vocab.XSDString, "The key of the HMAC-SHA256 signature of each delivery; in the answer to the creation only."))
	s.Properties = append(common(),
		managed(Property{Name: "creator", Definition: vocab.DCCreator, Occurs: ZeroOrOne, ValueType: vocab.XSDString, Description: "The principal who made it."}),
		pmjProp("callback", ExactlyOne, Resource, "The absolute http(s) URL events are POSTed to; it must pass the provider's allow-list."),
		types,
		pmjProp("where", ZeroOrOne, vocab.XSDString, "An oslc.where the event's resource must satisfy, e.g. pmj:perceivedSeverity=pmj:Critical."),
		pmjProp("format", ZeroOrOne, vocab.XSDString, "The body of deliveries, a face's (tmf628); none: the JSON Message."),
		managed(pmjProp("query", ZeroOrOne, vocab.XSDString, "A face's own selection of events (TMF628's query).")),
		secret,
		status,
		managed(pmjProp("deliveredUpTo", ZeroOrOne, n, "The id of the last event delivered, dead-lettered or passed over.")),
		managed(pmjProp("deliveredCount", ZeroOrOne, n, "Events the callback acknowledged.")),
		managed(pmjProp("attempts", ZeroOrOne, n, "Failed attempts at the event being retried.")),
		managed(pmjProp("lastError", ZeroOrOne, vocab.XSDString, "Why the last failed delivery failed.")),
		managed(pmjProp("lastErrorTime", ZeroOrOne, dt, "When it failed.")),
		managed(pmjProp("lastDeliveryTime", ZeroOrOne, dt, "When an event was last delivered.")),
		managed(pmjProp("deadLetter", ZeroOrMany, vocab.XSDString, "The id of an event given up on; the newest hundred.")),
		managed(pmjProp("deadLetterCount", ZeroOrOne, n, "Events given up on.")),
	)
	return s
}
