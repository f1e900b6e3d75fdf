/*
Package notify tells other tools what happens in the provider: an event
hub over the store's change log, with webhook subscriptions and a push of
alarms to a Prometheus Alertmanager.

# Events

Every write commits an entry to the store's change log in its own
transaction (store.Snapshot.ChangesAfter); the hub's outbox is that log.
An Event is derived from one entry, reading the resource in the snapshot
the entry was read in: JobCreated and JobDeleted from a job's creation
and deletion, JobStateChanged from a tracking record whose pmj:fromState
and pmj:toState differ, ReportReady and PreparationError from the job
engine's notifications, ThresholdCrossed and ThresholdCleared from alarm
resources (alarm.go), and ResourceCreated, ResourceChanged and
ResourceDeleted for any other change. The event's id is the entry's
order: a crash neither loses nor invents an event, and a re-sent event
keeps its id. The hub's own resources and the vocabulary documents make
no events.

# Subscriptions and delivery

A subscription (stored at /oslc/subscriptions/{id}, its delivery status
at .../delivery) names a callback, event types and an oslc.where over the
event's resource. It is an OSLC resource of its own: its terms are in the
pmjob vocabulary, its shape is /oslc/shapes/subscription, and the service
provider lists the subscriptions' creation factory and query capability,
which HTTP serves. No answer but the creation's holds the secret. A dispatcher per subscription delivers its events one
at a time, in order, from a stored cursor: POST with the signature
header (HMAC-SHA256 of the body under the subscription's secret), retried
with exponential backoff, dead-lettered after Retry.Attempts (or at once
when the allow-list refuses the connection), after which the next event
goes. The cursor is stored after deliveries: a crash re-sends at most
what was delivered since, with the same ids. Deliveries under way, all
subscriptions together, are bounded by Config.MaxInFlight. Compaction of
the change log keeps what a subscriber has yet to be given (Hub.Hold).

Callbacks pass the collectors' allow-list (collect.AllowList) when the
subscription is made and at every connection and redirect.

# Formats

A format (RegisterFormat) turns an event into the body a subscriber
wants, and may add a path to the callback (TMF628 listeners); a stored
subscription names its format. The default is the JSON Message, in the
shape of MEF's and TMF628's Event.
*/
package notify
