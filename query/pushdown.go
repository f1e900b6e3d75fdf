package query

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/query/parser"
)

// Push-down: a store with a query language of its own (store/sparql) may
// answer a whole query itself, in one request, instead of the engine
// reading it triple by triple. Run hands it the query compiled, with every
// value reduced to a value key (ValueKey), and keeps what must be the
// engine's for all stores alike: the cursor, search scores and selection.

// An Answerer is a Source that answers whole queries. Run asks it first;
// for what it does not translate it returns ErrNotPushed, and Run takes
// its own plans over the Source.
type Answerer interface {
	Source
	Answer(ctx context.Context, q *Pushdown) (*Answer, error)
}

// ErrNotPushed is what Answerer.Answer returns for a query it leaves to
// the engine.
var ErrNotPushed = errors.New("query not pushed down")

// Pushdown is a query as an Answerer answers it.
//
// The members are those of Scope for which every condition of Where
// holds. Without Search, the answer is the first Limit members (all for
// -1) after After in the total order: each key of Keys in turn, a member's
// key being the least value key (ValueKey) reached along the key's path,
// the greatest with Desc, members without one last either way; then the
// member IRI, by code point. With Count, Answer.Total counts every member.
//
// With Search (the tokens of oslc.searchTerms, as literal.Tokens cuts
// them), the answer is every member with a token in the text of its
// TextPredicates literals (TextTokens), After and Limit aside, each with
// its term frequencies (AnswerRow.TF) and keys; and the document
// frequencies of the tokens over all subjects of the store (Answer.DF),
// and Answer.N, the greater of the store's resources and the subjects
// with one of the tokens. Run scores, orders and pages them.
type Pushdown struct {
	Scope  Scope
	Where  []Cond
	Keys   []SortKey
	Search []string
	After  *Position
	Limit  int
	Count  bool
}

// CondKind tells what a Cond tests.
type CondKind int

// The kinds of Cond.
const (
	CondEq     CondKind = iota + 1 // some value's key is one of Keys
	CondNe                         // no value's key is one of Keys
	CondRange                      // some value's key is between Lo and Hi
	CondScoped                     // some value is a node (IRI or blank) for which Inner holds
)

// A Cond is one condition on a subject: on the values of Prop, or of
// every property with Wildcard.
type Cond struct {
	Kind     CondKind
	Prop     rdf.IRI
	Wildcard bool

	Keys []string // CondEq, CondNe: value keys (ValueKey)

	// CondRange: value keys bounding the range, compared by code point,
	// each included or not. Both always set: an open side is the end of
	// the bound's kind (numbers or dateTimes), so the range never reaches
	// values of another kind. Empty: nothing is in the range.
	Lo, Hi         string
	LoIncl, HiIncl bool
	Empty          bool

	Inner []Cond // CondScoped
}

// A SortKey is one flattened oslc.orderBy key: the values reached from a
// member along Path.
type SortKey struct {
	Path []rdf.IRI
	Desc bool
}

// A Position is the last member of the previous page: its IRI, its keys
// ("" for none) and, with search terms, its score.
type Position struct {
	ID    rdf.IRI
	Keys  []string
	Score float64
}

// An Answer is what an Answerer found.
type Answer struct {
	Rows  []AnswerRow // in the total order without Search; any order with
	Total int         // with Pushdown.Count
	DF    []int       // with Search: subjects per token
	N     int         // with Search: see Pushdown
}

// An AnswerRow is one member: its keys ("" for none) and with Search its
// frequency of each token.
type AnswerRow struct {
	ID   rdf.IRI
	Keys []string
	TF   []int
}

// Value keys: the class of a value as one character, then its value,
// such that comparing keys by code point orders values as the engine
// does (numbers < dateTimes < booleans < strings < other literals < IRIs
// < blank nodes) and equal keys are equal values.
const (
	keyNumber   = '1'
	keyDateTime = '2'
	keyBoolean  = '3'
	keyString   = '4'
	keyOther    = '5'
	keyIRI      = '6'
	keyBlank    = '7'
	keySep      = "\x01" // between a string and its language or datatype
)

// ValueKey is the value key of a stored term (see Pushdown): a store that
// keeps it with each triple can answer comparisons, equality and sorting
// by comparing strings. Strings holding U+0000 or U+0001 order a little
// differently from the engine.
func ValueKey(t rdf.Term) string { return valKey(classify(t)) }

func valKey(v val) string {
	switch v.cls {
	case clsNumber:
		f := v.num
		if f == 0 {
			f = 0 // -0 equals 0
		}
		b := math.Float64bits(f)
		if b>>63 == 1 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		return fmt.Sprintf("%c%016x", keyNumber, b)
	case clsDateTime:
		return fmt.Sprintf("%c%016x", keyDateTime, uint64(v.us)^(1<<63))
	case clsBoolean:
		if v.num == 1 {
			return string(keyBoolean) + "1"
		}
		return string(keyBoolean) + "0"
	case clsString:
		if v.lang != "" {
			return string(keyString) + v.str + keySep + v.lang
		}
		return string(keyString) + v.str
	case clsOther:
		return string(keyOther) + v.str + keySep + v.dt
	case clsIRI:
		return string(keyIRI) + v.str
	case clsBlank:
		return string(keyBlank) + v.str
	}
	return ""
}

