package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/knakk/rdf"
)

// ctxEvery is how many keys a scan reads between checks of its context.
const ctxEvery = 1024

// Match calls fn with each distinct triple matching the pattern s p o,
// where a nil term matches anything, until fn returns false. A triple
// stated by several resources is reported once. Triples come in the order
// of the index scanned. fn runs in a read transaction: see View.
func (db *DB) Match(ctx context.Context, s rdf.Subject, p rdf.Predicate, o rdf.Object, fn func(t rdf.Triple) bool) error {
	return db.View(ctx, func(sn *Snapshot) error {
		return sn.Match(ctx, s, p, o, fn)
	})
}

// MatchQuads is Match reporting each triple once for every resource
// stating it, with that resource's IRI.
func (db *DB) MatchQuads(ctx context.Context, s rdf.Subject, p rdf.Predicate, o rdf.Object, fn func(t rdf.Triple, graph rdf.IRI) bool) error {
	return db.View(ctx, func(sn *Snapshot) error {
		return sn.MatchQuads(ctx, s, p, o, fn)
	})
}

// RangeOptions qualify a Range scan.
type RangeOptions struct {
	LoInclusive bool // include values equal to lo
	HiInclusive bool // include values equal to hi
	Desc        bool // scan from hi down to lo
}

// Range calls fn with the subject and object of each distinct triple with
// predicate p whose object is a number or an xsd:dateTime between lo and
// hi, in value order, until fn returns false. A nil bound is open; bounds
// must be both numbers or both dateTimes. With both nil, Range scans all
// numbers, then all dateTimes (reversed if Desc).
//
// Numbers of all XSD numeric types compare by value as float64: values
// that differ by less than float64 resolves are equal. DateTimes compare as
// instants to the microsecond; one without a timezone is taken as UTC.
// Equal values come in term id order, both ascending and descending. Objects
// that are not well-formed numbers or dateTimes, and NaN, are never in a
// range. See doc.go for the encoding.
//
// fn runs in a read transaction: see View.
func (db *DB) Range(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) error {
	return db.View(ctx, func(sn *Snapshot) error {
		return sn.Range(ctx, p, lo, hi, opt, fn)
	})
}

// Match is DB.Match in the snapshot.
func (s *Snapshot) Match(ctx context.Context, subj rdf.Subject, pred rdf.Predicate, obj rdf.Object, fn func(t rdf.Triple) bool) error {
	return s.matchUnion(ctx, subj, pred, obj, true, func(t rdf.Triple, _ uint64) (bool, error) {
		return fn(t), nil
	}, func(t rdf.Triple, _ rdf.IRI) bool { return fn(t) })
}

// MatchQuads is DB.MatchQuads in the snapshot.
func (s *Snapshot) MatchQuads(ctx context.Context, subj rdf.Subject, pred rdf.Predicate, obj rdf.Object, fn func(t rdf.Triple, graph rdf.IRI) bool) error {
	return s.matchUnion(ctx, subj, pred, obj, false, func(t rdf.Triple, g uint64) (bool, error) {
		gt, err := s.r.term(g)
		if err != nil {
			return false, err
		}
		gi, ok := gt.(rdf.IRI)
		if !ok {
			return false, fmt.Errorf("%w: graph %d is not an IRI", ErrCorrupt, g)
		}
		return fn(t, gi), nil
	}, fn)
}

// patternID returns the id of a pattern term; 0 for a wildcard. ok is false
// if the term is not in the store, so nothing can match.
func (s *Snapshot) patternID(t rdf.Term) (id uint64, ok bool, err error) {
	if t == nil {
		return 0, true, nil
	}
	id, err = s.r.id(t)
	return id, id != 0, err
}

