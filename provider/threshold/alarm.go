package threshold

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Terms of alarms and threshold states.
var (
	pThreshold    = vocab.PMJTerm("threshold")
	pAlarmed      = vocab.PMJTerm("alarmedObject")
	pIndName      = vocab.PMJTerm("indicatorName")
	pIndUnit      = vocab.PMJTerm("indicatorUnit")
	pObserved     = vocab.PMJTerm("observedValue")
	pClearedValue = vocab.PMJTerm("clearedValue")
	pAlarmState   = vocab.PMJTerm("alarmState")
	pRaisedTime   = vocab.PMJTerm("alarmRaisedTime")
	pClearedTime  = vocab.PMJTerm("alarmClearedTime")
	pChangedTime  = vocab.PMJTerm("alarmChangedTime")
	pAckState     = vocab.PMJTerm("ackState")
	pAckUser      = vocab.PMJTerm("ackUser")
	pAckTime      = vocab.PMJTerm("ackTime")
	pClearUser    = vocab.PMJTerm("clearUser")
	pRaisedBy     = vocab.PMJTerm("raisedBy")
	pClearedBy    = vocab.PMJTerm("clearedBy")
	pAlarmType    = vocab.PMJTerm("alarmType")
	pCause        = vocab.PMJTerm("probableCause")
	pCrossing     = vocab.PMJTerm("crossingState")
	pAlarm        = vocab.PMJTerm("alarm")

	raised         = vocab.PMJTerm("Raised")
	cleared        = vocab.PMJTerm("Cleared")
	acknowledged   = vocab.PMJTerm("AckAcknowledged")
	unacknowledged = vocab.PMJTerm("AckUnacknowledged")

	// AlarmState is an alarm's state: Raised (active) or Cleared. What
	// tells of alarms (events, notifications) reads these.
	AlarmState = pAlarmState
	Raised     = raised
	Cleared    = cleared
	// AlarmedObject links an alarm to its monitored resource.
	AlarmedObject = pAlarmed

	stateIRIs = map[State]rdf.IRI{Armed: vocab.PMJTerm("Armed"), Crossed: vocab.PMJTerm("Crossed"), Fallen: vocab.PMJTerm("Fallen")}
	dirIRIs   = map[Direction]rdf.IRI{Rising: RisingIRI, Falling: FallingIRI, Both: BothIRI}
)

// Errors of the alarm operations.
var (
	// ErrNotAlarm: the resource is not an alarm.
	ErrNotAlarm = errors.New("not an alarm")
	// ErrAlarmCleared: an alarm already cleared cannot be cleared again.
	ErrAlarmCleared = errors.New("alarm already cleared")
)

// when returns the record's time as written (with its offset), or now.
func (e *Evaluator) when(rec *record) rdf.Literal {
	if rec.date != (rdf.Literal{}) && !parseTime(rec.date.String()).IsZero() {
		return rdf.NewTypedLiteral(rec.date.String(), vocab.XSDDateTime)
	}
	return stamp(e.now().UTC())
}

// raise returns a new alarm for th crossed by measure m of rec. Its
// identifier derives from the threshold, the resource and the record, so
// that the same crossing always mints the same alarm.
func (e *Evaluator) raise(th *Threshold, rec *record, m measure) (rdf.IRI, []rdf.Triple) {
	ident := th.Ident + "-" + hash(rec.res.String()+" "+rec.id.String())
	id := mustIRI(e.alarms + ident)
	at := e.when(rec)
	now := e.now()
	title := fmt.Sprintf("%s %s %g on %s", vocab.Short(th.Metric.String()), map[Direction]string{Rising: "≥", Falling: "≤", Both: "≥"}[th.Spec.Dir], levelOf(th.Spec), lastSegment(rec.res))
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: AlarmClass},
		{Subj: id, Pred: vocab.DCTitle, Obj: rdf.NewTypedLiteral(xmlEscape(title), vocab.RDFXMLLiteral)},
		{Subj: id, Pred: pThreshold, Obj: th.ID},
		{Subj: id, Pred: pAlarmed, Obj: rec.res},
		{Subj: id, Pred: pIndicator, Obj: th.Metric},
		{Subj: id, Pred: pIndName, Obj: str(vocab.Short(th.Metric.String()))},
		{Subj: id, Pred: pObserved, Obj: number(m.value)},
		{Subj: id, Pred: pValue, Obj: number(th.Spec.Value)},
		{Subj: id, Pred: pOffset, Obj: number(th.Spec.Offset)},
		{Subj: id, Pred: pDirection, Obj: dirIRIs[th.Spec.Dir]},
		{Subj: id, Pred: pSeverity, Obj: th.Severity},
		{Subj: id, Pred: pAlarmType, Obj: str("QualityOfServiceAlarm")},
		{Subj: id, Pred: pCause, Obj: str("thresholdCrossed")},
		{Subj: id, Pred: pRaisedTime, Obj: at},
		{Subj: id, Pred: pChangedTime, Obj: at},
		{Subj: id, Pred: pAlarmState, Obj: raised},
		{Subj: id, Pred: pAckState, Obj: unacknowledged},
		{Subj: id, Pred: pRaisedBy, Obj: rec.id},
	}
	if m.unit != (rdf.IRI{}) {
		g = append(g, rdf.Triple{Subj: id, Pred: pIndUnit, Obj: m.unit})
	}
	if rec.period > 0 {
		g = append(g, rdf.Triple{Subj: id, Pred: pGran, Obj: rdf.NewTypedLiteral(vocab.FormatDuration(rec.period), vocab.XSDDuration)})
	}
	return id, append(g, e.managed(id, "alarm", ident, now, now)...)
}