// parseValKey is valKey's inverse; "" is a missing value.
func parseValKey(k string) (val, error) {
	if k == "" {
		return val{cls: clsMissing}, nil
	}
	rest := k[1:]
	fixed := func() (uint64, error) {
		b, err := hex.DecodeString(rest)
		if err != nil || len(b) != 8 {
			return 0, fmt.Errorf("bad value key %q", k)
		}
		var u uint64
		for _, x := range b {
			u = u<<8 | uint64(x)
		}
		return u, nil
	}
	switch k[0] {
	case keyNumber:
		b, err := fixed()
		if b>>63 == 1 {
			b &^= 1 << 63
		} else {
			b = ^b
		}
		return val{cls: clsNumber, num: math.Float64frombits(b)}, err
	case keyDateTime:
		b, err := fixed()
		return val{cls: clsDateTime, us: int64(b ^ (1 << 63))}, err
	case keyBoolean:
		return val{cls: clsBoolean, num: float64(strings.Count(rest, "1"))}, nil
	case keyString:
		s, lang, _ := strings.Cut(rest, keySep)
		return val{cls: clsString, str: s, lang: lang}, nil
	case keyOther:
		s, dt, _ := strings.Cut(rest, keySep)
		return val{cls: clsOther, str: s, dt: dt}, nil
	case keyIRI:
		return val{cls: clsIRI, str: rest}, nil
	case keyBlank:
		return val{cls: clsBlank, str: rest}, nil
	}
	return val{}, fmt.Errorf("bad value key %q", k)
}

// TextTokens are the search tokens of a literal of a TextPredicates
// property, one per occurrence, as the engine counts them; none for a
// term that is not a string literal.
func TextTokens(o rdf.Object) []string {
	text, ok := literalText(o)
	if !ok {
		return nil
	}
	return literal.Tokens(text)
}

// keys are the value keys a stored value equal to q has.
func (q *qval) keys() []string {
	var ks []string
	if q.isIRI {
		ks = append(ks, valKey(val{cls: clsIRI, str: q.iri}))
	}
	if q.isStr {
		ks = append(ks, valKey(val{cls: clsString, str: q.str, lang: q.lang}))
	}
	if q.isNum {
		ks = append(ks, valKey(val{cls: clsNumber, num: q.num}))
	}
	if q.isDT {
		ks = append(ks, valKey(val{cls: clsDateTime, us: q.us}))
	}
	if q.isBool {
		b := 0.0
		if q.boolv {
			b = 1
		}
		ks = append(ks, valKey(val{cls: clsBoolean, num: b}))
	}
	if q.isOther {
		ks = append(ks, valKey(q.other))
	}
	return ks
}

// pushConds is conds as a Pushdown holds them.
func pushConds(conds []*cond) []Cond {
	out := make([]Cond, 0, len(conds))
	for _, c := range conds {
		pc := Cond{Prop: c.prop, Wildcard: c.wildcard}
		switch c.kind {
		case condEq, condNe:
			pc.Kind = CondEq
			if c.kind == condNe {
				pc.Kind = CondNe
			}
			for _, q := range c.vals {
				for _, k := range q.keys() {
					if !slices.Contains(pc.Keys, k) {
						pc.Keys = append(pc.Keys, k)
					}
				}
			}
		case condRange:
			pc.Kind, pc.Empty = CondRange, c.empty
			b := c.lo
			if b == nil {
				b = c.hi
			}
			cls := byte(keyNumber)
			if b.v.cls == clsDateTime {
				cls = keyDateTime
			}
			pc.Lo, pc.LoIncl = string(cls), true
			pc.Hi, pc.HiIncl = string(cls+1), false
			if c.lo != nil {
				pc.Lo, pc.LoIncl = valKey(c.lo.v), c.lo.incl
			}
			if c.hi != nil {
				pc.Hi, pc.HiIncl = valKey(c.hi.v), c.hi.incl
			}
		case condScoped:
			pc.Kind, pc.Inner = CondScoped, pushConds(c.inner)
		}
		out = append(out, pc)
	}
	return out
}