// match scans the index that has the bound terms of the pattern as a key
// prefix: spog for a subject and a predicate or no object, posg for a
// predicate. Without an index led by the object, a pattern binding the
// object and not the predicate is read one predicate at a time (see
// skipScan): under its subject in spog, or in posg under every predicate,
// of which a store holds few. Index keys of one triple differ only in their
// last 8 bytes, the graph, so they are adjacent: dedupe skips a key whose
// triple part equals the previous key's.
func (s *Snapshot) match(ctx context.Context, subj rdf.Subject, pred rdf.Predicate, obj rdf.Object, dedupe bool, fn func(t rdf.Triple, g uint64) (bool, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Converting a nil rdf.Subject etc. to rdf.Term gives a nil rdf.Term.
	terms := [3]rdf.Term{subj, pred, obj}
	var ids [3]uint64
	for i, t := range terms {
		id, ok, err := s.patternID(t)
		if err != nil || !ok {
			return err
		}
		ids[i] = id
	}
	si, pi, oi := ids[0], ids[1], ids[2]

	var (
		b     int
		pbuf  [41]byte
		head  = pbuf[:0] // the prefix, or its part before the predicate
		tail  []byte     // with skip: the part after the predicate
		skip  bool       // read one predicate at a time
		split func(k []byte) (s, p, o uint64)
	)
	var okey [okeyLen]byte
	if oi != 0 {
		class, v := sortKey(terms[2])
		putSortKey(okey[:], class, v)
		binary.BigEndian.PutUint64(okey[9:], oi)
	}
	switch {
	case si != 0 && (pi != 0 || oi == 0):
		b, split = scanSPOG, splitSPOG
		head = binary.BigEndian.AppendUint64(head, si)
		if pi != 0 {
			head = binary.BigEndian.AppendUint64(head, pi)
			if oi != 0 {
				head = binary.BigEndian.AppendUint64(head, oi)
			}
		}
	case si != 0: // s ? o
		b, split, skip = scanSPOG, splitSPOG, true
		head = binary.BigEndian.AppendUint64(head, si)
		tail = u64(oi)
	case pi != 0:
		b, split = scanPOSG, splitPOSG
		head = binary.BigEndian.AppendUint64(head, pi)
		if oi != 0 {
			head = append(head, okey[:]...)
		}
	case oi != 0: // ? ? o
		b, split, skip = scanPOSG, splitPOSG, true
		tail = okey[:]
	default:
		b, split = scanSPOG, splitSPOG
	}

	c := s.cursor(b)
	defer s.release(b, c)
	var (
		prevBuf [41]byte
		prev    []byte
		n       int
	)
	scan := func(prefix []byte) (bool, error) {
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return false, err
				}
			}
			tp := k[:len(k)-8]
			if dedupe {
				if prev != nil && bytes.Equal(prev, tp) {
					continue
				}
				prev = append(prevBuf[:0], tp...)
			}
			t, err := s.r.triple(split(k))
			if err != nil {
				return false, err
			}
			more, err := fn(t, binary.BigEndian.Uint64(k[len(k)-8:]))
			if err != nil || !more {
				return false, err
			}
		}
		return true, nil
	}
	if !skip {
		_, err := scan(head)
		return err
	}
	var kbuf [41]byte
	return skipScan(c, head, func(p uint64) (bool, error) {
		k := binary.BigEndian.AppendUint64(append(kbuf[:0], head...), p)
		return scan(append(k, tail...))
	})
}

// skipScan calls fn with each predicate id that follows head in the keys
// of c's bucket (keys head | p | ...), in order, until fn returns false: a
// seek per predicate, whatever the keys under it.
func skipScan(c *blockCursor, head []byte, fn func(p uint64) (bool, error)) error {
	var kbuf [41]byte
	from := uint64(0)
	for {
		k, _ := c.Seek(binary.BigEndian.AppendUint64(append(kbuf[:0], head...), from))
		if k == nil || !bytes.HasPrefix(k, head) || len(k) < len(head)+8 {
			return nil
		}
		p := binary.BigEndian.Uint64(k[len(head):])
		if more, err := fn(p); err != nil || !more {
			return err
		}
		if p == math.MaxUint64 {
			return nil
		}
		from = p + 1
	}
}

func splitSPOG(k []byte) (s, p, o uint64) {
	return binary.BigEndian.Uint64(k[0:]), binary.BigEndian.Uint64(k[8:]), binary.BigEndian.Uint64(k[16:])
}

func splitPOSG(k []byte) (s, p, o uint64) {
	return binary.BigEndian.Uint64(k[25:]), binary.BigEndian.Uint64(k[0:]), binary.BigEndian.Uint64(k[17:])
}

// boundKey returns the class and sort value of a Range bound.
func boundKey(l *rdf.Literal) (class byte, v uint64, err error) {
	class, v = sortKey(*l)
	if class == classOther {
		return 0, 0, fmt.Errorf("%w: %s", ErrIncomparable, l.Serialize(rdf.NTriples))
	}
	return class, v, nil
}

// Range is DB.Range in the snapshot.
func (s *Snapshot) Range(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, fn func(s rdf.Subject, o rdf.Literal) bool) error {
	return s.rangeMerge(ctx, p, lo, hi, opt, nil, func(k []byte) (bool, error) {
		subj, obj, err := s.rangeTerms(k)
		if err != nil {
			return false, err
		}
		return fn(subj, obj), nil
	}, ovRanged(fn))
}

// rangeTerms returns the subject and literal object of POSG key k.
func (s *Snapshot) rangeTerms(k []byte) (rdf.Subject, rdf.Literal, error) {
	st, err := s.r.term(binary.BigEndian.Uint64(k[25:]))
	if err != nil {
		return nil, rdf.Literal{}, err
	}
	ot, err := s.r.term(binary.BigEndian.Uint64(k[17:]))
	if err != nil {
		return nil, rdf.Literal{}, err
	}
	subj, ok1 := st.(rdf.Subject)
	obj, ok2 := ot.(rdf.Literal)
	if !ok1 || !ok2 {
		return nil, rdf.Literal{}, fmt.Errorf("%w: ill-formed POSG key %x", ErrCorrupt, k)
	}
	return subj, obj, nil
}

