package provider

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// maxAdhocRange bounds the time range of an ad-hoc collection.
const maxAdhocRange = 31 * 24 * time.Hour

// adhocClass is pmj:AdhocCollection.
var adhocClass = vocab.PMJTerm("AdhocCollection")

// The properties of stored records that an ad-hoc collection reads.
var (
	pmjPeriodStart = vocab.PMJTerm("periodStart")
	pmjProducedBy  = vocab.PMJTerm("producedBy")
	pmjSampleCount = vocab.PMJTerm("sampleCount")
)

// adhocKind is the ad-hoc collections' kind, for discovery and GET.
func adhocKind() *kind {
	return &kind{path: "/oslc/adhoc", title: "Ad-hoc Collections", shape: shapes.Lookup(shapes.AdhocName),
		types: []rdf.IRI{adhocClass}, implied: adhocClass, fragments: "a", jobs: true}
}

func (s *Server) adhocRoutes(r *mux.Router) {
	r.HandleFunc("/oslc/adhoc", s.handleAdhocCreate).Methods(http.MethodPost)
	r.HandleFunc("/oslc/adhoc/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusMethodNotAllowed, "method", "an ad-hoc collection is a one-shot request: create a new one instead of changing it"))
	}).Methods(http.MethodPut)
}

// An adhocRequest is a parsed ad-hoc collection.
type adhocRequest struct {
	objects     []rdf.IRI
	metrics     map[rdf.IRI]bool // nil: all
	granularity time.Duration
	start, stop time.Time
	loc         *time.Location
}

// handleAdhocCreate takes a pmj:AdhocCollection (TM Forum's
// AdhocCollection): monitored objects, metrics and a past time range. It
// builds at once one report from the stored records, aggregated per
// granularity period, stores the collection with its state and a link to
// the report, and answers 201 with it.
func (s *Server) handleAdhocCreate(w http.ResponseWriter, r *http.Request) {
	k := adhocKind()
	id, ident, g, now, err := s.readNew(w, r, k)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := validate(k, id, g); err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := s.parseAdhoc(r.Context(), id, g, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rs, n, err := s.buildAdhoc(r.Context(), id, ident, req, now)
	state := vocab.PMJTerm("Completed")
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		state = vocab.PMJTerm("Failed")
		g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("stateReason"), Obj: str(err.Error())})
		s.log.Error("ad-hoc collection", "id", id.String(), "err", err)
		rs = nil
	} else {
		g = append(g,
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("report"), Obj: rs[len(rs)-1].ID},
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("sourceRecordCount"), Obj: rdf.NewTypedLiteral(strconv.Itoa(n), vocab.XSDInteger)})
	}
	g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("executionState"), Obj: state})
	g = dedupe(g)
	rs = append(rs, store.Resource{ID: id, Triples: g})
	if err := s.writeNow(r.Context(), rs); err != nil {
		s.writeError(w, r, err)
		return
	}
	// Load and Stage tell no ETag.
	_, etag, err := s.store.Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.respondCreated(w, r, id, etag, g)
}

// parseAdhoc reads and checks an ad-hoc collection, listing every fault.
func (s *Server) parseAdhoc(ctx context.Context, id rdf.IRI, g []rdf.Triple, now time.Time) (*adhocRequest, error) {
	req := &adhocRequest{loc: time.UTC}
	var faults []string
	var inds []rdf.IRI
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred.String() {
		case vocab.PMJ + "monitoredObject":
			if i, ok := t.Obj.(rdf.IRI); ok {
				req.objects = append(req.objects, i)
			}
		case vocab.PMJ + "performanceIndicator":
			if i, ok := t.Obj.(rdf.IRI); ok {
				inds = append(inds, i)
			}
		case vocab.PMJ + "granularity":
			d, err := vocab.ParseDuration(t.Obj.String())
			if err != nil || d < time.Minute {
				faults = append(faults, fmt.Sprintf("pmj:granularity: %q is not an xsd:duration of at least PT1M", t.Obj.String()))
			}
			req.granularity = d
		case vocab.PMJ + "startTime":
			req.start, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case vocab.PMJ + "stopTime":
			req.stop, _ = time.Parse(time.RFC3339Nano, t.Obj.String())
		case vocab.PMJ + "timeZone":
			loc, err := time.LoadLocation(t.Obj.String())
			if err != nil || t.Obj.String() == "Local" {
				faults = append(faults, fmt.Sprintf("pmj:timeZone: %q is not an IANA time zone name", t.Obj.String()))
			} else {
				req.loc = loc
			}
		}
	}
	switch {
	case !req.stop.After(req.start):
		faults = append(faults, "pmj:stopTime: must be after pmj:startTime")
	case req.stop.After(now):
		faults = append(faults, "pmj:stopTime: an ad-hoc collection reports on the past; the stop time is in the future")
	case req.stop.Sub(req.start) > maxAdhocRange:
		faults = append(faults, "pmj:stopTime: the time range is longer than 31 days")
	}
	for _, o := range req.objects {
		ok, err := s.exists(ctx, o)
		if err != nil {
			return nil, err
		}
		if !ok || !strings.HasPrefix(o.String(), s.base+"/oslc/resources/") {
			faults = append(faults, fmt.Sprintf("pmj:monitoredObject: %s is not a monitored resource of this provider", o))
		}
	}
	if len(inds) > 0 {
		closure, err := vocab.SubClassClosure()
		if err != nil {
			return nil, err
		}
		req.metrics = make(map[rdf.IRI]bool)
		for _, ind := range inds {
			n := 0
			for _, m := range vocab.Metrics() {
				if m == ind.String() || slices.Contains(closure[m], ind.String()) {
					req.metrics[vocab.IRI(m, "")] = true
					n++
				}
			}
			if n == 0 {
				req.metrics[ind] = true // a collector's own metric, such as pmj:HttpStatusCode
			}
		}
	}
	if len(faults) > 0 {
		return nil, errorf(http.StatusBadRequest, "body", "invalid ad-hoc collection: %s", strings.Join(faults, "; "))
	}
	return req, nil
}

