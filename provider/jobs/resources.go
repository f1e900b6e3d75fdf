package jobs

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/collect"
	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

func str(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDString) }

func integer(n int) rdf.Literal { return rdf.NewTypedLiteral(strconv.Itoa(n), vocab.XSDInteger) }

// dateTime writes t in loc with its offset, e.g. 2026-11-24T10:00:00+01:00.
func dateTime(t time.Time, loc *time.Location) rdf.Literal {
	if loc == nil {
		loc = time.UTC
	}
	return rdf.NewTypedLiteral(t.In(loc).Format(time.RFC3339Nano), vocab.XSDDateTime)
}

func number(v float64) rdf.Literal {
	return rdf.NewTypedLiteral(strconv.FormatFloat(v, 'g', -1, 64), vocab.XSDDouble)
}

var (
	pmjProducedBy  = vocab.PMJTerm("producedBy")
	pmjPeriodStart = vocab.PMJTerm("periodStart")
	pmjPeriodEnd   = vocab.PMJTerm("periodEnd")
	pmjRecord      = vocab.PMJTerm("record")
	pmjMissed      = vocab.PMJTerm("missedPeriod")
	pmjLast        = vocab.PMJTerm("lastCollected")
	pmjEvent       = vocab.PMJTerm("event")
	pmjReport      = vocab.PMJTerm("report")
	dcCreator      = vocab.DCCreator
)

// ident returns a resource identifier for job ident and period end t:
// the same inputs give the same identifier, so a period written twice
// would land on the same resources.
func periodIdent(jobIdent string, t time.Time, extra string) string {
	id := jobIdent + "-" + strconv.FormatInt(t.Unix(), 36)
	if extra != "" {
		h := fnv.New32a()
		h.Write([]byte(extra))
		id += "-" + strconv.FormatUint(uint64(h.Sum32()), 36)
	}
	return id
}

// resource builds a resource at path/ident of class, with the
// server-managed triples, and returns its IRI and triples.
func (e *Engine) resource(path, ident, shape string, class rdf.IRI, title string, at time.Time) (rdf.IRI, []rdf.Triple) {
	id := e.iri(path + "/" + ident)
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: class},
		{Subj: id, Pred: vocab.DCTitle, Obj: rdf.NewTypedLiteral(xmlEscape(title), vocab.RDFXMLLiteral)},
	}
	return id, append(g, e.managed(id, shape, ident, at, at)...)
}

// xmlEscape escapes text for an rdf:XMLLiteral title.
func xmlEscape(s string) string { return xmlEscaper.Replace(s) }

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// records turns one period's samples into records, one per resource.
func (e *Engine) records(r *run, p schedule.Period, samples []collect.Sample, now time.Time) ([]store.Resource, []rdf.IRI) {
	loc := r.job.Schedule.Location
	byRes := make(map[rdf.IRI][]collect.Sample)
	var order []rdf.IRI
	for _, s := range samples {
		if _, ok := byRes[s.Resource]; !ok {
			order = append(order, s.Resource)
		}
		byRes[s.Resource] = append(byRes[s.Resource], s)
	}
	var out []store.Resource
	var ids []rdf.IRI
	for _, res := range order {
		ident := periodIdent(r.ident, p.End, res.String())
		id, g := e.resource("/oslc/records", ident, "record", vocab.PMRecord,
			fmt.Sprintf("%s: %s, %s", r.def.Title, shortName(res), p.End.In(locOrUTC(loc)).Format("2006-01-02 15:04:05 MST")), now)
		g = append(g,
			rdf.Triple{Subj: id, Pred: vocab.DCIsPartOf, Obj: res},
			rdf.Triple{Subj: id, Pred: vocab.DCDate, Obj: dateTime(p.End, loc)},
			rdf.Triple{Subj: id, Pred: pmjPeriodStart, Obj: dateTime(p.Start, loc)},
			rdf.Triple{Subj: id, Pred: pmjProducedBy, Obj: r.id},
		)
		i := 0
		for _, s := range byRes[res] {
			if s.Status != (rdf.IRI{}) {
				g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMAvailabilityStatus, Obj: s.Status})
				continue
			}
			i++
			m := vocab.IRI(id.String()+"#", "m"+strconv.Itoa(i))
			g = append(g,
				rdf.Triple{Subj: id, Pred: vocab.EMSObserves, Obj: m},
				rdf.Triple{Subj: m, Pred: vocab.RDFType, Obj: vocab.EMSMeasure},
				rdf.Triple{Subj: m, Pred: vocab.EMSMetric, Obj: s.Metric},
				rdf.Triple{Subj: m, Pred: vocab.EMSNumericValue, Obj: number(s.Value)},
			)
			if s.Unit != (rdf.IRI{}) {
				g = append(g, rdf.Triple{Subj: m, Pred: vocab.EMSUnitOfMeasure, Obj: s.Unit})
			}
			if s.Count > 0 {
				g = append(g, rdf.Triple{Subj: m, Pred: vocab.PMJTerm("sampleCount"), Obj: integer(s.Count)})
			}
		}
		out = append(out, store.Resource{ID: id, Triples: g})
		ids = append(ids, id)
	}
	return out, ids
}