// pushedPage asks the Answerer for the first n+1 members after the cursor
// (all if n < 0) and the total, as wherePage and searchPage find them.
func (r *runner) pushedPage(a Answerer, n int) ([]*row, int, error) {
	if r.order.scored && len(r.tokens) == 0 {
		return nil, 0, nil
	}
	pd := &Pushdown{Scope: r.scope, Where: pushConds(r.conds), Limit: -1, Count: !r.page.NoTotal}
	for _, k := range r.order.keys {
		pd.Keys = append(pd.Keys, SortKey{Path: k.path, Desc: k.desc})
	}
	if r.order.scored {
		pd.Search = r.tokens
	} else if n >= 0 {
		pd.Limit = n + 1
	}
	if r.cur != nil {
		pos := &Position{ID: r.cur.row.id, Score: r.cur.row.score}
		for _, v := range r.cur.row.keys {
			pos.Keys = append(pos.Keys, valKey(v))
		}
		pd.After = pos
	}
	ans, err := a.Answer(r.ctx, pd)
	if err != nil {
		return nil, 0, err
	}
	rows := make([]*row, 0, len(ans.Rows))
	for _, ar := range ans.Rows {
		rw := &row{id: ar.ID, tf: ar.TF, keys: make([]val, len(r.order.keys))}
		if len(ar.Keys) != len(r.order.keys) {
			return nil, 0, fmt.Errorf("answer: %d sort keys for %d", len(ar.Keys), len(r.order.keys))
		}
		for i, k := range ar.Keys {
			if rw.keys[i], err = parseValKey(k); err != nil {
				return nil, 0, fmt.Errorf("answer: %w", err)
			}
		}
		rows = append(rows, rw)
	}
	if !r.order.scored {
		slices.SortFunc(rows, r.order.cmp)
		total := ans.Total
		if !pd.Count {
			total = -1
		} else if n < 0 {
			total = len(rows)
		}
		return rows, total, nil
	}
	if len(ans.DF) != len(r.tokens) {
		return nil, 0, fmt.Errorf("answer: %d document frequencies for %d tokens", len(ans.DF), len(r.tokens))
	}
	if r.cur != nil {
		r.idf = r.cur.idf
	} else {
		r.idf = idfs(ans.DF, ans.N)
	}
	top := &topN{o: r.order, n: n + 1}
	if n < 0 {
		top.n = -1
	}
	total := 0
	for _, rw := range rows {
		if !slices.ContainsFunc(rw.tf, func(n int) bool { return n > 0 }) {
			continue
		}
		total++
		rw.score = score(rw.tf, r.idf)
		if r.cur == nil || r.order.cmp(rw, &r.cur.row) > 0 {
			top.offer(rw)
		}
	}
	return top.sorted(), total, nil
}

// A SubjectReader is a Source that reads the triples of many subjects in
// one request: Run then reads a page's selected triples (oslc.select)
// level by level of the selection, not node by node.
type SubjectReader interface {
	// MatchSubjects calls fn with each distinct triple whose subject is
	// one of subjects.
	MatchSubjects(ctx context.Context, subjects []rdf.Subject, fn func(t rdf.Triple) bool) error
}

// prefetched is a Source that answers Match on the subjects it has read
// from what it holds.
type prefetched struct {
	Source
	held map[string][]rdf.Triple
}

func (p *prefetched) Match(ctx context.Context, s rdf.Subject, pred rdf.Predicate, o rdf.Object, fn func(t rdf.Triple) bool) error {
	ts, ok := p.held[subjKey(s)]
	if s == nil || o != nil || !ok {
		return p.Source.Match(ctx, s, pred, o, fn)
	}
	for _, t := range ts {
		if pred != nil && t.Pred.String() != pred.String() {
			continue
		}
		if !fn(t) {
			return nil
		}
	}
	return nil
}

// prefetch reads, through sr, the triples that selecting sel from each
// of ids reads, one request per level of sel, and returns a Source that
// holds them.
func (e *eval) prefetch(sr SubjectReader, ids []rdf.IRI, sel *parser.Selection) (Source, error) {
	p := &prefetched{Source: e.src, held: map[string][]rdf.Triple{}}
	type item struct {
		n   rdf.Subject
		sel *parser.Selection
	}
	var level []item
	for _, id := range ids {
		level = append(level, item{id, sel})
	}
	for depth := 0; len(level) > 0 && depth <= parser.MaxDepth; depth++ {
		var want []rdf.Subject
		asked := map[string]bool{}
		for _, it := range level {
			k := subjKey(it.n)
			if _, ok := p.held[k]; !ok && !asked[k] {
				asked[k] = true
				want = append(want, it.n)
			}
		}
		for _, s := range want {
			p.held[subjKey(s)] = nil
		}
		if len(want) > 0 {
			err := sr.MatchSubjects(e.ctx, want, func(t rdf.Triple) bool {
				k := subjKey(t.Subj)
				p.held[k] = append(p.held[k], t)
				return true
			})
			if err != nil {
				return nil, err
			}
		}
		var next []item
		for _, it := range level {
			for _, sp := range it.sel.Props {
				if sp.Nested == nil {
					continue
				}
				for _, t := range p.held[subjKey(it.n)] {
					if !sp.Prop.Wildcard && t.Pred.String() != sp.Prop.IRI {
						continue
					}
					if n, ok := t.Obj.(rdf.Subject); ok && t.Obj.Type() != rdf.TermLiteral {
						next = append(next, item{n, sp.Nested})
					}
				}
			}
		}
		level = next
	}
	return p, nil
}
