package vocab

import (
	"bytes"
	"embed"
	"fmt"
	"sync"

	"github.com/knakk/rdf"
)

//go:embed data/*.ttl
var data embed.FS

// A Document is a vocabulary document the provider serves: the published
// Turtle it is built from, parsed once.
type Document struct {
	Name  string   // path segment it is served under, e.g. "perfmon"
	NS    string   // namespace IRI it defines
	Title string   // human title
	files []string // embedded Turtle files, merged
	once  sync.Once
	g     []rdf.Triple
	err   error
}

// Documents lists the vocabulary documents, served at /ns/{Name}.
var Documents = []*Document{
	{Name: "perfmon", NS: PM, Title: "OSLC Performance Monitoring vocabulary", files: []string{"performance-monitoring-vocab.ttl"}},
	{Name: "ems", NS: EMS, Title: "OSLC Estimation and Measurement vocabulary (with the measure terms PM uses)", files: []string{"estimation-measurement-vocab.ttl", "ems-terms.ttl"}},
	{Name: "crtv", NS: CRTV, Title: "OSLC Reconciliation vocabulary", files: []string{"reconciliation-vocab.ttl"}},
	{Name: "pmjob", NS: PMJ, Title: "OSLC PM measurement job vocabulary", files: []string{"pm-jobs-vocab.ttl", "pm-thresholds-vocab.ttl", "pm-subscriptions-vocab.ttl"}},
	{Name: "core", NS: OSLC, Title: "OSLC Core vocabulary", files: []string{"core-vocab.ttl"}},
}

// Lookup returns the document served under name, or nil.
func Lookup(name string) *Document {
	for _, d := range Documents {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Graph returns the document's triples. The slice is shared: do not modify it.
func (d *Document) Graph() ([]rdf.Triple, error) {
	d.once.Do(func() {
		for _, f := range d.files {
			g, err := parseEmbedded(f)
			if err != nil {
				d.err = err
				return
			}
			d.g = append(d.g, g...)
		}
	})
	return d.g, d.err
}

// parseEmbedded parses one embedded Turtle file.
func parseEmbedded(name string) ([]rdf.Triple, error) {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	dec := rdf.NewTripleDecoder(bytes.NewReader(b), rdf.Turtle)
	g, err := dec.DecodeAll()
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	return g, nil
}

// PublishedShapes returns the published OSLC PM resource shapes document
// (performance-monitoring-shapes.ttl) as triples, for the shapes package to
// build from.
func PublishedShapes() ([]rdf.Triple, error) {
	return parseEmbedded("performance-monitoring-shapes.ttl")
}