func locOrUTC(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

// shortName is the last path segment of an IRI, for titles.
func shortName(i rdf.IRI) string {
	return vocab.LocalName(strings.TrimSuffix(i.String(), "/"))
}

// finishReport closes the reporting period rp: the report resource and/or
// notification per the job's reporting mode, and starts the next period.
// The notification, if there is one, comes as an event too.
func (e *Engine) finishReport(r *run, rp schedule.Period) ([]store.Resource, []Event) {
	now := e.now()
	rep := r.report
	if rep.start.IsZero() {
		rep.start, rep.end = rp.Start, rp.End
	}
	r.report = pending{}
	loc := r.job.Schedule.Location
	var out []store.Resource
	var reportID rdf.IRI
	if r.def.Mode != ReportEvents {
		ident := periodIdent(r.ident, rp.End, "")
		id, g := e.resource("/oslc/reports", ident, "report", vocab.PMJReport,
			fmt.Sprintf("%s: report %s to %s", r.def.Title, rp.Start.In(locOrUTC(loc)).Format("2006-01-02 15:04"), rp.End.In(locOrUTC(loc)).Format("15:04 MST")), now)
		g = append(g,
			rdf.Triple{Subj: id, Pred: pmjProducedBy, Obj: r.id},
			rdf.Triple{Subj: id, Pred: pmjPeriodStart, Obj: dateTime(rp.Start, loc)},
			rdf.Triple{Subj: id, Pred: pmjPeriodEnd, Obj: dateTime(rp.End, loc)},
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("granularity"), Obj: rdf.NewTypedLiteral(vocab.FormatDuration(r.job.Schedule.Granularity), vocab.XSDDuration)},
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("recordCount"), Obj: integer(len(rep.records))},
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("collectedPeriods"), Obj: integer(rep.collected)},
			rdf.Triple{Subj: id, Pred: vocab.PMJTerm("missedPeriods"), Obj: integer(len(rep.missed))},
		)
		for _, rec := range rep.records {
			g = append(g, rdf.Triple{Subj: id, Pred: pmjRecord, Obj: rec})
		}
		for _, res := range rep.resources {
			g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("monitoredObject"), Obj: res})
		}
		for _, m := range rep.missed {
			g = append(g, rdf.Triple{Subj: id, Pred: pmjMissed, Obj: dateTime(m, loc)})
		}
		out = append(out, store.Resource{ID: id, Triples: g})
		reportID = id
	}
	var evs []Event
	if r.def.Mode != ReportResources {
		ident := periodIdent(r.ident, rp.End, "event")
		id, g := e.resource("/oslc/notifications", ident, "notification", vocab.PMJNotification,
			fmt.Sprintf("%s: data for %s to %s", r.def.Title, rp.Start.In(locOrUTC(loc)).Format("2006-01-02 15:04"), rp.End.In(locOrUTC(loc)).Format("15:04 MST")), now)
		ev := Event{ID: id, Kind: FilesReady, Job: r.id, Report: reportID,
			Date: now.In(locOrUTC(loc)), PeriodStart: rp.Start.In(locOrUTC(loc)), PeriodEnd: rp.End.In(locOrUTC(loc))}
		if rep.collected == 0 {
			// Nothing to put in a report: every period was missed.
			ev.Kind = PreparationError
			ev.Description = fmt.Sprintf("the report could not be prepared: none of the %d granularity period(s) due in the reporting period was collected (see the job's tracking records)", len(rep.missed))
		}
		var records []rdf.IRI
		if reportID == (rdf.IRI{}) {
			records = rep.records
			ev.Records = len(records)
		}
		out = append(out, store.Resource{ID: id, Triples: append(g, encodeNotification(ev, records)...)})
		evs = append(evs, ev)
	}
	return out, evs
}

