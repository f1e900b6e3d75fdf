package store

import (
	"context"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/knakk/rdf"
)

// The joins, sets and text hits of a Snapshot over the indexes and the
// overlay together (see overlay.go). A subject's triples are all on one
// side, so a conjunction of patterns about one subject is answered by
// each side alone; only a step along via may cross from one side to the
// other, and those crossings are few: the overlay's triples, or the
// indexes' about the overlay's subjects.

// ovListed calls fn with a triple of each subject of segs that pattern p
// lists (see Pattern), once per matching triple, until fn returns false;
// it returns false then.
func ovListed(segs []*segment, p Pattern, fn func(sg *segment, x int32) bool) (bool, error) {
	var withEnc string
	if p.With != (rdf.IRI{}) && p.WithObj != nil {
		enc, err := encodeTerm(p.WithObj)
		if err != nil {
			return false, err
		}
		withEnc = enc
	}
	keep := func(sg *segment, x int32) bool {
		if p.With == (rdf.IRI{}) {
			return true
		}
		for y := range sg.bySubj.all(sg.trip[x].t.Subj.String()) {
			t := &sg.trip[y]
			if t.t.Pred.String() == p.With.String() && (p.WithObj == nil || t.o == withEnc) {
				return true
			}
		}
		return false
	}
	each := func(sg *segment, x int32) bool { return !keep(sg, x) || fn(sg, x) }
	if p.Obj != nil {
		enc, err := encodeTerm(p.Obj)
		if err != nil {
			return false, err
		}
		return ovMatchAll(segs, nil, p.Pred, p.Obj, enc, each), nil
	}
	opt := p.Opt
	opt.Desc = false
	classes, from, to, empty, err := rangeBounds(p.Lo, p.Hi, opt)
	if err != nil || empty {
		return true, err
	}
	it := newOvRange(segs, p.Pred, classes, from, to, false, nil)
	for k, ok := it.peek(); ok; k, ok = it.peek() {
		it.next()
		if !each(k.sg, k.x) {
			return false, nil
		}
	}
	return true, nil
}

// ovIntersect returns a triple of each subject of segs that every group
// lists, a group listing the subjects of any of its patterns, in the
// subjects' byte order.
func ovIntersect(segs []*segment, groups [][]Pattern) ([]ovKeyed, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	var have map[string]ovKeyed
	for _, g := range groups {
		next := make(map[string]ovKeyed)
		for _, p := range g {
			_, err := ovListed(segs, p, func(sg *segment, x int32) bool {
				k := sg.trip[x].t.Subj.String()
				if _, ok := have[k]; ok || have == nil {
					next[k] = ovKeyed{sg, x}
				}
				return true
			})
			if err != nil {
				return nil, err
			}
		}
		if have = next; len(have) == 0 {
			return nil, nil
		}
	}
	out := make([]ovKeyed, 0, len(have))
	for _, k := range have {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b ovKeyed) int {
		return strings.Compare(a.sg.trip[a.x].t.Subj.String(), b.sg.trip[b.x].t.Subj.String())
	})
	return out, nil
}

// storeHolds reports whether subject m, of the indexes, is listed by
// every group.
func (s *Snapshot) storeHolds(ctx context.Context, m rdf.IRI, groups [][]Pattern) (bool, error) {
	found := func(p rdf.Predicate, o rdf.Object, lo, hi *rdf.Literal, opt RangeOptions) (bool, error) {
		var classes []byte
		var from, to uint64
		if o == nil {
			var empty bool
			var err error
			opt.Desc = false
			if classes, from, to, empty, err = rangeBounds(lo, hi, opt); err != nil || empty {
				return false, err
			}
		}
		ok := false
		err := s.match(ctx, m, p, o, true, func(t rdf.Triple, _ uint64) (bool, error) {
			if o == nil {
				c, v := sortKey(t.Obj)
				if !slices.Contains(classes, c) || v < from || v > to {
					return true, nil
				}
			}
			ok = true
			return false, nil
		})
		return ok, err
	}
	for _, g := range groups {
		any := false
		for _, p := range g {
			ok, err := found(p.Pred, p.Obj, p.Lo, p.Hi, p.Opt)
			if err != nil {
				return false, err
			}
			if ok && p.With != (rdf.IRI{}) {
				if ok, err = found(p.With, p.WithObj, nil, nil, RangeOptions{}); err != nil {
					return false, err
				}
			}
			if ok {
				any = true
				break
			}
		}
		if !any {
			return false, nil
		}
	}
	return true, nil
}

