package collect

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// A Rule maps Prometheus series to one pm metric: the metric, its unit,
// and the expression giving its value.
type Rule struct {
	Metric rdf.IRI
	Unit   rdf.IRI
	Expr   Expr
}

func (r Rule) String() string {
	s := vocab.Short(r.Metric.String())
	if r.Unit != (rdf.IRI{}) {
		s += " [" + shortUnit(r.Unit) + "]"
	}
	return s + " = " + r.Expr.String()
}

func shortUnit(u rdf.IRI) string {
	if strings.HasPrefix(u.String(), dbpedia) {
		return "dbpedia:" + strings.TrimPrefix(u.String(), dbpedia)
	}
	return vocab.Short(u.String())
}

// An Expr is a mapping expression: numbers, + - * /, parentheses and the
// functions sum, rate and increase of a series selector.
type Expr interface {
	String() string
	eval(e *evalEnv) (float64, bool)
}

type (
	numExpr struct{ v float64 }
	binExpr struct {
		op   byte
		l, r Expr
	}
	negExpr  struct{ x Expr }
	callExpr struct {
		fn  string // sum, rate, increase
		sel Selector
	}
)

// A Selector picks series by name and label matchers, as in PromQL.
type Selector struct {
	Name     string
	Matchers []Matcher
}

// A Matcher compares a label with a value: =, !=, =~ or !~. The value
// ${instancePath} stands for the target's crtv:instancePath, or "/".
type Matcher struct {
	Label, Op, Value string
	re               *regexp.Regexp
}

func (n numExpr) String() string { return strconv.FormatFloat(n.v, 'g', -1, 64) }
func (b binExpr) String() string {
	return "(" + b.l.String() + " " + string(b.op) + " " + b.r.String() + ")"
}
func (n negExpr) String() string  { return "-" + n.x.String() }
func (c callExpr) String() string { return c.fn + "(" + c.sel.String() + ")" }

func (s Selector) String() string {
	if len(s.Matchers) == 0 {
		return s.Name
	}
	var ms []string
	for _, m := range s.Matchers {
		ms = append(ms, m.Label+m.Op+strconv.Quote(m.Value))
	}
	return s.Name + "{" + strings.Join(ms, ",") + "}"
}

// DefaultRules is the built-in mapping for node-exporter names.
const DefaultRules = `pm:CpuUsed [dbpedia:Percentage] = 100 * (1 - increase(node_cpu_seconds_total{mode="idle"}) / increase(node_cpu_seconds_total))
pm:RealMemoryUsed [dbpedia:Byte] = sum(node_memory_MemTotal_bytes) - sum(node_memory_MemAvailable_bytes)
pm:VirtualMemoryUsed [dbpedia:Byte] = sum(node_memory_SwapTotal_bytes) - sum(node_memory_SwapFree_bytes)
pm:DiskSpaceUsed [dbpedia:Byte] = sum(node_filesystem_size_bytes{mountpoint="${instancePath}"}) - sum(node_filesystem_avail_bytes{mountpoint="${instancePath}"})
pm:NetworkIOErrors [pm:PerMinute] = 60 * (rate(node_network_receive_errs_total) + rate(node_network_transmit_errs_total))`

// A RuleError is a mapping rule that does not parse: the rule, the
// offset in it, and what was expected.
type RuleError struct {
	Rule string
	Pos  int
	Msg  string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("%q at offset %d: %s", e.Rule, e.Pos, e.Msg)
}

