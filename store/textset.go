package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/knakk/rdf"
)

// TextHits are the subjects whose indexed literals hold one or more of
// some tokens, read from the text index by term id, with their term
// frequencies. They are made by Snapshot.TextHits and valid in that
// snapshot only. A search that ranks its hits and pages them in IRI order
// (see ResourceSet and PageUnder) reads the terms of few of them, where
// Text decodes every subject.
type TextHits struct {
	k     int      // tokens
	ids   []uint64 // subject term ids, ascending (see resolve)
	tf    []int    // k per subject
	own   []bool   // a resource stating one of the subject's postings is the subject
	df    []int    // subjects per token
	state []hitState
	iris  []string // of the staged hits, by index; nil until resolved

	// The hits from ovFrom on are the overlay's (see overlay.go): their
	// ids are 0, their states known, their IRIs ovIRIs.
	ovFrom int
	ovIRIs []string
}

// hitState is what a hit is, as far as membership goes.
type hitState uint8

const (
	hitUnknown  hitState = iota
	hitResource          // a stored resource, its IRI the hit's term
	hitStaged            // a staged resource only
	hitNone              // not a resource
)

// Len is the number of subjects with a posting of a token.
func (h *TextHits) Len() int { return len(h.ids) }

// TF returns hit i's frequency of each token, in the order asked for. The
// slice is the hits' own: do not modify it.
func (h *TextHits) TF(i int) []int { return h.tf[i*h.k : (i+1)*h.k : (i+1)*h.k] }

// DF returns how many subjects have each token. The slice is the hits'
// own: do not modify it.
func (h *TextHits) DF() []int { return h.df }

// textPosting is one subject's postings of one token.
type textPosting struct {
	id  uint64
	tf  int
	own bool
}

