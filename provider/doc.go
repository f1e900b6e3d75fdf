// Package provider wires the OSLC Performance Monitoring provider: it
// builds the OSLC API (package oslc), the pages beside it (package ui) and
// the measurement-job engine over one store, and serves them through one
// route table (routes.go), from which OPTIONS answers and the Allow header
// of a 405 are derived.
//
// Only cmd imports this package; the parts it wires live in its
// sub-packages: oslc (the HTTP API), ui (pages, previews, dialogs), jobs,
// schedule and collect (the measurement domain), fixture (generated data).
package provider