// levelOf is the level whose reaching raises.
func levelOf(s Spec) float64 { hi, _ := s.Levels(); return hi }

// clearByRecord returns alarm id's graph g cleared by measure m of rec.
func (e *Evaluator) clearByRecord(id rdf.IRI, g []rdf.Triple, rec *record, m measure) []rdf.Triple {
	at := e.when(rec)
	g = change(id, g, e.now(), pAlarmState, pChangedTime)
	return append(g,
		rdf.Triple{Subj: id, Pred: pAlarmState, Obj: cleared},
		rdf.Triple{Subj: id, Pred: pChangedTime, Obj: at},
		rdf.Triple{Subj: id, Pred: pClearedTime, Obj: at},
		rdf.Triple{Subj: id, Pred: pClearedValue, Obj: number(m.value)},
		rdf.Triple{Subj: id, Pred: pClearedBy, Obj: rec.id})
}

// change returns g without id's values of drop and with dcterms:modified
// set to now.
func change(id rdf.IRI, g []rdf.Triple, now time.Time, drop ...rdf.IRI) []rdf.Triple {
	out := make([]rdf.Triple, 0, len(g)+6)
	for _, t := range g {
		if isSubj(t, id) {
			skip := t.Pred == vocab.DCModified
			for _, p := range drop {
				skip = skip || t.Pred == p
			}
			if skip {
				continue
			}
		}
		out = append(out, t)
	}
	return append(out, rdf.Triple{Subj: id, Pred: vocab.DCModified, Obj: stamp(now.UTC())})
}

// Acknowledge records that who acknowledged alarm id, now, and returns its
// graph and ETag. ifMatch is checked as a PUT's would be.
func (e *Evaluator) Acknowledge(ctx context.Context, id rdf.IRI, ifMatch, who string) ([]rdf.Triple, string, error) {
	return e.act(ctx, id, ifMatch, func(g []rdf.Triple, now rdf.Literal) ([]rdf.Triple, error) {
		g = change(id, g, e.now(), pAckState, pAckUser, pAckTime, pChangedTime)
		return append(g,
			rdf.Triple{Subj: id, Pred: pAckState, Obj: acknowledged},
			rdf.Triple{Subj: id, Pred: pAckUser, Obj: str(who)},
			rdf.Triple{Subj: id, Pred: pAckTime, Obj: now},
			rdf.Triple{Subj: id, Pred: pChangedTime, Obj: now}), nil
	})
}

// Clear clears alarm id by hand: who cleared it, now. The threshold's
// state is left as it is, so a threshold still crossed raises no new
// alarm until it has cleared and crossed again.
func (e *Evaluator) Clear(ctx context.Context, id rdf.IRI, ifMatch, who string) ([]rdf.Triple, string, error) {
	return e.act(ctx, id, ifMatch, func(g []rdf.Triple, now rdf.Literal) ([]rdf.Triple, error) {
		if objectOf(g, id, pAlarmState) == cleared {
			return nil, ErrAlarmCleared
		}
		g = change(id, g, e.now(), pAlarmState, pChangedTime)
		return append(g,
			rdf.Triple{Subj: id, Pred: pAlarmState, Obj: cleared},
			rdf.Triple{Subj: id, Pred: pClearUser, Obj: str(who)},
			rdf.Triple{Subj: id, Pred: pClearedTime, Obj: now},
			rdf.Triple{Subj: id, Pred: pChangedTime, Obj: now}), nil
	})
}

