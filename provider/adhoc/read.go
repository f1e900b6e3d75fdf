package adhoc

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// A bucket is one granularity period of one resource.
type bucket struct {
	res   rdf.IRI
	start time.Time
}

// recordQuery reads the records of monitored resources with what
// aggregateRecord needs: the measures are read from the index entries,
// not decoded.
func (b *Builder) recordQuery(objects []rdf.Object) store.RecordQuery {
	return store.RecordQuery{
		Link: vocab.DCIsPartOf, Targets: objects, Prefix: b.Base + "/oslc/records/",
		Props:     []rdf.IRI{vocab.DCIsPartOf, vocab.DCDate, pmjPeriodStart, pmjProducedBy},
		Via:       vocab.EMSObserves,
		NodeProps: []rdf.IRI{vocab.EMSMetric, vocab.EMSUnitOfMeasure, vocab.EMSNumericValue, pmjSampleCount},
	}
}

// read reads the stored records of req into samples per bucket; n is how
// many records it used.
func (b *Builder) read(ctx context.Context, req *Request) (map[bucket][]collect.Sample, int, error) {
	// The resources are read in parallel, one Records call (snapshot)
	// each worker.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(req.Objects)))
	parts := make([]map[bucket][]collect.Sample, workers)
	counts := make([]int, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part := make(map[bucket][]collect.Sample)
			parts[w] = part
			var objects []rdf.Object
			for i := w; i < len(req.Objects); i += workers {
				objects = append(objects, req.Objects[i])
			}
			errs[w] = b.Store.Records(ctx, b.recordQuery(objects), func(rec *store.Record) bool {
				if aggregateRecord(rec, req, part) {
					counts[w]++
				}
				return true
			})
		}()
	}
	wg.Wait()
	samples := make(map[bucket][]collect.Sample)
	n := 0
	for w := range workers {
		if errs[w] != nil {
			return nil, 0, errs[w]
		}
		n += counts[w]
		for k, v := range parts[w] {
			samples[k] = append(samples[k], v...)
		}
	}
	return samples, n, nil
}

// aggregateRecord adds the measures of record rec, if it falls in req's
// range, to its bucket; it reports whether it did.
func aggregateRecord(rec *store.Record, req *Request, samples map[bucket][]collect.Sample) bool {
	var res rdf.IRI
	var end, start time.Time
	for _, t := range rec.Props {
		switch t.Pred {
		case vocab.DCIsPartOf:
			res, _ = t.Obj.(rdf.IRI)
		case vocab.DCDate:
			end, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case pmjPeriodStart:
			start, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case pmjProducedBy:
			if strings.Contains(t.Obj.String(), "/oslc/adhoc/") {
				return false // already an aggregate: counting it again would double
			}
		}
	}
	bk, ok := req.bucket(res, start, end)
	if !ok {
		return false
	}
	added := false
	for _, node := range rec.Nodes {
		var smp collect.Sample
		ok := false
		for _, t := range node {
			switch t.Pred {
			case vocab.EMSMetric:
				smp.Metric, _ = t.Obj.(rdf.IRI)
			case vocab.EMSUnitOfMeasure:
				smp.Unit, _ = t.Obj.(rdf.IRI)
			case vocab.EMSNumericValue:
				v, err := strconv.ParseFloat(t.Obj.String(), 64)
				smp.Value, ok = v, err == nil
			case pmjSampleCount:
				smp.Count, _ = strconv.Atoi(t.Obj.String())
			}
		}
		if !ok || smp.Metric == (rdf.IRI{}) || (req.Metrics != nil && !req.Metrics[smp.Metric]) {
			continue
		}
		smp.Resource = res
		samples[bk] = append(samples[bk], smp)
		added = true
	}
	return added
}

// bucket returns the bucket of a record of resource res covering the
// period from start (zero: a point at end) to end, if the period lies in
// the requested range.
func (req *Request) bucket(res rdf.IRI, start, end time.Time) (bucket, bool) {
	if start.IsZero() {
		start = end
	}
	// A record belongs to the range if the period it covers does.
	if end.IsZero() || start.Before(req.Start) || end.After(req.Stop) {
		return bucket{}, false
	}
	// Periods are aligned to the granularity on the wall clock of the
	// time zone, like a job's.
	_, off := start.In(req.Location).Zone()
	wall := start.Add(time.Duration(off) * time.Second)
	return bucket{res: res, start: wall.Truncate(req.Granularity).Add(-time.Duration(off) * time.Second)}, true
}
