package promapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// ErrUnsupported is the class of the errors of expressions this API does
// not evaluate: parseable PromQL outside the supported subset.
var ErrUnsupported = errors.New("unsupported")

// overTime are the functions over a range of samples the API evaluates.
var overTime = map[string]func(w []sample) float64{
	"avg_over_time": func(w []sample) float64 {
		var sum, c float64 // Kahan summation, as Prometheus sums
		for _, s := range w {
			sum, c = kahan(s.v, sum, c)
		}
		return (sum + c) / float64(len(w))
	},
	"min_over_time": func(w []sample) float64 {
		m := w[0].v
		for _, s := range w[1:] {
			if s.v < m || math.IsNaN(m) {
				m = s.v
			}
		}
		return m
	},
	"max_over_time": func(w []sample) float64 {
		m := w[0].v
		for _, s := range w[1:] {
			if s.v > m || math.IsNaN(m) {
				m = s.v
			}
		}
		return m
	},
	"sum_over_time": func(w []sample) float64 {
		var sum, c float64
		for _, s := range w {
			sum, c = kahan(s.v, sum, c)
		}
		return sum + c
	},
	"count_over_time": func(w []sample) float64 { return float64(len(w)) },
}

// aggregations are the aggregation operators the API evaluates.
var aggregations = map[parser.ItemType]bool{parser.SUM: true, parser.AVG: true, parser.MIN: true, parser.MAX: true, parser.COUNT: true}

func kahan(v, sum, c float64) (float64, float64) {
	t := sum + v
	if math.Abs(sum) >= math.Abs(v) {
		c += (sum - t) + v
	} else {
		c += (v - t) + sum
	}
	return t, c
}

// unsupported returns an error of class ErrUnsupported about what.
func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s; this API evaluates selectors of pm metrics by name and by the labels resource, resource_class, job and unit, avg_over_time, min_over_time, max_over_time, sum_over_time and count_over_time of a range selector, avg, min, max, sum and count, by or without labels, and arithmetic between numbers", ErrUnsupported, fmt.Sprintf(format, args...))
}

// check tells whether e is in the subset the API evaluates, before any
// store is read.
func check(e parser.Expr) error {
	switch e := e.(type) {
	case *parser.ParenExpr:
		return check(e.Expr)
	case *parser.VectorSelector:
		if e.OriginalOffset != 0 || e.Timestamp != nil || e.StartOrEnd != 0 {
			return unsupported("offset and @ modifiers")
		}
		return nil
	case *parser.MatrixSelector:
		return check(e.VectorSelector)
	case *parser.Call:
		if overTime[e.Func.Name] == nil {
			return unsupported("function %s", e.Func.Name)
		}
		if len(e.Args) != 1 {
			return unsupported("%s with %d arguments", e.Func.Name, len(e.Args))
		}
		ms, ok := unparen(e.Args[0]).(*parser.MatrixSelector)
		if !ok {
			return unsupported("%s of anything but a range selector (subqueries)", e.Func.Name)
		}
		return check(ms)
	case *parser.AggregateExpr:
		if !aggregations[e.Op] {
			return unsupported("aggregation %s", e.Op)
		}
		if e.Param != nil {
			return unsupported("aggregation %s with a parameter", e.Op)
		}
		return check(e.Expr)
	case *parser.BinaryExpr:
		if scalarOps[e.Op] == nil || e.LHS.Type() != parser.ValueTypeScalar || e.RHS.Type() != parser.ValueTypeScalar {
			return unsupported("binary operator %s but between numbers", e.Op)
		}
		if err := check(e.LHS); err != nil {
			return err
		}
		return check(e.RHS)
	case *parser.SubqueryExpr:
		return unsupported("subqueries")
	case *parser.UnaryExpr:
		if e.Expr.Type() != parser.ValueTypeScalar {
			return unsupported("unary %s but of a number", e.Op)
		}
		return check(e.Expr)
	case *parser.NumberLiteral:
		return nil // clients such as Grafana test a data source with 1+1
	case *parser.StringLiteral:
		return unsupported("string literals")
	}
	return unsupported("expression %s", e)
}

