package store

import (
	"context"
	"slices"
	"strings"

	"github.com/knakk/rdf"
)

// The reads of a Snapshot over the indexes and the overlay together (see
// overlay.go). Each answers as the indexes alone would once the overlay's
// resources are merged into them, but for the order among equals.

// matchUnion is match over the indexes and the overlay: the overlay's
// triples whose objects are not numbers or dateTimes first, then the
// indexes', then the overlay's numbers and dateTimes, so that none of
// those comes before another triple (Match's promise to the engine). The
// overlay's triples go to ovfn.
func (s *Snapshot) matchUnion(ctx context.Context, subj rdf.Subject, pred rdf.Predicate, obj rdf.Object, dedupe bool, fn func(t rdf.Triple, g uint64) (bool, error), ovfn func(t rdf.Triple, graph rdf.IRI) bool) error {
	segs, err := s.overlay()
	if err != nil {
		return err
	}
	if _, blank := subj.(rdf.Blank); blank || len(segs) == 0 {
		return s.match(ctx, subj, pred, obj, dedupe, fn)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var oEnc string
	if obj != nil {
		enc, err := encodeTerm(obj)
		if err != nil {
			return err
		}
		oEnc = enc
	}
	emit := func(sg *segment, x int32) bool { return ovfn(sg.trip[x].t, sg.graph(x)) }
	if !ovMatch(segs, subj, pred, obj, oEnc, false, emit) {
		return nil
	}
	stopped := false
	err = s.match(ctx, subj, pred, obj, dedupe, func(t rdf.Triple, g uint64) (bool, error) {
		more, err := fn(t, g)
		stopped = !more
		return more, err
	})
	if err != nil || stopped {
		return err
	}
	ovMatch(segs, subj, pred, obj, oEnc, true, emit)
	return nil
}

// ovRanged adapts a Range callback to the overlay's triples.
func ovRanged(fn func(s rdf.Subject, o rdf.Literal) bool) func(ovKeyed) bool {
	return func(k ovKeyed) bool {
		t := &k.sg.trip[k.x]
		return fn(t.t.Subj, t.t.Obj.(rdf.Literal))
	}
}

// ovBefore reports whether overlay triple k comes before an index key of
// class c and sort value v in a Range scanning classes in order, values
// downwards with desc.
func ovBefore(k ovKeyed, c byte, v uint64, classes []byte, desc bool) bool {
	t := &k.sg.trip[k.x]
	if t.class != c {
		return slices.Index(classes, t.class) < slices.Index(classes, c)
	}
	if desc {
		return t.val > v
	}
	return t.val < v
}

// mergeIRIs calls fn with the IRIs ov (sorted) merged, in byte order,
// into those next returns (false at their end), those of ov after after
// only, until fn returns false.
func mergeIRIs(ov []string, after string, next func() (string, bool, error), fn func(id string) bool) error {
	i, found := slices.BinarySearch(ov, after)
	if found {
		i++
	}
	for {
		k, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		for ; i < len(ov) && ov[i] < k; i++ {
			if !fn(ov[i]) {
				return nil
			}
		}
		if !fn(k) {
			return nil
		}
	}
	for ; i < len(ov); i++ {
		if !fn(ov[i]) {
			return nil
		}
	}
	return nil
}

// ovText is a posting of the overlay with its token.
type ovText struct {
	tok string
	sg  *segment
	p   *ovPosting
}

// ovTexts returns the overlay's postings of the tokens under prefix, or of
// token prefix alone with exact, by token in byte order.
func ovTexts(segs []*segment, prefix string, exact bool) []ovText {
	var out []ovText
	for _, sg := range segs {
		if exact {
			ps := sg.text[prefix]
			for i := range ps {
				out = append(out, ovText{prefix, sg, &ps[i]})
			}
			continue
		}
		i, _ := slices.BinarySearch(sg.tokens, prefix)
		for _, tok := range sg.tokens[i:] {
			if !strings.HasPrefix(tok, prefix) {
				break
			}
			ps := sg.text[tok]
			for j := range ps {
				out = append(out, ovText{tok, sg, &ps[j]})
			}
		}
	}
	if len(segs) > 1 && !exact {
		slices.SortStableFunc(out, func(a, b ovText) int { return strings.Compare(a.tok, b.tok) })
	}
	return out
}

// scanTextUnion is scanText over the text index and the overlay: the
// postings of token prefix with exact, else of every token under prefix,
// token by token in byte order.
func (s *Snapshot) scanTextUnion(ctx context.Context, prefix string, exact bool, fn func(tok []byte, subj rdf.Subject, pred rdf.IRI, tf int, own bool) bool) error {
	key := []byte(prefix)
	if exact {
		key = append(key, 0)
	}
	segs, err := s.overlay()
	if err != nil {
		return err
	}
	if len(segs) == 0 {
		return s.scanText(ctx, key, fn)
	}
	ov := ovTexts(segs, prefix, exact)
	emit := func(o ovText) bool {
		return fn([]byte(o.tok), o.sg.trip[o.p.subj].t.Subj, o.p.pred, o.p.tf, o.p.own)
	}
	i, stopped := 0, false
	err = s.scanText(ctx, key, func(tok []byte, subj rdf.Subject, pred rdf.IRI, tf int, own bool) bool {
		for ; i < len(ov) && ov[i].tok < string(tok); i++ {
			if !emit(ov[i]) {
				stopped = true
				return false
			}
		}
		stopped = !fn(tok, subj, pred, tf, own)
		return !stopped
	})
	if err != nil || stopped {
		return err
	}
	for ; i < len(ov); i++ {
		if !emit(ov[i]) {
			return nil
		}
	}
	return nil
}