// act applies f to alarm id under the evaluator's lock, so that a crossing
// written meanwhile cannot be lost, and keeps the open alarms in step.
func (e *Evaluator) act(ctx context.Context, id rdf.IRI, ifMatch string, f func(g []rdf.Triple, now rdf.Literal) ([]rdf.Triple, error)) ([]rdf.Triple, string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, etag, err := e.st.Get(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if objectOf(g, id, vocab.RDFType) != AlarmClass {
		return nil, "", ErrNotAlarm
	}
	g, err = f(g, stamp(e.now().UTC()))
	if err != nil {
		return nil, "", err
	}
	k := key{objectOf(g, id, pThreshold), objectOf(g, id, pAlarmed)}
	c := e.cells[k]
	if c == nil || c.alarm != id || objectOf(g, id, pAlarmState) == raised || c.open == nil {
		// Not the open alarm of a crossed threshold: the alarm alone.
		etag, err := e.st.Replace(ctx, id, g, ifMatch)
		if err != nil {
			return nil, "", err
		}
		if c != nil && c.alarm == id && c.open != nil {
			c.open = g
		}
		return g, etag, nil
	}
	// Cleared by hand while the threshold stays crossed: from now on a
	// state resource says so, written with the alarm. Every write of an
	// alarm holds e.mu, so the ETag checked is the one replaced.
	if ifMatch != "" && ifMatch != "*" && ifMatch != etag {
		return nil, "", store.ErrPreconditionFailed
	}
	next := *c
	next.open, next.kept = nil, true
	if err := e.st.Load(ctx, []store.Resource{{ID: id, Triples: g}, {ID: e.stateID(k), Triples: e.stateGraph(k, &next, e.now())}}); err != nil {
		return nil, "", err
	}
	*c = next
	_, etag, err = e.st.Get(ctx, id)
	return g, etag, err
}

// stateGraph is the resource keeping c, the state of k.
func (e *Evaluator) stateGraph(k key, c *cell, now time.Time) []rdf.Triple {
	id := e.stateID(k)
	g := []rdf.Triple{
		{Subj: id, Pred: vocab.RDFType, Obj: StateClass},
		{Subj: id, Pred: pThreshold, Obj: k.thr},
		{Subj: id, Pred: pAlarmed, Obj: k.res},
		{Subj: id, Pred: pCrossing, Obj: stateIRIs[c.state]},
		{Subj: id, Pred: vocab.DCModified, Obj: stamp(now.UTC())},
	}
	if c.alarm != (rdf.IRI{}) {
		g = append(g, rdf.Triple{Subj: id, Pred: pAlarm, Obj: c.alarm})
	}
	return g
}

// readState reads a state resource.
func readState(id rdf.IRI, g []rdf.Triple) (key, *cell) {
	k := key{objectOf(g, id, pThreshold), objectOf(g, id, pAlarmed)}
	c := &cell{alarm: objectOf(g, id, pAlarm), kept: true}
	for s, i := range stateIRIs {
		if objectOf(g, id, pCrossing) == i {
			c.state = s
		}
	}
	return k, c
}

// objectOf returns the IRI value of s's p in g, or the zero IRI.
func objectOf(g []rdf.Triple, s rdf.IRI, p rdf.IRI) rdf.IRI {
	for _, t := range g {
		if t.Pred == p && isSubj(t, s) {
			if i, ok := t.Obj.(rdf.IRI); ok {
				return i
			}
		}
	}
	return rdf.IRI{}
}

func xmlEscape(s string) string {
	r := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			r = append(r, "&amp;"...)
		case '<':
			r = append(r, "&lt;"...)
		case '>':
			r = append(r, "&gt;"...)
		default:
			r = append(r, s[i])
		}
	}
	return string(r)
}

// orphans clears the active alarms of thresholds that are gone, and
// forgets their states. It runs with e.mu held, after the deletion of a
// threshold and when the evaluator loads (a crash may have come between
// a deletion and this).
func (e *Evaluator) orphans(ctx context.Context) error {
	var rs []store.Resource
	var gone []key
	now := e.now()
	for k, c := range e.cells {
		if _, ok := e.defs[k.thr]; ok {
			continue
		}
		gone = append(gone, k)
		if c.open == nil {
			continue
		}
		g := change(c.alarm, c.open, now, pAlarmState, pChangedTime)
		at := stamp(now.UTC())
		g = append(g,
			rdf.Triple{Subj: c.alarm, Pred: pAlarmState, Obj: cleared},
			rdf.Triple{Subj: c.alarm, Pred: pClearUser, Obj: str(orphanClearer)},
			rdf.Triple{Subj: c.alarm, Pred: pClearedTime, Obj: at},
			rdf.Triple{Subj: c.alarm, Pred: pChangedTime, Obj: at})
		rs = append(rs, store.Resource{ID: c.alarm, Triples: g})
	}
	if len(rs) > 0 {
		if err := e.st.Load(ctx, rs); err != nil {
			return fmt.Errorf("clear the alarms of deleted thresholds: %w", err)
		}
	}
	for _, k := range gone {
		delete(e.cells, k)
	}
	return nil
}

// orphanClearer clears the alarms of a deleted threshold.
const orphanClearer = "pmprovider: threshold deleted"