func (s *Server) exists(ctx context.Context, id rdf.IRI) (bool, error) {
	var ok bool
	err := s.store.View(ctx, func(src query.Source) error {
		var err error
		ok, err = src.Exists(ctx, id)
		return err
	})
	return ok, err
}

// A bucket is one granularity period of one resource.
type adhocBucket struct {
	res   rdf.IRI
	start time.Time
}

// buildAdhoc aggregates the stored records of req into records per
// resource and granularity period, and a report listing them (last in
// the result). n is how many stored records it read.
func (s *Server) buildAdhoc(ctx context.Context, id rdf.IRI, ident string, req *adhocRequest, now time.Time) ([]store.Resource, int, error) {
	samples, n, err := s.readAdhoc(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	keys := make([]adhocBucket, 0, len(samples))
	for k := range samples {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b adhocBucket) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return strings.Compare(a.res.String(), b.res.String())
	})
	dt := func(t time.Time) rdf.Literal {
		return rdf.NewTypedLiteral(t.In(req.loc).Format(time.RFC3339Nano), vocab.XSDDateTime)
	}
	var out []store.Resource
	reportID := s.iri("/oslc/reports/" + ident)
	report := []rdf.Triple{
		{Subj: reportID, Pred: vocab.RDFType, Obj: vocab.PMJReport},
		{Subj: reportID, Pred: vocab.DCTitle, Obj: xmlLiteral(fmt.Sprintf("Ad-hoc collection %s to %s", req.start.In(req.loc).Format("2006-01-02 15:04"), req.stop.In(req.loc).Format("2006-01-02 15:04 MST")))},
		{Subj: reportID, Pred: vocab.PMJTerm("producedBy"), Obj: id},
		{Subj: reportID, Pred: vocab.PMJTerm("periodStart"), Obj: dt(req.start)},
		{Subj: reportID, Pred: vocab.PMJTerm("periodEnd"), Obj: dt(req.stop)},
		{Subj: reportID, Pred: vocab.PMJTerm("granularity"), Obj: rdf.NewTypedLiteral(vocab.FormatDuration(req.granularity), vocab.XSDDuration)},
		{Subj: reportID, Pred: vocab.PMJTerm("recordCount"), Obj: rdf.NewTypedLiteral(strconv.Itoa(len(keys)), vocab.XSDInteger)},
		{Subj: reportID, Pred: vocab.PMJTerm("collectedPeriods"), Obj: rdf.NewTypedLiteral(strconv.Itoa(periodsIn(keys)), vocab.XSDInteger)},
		{Subj: reportID, Pred: vocab.PMJTerm("missedPeriods"), Obj: rdf.NewTypedLiteral("0", vocab.XSDInteger)},
	}
	report = append(report, s.serverProps(reportID, shapes.ReportName, now, now, ident)...)
	for _, k := range keys {
		h := fnv.New32a()
		h.Write([]byte(k.res.String()))
		rident := ident + "-" + strconv.FormatInt(k.start.Unix(), 36) + "-" + strconv.FormatUint(uint64(h.Sum32()), 36)
		rid := s.iri("/oslc/records/" + rident)
		end := k.start.Add(req.granularity)
		g := []rdf.Triple{
			{Subj: rid, Pred: vocab.RDFType, Obj: vocab.PMRecord},
			{Subj: rid, Pred: vocab.DCIsPartOf, Obj: k.res},
			{Subj: rid, Pred: vocab.DCDate, Obj: dt(end)},
			{Subj: rid, Pred: vocab.PMJTerm("periodStart"), Obj: dt(k.start)},
			{Subj: rid, Pred: vocab.PMJTerm("producedBy"), Obj: id},
		}
		for i, smp := range collect.Aggregate(samples[k]) {
			m := vocab.IRI(rid.String()+"#", "m"+strconv.Itoa(i+1))
			g = append(g,
				rdf.Triple{Subj: rid, Pred: vocab.EMSObserves, Obj: m},
				rdf.Triple{Subj: m, Pred: vocab.RDFType, Obj: vocab.EMSMeasure},
				rdf.Triple{Subj: m, Pred: vocab.EMSMetric, Obj: smp.Metric},
				rdf.Triple{Subj: m, Pred: vocab.EMSNumericValue, Obj: rdf.NewTypedLiteral(strconv.FormatFloat(smp.Value, 'g', -1, 64), vocab.XSDDouble)},
				rdf.Triple{Subj: m, Pred: vocab.PMJTerm("sampleCount"), Obj: rdf.NewTypedLiteral(strconv.Itoa(smp.Count), vocab.XSDInteger)},
			)
			if smp.Unit != (rdf.IRI{}) {
				g = append(g, rdf.Triple{Subj: m, Pred: vocab.EMSUnitOfMeasure, Obj: smp.Unit})
			}
		}
		g = append(g, s.serverProps(rid, shapes.RecordName, now, now, rident)...)
		out = append(out, store.Resource{ID: rid, Triples: g})
		report = append(report, rdf.Triple{Subj: reportID, Pred: vocab.PMJTerm("record"), Obj: rid})
	}
	return append(out, store.Resource{ID: reportID, Triples: report}), n, nil
}

