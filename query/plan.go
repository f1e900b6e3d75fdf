package query

import (
	"context"
	"slices"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// probeBudget is how many index entries a selectivity probe reads before
// it gives up; see doc.go, "Planner".
var probeBudget = 2048

// firstProbe is the budget of the first round of probes; with several
// conditions to choose from, rounds go on to probeGrowth times probeBudget.
const (
	firstProbe  = 128
	probeGrowth = 64
)

// joinProbe is how far probes go when conditions are joined instead (see
// largeJoin), and how many keys any condition may have to join; joinRatio is
// how many times the keys of the smallest one a joined condition may have:
// reading a key costs a few percent of checking a subject. joinMax bounds
// the keys counted per condition.
var joinProbe = 8 * probeBudget

const (
	joinRatio = 32
	joinMax   = 1 << 17
)

// budget counts index entries read; nil is unlimited.
type budget struct{ left int }

// spend takes one entry; false when the budget is gone.
func (b *budget) spend() bool {
	if b == nil {
		return true
	}
	b.left--
	return b.left >= 0
}

// eval holds what one Run reads through.
type eval struct {
	ctx   context.Context
	src   Source
	acc   Accelerator // src, if it is one; call only what feat names
	feat  Features
	scope Scope
	types map[string]bool

	// The source's pairs (Features.Join): the value properties of each
	// key property, and the value properties.
	pairs  map[string][]string
	values map[string]bool
}

// subjKey is a map key for a subject: IRIs and blank nodes never collide.
func subjKey(s rdf.Term) string {
	if b, ok := s.(rdf.Blank); ok {
		return "_:" + b.String()
	}
	return s.String()
}

// subjSet is a set of subjects in the order first added. It remembers
// which are known to be stored resources (see matchSubjects).
type subjSet struct {
	list []rdf.Subject
	seen map[string]bool // true: known to be a stored resource
}

func newSubjSet() *subjSet { return &subjSet{seen: map[string]bool{}} }

// add adds s and reports whether it was new.
func (ss *subjSet) add(s rdf.Subject) bool { return ss.addRes(s, false) }

// addRes adds s, known to be a stored resource if resource, and reports
// whether it was new.
func (ss *subjSet) addRes(s rdf.Subject, resource bool) bool {
	k := subjKey(s)
	if known, ok := ss.seen[k]; ok {
		if resource && !known {
			ss.seen[k] = true
		}
		return false
	}
	ss.seen[k] = resource
	ss.list = append(ss.list, s)
	return true
}

// resource reports whether s is known to be a stored resource.
func (ss *subjSet) resource(s rdf.Term) bool { return ss.seen[subjKey(s)] }

func (ss *subjSet) has(s rdf.Term) bool {
	_, ok := ss.seen[subjKey(s)]
	return ok
}

// indexable reports whether the engine can list the subjects for which c
// holds from an index, rather than only check a given subject.
func indexable(c *cond) bool {
	switch c.kind {
	case condEq:
		if !c.wildcard {
			return true
		}
		for _, q := range c.vals {
			if q.isNum || q.isDT {
				return false // Range needs the property
			}
		}
		return true
	case condRange:
		return !c.wildcard
	case condScoped:
		return slices.ContainsFunc(c.inner, indexable)
	case condJoin:
		return true
	}
	return false
}

// priority ranks indexable conditions by how selective they usually are,
// most selective first; probes run in this order and it breaks ties.
func priority(c *cond) int {
	switch c.kind {
	case condEq:
		for _, q := range c.vals {
			if !q.isIRI {
				return 2
			}
		}
		return 1
	case condRange:
		if c.lo != nil && c.hi != nil || c.empty {
			return 3
		}
		return 5
	case condScoped:
		return 4
	case condJoin:
		return 0 // a pair: both conditions from one index
	}
	return 9
}

// lookup is one index read listing the subjects with a value of a
// property equal to a query value.
type lookup struct {
	obj   rdf.Object   // Match(nil, p, obj)
	lo    *rdf.Literal // or Range(p, lo, lo) inclusive
	isRng bool
}

// lookups are the index reads that together list the subjects with a value
// equal to q: one per term the value may be stored as, and a point Range
// for numbers and dateTimes, which equal across types and offsets.
func lookups(q *qval) []lookup {
	var ls []lookup
	if q.isIRI {
		if i, err := rdf.NewIRI(q.iri); err == nil {
			ls = append(ls, lookup{obj: i})
		}
	}
	if q.isStr {
		if q.lang == "" {
			ls = append(ls, lookup{obj: rdf.NewTypedLiteral(q.str, vocab.XSDString)},
				lookup{obj: rdf.NewTypedLiteral(q.str, vocab.RDFXMLLiteral)})
		}
		for _, tag := range q.langRaw {
			if tag == "" {
				continue
			}
			if l, err := rdf.NewLangLiteral(q.str, tag); err == nil {
				ls = append(ls, lookup{obj: l})
			}
		}
	}
	if q.isBool {
		lex := [2]string{"false", "0"}
		if q.boolv {
			lex = [2]string{"true", "1"}
		}
		for _, x := range lex {
			ls = append(ls, lookup{obj: rdf.NewTypedLiteral(x, vocab.XSDBoolean)})
		}
	}
	if q.isOther {
		if dt, err := rdf.NewIRI(q.other.dt); err == nil {
			ls = append(ls, lookup{obj: rdf.NewTypedLiteral(q.other.str, dt)})
		}
	}
	if q.isNum {
		l := q.numL
		ls = append(ls, lookup{lo: &l, isRng: true})
	}
	if q.isDT {
		l := q.dtL
		ls = append(ls, lookup{lo: &l, isRng: true})
	}
	return ls
}

// joinable reports whether an Accelerator's Intersect (Features.Join)
// can list c's subjects: c is one or more index reads on a named
// property.
func joinable(c *cond) bool {
	switch c.kind {
	case condEq:
		return !c.wildcard
	case condRange:
		return !c.wildcard && !c.empty
	}
	return false
}

// patterns are the index reads that list c's subjects, for a join.
func patterns(c *cond) []Pattern {
	var ps []Pattern
	switch c.kind {
	case condEq:
		for _, q := range c.vals {
			for _, l := range lookups(q) {
				if l.isRng {
					ps = append(ps, Pattern{Pred: c.prop, Lo: l.lo, Hi: l.lo, Opt: RangeOptions{LoInclusive: true, HiInclusive: true}})
				} else {
					ps = append(ps, Pattern{Pred: c.prop, Obj: l.obj})
				}
			}
		}
	case condRange:
		p := Pattern{Pred: c.prop}
		if c.lo != nil {
			p.Lo, p.Opt.LoInclusive = &c.lo.lit, c.lo.incl
		}
		if c.hi != nil {
			p.Hi, p.Opt.HiInclusive = &c.hi.lit, c.hi.incl
		}
		ps = append(ps, p)
	}
	return ps
}

// fusePairs returns conds with each equality on a pair's key property
// and range on its value property that the source indexes together (see
// joinGroups) replaced by one join of the two, which the planner probes
// and enumerates like any index read: ems:metric=pm:CpuUsed and
// ems:numericValue>90 then lists just the measures matching both, instead
// of counting and intersecting two large sets.
func (e *eval) fusePairs(conds []*cond) []*cond {
	if !e.feat.Join || len(conds) < 2 {
		return conds
	}
	partner := e.pairUp(conds)
	var out []*cond
	for i, j := range partner {
		if j > i {
			a, b := conds[i], conds[j]
			out = append(out, &cond{kind: condJoin, parts: []*cond{a, b}, text: a.text + " and " + b.text})
		}
	}
	for i, c := range conds {
		if partner[i] < 0 {
			out = append(out, c)
		}
	}
	return out
}

// pairKey returns the object of c if c can be the key half of a pair: an
// equality with one IRI on a named property.
func pairKey(c *cond) (rdf.Object, bool) {
	if c.kind != condEq || c.wildcard {
		return nil, false
	}
	ps := patterns(c)
	if len(ps) != 1 || ps[0].Obj == nil {
		return nil, false
	}
	if _, isIRI := ps[0].Obj.(rdf.IRI); !isIRI {
		return nil, false
	}
	return ps[0].Obj, true
}

// pairUp matches the key halves of pairs in conds with their value halves:
// each key, in order, with the first range left on a property the source
// pairs with the key's. partner[i] is the index of the condition matched
// with conds[i], or -1. It looks at each condition once, so that a
// conjunction of many terms costs no more than their number.
func (e *eval) pairUp(conds []*cond) (partner []int) {
	partner = make([]int, len(conds))
	for i := range partner {
		partner[i] = -1
	}
	if len(e.pairs) == 0 {
		return partner
	}
	ranges := map[string][]int{} // value property: its ranges not yet matched, in order
	for j, c := range conds {
		if c.kind == condRange && !c.wildcard && !c.empty && e.values[c.prop.String()] {
			ranges[c.prop.String()] = append(ranges[c.prop.String()], j)
		}
	}
	if len(ranges) == 0 {
		return partner
	}
	for i, c := range conds {
		if _, ok := pairKey(c); !ok {
			continue
		}
		best, bestV := -1, ""
		for _, v := range e.pairs[c.prop.String()] {
			if q := ranges[v]; len(q) > 0 && (best < 0 || q[0] < best) {
				best, bestV = q[0], v
			}
		}
		if best >= 0 {
			ranges[bestV] = ranges[bestV][1:]
			partner[i], partner[best] = best, i
		}
	}
	return partner
}

// joinGroups returns the pattern groups a join of parts reads: one per
// part, except that an equality with one IRI on a pair's key property and
// a range on its value property (ems:metric=pm:CpuUsed and
// ems:numericValue>90) are read together from the pair index, which lists
// just the subjects matching both.
//
// The pair index holds the subjects whose two properties one resource
// states; a node whose metric and value come from different resources is
// not in it. Records state their measures whole, so the planner uses it
// for the nested conditions it was made for.
func (e *eval) joinGroups(parts []*cond) [][]Pattern {
	partner := make([]int, len(parts))
	for i := range partner {
		partner[i] = -1
	}
	if e.feat.Join {
		partner = e.pairUp(parts)
	}
	var groups [][]Pattern
	for i, a := range parts {
		if j := partner[i]; j >= 0 {
			if obj, ok := pairKey(a); ok {
				bp := patterns(parts[j])[0]
				bp.With, bp.WithObj = a.prop, obj
				groups = append(groups, []Pattern{bp})
			}
		}
	}
	for i, p := range parts {
		if partner[i] < 0 {
			groups = append(groups, patterns(p))
		}
	}
	return groups
}

// matchSubjects calls fn with the subject of each triple (?, p, o), and
// whether the subject is known to be a stored resource: a triple held by
// the resource named by its subject proves it, at no extra read.
// Without want it does not ask, as telling may cost a dictionary read
// per triple whose subject is not the resource.
func (e *eval) matchSubjects(p rdf.Predicate, o rdf.Object, want bool, fn func(s rdf.Subject, resource bool) bool) error {
	if e.feat.Quads && want {
		return e.acc.MatchQuads(e.ctx, nil, p, o, func(t rdf.Triple, g rdf.IRI) bool {
			id, ok := t.Subj.(rdf.IRI)
			return fn(t.Subj, ok && id == g)
		})
	}
	return e.src.Match(e.ctx, nil, p, o, func(t rdf.Triple) bool { return fn(t.Subj, false) })
}

// enum calls fn with subjects for which c holds (with repeats), reading the
// indexes, until fn returns false or b runs out. It reports whether it
// listed them all. c must be indexable.
func (e *eval) enum(c *cond, b *budget, fn func(s rdf.Subject) bool) (complete bool, err error) {
	return e.enumRes(c, b, false, func(s rdf.Subject, _ bool) bool { return fn(s) })
}

// enumRes is enum that, with want, also tells fn whether the subject is
// known to be a stored resource (see matchSubjects).
func (e *eval) enumRes(c *cond, b *budget, want bool, fn func(s rdf.Subject, resource bool) bool) (complete bool, err error) {
	stopped := false
	visit := func(s rdf.Subject, resource bool) bool {
		if !b.spend() || !fn(s, resource) {
			stopped = true
			return false
		}
		return true
	}
	var pred rdf.Predicate
	if !c.wildcard {
		pred = c.prop
	}
	switch c.kind {
	case condEq:
		for _, q := range c.vals {
			for _, l := range lookups(q) {
				if l.isRng {
					err = e.src.Range(e.ctx, c.prop, l.lo, l.lo, RangeOptions{LoInclusive: true, HiInclusive: true},
						func(s rdf.Subject, _ rdf.Literal) bool { return visit(s, false) })
				} else {
					err = e.matchSubjects(pred, l.obj, want, visit)
				}
				if err != nil || stopped {
					return false, err
				}
			}
		}
	case condRange:
		if c.empty {
			return true, nil
		}
		var lo, hi *rdf.Literal
		opt := RangeOptions{}
		if c.lo != nil {
			lo, opt.LoInclusive = &c.lo.lit, c.lo.incl
		}
		if c.hi != nil {
			hi, opt.HiInclusive = &c.hi.lit, c.hi.incl
		}
		err = e.src.Range(e.ctx, c.prop, lo, hi, opt, func(s rdf.Subject, _ rdf.Literal) bool { return visit(s, false) })
	case condJoin:
		err = e.acc.Intersect(e.ctx, Join{Groups: e.joinGroups(c.parts)}, func(s rdf.Subject, _ bool) bool { return visit(s, false) })
	case condScoped:
		var nodes []rdf.Subject
		if c.innerPlan == nil {
			if c.innerPlan, err = e.plan(c.inner, nil, false); err != nil {
				return false, err
			}
		}
		if d := c.innerPlan.driver; d != nil && d.kind == condJoin && c.innerPlan.set == nil &&
			len(c.innerPlan.filters) == 0 && len(c.innerPlan.rest) == 0 && pred != nil && e.feat.Join {
			// The join is the whole nested condition: go from its nodes'
			// keys straight to the subjects referring to them.
			err = e.acc.Intersect(e.ctx, Join{Groups: e.joinGroups(d.parts), Via: c.prop}, visit)
			return err == nil && !stopped, err
		}
		if c.nodesDone {
			nodes = c.nodes
		} else {
			// A join reads its keys in full whatever the budget: do it once.
			nb := b
			if d := c.innerPlan.driver; d != nil && d.kind == condJoin {
				nb = nil
			}
			nodes, complete, err = e.nodes(c.innerPlan, nb)
			if err != nil || !complete {
				return false, err
			}
			c.nodes, c.nodesDone = nodes, true
		}
		for _, n := range nodes {
			obj, ok := n.(rdf.Object)
			if !ok {
				continue
			}
			err = e.matchSubjects(pred, obj, want, visit)
			if err != nil || stopped {
				return false, err
			}
		}
	}
	return err == nil && !stopped, err
}

// distinctFilter returns a filter for the subjects enum lists for c, true
// for each subject's first time. When c is one index read of (?, p, o),
// which lists a subject's triples together, it compares with the last
// subject instead of remembering them all.
func distinctFilter(c *cond) func(s rdf.Subject) bool {
	if c.kind == condEq && len(c.vals) == 1 {
		if ls := lookups(c.vals[0]); len(ls) == 1 && !ls[0].isRng {
			var last rdf.Subject
			return func(s rdf.Subject) bool {
				if last != nil && s == last {
					return false
				}
				last = s
				return true
			}
		}
	}
	return newSubjSet().add
}

// probe lists c's subjects, distinct, within budget n; with want, noting
// those known to be stored resources.
func (e *eval) probe(c *cond, n int, want bool) (*subjSet, bool, error) {
	set := newSubjSet()
	complete, err := e.enumRes(c, &budget{left: n}, want, func(s rdf.Subject, resource bool) bool {
		set.addRes(s, resource)
		return true
	})
	return set, complete, err
}

// nodePlan is how to find the subjects for which a conjunction holds: list
// the driver's subjects, keep those in every filter set, and check the rest.
type nodePlan struct {
	driver  *cond    // nil: no index applies
	set     *subjSet // the driver's subjects, if its probe completed
	small   bool     // set has at most probeBudget subjects
	filters []*subjSet
	rest    []*cond
}

// plan probes the indexable conditions of a conjunction and picks the one
// with the fewest subjects as the driver (see doc.go, "Planner"). extra,
// if set, is a complete set the subjects must be in, such as the hits of a
// text search; it may become the driver. top is set for the members'
// conjunction, whose subjects' being stored resources matters.
func (e *eval) plan(conds []*cond, extra *subjSet, top bool) (*nodePlan, error) {
	np := &nodePlan{}
	type probed struct {
		c        *cond
		set      *subjSet
		complete bool
	}
	var cands []*cond
	for _, c := range e.fusePairs(conds) {
		if indexable(c) {
			cands = append(cands, c)
		} else {
			np.rest = append(np.rest, c)
		}
	}
	slices.SortStableFunc(cands, func(a, b *cond) int { return priority(a) - priority(b) })
	// Probe in rounds, doubling the budget, until one completes: the reads
	// spent on large conditions stay within a few times the size of the
	// smallest. With a choice to make, go on past probeBudget, as the
	// driver is read in full anyway.
	limit, most := probeBudget, probeBudget
	if len(cands) > 1 {
		most = probeBudget * probeGrowth
	}
	joins, err := e.largeJoin(cands, extra)
	if err != nil {
		return nil, err
	}
	if joins != nil {
		// The rest are probed only as far as a join is worth.
		most = joinProbe
		joined := make(map[*cond]bool, len(joins))
		for _, c := range joins {
			joined[c] = true
		}
		cands = slices.DeleteFunc(cands, func(c *cond) bool { return joined[c] })
	}
	if extra != nil {
		limit, most = min(limit, len(extra.list)), min(most, len(extra.list))
	}
	ps := make([]probed, len(cands))
	for i, c := range cands {
		ps[i].c = c
	}
	for round := min(firstProbe, most); round > 0; round = min(round*2, most) {
		done := false
		for i := range ps {
			if ps[i].complete || most <= 0 {
				continue
			}
			if err := e.ctx.Err(); err != nil {
				return nil, err
			}
			set, complete, err := e.probe(ps[i].c, min(round, most)+1, top)
			if err != nil {
				return nil, err
			}
			ps[i].set, ps[i].complete = set, complete
			if complete {
				// A later probe is worth its reads only if it is smaller
				// than this one, as driver or as filter.
				most, done = min(most, len(set.list)), true
			}
		}
		if done || round >= most {
			break
		}
	}
	best := -1
	for i, p := range ps {
		if p.complete && (best < 0 || len(p.set.list) < len(ps[best].set.list)) {
			best = i
		}
	}
	switch {
	case best >= 0 && (extra == nil || len(ps[best].set.list) < len(extra.list)):
		np.driver, np.set = ps[best].c, ps[best].set
		np.small = len(np.set.list) <= limit
		if extra != nil {
			np.filters = append(np.filters, extra)
		}
	case extra != nil:
		np.set, np.small = extra, true
		best = -1
	case joins != nil:
		// No condition is small: intersect the large ones by their keys.
		np.driver = &cond{kind: condJoin, parts: joins}
		joins = nil
	case len(ps) > 0:
		np.driver, best = ps[0].c, 0
	}
	np.rest = append(np.rest, joins...)
	for i, p := range ps {
		switch {
		case i == best:
		case p.complete:
			np.filters = append(np.filters, p.set)
		default:
			np.rest = append(np.rest, p.c)
		}
	}
	// Check cheap conditions first.
	slices.SortStableFunc(np.rest, func(a, b *cond) int { return checkCost(a) - checkCost(b) })
	return np, nil
}

// largeJoin returns the conditions of cands to intersect (Features.Join)
// rather than probe, if there are two or more: those it can list whose
// index keys, counted without reading terms, are at most joinRatio times
// the fewest, or all of them if each has more than joinProbe keys.
func (e *eval) largeJoin(cands []*cond, extra *subjSet) ([]*cond, error) {
	if !e.feat.Join || extra != nil {
		return nil, nil
	}
	var joins []*cond
	for _, c := range cands {
		if joinable(c) {
			joins = append(joins, c)
		}
	}
	if len(joins) < 2 {
		return nil, nil
	}
	counts := make([]int, len(joins))
	fewest := -1 // of the conditions counted in full
	for i, c := range joins {
		limit := joinMax
		if fewest >= 0 {
			limit = min(limit, max(joinProbe, joinRatio*fewest))
		}
		n, err := e.acc.Count(e.ctx, patterns(c), limit)
		if err != nil {
			return nil, err
		}
		counts[i] = n
		if n <= limit && (fewest < 0 || n < fewest) {
			fewest = n
		}
	}
	if fewest < 0 {
		return joins, nil
	}
	var out []*cond
	for i, c := range joins {
		if counts[i] <= max(joinProbe, joinRatio*fewest) {
			out = append(out, c)
		}
	}
	if len(out) < 2 {
		return nil, nil
	}
	return out, nil
}

func checkCost(c *cond) int {
	if c.kind == condScoped {
		return 2
	}
	if c.wildcard {
		return 1
	}
	return 0
}

// nodes lists the distinct nodes for which a nested conjunction holds,
// spending b on the driver's entries. It reports whether the list is
// complete.
func (e *eval) nodes(np *nodePlan, b *budget) ([]rdf.Subject, bool, error) {
	if np.driver == nil && np.set == nil {
		return nil, false, nil
	}
	var out []rdf.Subject
	var ferr error
	check := func(s rdf.Subject) bool {
		ok, err := e.check(np, s)
		if err != nil {
			ferr = err
			return false
		}
		if ok {
			out = append(out, s)
		}
		return true
	}
	if np.set != nil {
		for _, s := range np.set.list {
			if !b.spend() {
				return nil, false, nil
			}
			if !check(s) {
				return nil, false, ferr
			}
		}
		return out, true, nil
	}
	seen := newSubjSet()
	complete, err := e.enum(np.driver, b, func(s rdf.Subject) bool {
		if !seen.add(s) {
			return true
		}
		return check(s)
	})
	if err == nil {
		err = ferr
	}
	return out, complete && err == nil, err
}

// check reports whether s passes the plan's filters and remaining
// conditions (the driver's own condition is known to hold). Every loop
// over candidates comes here, so it is where a run stops once its
// context is done, whether or not the source notices.
func (e *eval) check(np *nodePlan, s rdf.Subject) (bool, error) {
	if err := e.ctx.Err(); err != nil {
		return false, err
	}
	for _, f := range np.filters {
		if !f.has(s) {
			return false, nil
		}
	}
	return e.holdsAll(np.rest, s)
}

func (e *eval) holdsAll(conds []*cond, s rdf.Subject) (bool, error) {
	for _, c := range conds {
		ok, err := e.holds(c, s)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// holds reports whether c holds for subject s, reading s's values.
func (e *eval) holds(c *cond, s rdf.Subject) (bool, error) {
	var pred rdf.Predicate
	if !c.wildcard {
		pred = c.prop
	}
	if c.kind == condJoin {
		return e.holdsAll(c.parts, s)
	}
	if c.kind == condScoped {
		var nodes []rdf.Subject
		err := e.src.Match(e.ctx, s, pred, nil, func(t rdf.Triple) bool {
			if n, ok := t.Obj.(rdf.Subject); ok && t.Obj.Type() != rdf.TermLiteral {
				nodes = append(nodes, n)
			}
			return true
		})
		if err != nil {
			return false, err
		}
		for _, n := range nodes {
			ok, err := e.holdsAll(c.inner, n)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	if c.kind == condRange && c.empty {
		return false, nil
	}
	// Reading all values of s and p costs one dictionary lookup less
	// than asking for a given value.
	found := false
	err := e.src.Match(e.ctx, s, pred, nil, func(t rdf.Triple) bool {
		found = c.matches(classify(t.Obj))
		return !found
	})
	if err != nil {
		return false, err
	}
	if c.kind == condNe {
		return !found, nil
	}
	return found, nil
}

// inScope reports whether s is a member: an IRI under the scope's prefix
// with one of the scope's types, or, without types, naming a stored
// resource. resource and typed say what the caller already knows.
func (e *eval) inScope(s rdf.Subject, resource, typed bool) (bool, error) {
	id, ok := s.(rdf.IRI)
	if !ok || !strings.HasPrefix(id.String(), e.scope.Prefix) {
		return false, nil
	}
	if len(e.scope.Types) == 0 {
		if resource {
			return true, nil
		}
		return e.src.Exists(e.ctx, id)
	}
	if typed {
		return true, nil
	}
	// Match(s, rdf:type, ?) costs one dictionary lookup less than
	// asking for each type.
	found := false
	err := e.src.Match(e.ctx, id, vocab.RDFType, nil, func(t rdf.Triple) bool {
		found = t.Obj.Type() == rdf.TermIRI && e.types[t.Obj.String()]
		return !found
	})
	return found, err
}
