package store

import "github.com/knakk/rdf"

// SetSmallPick sets smallPick until the returned func is called.
func SetSmallPick(n int) (restore func()) {
	old := smallPick
	smallPick = n
	return func() { smallPick = old }
}

// HitTermForTest is the subject of hit i.
func (s *Snapshot) HitTermForTest(h *TextHits, i int) (rdf.Term, error) {
	return s.r.term(h.ids[i])
}