// scalarOps are the arithmetic operators between numbers.
var scalarOps = map[parser.ItemType]func(a, b float64) float64{
	parser.ADD: func(a, b float64) float64 { return a + b },
	parser.SUB: func(a, b float64) float64 { return a - b },
	parser.MUL: func(a, b float64) float64 { return a * b },
	parser.DIV: func(a, b float64) float64 { return a / b },
	parser.MOD: math.Mod,
	parser.POW: math.Pow,
}

// scalar evaluates an expression of numbers alone, which check accepted.
func scalar(e parser.Expr) float64 {
	switch e := e.(type) {
	case *parser.ParenExpr:
		return scalar(e.Expr)
	case *parser.NumberLiteral:
		return e.Val
	case *parser.UnaryExpr:
		if e.Op == parser.SUB {
			return -scalar(e.Expr)
		}
		return scalar(e.Expr)
	case *parser.BinaryExpr:
		return scalarOps[e.Op](scalar(e.LHS), scalar(e.RHS))
	}
	return math.NaN() // not reached: check refuses the rest
}

func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// An evaluator evaluates an expression at the steps start, start+step,
// ... up to end (milliseconds).
type evaluator struct {
	a                *API
	ctx              context.Context
	start, end, step int64
	lookback         int64
}

// steps is how many steps there are.
func (ev *evaluator) steps() int { return int((ev.end-ev.start)/ev.step) + 1 }

// eval returns the series of e, with a point at each step where it has
// a value, sorted by labels.
func (ev *evaluator) eval(e parser.Expr) ([]*series, error) {
	if e.Type() == parser.ValueTypeScalar {
		v := scalar(e)
		s := &series{}
		for t := ev.start; t <= ev.end; t += ev.step {
			s.samples = append(s.samples, sample{t: t, v: v})
		}
		return []*series{s}, nil
	}
	switch e := e.(type) {
	case *parser.ParenExpr:
		return ev.eval(e.Expr)
	case *parser.VectorSelector:
		return ev.instant(e)
	case *parser.Call:
		return ev.call(e)
	case *parser.AggregateExpr:
		return ev.aggregate(e)
	case *parser.MatrixSelector:
		return nil, unsupported("a range selector here")
	}
	return nil, check(e)
}

// instant evaluates an instant vector selector: at each step t, the
// newest sample in (t-lookback, t].
func (ev *evaluator) instant(vs *parser.VectorSelector) ([]*series, error) {
	in, err := ev.a.selectSeries(ev.ctx, vs.LabelMatchers, window{lo: ev.start - ev.lookback, hi: ev.end})
	if err != nil {
		return nil, err
	}
	var out []*series
	for _, s := range in {
		o := &series{labels: s.labels}
		for t := ev.start; t <= ev.end; t += ev.step {
			i := sort.Search(len(s.samples), func(i int) bool { return s.samples[i].t > t }) - 1
			if i >= 0 && s.samples[i].t > t-ev.lookback {
				o.samples = append(o.samples, sample{t: t, v: s.samples[i].v})
			}
		}
		if len(o.samples) > 0 {
			out = append(out, o)
		}
	}
	return out, nil
}

// call evaluates a function over a range selector: at each step t, over
// the samples in (t-range, t].
func (ev *evaluator) call(c *parser.Call) ([]*series, error) {
	f := overTime[c.Func.Name]
	ms := unparen(c.Args[0]).(*parser.MatrixSelector)
	vs := unparen(ms.VectorSelector).(*parser.VectorSelector)
	r := ms.Range.Milliseconds()
	in, err := ev.a.selectSeries(ev.ctx, vs.LabelMatchers, window{lo: ev.start - r, hi: ev.end})
	if err != nil {
		return nil, err
	}
	var out []*series
	for _, s := range in {
		o := &series{labels: s.labels.DropMetricName()}
		for t := ev.start; t <= ev.end; t += ev.step {
			lo := sort.Search(len(s.samples), func(i int) bool { return s.samples[i].t > t-r })
			hi := sort.Search(len(s.samples), func(i int) bool { return s.samples[i].t > t })
			if hi > lo {
				o.samples = append(o.samples, sample{t: t, v: f(s.samples[lo:hi])})
			}
		}
		if len(o.samples) > 0 {
			out = append(out, o)
		}
	}
	return out, distinct(out)
}

