package ui

import "github.com/oslc-pm/pmprovider/vocab"

// The event hub's subscriptions are listed and shown as the other kinds
// are; the hub answers without their secrets, and the tables read only
// the columns below.
func init() {
	views["subscriptions"] = &view{noun: "Subscription",
		columns: []column{{"Callback", pmj("callback"), true}, {"Event types", pmj("eventType"), false},
			{"Filter", pmj("where"), false}, {"Format", pmj("format"), false}, {"By", vocab.DCCreator, false}},
		icon: "job.svg", iconTitle: "Event subscription",
		empty: "No subscriptions yet: POST a pmj:callback (RDF) or {\"callback\": ...} (JSON) to this URL to have events delivered."}
}
