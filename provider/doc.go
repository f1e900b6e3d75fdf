// Package provider is the OSLC Performance Monitoring provider's HTTP
// interface: discovery (rootservices, catalog, service provider, shapes,
// vocabularies), creation factories, query bases and the resources
// themselves, in RDF/XML, Turtle, JSON-LD, N-Triples and HTML.
//
// A Server holds its dependencies as fields and never touches the store's
// internals; it speaks to them through the small Store interface declared
// here.
package provider