// ovVia calls ovFn with each triple (x, via, m) of segs and storeFn with
// each of the indexes' such that m is a subject every group lists, until
// either returns false.
func (s *Snapshot) ovVia(ctx context.Context, segs []*segment, groups [][]Pattern, via rdf.IRI, ovFn func(sg *segment, x int32) bool, storeFn func(t rdf.Triple, g uint64) (bool, error)) error {
	ms, err := ovIntersect(segs, groups)
	if err != nil {
		return err
	}
	for _, k := range ms {
		m, ok := k.sg.trip[k.x].t.Subj.(rdf.IRI)
		if !ok {
			continue
		}
		enc, err := encodeTerm(m)
		if err != nil {
			return err
		}
		if !ovMatch(segs, nil, via, m, enc, false, ovFn) {
			return nil
		}
		stopped := false
		if err := s.match(ctx, nil, via, m, false, func(t rdf.Triple, g uint64) (bool, error) {
			more, err := storeFn(t, g)
			stopped = !more
			return more, err
		}); err != nil || stopped {
			return err
		}
	}
	// Triples of the overlay to the indexes' subjects.
	holds := make(map[string]bool)
	for _, sg := range segs {
		for _, x := range sg.byPred[via.String()][:sg.nPlain[via.String()]] {
			m, ok := sg.trip[x].t.Obj.(rdf.IRI)
			if !ok || isOvSubject(segs, m.String()) {
				continue
			}
			h, known := holds[m.String()]
			if !known {
				if h, err = s.storeHolds(ctx, m, groups); err != nil {
					return err
				}
				holds[m.String()] = h
			}
			if h && !ovFn(sg, x) {
				return nil
			}
		}
	}
	return nil
}

// isOvSubject reports whether IRI m is a subject of segs.
func isOvSubject(segs []*segment, m string) bool {
	for _, sg := range segs {
		if sg.bySubj.has(m) {
			return true
		}
	}
	return false
}

// intersectUnion is the overlay's part of Intersect.
func (s *Snapshot) intersectUnion(groups [][]Pattern, fn func(s rdf.Subject) bool) error {
	segs, err := s.overlay()
	if len(segs) == 0 || err != nil {
		return err
	}
	ms, err := ovIntersect(segs, groups)
	if err != nil {
		return err
	}
	for _, k := range ms {
		if !fn(k.sg.trip[k.x].t.Subj) {
			return nil
		}
	}
	return nil
}

// intersectViaUnion is the overlay's part of IntersectVia.
func (s *Snapshot) intersectViaUnion(ctx context.Context, groups [][]Pattern, via rdf.IRI, fn func(subj rdf.Subject, resource bool) bool) error {
	segs, err := s.overlay()
	if len(segs) == 0 || err != nil {
		return err
	}
	return s.ovVia(ctx, segs, groups, via, func(sg *segment, x int32) bool {
		t := &sg.trip[x]
		return fn(t.t.Subj, t.t.Subj.String() == string(sg.keys[t.res]))
	}, func(t rdf.Triple, g uint64) (bool, error) {
		own, err := s.isGraph(t.Subj, g)
		if err != nil {
			return false, err
		}
		return fn(t.Subj, own), nil
	})
}

// isGraph reports whether subject subj is the resource with graph id g.
func (s *Snapshot) isGraph(subj rdf.Subject, g uint64) (bool, error) {
	gt, err := s.r.term(g)
	if err != nil {
		return false, err
	}
	return gt.String() == subj.String(), nil
}

// ovCount is the overlay's part of Count: the triples the patterns list.
func (s *Snapshot) ovCount(ps []Pattern, limit int) (int, error) {
	segs, err := s.overlay()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range ps {
		_, err := ovListed(segs, p, func(*segment, int32) bool {
			n++
			return n <= limit
		})
		if err != nil || n > limit {
			return n, err
		}
	}
	return n, nil
}

