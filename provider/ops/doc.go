// Package ops is what operators need of a running provider: its metrics
// in the Prometheus exposition format (Metrics), its health and
// readiness (Health), and request ids that tie a response to the log
// lines about it (RequestID, LogHandler).
package ops
