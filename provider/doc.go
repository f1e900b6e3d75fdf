// Package provider wires the OSLC Performance Monitoring provider: it
// builds the OSLC API (package oslc), the pages beside it (package ui) and
// the measurement-job engine over one store, and serves them through one
// route table (routes.go), from which OPTIONS answers and the Allow header
// of a 405 are derived. Beside the OSLC API the table has the faces that
// operations tools speak (ops.go): the read side of the Prometheus HTTP
// API over the stored records (package promapi) under /api/v1/, the
// provider's own metrics at /metrics, and /healthz and /readyz (package
// ops). Every response carries a request id (X-Request-Id), which the
// log records of the request carry too, and is counted by route and
// status.
//
// Only cmd imports this package; the parts it wires live in its
// sub-packages: oslc (the HTTP API), ui (pages, previews, dialogs), jobs,
// schedule and collect (the measurement domain), fixture (generated data),
// promapi and ops (the operations faces).
package provider