// subject returns the term with id id, which an index key names as a
// subject.
func (s *Snapshot) subject(id uint64) (rdf.Subject, error) {
	t, err := s.r.term(id)
	if err != nil {
		return nil, err
	}
	subj, ok := t.(rdf.Subject)
	if !ok {
		return nil, fmt.Errorf("%w: subject %d is a literal", ErrCorrupt, id)
	}
	return subj, nil
}

// rangeKeys calls fn with the POSG key of each distinct triple Range
// reports, in Range's order, until fn returns false.
func (s *Snapshot) rangeKeys(ctx context.Context, p rdf.IRI, lo, hi *rdf.Literal, opt RangeOptions, fn func(k []byte) (bool, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	classes, from, to, empty, err := rangeBounds(lo, hi, opt)
	if err != nil || empty {
		return err
	}
	pid, ok, err := s.patternID(p)
	if err != nil || !ok {
		return err
	}
	if opt.Desc {
		classes[0], classes[len(classes)-1] = classes[len(classes)-1], classes[0]
	}
	sc := &rangeScan{s: s, ctx: ctx, fn: fn, pid: pid, from: from, to: to}
	for _, c := range classes {
		var more bool
		var err error
		if opt.Desc {
			more, err = sc.desc(c)
		} else {
			more, err = sc.asc(c)
		}
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// rangeBounds turns Range's bounds into the sort key classes to scan and
// the inclusive range of sort values; empty when nothing can match.
func rangeBounds(lo, hi *rdf.Literal, opt RangeOptions) (classes []byte, from, to uint64, empty bool, err error) {
	classes = []byte{classNumber, classDateTime}
	from, to = 0, math.MaxUint64 // inclusive
	if lo != nil {
		c, v, err := boundKey(lo)
		if err != nil {
			return nil, 0, 0, false, err
		}
		classes = []byte{c}
		if !opt.LoInclusive {
			if v == math.MaxUint64 {
				return nil, 0, 0, true, nil
			}
			v++
		}
		from = v
	}
	if hi != nil {
		c, v, err := boundKey(hi)
		if err != nil {
			return nil, 0, 0, false, err
		}
		if lo != nil && c != classes[0] {
			return nil, 0, 0, false, fmt.Errorf("%w: %s and %s", ErrIncomparable, lo.Serialize(rdf.NTriples), hi.Serialize(rdf.NTriples))
		}
		classes = []byte{c}
		if !opt.HiInclusive {
			if v == 0 {
				return nil, 0, 0, true, nil
			}
			v--
		}
		to = v
	}
	return classes, from, to, from > to, nil
}

// rangeScan scans the POSG keys of predicate pid with sort values in
// [from, to].
type rangeScan struct {
	s        *Snapshot
	ctx      context.Context
	fn       func(k []byte) (bool, error)
	pid      uint64
	from, to uint64
	n        int
	prevBuf  [33]byte
	prev     []byte
}

// asc scans class c upwards. It returns false if fn stopped the scan.
func (sc *rangeScan) asc(class byte) (bool, error) {
	prefix := append(u64(sc.pid), class)
	c := sc.s.cursor(scanPOSG)
	defer sc.s.release(scanPOSG, c)
	for k, _ := c.Seek(append(prefix, u64(sc.from)...)); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if binary.BigEndian.Uint64(k[9:]) > sc.to {
			break
		}
		if more, err := sc.yield(k); err != nil || !more {
			return false, err
		}
	}
	return true, nil
}

// desc scans class c downwards. It returns false if fn stopped the scan.
func (sc *rangeScan) desc(class byte) (bool, error) {
	prefix := append(u64(sc.pid), class)
	var end []byte // first key after the range
	if sc.to == math.MaxUint64 {
		end = append(u64(sc.pid), class+1)
	} else {
		end = append(prefix, u64(sc.to+1)...)
	}
	c := sc.s.cursor(scanPOSG)
	defer sc.s.release(scanPOSG, c)
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		if binary.BigEndian.Uint64(k[9:]) < sc.from {
			break
		}
		if more, err := sc.yield(k); err != nil || !more {
			return false, err
		}
	}
	return true, nil
}

// yield reports POSG key k unless its triple repeats the last one's.
func (sc *rangeScan) yield(k []byte) (bool, error) {
	if sc.n++; sc.n%ctxEvery == 0 {
		if err := sc.ctx.Err(); err != nil {
			return false, err
		}
	}
	tp := k[:33]
	if sc.prev != nil && bytes.Equal(sc.prev, tp) {
		return true, nil
	}
	sc.prev = append(sc.prevBuf[:0], tp...)
	return sc.fn(k)
}
