package promapi

import (
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// The metadata side of the API, which clients such as Grafana read to
// tell what the server is and to offer metric names with their help:
// /api/v1/status/buildinfo, /api/v1/metadata, /api/v1/query_exemplars,
// and the limit parameter of the series, labels and label values.

// warned is the data of an answer with warnings, which Prometheus puts
// beside data in the envelope.
type warned struct {
	data     any
	warnings []string
}

// errTruncated is Prometheus's warning on an answer cut to its limit.
const errTruncated = "results truncated due to limit"

// limitParam reads the limit parameter as Prometheus does: absent or 0
// is no limit; a negative number or no number is bad data.
func limitParam(r *http.Request) (int, error) {
	s := r.Form.Get("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badData("invalid parameter \"limit\": %v", err)
	}
	if n < 0 {
		return 0, badData("invalid parameter \"limit\": limit must be non-negative")
	}
	return n, nil
}

// truncate cuts xs to limit (0 is none), with Prometheus's warning when
// it cuts.
func truncate[T any](xs []T, limit int) any {
	if limit > 0 && len(xs) > limit {
		return warned{data: xs[:limit], warnings: []string{errTruncated}}
	}
	return xs
}

// A BuildInfo is what /api/v1/status/buildinfo answers, in Prometheus's
// names: the provider's module version, VCS revision and time, and Go
// version, as the binary records them (runtime/debug.ReadBuildInfo).
type BuildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"`
	Branch    string `json:"branch"`
	BuildUser string `json:"buildUser"`
	BuildDate string `json:"buildDate"`
	GoVersion string `json:"goVersion"`
}

var buildInfo = sync.OnceValue(func() BuildInfo {
	var b BuildInfo
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Version, b.GoVersion = bi.Main.Version, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.BuildDate = s.Value
		}
	}
	return b
})

// BuildInfo serves /api/v1/status/buildinfo.
func (a *API) BuildInfo() http.HandlerFunc {
	return a.serve(func(*http.Request) (any, error) { return buildInfo(), nil })
}

// A metadatum is one metric's entry in /api/v1/metadata.
type metadatum struct {
	Type string `json:"type"`
	Help string `json:"help"`
	Unit string `json:"unit"`
}

// Metadata serves /api/v1/metadata: each metric the API knows, as a
// gauge (a measure is a value at a time, never a counter), its help the
// rdfs:comment of the metric in the vocabulary (else its rdfs:label),
// its unit the IRI of the unit the collectors report it in, as the unit
// label of its series has it. metric chooses one; limit bounds the
// metrics (0 is none, as in Prometheus); limit_per_metric has nothing
// to bound, each metric having one entry.
func (a *API) Metadata() http.HandlerFunc {
	return a.serve(func(r *http.Request) (any, error) {
		limit := -1
		if s := r.Form.Get("limit"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, badData("limit must be a number")
			}
			limit = n
		}
		if s := r.Form.Get("limit_per_metric"); s != "" {
			if _, err := strconv.Atoi(s); err != nil {
				return nil, badData("limit_per_metric must be a number")
			}
		}
		only := r.Form.Get("metric")
		out := map[string][]metadatum{}
		for _, name := range a.metrics.names {
			if limit >= 0 && len(out) >= limit {
				break
			}
			if only != "" && name != only {
				continue
			}
			iri := a.metrics.byName[name]
			m := metadatum{Type: "gauge", Help: help(iri)}
			if u, ok := a.units[iri]; ok && u != (rdf.IRI{}) {
				m.Unit = u.String()
			}
			out[name] = []metadatum{m}
		}
		return out, nil
	})
}

// helps are the rdfs:comment, else rdfs:label, of the terms of the
// vocabularies that define metrics.
var helps = sync.OnceValue(func() map[string]string {
	comment, label := map[string]string{}, map[string]string{}
	for _, name := range []string{"perfmon", "ems", "pmjob"} {
		g, err := vocab.Lookup(name).Graph()
		if err != nil {
			continue // the vocabulary's own tests catch it
		}
		for _, t := range g {
			switch t.Pred.String() {
			case vocab.RDFSComment.String():
				comment[t.Subj.String()] = t.Obj.String()
			case vocab.RDFSLabel.String():
				label[t.Subj.String()] = t.Obj.String()
			}
		}
	}
	for s, l := range label {
		if _, ok := comment[s]; !ok {
			comment[s] = l
		}
	}
	return comment
})

func help(metric rdf.IRI) string { return helps()[metric.String()] }

// QueryExemplars serves /api/v1/query_exemplars: records carry no
// exemplars, so the answer is an empty list, after the parameters are
// checked as Prometheus checks them.
func (a *API) QueryExemplars() http.HandlerFunc {
	return a.serve(func(r *http.Request) (any, error) {
		var start, end int64
		for _, p := range []struct {
			name string
			t    *int64
		}{{"start", &start}, {"end", &end}} {
			if r.Form.Get(p.name) == "" {
				continue
			}
			t, err := a.timeParam(r, p.name, a.now())
			if err != nil {
				return nil, err
			}
			*p.t = t.UnixMilli()
		}
		if r.Form.Get("start") != "" && r.Form.Get("end") != "" && end < start {
			return nil, badData("end timestamp must not be before start timestamp")
		}
		if _, err := a.parser.ParseExpr(r.Form.Get("query")); err != nil {
			return nil, badData("%v", err)
		}
		return []struct{}{}, nil
	})
}