// progressID is where the engine keeps a job's progress.
func (e *Engine) progressID(ident string) rdf.IRI { return e.iri("/oslc/engine/" + ident) }

// progress is the resource holding r's cursor and the reporting period
// under way; it is written with every period, so it is kept small: the
// period's records are found again by query after a restart.
func (e *Engine) progress(r *run) store.Resource {
	id := e.progressID(r.ident)
	g := []rdf.Triple{
		{Subj: id, Pred: pmjProducedBy, Obj: r.id},
		{Subj: id, Pred: pmjLast, Obj: dateTime(r.cursor, nil)},
		{Subj: id, Pred: vocab.PMJTerm("collectedPeriods"), Obj: integer(r.report.collected)},
	}
	if !r.report.start.IsZero() {
		g = append(g,
			rdf.Triple{Subj: id, Pred: pmjPeriodStart, Obj: dateTime(r.report.start, nil)},
			rdf.Triple{Subj: id, Pred: pmjPeriodEnd, Obj: dateTime(r.report.end, nil)})
	}
	for _, m := range r.report.missed {
		g = append(g, rdf.Triple{Subj: id, Pred: pmjMissed, Obj: dateTime(m, nil)})
	}
	if r.lease != nil {
		// Who wrote it, under which token: for the record of a takeover.
		g = append(g, rdf.Triple{Subj: id, Pred: pmjFencingToken, Obj: rdf.NewTypedLiteral(strconv.FormatInt(r.lease.fencing(), 10), vocab.XSDInteger)})
	}
	return store.Resource{ID: id, Triples: g}
}

// readProgress restores r's cursor and reporting period from the store.
func (e *Engine) readProgress(ctx context.Context, r *run) error {
	g, _, err := e.st.Get(ctx, e.progressID(r.ident))
	if err != nil {
		return err
	}
	for _, t := range g {
		switch t.Pred {
		case pmjLast:
			r.cursor = parseTime(t.Obj)
		case pmjPeriodStart:
			r.report.start = parseTime(t.Obj)
		case pmjPeriodEnd:
			r.report.end = parseTime(t.Obj)
		case pmjMissed:
			r.report.missed = append(r.report.missed, parseTime(t.Obj))
		case vocab.PMJTerm("collectedPeriods"):
			r.report.collected, _ = strconv.Atoi(t.Obj.String())
		}
	}
	if r.report.start.IsZero() {
		return nil
	}
	// The records of the reporting period under way.
	where := producedSince(r.id, r.report.start)
	return e.st.View(ctx, func(src query.Source) error {
		res, err := query.Run(ctx, src, query.Scope{Prefix: e.base + "/oslc/records/"}, &query.Query{Where: where}, query.Page{NoTotal: true})
		if err != nil {
			return err
		}
		for _, m := range res.Members {
			r.report.records = append(r.report.records, m.ID)
			g, _, err := src.Get(ctx, m.ID)
			if err != nil {
				return err
			}
			for _, t := range g {
				if t.Pred == vocab.DCIsPartOf && rdf.TermsEqual(t.Subj, m.ID) {
					if res, ok := t.Obj.(rdf.IRI); ok {
						r.report.addResource(res)
					}
				}
			}
		}
		return nil
	})
}

// producedSince is the oslc.where of what job produced for the periods
// starting at start or later.
func producedSince(job rdf.IRI, start time.Time) *parser.Where {
	return parser.And(
		parser.Eq(pmjProducedBy, job),
		parser.Compare(pmjPeriodStart, parser.OpGE, rdf.NewTypedLiteral(start.UTC().Format(time.RFC3339Nano), vocab.XSDDateTime)))
}

// addResource notes that the reporting period has a record about res.
func (p *pending) addResource(res rdf.IRI) {
	if !slices.Contains(p.resources, res) {
		p.resources = append(p.resources, res)
	}
}

func parseTime(o rdf.Object) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, o.String())
	return t
}