// distinct refuses series of equal label sets (sorted), as Prometheus
// does: dropping the metric name may make two series one.
func distinct(ss []*series) error {
	sort.SliceStable(ss, func(i, j int) bool { return labels.Compare(ss[i].labels, ss[j].labels) < 0 })
	for i := 1; i < len(ss); i++ {
		if labels.Equal(ss[i-1].labels, ss[i].labels) {
			return fmt.Errorf("%w: vector cannot contain metrics with the same labelset %s", errExec, ss[i].labels)
		}
	}
	return nil
}

// errExec is the class of errors of evaluation (Prometheus's
// "execution" errors).
var errExec = errors.New("execution error")

// A group accumulates one aggregation's values per step.
type group struct {
	labels labels.Labels
	n      []int
	v      []float64
	c      []float64 // Kahan compensation of sums
}

// aggregate evaluates avg, min, max, sum or count, by or without labels.
func (ev *evaluator) aggregate(ae *parser.AggregateExpr) ([]*series, error) {
	in, err := ev.eval(ae.Expr)
	if err != nil {
		return nil, err
	}
	steps := ev.steps()
	groups := map[string]*group{}
	var order []*group
	for _, s := range in {
		var ls labels.Labels
		if ae.Without {
			ls = labels.NewBuilder(s.labels).Del(append([]string{labels.MetricName}, ae.Grouping...)...).Labels()
		} else {
			ls = labels.NewBuilder(s.labels).Keep(ae.Grouping...).Labels()
		}
		k := ls.String()
		g := groups[k]
		if g == nil {
			g = &group{labels: ls, n: make([]int, steps), v: make([]float64, steps), c: make([]float64, steps)}
			groups[k] = g
			order = append(order, g)
		}
		for _, p := range s.samples {
			i := int((p.t - ev.start) / ev.step)
			first := g.n[i] == 0
			g.n[i]++
			switch ae.Op {
			case parser.SUM, parser.AVG:
				g.v[i], g.c[i] = kahan(p.v, g.v[i], g.c[i])
			case parser.MIN:
				if first || p.v < g.v[i] || math.IsNaN(g.v[i]) {
					g.v[i] = p.v
				}
			case parser.MAX:
				if first || p.v > g.v[i] || math.IsNaN(g.v[i]) {
					g.v[i] = p.v
				}
			}
		}
	}
	var out []*series
	for _, g := range order {
		o := &series{labels: g.labels}
		for i, n := range g.n {
			if n == 0 {
				continue
			}
			v := g.v[i]
			switch ae.Op {
			case parser.SUM:
				v += g.c[i]
			case parser.AVG:
				v = (v + g.c[i]) / float64(n)
			case parser.COUNT:
				v = float64(n)
			}
			o.samples = append(o.samples, sample{t: ev.start + int64(i)*ev.step, v: v})
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return labels.Compare(out[i].labels, out[j].labels) < 0 })
	return out, nil
}

// raw evaluates a range selector at one time t: the samples in
// (t-range, t], as they are stored.
func (ev *evaluator) raw(ms *parser.MatrixSelector, t int64) ([]*series, error) {
	vs := unparen(ms.VectorSelector).(*parser.VectorSelector)
	r := ms.Range.Milliseconds()
	return ev.a.selectSeries(ev.ctx, vs.LabelMatchers, window{lo: t - r, hi: t})
}

// exprType names e's value type as Prometheus's errors do.
func exprType(e parser.Expr) string {
	return parser.DocumentedType(e.Type())
}
