package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/knakk/rdf"
	bolt "go.etcd.io/bbolt"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

// textSet is the set of text predicates a DB indexes.
type textSet struct {
	encs  map[string]bool // encoded predicate IRIs
	preds []rdf.IRI       // in IRI order
	conf  string          // canonical form, stored in meta
}

// newTextSet returns the set of preds, none if preds is empty.
func newTextSet(preds []rdf.IRI) (textSet, error) {
	ts := textSet{encs: make(map[string]bool, len(preds))}
	names := make([]string, 0, len(preds))
	for _, p := range preds {
		enc, err := encodeTerm(p)
		if err != nil {
			return textSet{}, fmt.Errorf("text predicate: %w", err)
		}
		if !ts.encs[enc] {
			ts.encs[enc] = true
			names = append(names, p.String())
			ts.preds = append(ts.preds, p)
		}
	}
	slices.Sort(names)
	slices.SortFunc(ts.preds, func(a, b rdf.IRI) int { return strings.Compare(a.String(), b.String()) })
	ts.conf = strings.Join(names, "\n")
	return ts, nil
}

// parseTextSet returns the set a meta "text" value records: none if
// there is no value, as in a new or version 1 file.
func parseTextSet(conf []byte) (textSet, error) {
	var preds []rdf.IRI
	for name := range strings.SplitSeq(string(conf), "\n") {
		if name == "" {
			continue
		}
		p, err := rdf.NewIRI(name)
		if err != nil {
			return textSet{}, fmt.Errorf("%w: text predicate %q: %v", ErrCorrupt, name, err)
		}
		preds = append(preds, p)
	}
	return newTextSet(preds)
}

// textOf returns the text to index of an encoded object: the lexical form
// of a string or language-tagged literal, the character data of an
// rdf:XMLLiteral. ok is false for other terms.
func textOf(enc string) (text string, ok bool) {
	switch enc[0] {
	case tagString:
		return enc[1:], true
	case tagLang:
		_, lex, ok := strings.Cut(enc[1:], "\x00")
		return lex, ok
	case tagTyped:
		dt, lex, ok := strings.Cut(enc[1:], "\x00")
		if ok && dt == rdfXMLLiteral {
			return xmlText(lex), true
		}
	}
	return "", false
}

// textKey appends to k the text key of token tok for entry e (s, p, class,
// value, o) in graph g.
func textKey(k []byte, tok string, e, g []byte) []byte {
	k = append(k, tok...)
	k = append(k, 0)
	k = append(k, e[0:16]...)
	k = append(k, e[25:33]...)
	return append(k, g...)
}

// putText adds the postings of entry e in graph g, whose object has the
// tokens toks.
func (w *txWriter) putText(e, g []byte, toks []tokenCount) error {
	if w.bulk {
		return nil // built at the end
	}
	var k [literal.MaxTokenLen + 33]byte
	for _, t := range toks {
		w.textPuts.add(textKey(k[:0], t.tok, e, g), countValue(t.n))
	}
	return nil
}

// countValue is the value of a posting of a token that occurs n times.
// bbolt keeps the value, not a copy, until the commit.
func countValue(n int) []byte {
	if n < len(smallCounts) {
		return smallCounts[n : n+1]
	}
	return binary.AppendUvarint(nil, uint64(n))
}