// ovMembers adds to rs the resources among the overlay's subjects the
// groups list or, with via, among the subjects pointing by via to such.
func (s *Snapshot) ovMembers(ctx context.Context, rs *ResourceSet, groups [][]Pattern, via rdf.IRI) error {
	segs, err := s.overlay()
	if len(segs) == 0 || err != nil {
		return err
	}
	addOv := func(subj string) {
		if isOvResource(segs, subj) {
			rs.staged = append(rs.staged, subj)
		}
	}
	if via == (rdf.IRI{}) {
		ms, err := ovIntersect(segs, groups)
		if err != nil {
			return err
		}
		for _, k := range ms {
			addOv(k.sg.trip[k.x].t.Subj.String())
		}
	} else {
		var others []rdf.Subject
		err := s.ovVia(ctx, segs, groups, via, func(sg *segment, x int32) bool {
			addOv(sg.trip[x].t.Subj.String())
			return true
		}, func(t rdf.Triple, _ uint64) (bool, error) {
			others = append(others, t.Subj)
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, subj := range others {
			id, err := s.r.id(subj)
			if err != nil || id == 0 {
				return err
			}
			_, graph, _, err := s.resourceOf(id)
			if err != nil {
				return err
			}
			if graph != 0 {
				rs.add(graph)
			}
		}
	}
	slices.Sort(rs.staged)
	rs.staged = slices.Compact(rs.staged)
	return nil
}

// ovHits appends to h the overlay's subjects with a posting of one of
// tokens.
func (s *Snapshot) ovHits(h *TextHits, tokens []string) error {
	h.ovFrom = len(h.ids)
	segs, err := s.overlay()
	if len(segs) == 0 || err != nil {
		return err
	}
	type hit struct {
		tf  []int
		own bool
	}
	hits := make(map[string]*hit)
	for i, tok := range tokens {
		for _, sg := range segs {
			for _, p := range sg.text[tok] {
				subj := sg.trip[p.subj].t.Subj.String()
				a := hits[subj]
				if a == nil {
					a = &hit{tf: make([]int, len(tokens))}
					hits[subj] = a
				}
				if a.tf[i] == 0 {
					h.df[i]++
				}
				a.tf[i] += p.tf
				a.own = a.own || p.own
			}
		}
	}
	subjs := make([]string, 0, len(hits))
	for k := range hits {
		subjs = append(subjs, k)
	}
	slices.Sort(subjs)
	for _, subj := range subjs {
		a := hits[subj]
		h.ids = append(h.ids, 0)
		h.tf = append(h.tf, a.tf...)
		h.own = append(h.own, a.own)
		state := hitNone
		if a.own || isOvResource(segs, subj) {
			state = hitStaged
		}
		h.state = append(h.state, state)
		h.ovIRIs = append(h.ovIRIs, subj)
	}
	return nil
}

// ovRecords calls fn with the overlay's resources that q selects, until
// fn returns false; it returns false then.
func (s *Snapshot) ovRecords(q RecordQuery, fn func(rec *Record) bool) (bool, error) {
	segs, err := s.overlay()
	if err != nil {
		return false, err
	}
	for _, t := range q.Targets {
		enc, err := encodeTerm(t)
		if err != nil {
			return false, err
		}
		if !ovMatchAll(segs, nil, q.Link, t, enc, func(sg *segment, x int32) bool {
			return s.ovRecord(segs, sg.trip[x].t.Subj.String(), q, fn)
		}) {
			return false, nil
		}
	}
	return true, nil
}

// ovRecord calls fn with the record of subject subj if it is an overlay
// resource under q.Prefix, and returns what fn does (true if not called).
func (s *Snapshot) ovRecord(segs []*segment, subj string, q RecordQuery, fn func(rec *Record) bool) bool {
	if len(subj) < len(q.Prefix) || subj[:len(q.Prefix)] != q.Prefix {
		return true
	}
	for _, sg := range segs {
		if r, ok := sg.resource(subj); ok {
			id, _ := rdf.NewIRI(subj)
			rec := recordOf(id, sg.triples(r), q)
			return fn(&rec)
		}
	}
	return true
}

// rangeMerge scans the index keys of a Range with storeFn, merging into
// them, in value order, the overlay's triples keep accepts, for ovFn; of
// equal values, the indexes' come first. It stops when either returns
// false.
func (s *Snapshot) rangeMerge(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, keep func(ovKeyed) bool, storeFn func(k []byte) (bool, error), ovFn func(ovKeyed) bool) error {
	segs, err := s.overlay()
	if err != nil {
		return err
	}
	classes, from, to, empty, err := rangeBounds(lo, hi, opt)
	if len(segs) == 0 || err != nil || empty {
		return s.rangeKeys(ctx, p, lo, hi, opt, storeFn)
	}
	if opt.Desc {
		classes[0], classes[len(classes)-1] = classes[len(classes)-1], classes[0]
	}
	it := newOvRange(segs, p, classes, from, to, opt.Desc, keep)
	stopped := false
	err = s.rangeKeys(ctx, p, lo, hi, opt, func(k []byte) (bool, error) {
		c, v := k[8], binary.BigEndian.Uint64(k[9:])
		for o, ok := it.peek(); ok && ovBefore(o, c, v, classes, opt.Desc); o, ok = it.peek() {
			it.next()
			if !ovFn(o) {
				stopped = true
				return false, nil
			}
		}
		more, err := storeFn(k)
		stopped = !more
		return more, err
	})
	if err != nil || stopped {
		return err
	}
	for o, ok := it.peek(); ok; o, ok = it.peek() {
		it.next()
		if !ovFn(o) {
			return nil
		}
	}
	return nil
}
