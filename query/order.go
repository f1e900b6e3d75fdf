package query

import (
	"container/heap"
	"fmt"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// sortKey is one flattened oslc.orderBy key: the values reached from a
// member along path, ascending or descending.
type sortKey struct {
	path []rdf.IRI
	desc bool
}

// compileOrder flattens nested sort terms into keys: p{+q,-r} is the keys
// p/q ascending and p/r descending.
func compileOrder(o *parser.OrderBy) ([]sortKey, error) {
	if o == nil {
		return nil, nil
	}
	var keys []sortKey
	var walk func(ts []parser.SortTerm, prefix []rdf.IRI) error
	walk = func(ts []parser.SortTerm, prefix []rdf.IRI) error {
		for _, t := range ts {
			p, err := nameIRI(&t.Prop, "oslc.orderBy")
			if err != nil {
				return err
			}
			if p == oslcScore {
				return &Error{Param: "oslc.orderBy", Pos: t.Prop.Pos, Msg: "oslc:score must not appear in oslc.orderBy: oslc.searchTerms sorts by it", Err: ErrSyntax}
			}
			path := append(append([]rdf.IRI(nil), prefix...), p)
			if t.Nested == nil {
				keys = append(keys, sortKey{path: path, desc: t.Desc})
				continue
			}
			if len(path) > parser.MaxDepth {
				return &Error{Param: "oslc.orderBy", Pos: t.Prop.Pos, Msg: fmt.Sprintf("scopes nested deeper than %d", parser.MaxDepth), Err: ErrTooComplex}
			}
			if err := walk(t.Nested, path); err != nil {
				return err
			}
		}
		return nil
	}
	return keys, walk(o.Terms, nil)
}

var oslcScore = vocab.IRI(vocab.OSLC, "score")

func (k sortKey) String() string {
	var b strings.Builder
	if k.desc {
		b.WriteByte('-')
	} else {
		b.WriteByte('+')
	}
	for i, p := range k.path {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString("<" + p.String() + ">")
	}
	return b.String()
}

// row is a member with what it is ordered by.
type row struct {
	id    rdf.IRI
	score float64 // with oslc.searchTerms
	keys  []val
	tf    []int // term frequencies of the search tokens
	res   bool  // id is known to be a stored resource
}

// order is the total order of rows: score descending (with search terms),
// then the sort keys, then the member IRI ascending.
type order struct {
	keys   []sortKey
	scored bool
}

func (o *order) cmp(a, b *row) int {
	if o.scored && a.score != b.score {
		if a.score > b.score {
			return -1
		}
		return 1
	}
	for i, k := range o.keys {
		if d := cmpKey(a.keys[i], b.keys[i], k.desc); d != 0 {
			return d
		}
	}
	return strings.Compare(a.id.String(), b.id.String())
}

// cmpKey orders two values of a key; a missing value is last either way.
func cmpKey(a, b val, desc bool) int {
	am, bm := a.cls == clsMissing, b.cls == clsMissing
	switch {
	case am && bm:
		return 0
	case am:
		return 1
	case bm:
		return -1
	}
	d := compare(a, b)
	if desc {
		d = -d
	}
	return d
}

// keyValue returns the value a member sorts by for key k: its smallest
// value along the path ascending, its largest descending; clsMissing if
// it has none.
func (e *eval) keyValue(s rdf.Subject, k sortKey) (val, error) {
	best := val{cls: clsMissing}
	nodes := []rdf.Subject{s}
	for i, p := range k.path {
		last := i == len(k.path)-1
		var next []rdf.Subject
		for _, n := range nodes {
			err := e.src.Match(e.ctx, n, p, nil, func(t rdf.Triple) bool {
				if last {
					v := classify(t.Obj)
					if best.cls == clsMissing || cmpKey(v, best, k.desc) < 0 {
						best = v
					}
				} else if ns, ok := t.Obj.(rdf.Subject); ok && t.Obj.Type() != rdf.TermLiteral {
					next = append(next, ns)
				}
				return true
			})
			if err != nil {
				return val{}, fmt.Errorf("sort key %s: %w", k, err)
			}
		}
		nodes = next
	}
	return best, nil
}

func (e *eval) fillKeys(r *row, keys []sortKey) error {
	r.keys = make([]val, len(keys))
	for i, k := range keys {
		v, err := e.keyValue(r.id, k)
		if err != nil {
			return err
		}
		r.keys[i] = v
	}
	return nil
}

// topN keeps the n smallest rows offered, in a max-heap.
type topN struct {
	o    *order
	n    int
	rows []*row
}

func (t *topN) Len() int           { return len(t.rows) }
func (t *topN) Less(i, j int) bool { return t.o.cmp(t.rows[i], t.rows[j]) > 0 }
func (t *topN) Swap(i, j int)      { t.rows[i], t.rows[j] = t.rows[j], t.rows[i] }
func (t *topN) Push(x any)         { t.rows = append(t.rows, x.(*row)) }
func (t *topN) Pop() any {
	r := t.rows[len(t.rows)-1]
	t.rows = t.rows[:len(t.rows)-1]
	return r
}

// offer adds r if it is among the n smallest so far.
func (t *topN) offer(r *row) {
	if t.n < 0 || len(t.rows) < t.n {
		heap.Push(t, r)
		return
	}
	if t.n == 0 || t.o.cmp(r, t.rows[0]) >= 0 {
		return
	}
	t.rows[0] = r
	heap.Fix(t, 0)
}

// sorted returns the rows kept, smallest first.
func (t *topN) sorted() []*row {
	out := make([]*row, len(t.rows))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(t).(*row)
	}
	return out
}
