// Package oslc is the provider's OSLC HTTP API: discovery (rootservices,
// the service provider catalog, the service provider with its creation
// factories, query capabilities and dialog descriptors, resource shapes,
// vocabularies), the query bases with the OSLC query parameters, the
// resources themselves (GET, POST, PUT, DELETE with ETags), job
// operations and pushed records, report files, the event stream,
// ad-hoc collections and the tracked resource set for lifecycle indexers
// (trs.go, over the store's change log); content negotiation
// (negotiate.go) among RDF/XML, Turtle, JSON-LD, N-Triples, the JSON of
// OSLC 2.0 (oslcjson.go) and HTML, an ETag per representation (etag.go),
// and errors as oslc:Error in the negotiated format (errors.go).
//
// Each query base, which is also its kind's creation factory, is an LDP
// basic container (ldp.go): its answers carry the LDP and OSLC Discovery
// headers, its RDF the containment triples, and it takes queries POSTed as
// forms (list.go).
//
// Each kind of resource is a Kind that carries its own behaviour: how its
// members are created, replaced, deleted and validated, its dialogs, its
// previews and its service domains (kind.go). Handlers are methods of
// Server; the provider package registers them in its one route table.
//
// Encoded answers are kept (repcache.go): a resource's by the store's
// ETag of its state, and, when the wiring gives the store's version
// (Config.Version), query pages by that version; a resource read again at
// the same version is answered without a store read. A write changes the
// key, so nothing kept outlives the state it encodes. HTML is never kept.
//
// The API does not know the pages: it renders text/html through the HTML
// interface, which package ui implements.
package oslc