// TextHits reads the postings of tokens (lowercase, as literal.Tokens
// makes them) by subject term id, decoding no term. A subject's frequency
// of a token is the sum Text reports over its predicates; a subject is
// counted for a token only if that sum is positive, and is a hit if it is
// for one token.
func (s *Snapshot) TextHits(ctx context.Context, tokens []string) (*TextHits, error) {
	h := &TextHits{k: len(tokens), df: make([]int, len(tokens))}
	var lists [][]textPosting // with several tokens, each one's postings
	if len(tokens) > 1 {
		lists = make([][]textPosting, len(tokens))
	}
	for i, tok := range tokens {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if tok == "" || strings.IndexByte(tok, 0) >= 0 {
			continue // no such token, as in Text
		}
		err := s.textSubjects(ctx, append([]byte(tok), 0), func(p textPosting) {
			h.df[i]++
			if lists == nil {
				h.ids, h.tf, h.own = append(h.ids, p.id), append(h.tf, p.tf), append(h.own, p.own)
			} else {
				lists[i] = append(lists[i], p)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	if lists != nil {
		n := 0
		for _, l := range lists {
			n += len(l)
		}
		h.ids = make([]uint64, 0, n)
		for _, l := range lists {
			for _, p := range l {
				h.ids = append(h.ids, p.id)
			}
		}
		slices.Sort(h.ids)
		h.ids = slices.Compact(h.ids)
		h.tf, h.own = make([]int, len(h.ids)*h.k), make([]bool, len(h.ids))
		for i, l := range lists {
			j := 0
			for _, p := range l {
				for h.ids[j] != p.id {
					j++
				}
				h.tf[j*h.k+i] = p.tf
				h.own[j] = h.own[j] || p.own
			}
		}
	}
	h.state = make([]hitState, len(h.ids))
	if err := s.ovHits(h, tokens); err != nil {
		return nil, err
	}
	return h, nil
}

// textSubjects calls fn with the subjects with postings under a token's
// key prefix, in id order, adding up the postings of each as scanText
// does per predicate: a triple stated by several resources counts once,
// and only predicates whose frequencies add up to more than 0 count.
func (s *Snapshot) textSubjects(ctx context.Context, prefix []byte, fn func(p textPosting)) error {
	var (
		group []byte // s | p of the pending predicate
		last  []byte // s | p | o of the last key
		tf    int
		own   bool
		subj  textPosting // the pending subject, if tf > 0
	)
	flush := func() {
		if tf <= 0 {
			return
		}
		id := binary.BigEndian.Uint64(group[:8])
		if subj.tf > 0 && subj.id == id {
			subj.tf += tf
			subj.own = subj.own || own
			return
		}
		if subj.tf > 0 {
			fn(subj)
		}
		subj = textPosting{id: id, tf: tf, own: own}
	}
	c := s.cursor(scanText)
	defer s.release(scanText, c)
	n, i := 0, len(prefix)
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if n++; n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if len(k) != i+32 {
			return fmt.Errorf("%w: text key %x", ErrCorrupt, k)
		}
		k = k[i:]
		isOwn := bytes.Equal(k[:8], k[24:])
		if bytes.Equal(last, k[:24]) {
			own = own || isOwn
			continue // the same triple in another graph
		}
		last = append(last[:0], k[:24]...)
		f, m := binary.Uvarint(v)
		if m <= 0 {
			return fmt.Errorf("%w: text value of %x", ErrCorrupt, k)
		}
		if !bytes.Equal(group, k[:16]) {
			if group != nil {
				flush()
			}
			group = append(group[:0], k[:16]...)
			tf, own = 0, false
		}
		own = own || isOwn
		tf += int(f)
	}
	if group != nil {
		flush()
	}
	if subj.tf > 0 {
		fn(subj)
	}
	return nil
}

// resolve finds out which hits not known to be resources from their
// postings are: those whose IRI names a stored or a staged resource.
func (s *Snapshot) resolve(ctx context.Context, h *TextHits) error {
	if h.iris != nil {
		return nil
	}
	h.iris = make([]string, len(h.ids))
	copy(h.iris[h.ovFrom:], h.ovIRIs)
	for i, id := range h.ids[:h.ovFrom] {
		if h.own[i] {
			h.state[i] = hitResource
			continue
		}
		if i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		iri, graph, staged, err := s.resourceOf(id)
		switch {
		case err != nil:
			return err
		case graph != 0:
			// The resource is in a ResourceSet by its graph id, as
			// PageUnder reads it: the same id, unless corrupt.
			h.state[i], h.ids[i] = hitResource, graph
		case staged:
			h.state[i], h.iris[i] = hitStaged, iri
		default:
			h.state[i] = hitNone
		}
	}
	return nil
}

// hitSet returns the stored resources among the hits pick (indexes in
// ascending order; all hits if nil): those stating one of their postings,
// and the others whose IRI names a stored or staged resource, looked up
// once per TextHits.
func (s *Snapshot) hitSet(ctx context.Context, h *TextHits, pick []int) (*ResourceSet, error) {
	if err := s.resolve(ctx, h); err != nil {
		return nil, err
	}
	rs := &ResourceSet{bits: s.bitset()}
	add := func(i int) error {
		switch h.state[i] {
		case hitResource:
			if h.ids[i]/64 >= uint64(len(rs.bits)) {
				return fmt.Errorf("%w: term id %d beyond the dictionary", ErrCorrupt, h.ids[i])
			}
			rs.add(h.ids[i])
		case hitStaged:
			rs.staged = append(rs.staged, h.iris[i])
			if h.ids[i] == 0 {
				break // the overlay's (see overlay.go)
			}
			if rs.stagedIDs == nil {
				rs.stagedIDs = map[uint64]bool{}
			}
			rs.stagedIDs[h.ids[i]] = true
		}
		return nil
	}
	if pick == nil {
		for i := range h.ids {
			if err := add(i); err != nil {
				return nil, err
			}
		}
	} else {
		for _, i := range pick {
			if err := add(i); err != nil {
				return nil, err
			}
		}
	}
	slices.Sort(rs.staged)
	rs.staged = slices.Compact(rs.staged)
	return rs, nil
}

// smallPick is the most hits PageHits pages by reading their IRIs without
// making a ResourceSet.
var smallPick = 64

// PageHits returns how many of the hits pick (indexes in ascending order;
// all hits if nil) are resources whose IRI starts with prefix (-1 without
// count), and, in IRI order, the first n of them (none for n 0) that sort
// after after. The resources are those stating one of their postings, and
// the others whose IRI names a stored or staged resource, as Exists
// tells. A few hits are paged by reading their IRIs, more as a
// ResourceSet by PageUnder.
func (s *Snapshot) PageHits(ctx context.Context, h *TextHits, pick []int, prefix string, after rdf.IRI, n int, count bool) (page []rdf.IRI, total int, err error) {
	if n < 0 {
		return nil, 0, fmt.Errorf("%w: page of %d", ErrInvalid, n)
	}
	if n == 0 && !count {
		return nil, -1, nil
	}
	if len(pick) > smallPick || pick == nil && h.Len() > smallPick {
		rs, err := s.hitSet(ctx, h, pick)
		if err != nil {
			return nil, 0, err
		}
		return s.PageUnder(ctx, rs, prefix, after, n, count)
	}
	if err := s.resolve(ctx, h); err != nil {
		return nil, 0, err
	}
	if pick == nil {
		pick = make([]int, h.Len())
		for i := range pick {
			pick[i] = i
		}
	}
	for _, i := range pick {
		var iri rdf.IRI
		switch h.state[i] {
		case hitResource:
			t, err := s.r.termQuiet(h.ids[i])
			if err != nil {
				return nil, 0, err
			}
			var ok bool
			if iri, ok = t.(rdf.IRI); !ok {
				return nil, 0, fmt.Errorf("%w: resource term %d is not an IRI", ErrCorrupt, h.ids[i])
			}
		case hitStaged:
			var err error
			if iri, err = rdf.NewIRI(h.iris[i]); err != nil {
				return nil, 0, fmt.Errorf("%w: resource %q: %v", ErrCorrupt, h.iris[i], err)
			}
		default:
			continue
		}
		if id := iri.String(); strings.HasPrefix(id, prefix) {
			total++
			if id > after.String() {
				page = append(page, iri)
			}
		}
	}
	slices.SortFunc(page, func(a, b rdf.IRI) int { return strings.Compare(a.String(), b.String()) })
	if !count {
		total = -1
	}
	return page[:min(n, len(page))], total, nil
}
