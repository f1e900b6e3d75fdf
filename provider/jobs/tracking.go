package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/provider/schedule"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// A change of a job, for a tracking record: a state transition or an
// event such as an update or missed periods.
type change struct {
	at       time.Time
	event    rdf.IRI // pmj:StateChanged, pmj:Created, ...
	from, to schedule.Status
	cause    string
	detail   string
	missed   []time.Time
	who      string
}

// changes turns state machine transitions into changes.
func changes(trs []schedule.Transition) []change {
	out := make([]change, 0, len(trs))
	for _, tr := range trs {
		out = append(out, change{at: tr.At, event: vocab.PMJTerm("StateChanged"), from: tr.From, to: tr.To,
			cause: string(tr.Cause), detail: tr.Detail, who: engineAgent})
	}
	return out
}

// byClient marks cs as made by who, with event for the first.
func byClient(cs []change, who string, event rdf.IRI) []change {
	for i := range cs {
		cs[i].who = who
	}
	if len(cs) > 0 && event != (rdf.IRI{}) {
		cs[len(cs)-1].event = event
	}
	return cs
}

// stateIRI is the pmj individual of a state.
func stateIRI(s schedule.State) rdf.IRI {
	if s == "" {
		return rdf.IRI{}
	}
	b := []byte(s)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return vocab.PMJTerm(string(b))
}

// stateOf is the inverse of stateIRI.
func stateOf(i rdf.IRI) schedule.State {
	s := []byte(vocab.Short(i.String()))
	if len(s) < 5 || string(s[:4]) != "pmj:" {
		return ""
	}
	s = s[4:]
	s[0] += 'a' - 'A'
	return schedule.State(s)
}

// trackingRecords builds the tracking record resources of cs.
func (e *Engine) trackingRecords(r *run, cs []change) []store.Resource {
	var out []store.Resource
	loc := r.job.Schedule.Location
	for i, c := range cs {
		ident := periodIdent(r.ident, c.at, fmt.Sprintf("%d-%d-%s", c.at.UnixNano(), i, c.event))
		what := strings.TrimPrefix(vocab.Short(c.event.String()), "pmj:")
		if c.from != c.to && c.from.State != "" {
			what = fmt.Sprintf("%s → %s", c.from, c.to)
		} else if c.from.State == "" && c.event == vocab.PMJTerm("StateChanged") {
			what = fmt.Sprintf("created %s", c.to)
		}
		id, g := e.resource("/oslc/tracking", ident, "tracking", vocab.PMJTracking,
			fmt.Sprintf("%s: %s", r.def.Title, what), e.now())
		g = append(g,
			rdf.Triple{Subj: id, Pred: pmjProducedBy, Obj: r.id},
			rdf.Triple{Subj: id, Pred: pmjEvent, Obj: c.event},
			rdf.Triple{Subj: id, Pred: vocab.DCDate, Obj: dateTime(c.at, loc)},
			rdf.Triple{Subj: id, Pred: dcCreator, Obj: str(c.who)},
		)
		if s := stateIRI(c.from.State); s != (rdf.IRI{}) {
			g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("fromState"), Obj: s})
		}
		if s := stateIRI(c.to.State); s != (rdf.IRI{}) {
			g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("toState"), Obj: s})
		}
		if c.cause != "" {
			g = append(g, rdf.Triple{Subj: id, Pred: vocab.PMJTerm("cause"), Obj: str(c.cause)})
		}
		desc := c.detail
		switch {
		case desc == "" && c.cause != "":
			desc = fmt.Sprintf("%s (%s), by %s at %s", what, c.cause, c.who, c.at.In(locOrUTC(loc)).Format(time.RFC3339))
		case desc == "":
			desc = fmt.Sprintf("%s, by %s at %s", what, c.who, c.at.In(locOrUTC(loc)).Format(time.RFC3339))
		}
		g = append(g, rdf.Triple{Subj: id, Pred: vocab.DCDescription, Obj: rdf.NewTypedLiteral(xmlEscape(desc), vocab.RDFXMLLiteral)})
		for j, m := range c.missed {
			if j == 1000 {
				break // the description gives the count
			}
			g = append(g, rdf.Triple{Subj: id, Pred: pmjMissed, Obj: dateTime(m, loc)})
		}
		out = append(out, store.Resource{ID: id, Triples: g})
	}
	return out
}

// State properties of a job resource, rewritten when its state changes.
var stateProps = map[string]bool{
	vocab.PMJ + "executionState": true,
	vocab.PMJ + "duty":           true,
	vocab.PMJ + "adminState":     true,
	vocab.PMJ + "stateReason":    true,
	vocab.PMJ + "stateChanged":   true,
}

// stateTriples are the state properties of r's job now.
func (e *Engine) stateTriples(r *run) []rdf.Triple {
	st := r.job.Status
	g := []rdf.Triple{
		{Subj: r.id, Pred: vocab.PMJTerm("executionState"), Obj: stateIRI(st.State)},
		{Subj: r.id, Pred: vocab.PMJTerm("stateChanged"), Obj: dateTime(r.job.At, r.job.Schedule.Location)},
	}
	admin := vocab.PMJTerm("Unlocked")
	if st.Admin == schedule.Locked {
		admin = vocab.PMJTerm("Locked")
	}
	g = append(g, rdf.Triple{Subj: r.id, Pred: vocab.PMJTerm("adminState"), Obj: admin})
	switch st.Duty {
	case schedule.DutyOn:
		g = append(g, rdf.Triple{Subj: r.id, Pred: vocab.PMJTerm("duty"), Obj: vocab.PMJTerm("OnDuty")})
	case schedule.DutyOff:
		g = append(g, rdf.Triple{Subj: r.id, Pred: vocab.PMJTerm("duty"), Obj: vocab.PMJTerm("OffDuty")})
	}
	if r.job.Reason != "" {
		g = append(g, rdf.Triple{Subj: r.id, Pred: vocab.PMJTerm("stateReason"), Obj: str(r.job.Reason)})
	}
	return g
}

// withState replaces the state properties in the job graph g.
func (e *Engine) withState(r *run, g []rdf.Triple) []rdf.Triple {
	out := make([]rdf.Triple, 0, len(g)+5)
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, r.id) && stateProps[t.Pred.String()] {
			continue
		}
		out = append(out, t)
	}
	return append(out, e.stateTriples(r)...)
}

// persist writes the tracking records of cs and, if the job's state
// changed, its state properties.
func (e *Engine) persist(ctx context.Context, r *run, cs []change) error {
	if len(cs) == 0 {
		return nil
	}
	if err := e.writer.write(ctx, e.trackingRecords(r, cs), nil); err != nil {
		return err
	}
	changed := false
	for _, c := range cs {
		if c.from != c.to || c.event != vocab.PMJTerm("StateChanged") {
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return e.saveState(ctx, r)
}

// saveState rewrites the state properties of r's job resource.
func (e *Engine) saveState(ctx context.Context, r *run) error {
	if r.lease != nil {
		return e.saveLeased(ctx, r)
	}
	for attempt := 0; attempt < 5; attempt++ {
		g, etag, err := e.st.Get(ctx, r.id)
		if err != nil {
			return err
		}
		_, err = e.st.Replace(ctx, r.id, e.withState(r, g), etag)
		if !errors.Is(err, store.ErrPreconditionFailed) {
			return err
		}
	}
	return fmt.Errorf("job %s kept changing while its state was saved", r.id)
}