// ParseRules parses mapping rules, one per line or separated by ";".
// Blank lines and lines starting with # are skipped.
func ParseRules(text string) ([]Rule, error) {
	var out []Rule
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r, err := ParseRule(line)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ParseRule parses one mapping rule:
//
//	rule     = term [ "[" term "]" ] "=" expr .
//	term     = prefix ":" local | "<" iri ">" .
//	expr     = product { ( "+" | "-" ) product } .
//	product  = unary { ( "*" | "/" ) unary } .
//	unary    = "-" unary | number | "(" expr ")" | fn "(" selector ")" .
//	fn       = "sum" | "rate" | "increase" .
//	selector = name [ "{" [ matcher { "," matcher } ] "}" ] .
//	matcher  = label ( "=" | "!=" | "=~" | "!~" ) string .
//
// sum adds the values of the matching series; increase adds how much
// each matching counter grew since the previous scrape (a reset counts
// from zero); rate is increase per second. A function that matches no
// series, or needs a previous scrape there is none of, has no value, and
// neither has the rule.
func ParseRule(s string) (Rule, error) {
	p := &ruleParser{src: s}
	var r Rule
	var err error
	p.space()
	if r.Metric, err = p.term(); err != nil {
		return r, err
	}
	p.space()
	if p.eat("[") {
		p.space()
		if r.Unit, err = p.term(); err != nil {
			return r, err
		}
		p.space()
		if !p.eat("]") {
			return r, p.fail("expected ] after the unit")
		}
		p.space()
	}
	if !p.eat("=") {
		return r, p.fail("expected = after the metric")
	}
	if r.Expr, err = p.expr(); err != nil {
		return r, err
	}
	p.space()
	if p.pos < len(s) {
		return r, p.fail("unexpected text after the expression")
	}
	return r, nil
}

type ruleParser struct {
	src string
	pos int
}

func (p *ruleParser) fail(msg string) error { return &RuleError{Rule: p.src, Pos: p.pos, Msg: msg} }

func (p *ruleParser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *ruleParser) eat(tok string) bool {
	if strings.HasPrefix(p.src[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func isNameChar(c byte, first bool) bool {
	return c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}

func (p *ruleParser) name() string {
	start := p.pos
	for p.pos < len(p.src) && isNameChar(p.src[p.pos], p.pos == start) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// term reads a prefixed name or an <IRI>.
func (p *ruleParser) term() (rdf.IRI, error) {
	if p.eat("<") {
		end := strings.IndexByte(p.src[p.pos:], '>')
		if end < 0 {
			return rdf.IRI{}, p.fail("expected > closing the IRI")
		}
		v := p.src[p.pos : p.pos+end]
		p.pos += end + 1
		i, err := rdf.NewIRI(v)
		if err != nil {
			return rdf.IRI{}, p.fail("bad IRI: " + err.Error())
		}
		return i, nil
	}
	start := p.pos
	n := p.name()
	prefix, local, ok := strings.Cut(n, ":")
	if !ok {
		p.pos = start
		return rdf.IRI{}, p.fail("expected a prefixed name such as pm:CpuUsed or an <IRI>")
	}
	ns := ""
	if prefix == "dbpedia" {
		ns = dbpedia
	}
	for _, px := range vocab.Prefixes {
		if px.Prefix == prefix {
			ns = px.NS
		}
	}
	if ns == "" || local == "" {
		p.pos = start
		return rdf.IRI{}, p.fail(fmt.Sprintf("unknown prefix %q", prefix))
	}
	i, err := rdf.NewIRI(ns + local)
	if err != nil {
		return rdf.IRI{}, p.fail(err.Error())
	}
	return i, nil
}

func (p *ruleParser) expr() (Expr, error) {
	l, err := p.product()
	if err != nil {
		return nil, err
	}
	for {
		p.space()
		if p.pos >= len(p.src) || (p.src[p.pos] != '+' && p.src[p.pos] != '-') {
			return l, nil
		}
		op := p.src[p.pos]
		p.pos++
		r, err := p.product()
		if err != nil {
			return nil, err
		}
		l = binExpr{op, l, r}
	}
}

func (p *ruleParser) product() (Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		p.space()
		if p.pos >= len(p.src) || (p.src[p.pos] != '*' && p.src[p.pos] != '/') {
			return l, nil
		}
		op := p.src[p.pos]
		p.pos++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = binExpr{op, l, r}
	}
}

var numberRE = regexp.MustCompile(`^[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?`)

func (p *ruleParser) unary() (Expr, error) {
	p.space()
	switch {
	case p.eat("-"):
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return negExpr{x}, nil
	case p.eat("("):
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.space()
		if !p.eat(")") {
			return nil, p.fail("expected )")
		}
		return x, nil
	}
	if m := numberRE.FindString(p.src[p.pos:]); m != "" {
		v, err := strconv.ParseFloat(m, 64)
		if err != nil {
			return nil, p.fail("bad number")
		}
		p.pos += len(m)
		return numExpr{v}, nil
	}
	start := p.pos
	fn := p.name()
	if fn != "sum" && fn != "rate" && fn != "increase" {
		p.pos = start
		return nil, p.fail("expected a number, ( or sum(, rate( or increase(")
	}
	p.space()
	if !p.eat("(") {
		return nil, p.fail("expected ( after " + fn)
	}
	sel, err := p.selector()
	if err != nil {
		return nil, err
	}
	p.space()
	if !p.eat(")") {
		return nil, p.fail("expected ) closing " + fn)
	}
	return callExpr{fn, sel}, nil
}

func (p *ruleParser) selector() (Selector, error) {
	p.space()
	var s Selector
	if s.Name = p.name(); s.Name == "" {
		return s, p.fail("expected a series name")
	}
	p.space()
	if !p.eat("{") {
		return s, nil
	}
	for {
		p.space()
		if p.eat("}") {
			return s, nil
		}
		if len(s.Matchers) > 0 {
			if !p.eat(",") {
				return s, p.fail("expected , or }")
			}
			p.space()
		}
		var m Matcher
		if m.Label = p.name(); m.Label == "" {
			return s, p.fail("expected a label name")
		}
		p.space()
		for _, op := range []string{"=~", "!~", "!=", "="} {
			if p.eat(op) {
				m.Op = op
				break
			}
		}
		if m.Op == "" {
			return s, p.fail("expected =, !=, =~ or !~")
		}
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return s, p.fail("expected a quoted value")
		}
		q, err := strconv.QuotedPrefix(p.src[p.pos:])
		if err != nil {
			return s, p.fail("bad quoted value")
		}
		m.Value, _ = strconv.Unquote(q)
		p.pos += len(q)
		if m.Op == "=~" || m.Op == "!~" {
			if m.re, err = regexp.Compile("^(?:" + m.Value + ")$"); err != nil {
				return s, p.fail("bad regular expression: " + err.Error())
			}
		}
		s.Matchers = append(s.Matchers, m)
	}
}

// A series is one scraped sample: its labels (without __name__) and value.
type series struct {
	labels map[string]string
	value  float64
}

// A scrape is what one collection read from one target.
type scrape struct {
	byName map[string][]series
	values map[string]float64 // by seriesKey, for counters' deltas
}

// evalEnv is what expressions are evaluated against.
type evalEnv struct {
	cur, prev *scrape // prev nil: no usable previous scrape
	secs      float64 // between the scrapes
	path      string  // ${instancePath}
}

func (m Matcher) match(labels map[string]string, path string) bool {
	v := labels[m.Label]
	want := strings.ReplaceAll(m.Value, "${instancePath}", path)
	switch m.Op {
	case "=":
		return v == want
	case "!=":
		return v != want
	case "=~":
		return m.re.MatchString(v)
	default:
		return !m.re.MatchString(v)
	}
}

func (n numExpr) eval(*evalEnv) (float64, bool) { return n.v, true }

func (n negExpr) eval(e *evalEnv) (float64, bool) {
	v, ok := n.x.eval(e)
	return -v, ok
}

func (b binExpr) eval(e *evalEnv) (float64, bool) {
	l, ok := b.l.eval(e)
	if !ok {
		return 0, false
	}
	r, ok := b.r.eval(e)
	if !ok {
		return 0, false
	}
	var v float64
	switch b.op {
	case '+':
		v = l + r
	case '-':
		v = l - r
	case '*':
		v = l * r
	default:
		if r == 0 {
			return 0, false
		}
		v = l / r
	}
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

func (c callExpr) eval(e *evalEnv) (float64, bool) {
	sum, n := 0.0, 0
	for _, s := range e.cur.byName[c.sel.Name] {
		ok := true
		for _, m := range c.sel.Matchers {
			if !m.match(s.labels, e.path) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if c.fn == "sum" {
			sum += s.value
			n++
			continue
		}
		if e.prev == nil {
			return 0, false
		}
		before, had := e.prev.values[seriesKey(c.sel.Name, s.labels)]
		if !had {
			continue // new since the previous scrape
		}
		d := s.value - before
		if d < 0 {
			d = s.value // reset
		}
		sum += d
		n++
	}
	if n == 0 {
		return 0, false
	}
	if c.fn == "rate" {
		if e.secs <= 0 {
			return 0, false
		}
		sum /= e.secs
	}
	return sum, true
}
