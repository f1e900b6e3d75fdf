// Package promapi serves the read side of the Prometheus HTTP API over
// the stored PM records, for Grafana's Prometheus data source and other
// Prometheus clients: /api/v1/query, /api/v1/query_range, /api/v1/series,
// /api/v1/labels and /api/v1/label/{name}/values (with Prometheus's
// limit, which truncates and warns), and what clients read to learn the
// server: /api/v1/status/buildinfo, /api/v1/metadata (each metric a
// gauge, its help from the vocabulary) and /api/v1/query_exemplars
// (always empty); by GET or by a POSTed form, answering in Prometheus's
// JSON envelope and error format.
//
// # Series
//
// Each measure (ems:Measure) that a pm:PerformanceMonitoringRecord
// ems:observes is a sample: its ems:numericValue at the record's
// dcterms:date. Its series is named for its ems:metric (MetricName:
// pm:CpuUsed is pm_cpu_used) and labelled by the monitored resource the
// record dcterms:isPartOf (resource), that resource's most specific
// rdf:type (resource_class), the job that produced the record (job,
// pmj:producedBy) and the measure's unit (unit, ems:unitOfMeasure); the
// values are IRIs. Records of ad-hoc collections, which aggregate
// records already counted, are left out.
//
// # Expressions
//
// Queries are parsed by Prometheus's own parser (promql/parser), so the
// syntax and its errors are Prometheus's. Evaluated are selectors with =,
// !=, =~ and !~ on the metric name and the labels; avg_over_time,
// min_over_time, max_over_time, sum_over_time and count_over_time of a
// range selector; and the aggregations avg, min, max, sum and count, by
// or without labels, nested as PromQL allows; and numbers with the
// arithmetic operators between them (Grafana tests a data source with
// 1+1). Anything else that parses (rate, operators on vectors,
// comparisons, offset, @, subqueries, strings, ...) is
// answered 400 with errorType bad_data saying what is not supported:
// never an approximation. Semantics are Prometheus's: an instant
// selector at t takes the newest sample in (t-5m, t] (lookback_delta
// changes the 5m), a range selector the samples in (t-range, t], and
// results of functions and aggregations lose the metric name.
//
// # Reading
//
// A query reads one view of the store. The metric name and the resource
// labels are resolved first (the metric catalogue, the monitored
// resources and their types); then the records are read whole from the
// index entries (store.Snapshot.Records), either those of the chosen
// resources (dcterms:isPartOf) or those of the time range (a Range on
// dcterms:date), whichever the indexes count as fewer, never every
// record. A store that cannot read records whole (the SPARQL store) is
// read through query.Source alone: the same index read lists the
// candidate records (a Match on dcterms:isPartOf per resource, or a
// Range on dcterms:date), and each is read with Get. Config.MaxSamples
// bounds what one query reads.
package promapi