// adhocQuery reads the records of monitored resources with what
// aggregateRecord needs: the measures are read from the index entries,
// not decoded.
func (s *Server) adhocQuery(objects []rdf.Object) store.RecordQuery {
	return store.RecordQuery{
		Link: vocab.DCIsPartOf, Targets: objects, Prefix: s.base + "/oslc/records/",
		Props:     []rdf.IRI{vocab.DCIsPartOf, vocab.DCDate, pmjPeriodStart, pmjProducedBy},
		Via:       vocab.EMSObserves,
		NodeProps: []rdf.IRI{vocab.EMSMetric, vocab.EMSUnitOfMeasure, vocab.EMSNumericValue, pmjSampleCount},
	}
}

// readAdhoc reads the stored records of req into samples per bucket; n is
// how many records it used.
func (s *Server) readAdhoc(ctx context.Context, req *adhocRequest) (map[adhocBucket][]collect.Sample, int, error) {
	// The resources are read in parallel, one snapshot each worker.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(req.objects)))
	parts := make([]map[adhocBucket][]collect.Sample, workers)
	counts := make([]int, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part := make(map[adhocBucket][]collect.Sample)
			parts[w] = part
			var objects []rdf.Object
			for i := w; i < len(req.objects); i += workers {
				objects = append(objects, req.objects[i])
			}
			errs[w] = s.store.View(ctx, func(src query.Source) error {
				sn, ok := src.(boltsource.RecordReader)
				if !ok {
					return errors.New("ad-hoc collections need a store that reads records (boltsource.RecordReader)")
				}
				return sn.Records(ctx, s.adhocQuery(objects), func(rec *store.Record) bool {
					if aggregateRecord(rec, req, part) {
						counts[w]++
					}
					return true
				})
			})
		}()
	}
	wg.Wait()
	samples := make(map[adhocBucket][]collect.Sample)
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

// periodsIn counts the distinct periods of keys (sorted by start).
func periodsIn(keys []adhocBucket) int {
	n := 0
	for i, k := range keys {
		if i == 0 || !k.start.Equal(keys[i-1].start) {
			n++
		}
	}
	return n
}

// aggregateRecord adds the measures of record rec, if it falls in req's
// range, to its bucket; it reports whether it did.
func aggregateRecord(rec *store.Record, req *adhocRequest, samples map[adhocBucket][]collect.Sample) bool {
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
	b, ok := req.bucket(res, start, end)
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
		if !ok || smp.Metric == (rdf.IRI{}) || (req.metrics != nil && !req.metrics[smp.Metric]) {
			continue
		}
		smp.Resource = res
		samples[b] = append(samples[b], smp)
		added = true
	}
	return added
}

// bucket returns the bucket of a record of resource res covering the
// period from start (zero: a point at end) to end, if the period lies in
// the requested range.
func (req *adhocRequest) bucket(res rdf.IRI, start, end time.Time) (adhocBucket, bool) {
	if start.IsZero() {
		start = end
	}
	// A record belongs to the range if the period it covers does.
	if end.IsZero() || start.Before(req.start) || end.After(req.stop) {
		return adhocBucket{}, false
	}
	// Periods are aligned to the granularity on the wall clock of the
	// time zone, like a job's.
	_, off := start.In(req.loc).Zone()
	wall := start.Add(time.Duration(off) * time.Second)
	return adhocBucket{res: res, start: wall.Truncate(req.granularity).Add(-time.Duration(off) * time.Second)}, true
}

// writeNow stores rs durably: staged (readable by IRI at once, indexed by
// the job engine's merge a moment later) when the store can, else loaded.
func (s *Server) writeNow(ctx context.Context, rs []store.Resource) error {
	if st, ok := s.store.(interface {
		Stage(ctx context.Context, rs []store.Resource) error
	}); ok && s.jobs.Live() {
		return st.Stage(ctx, rs)
	}
	return s.store.Load(ctx, rs)
}