// smallCounts[n:n+1] is the uvarint of n.
var smallCounts = func() []byte {
	b := make([]byte, 0x80)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

// deleteText removes the postings of entry e in graph g, if it has any,
// at the next flushPuts. It must run before the entry's terms are
// reclaimed.
func (w *txWriter) deleteText(e, g []byte) error {
	if w.bulk {
		return nil // built at the end
	}
	toks, err := w.entryTokens(e, MaxTextTokens+1)
	if err != nil {
		return err
	}
	var k [literal.MaxTokenLen + 33]byte
	if len(toks) > MaxTextTokens {
		// Written before the limit, an entry has the postings of all its
		// tokens; since, of the first MaxTextTokens. The next one tells.
		if w.textPuts.get(textKey(k[:0], toks[MaxTextTokens].tok, e, g)) == nil {
			toks = toks[:MaxTextTokens]
		} else if toks, err = w.entryTokens(e, 0); err != nil {
			return err
		}
	}
	for _, t := range toks {
		w.textPuts.del(textKey(k[:0], t.tok, e, g))
	}
	return nil
}

// entryTokens returns the tokens of a stored entry, the first max of them
// (all if max <= 0): nil unless its predicate is a text predicate and its
// object a text literal.
func (w *txWriter) entryTokens(e []byte, max int) ([]tokenCount, error) {
	if len(w.textSet.encs) == 0 {
		return nil, nil
	}
	pid := binary.BigEndian.Uint64(e[8:16])
	isText, ok := w.textPreds[pid]
	if !ok {
		v := w.i2tPuts.get(e[8:16])
		if v == nil {
			return nil, fmt.Errorf("%w: no term %d", ErrCorrupt, pid)
		}
		isText = w.textSet.encs[string(v)]
		w.textPreds[pid] = isText
	}
	if !isText {
		return nil, nil
	}
	v := termEncoding(w.i2tPuts, e[25:33])
	if len(v) == 0 {
		return nil, fmt.Errorf("%w: no term %d", ErrCorrupt, binary.BigEndian.Uint64(e[25:33]))
	}
	text, ok := textOf(string(v))
	if !ok {
		return nil, nil
	}
	return countTokens(text, max), nil
}

// rebuildChunk is how many postings rebuildText holds at most, but those
// of tokens with one first byte, which it cannot split.
var rebuildChunk = 1 << 20

// rebuildText replaces the text bucket with postings of every stored
// resource under the writer's text predicates. The postings are put in
// key order (see putBuffer): in one pass over the resources for each range
// of first bytes of tokens with at most rebuildChunk postings, after one
// that counts them.
func (w *txWriter) rebuildText(tx *bolt.Tx) error {
	b, err := newBucket(tx, bucketText, fillPercent[string(bucketText)])
	if err != nil {
		return err
	}
	w.text = index{b: b, l: w.text.l}
	w.textPuts.x = w.text
	var counts [256]int
	err = w.eachPosting(func(tok string, _, _ []byte, _ int) { counts[tok[0]]++ })
	if err != nil {
		return err
	}
	var k [literal.MaxTokenLen + 33]byte
	for lo := 0; lo < len(counts); {
		hi, n := lo, 0
		for hi < len(counts) && (hi == lo || n+counts[hi] <= rebuildChunk) {
			n += counts[hi]
			hi++
		}
		if n > 0 {
			err := w.eachPosting(func(tok string, e, g []byte, tf int) {
				if c := int(tok[0]); c >= lo && c < hi {
					w.textPuts.add(textKey(k[:0], tok, e, g), countValue(tf))
				}
			})
			if err != nil {
				return err
			}
			if err := w.textPuts.flush(); err != nil {
				return err
			}
		}
		lo = hi
	}
	return nil
}

// eachPosting calls fn with each posting of every stored resource under
// the writer's text predicates: token, entry, graph and count.
func (w *txWriter) eachPosting(fn func(tok string, e, g []byte, tf int)) error {
	return eachEntry(context.Background(), w.res.Tx(), func(gid uint64, es []byte) error {
		g := u64(gid)
		for e := es; len(e) > 0; e = e[entryLen:] {
			toks, err := w.entryTokens(e[:entryLen], MaxTextTokens)
			if err != nil {
				return err
			}
			for _, t := range toks {
				fn(t.tok, e[:entryLen], g, t.n)
			}
		}
		return nil
	})
}

// Text calls fn with each subject and predicate whose literal objects
// contain token, and the token's frequency in them, until fn returns
// false. token is matched as literal.Tokens returns it: lowercase, at
// most literal.MaxTokenLen bytes. A triple stated by several resources
// counts once, as in Match; the objects of distinct triples with the same
// subject and predicate add up. Results come in term id order, not
// ranked. Only the predicates of Options.TextPredicates are indexed. fn
// runs in a read transaction: see View.
func (db *DB) Text(ctx context.Context, token string, fn func(s rdf.Subject, p rdf.IRI, tf int) bool) error {
	return db.View(ctx, func(sn *Snapshot) error {
		return sn.Text(ctx, token, fn)
	})
}

// TextPrefix is Text for every token that starts with prefix, token by
// token in byte order, for search as you type. An empty prefix scans the
// whole index.
func (db *DB) TextPrefix(ctx context.Context, prefix string, fn func(token string, s rdf.Subject, p rdf.IRI, tf int) bool) error {
	return db.View(ctx, func(sn *Snapshot) error {
		return sn.TextPrefix(ctx, prefix, fn)
	})
}

// Text is DB.Text in the snapshot.
func (s *Snapshot) Text(ctx context.Context, token string, fn func(s rdf.Subject, p rdf.IRI, tf int) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if token == "" || strings.IndexByte(token, 0) >= 0 {
		return nil // no such token, and a 0 would end the key prefix early
	}
	return s.scanTextUnion(ctx, token, true, func(_ []byte, subj rdf.Subject, pred rdf.IRI, tf int, _ bool) bool {
		return fn(subj, pred, tf)
	})
}

// TextOwn is Text telling also, with own, whether subject s is a resource
// stating one of the triples itself: a stored resource, known without a
// lookup.
func (s *Snapshot) TextOwn(ctx context.Context, token string, fn func(s rdf.Subject, p rdf.IRI, tf int, own bool) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if token == "" || strings.IndexByte(token, 0) >= 0 {
		return nil
	}
	return s.scanTextUnion(ctx, token, true, func(_ []byte, subj rdf.Subject, pred rdf.IRI, tf int, own bool) bool {
		return fn(subj, pred, tf, own)
	})
}

// TextPrefix is DB.TextPrefix in the snapshot.
func (s *Snapshot) TextPrefix(ctx context.Context, prefix string, fn func(token string, s rdf.Subject, p rdf.IRI, tf int) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if strings.IndexByte(prefix, 0) >= 0 {
		return nil
	}
	return s.scanTextUnion(ctx, prefix, false, func(tok []byte, subj rdf.Subject, pred rdf.IRI, tf int, _ bool) bool {
		return fn(string(tok), subj, pred, tf)
	})
}

// scanText reports the postings under a key prefix, one per token,
// subject and predicate. The keys of one triple differ only in g and
// those of one subject and predicate only in o and g, so both are runs of
// adjacent keys. own tells whether a key of the result has g equal to s.
func (s *Snapshot) scanText(ctx context.Context, prefix []byte, fn func(tok []byte, subj rdf.Subject, pred rdf.IRI, tf int, own bool) bool) error {
	var (
		group []byte // token | 0 | s | p of the pending result
		last  []byte // token | 0 | s | p | o of the last key
		tf    int
		own   bool
	)
	emit := func() (bool, error) {
		n := len(group)
		st, err := s.r.term(binary.BigEndian.Uint64(group[n-16:]))
		if err != nil {
			return false, err
		}
		pt, err := s.r.term(binary.BigEndian.Uint64(group[n-8:]))
		if err != nil {
			return false, err
		}
		subj, ok1 := st.(rdf.Subject)
		pred, ok2 := pt.(rdf.IRI)
		if !ok1 || !ok2 {
			return false, fmt.Errorf("%w: ill-formed text key %x", ErrCorrupt, group)
		}
		return fn(group[:n-17], subj, pred, tf, own), nil
	}
	c := s.cursor(scanText)
	defer s.release(scanText, c)
	n := 0
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if n++; n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		i := bytes.IndexByte(k, 0)
		if i <= 0 || len(k) != i+33 {
			return fmt.Errorf("%w: text key %x", ErrCorrupt, k)
		}
		isOwn := bytes.Equal(k[i+1:i+9], k[i+25:])
		if bytes.Equal(last, k[:i+25]) {
			own = own || isOwn
			continue // the same triple in another graph
		}
		last = append(last[:0], k[:i+25]...)
		f, m := binary.Uvarint(v)
		if m <= 0 {
			return fmt.Errorf("%w: text value of %x", ErrCorrupt, k)
		}
		if !bytes.Equal(group, k[:i+17]) {
			if group != nil {
				if more, err := emit(); err != nil || !more {
					return err
				}
			}
			group = append(group[:0], k[:i+17]...)
			tf, own = 0, false
		}
		own = own || isOwn
		tf += int(f)
	}
	if group != nil {
		_, err := emit()
		return err
	}
	return nil
}

// TextPredicates returns the predicates the full-text index holds, in
// IRI order; none without a text index.
func (db *DB) TextPredicates() []rdf.IRI { return slices.Clone(db.text.preds) }

// TextPredicates is DB.TextPredicates.
func (s *Snapshot) TextPredicates() []rdf.IRI { return s.db.TextPredicates() }
