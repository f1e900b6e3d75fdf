package parser

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

// Limits of a query's size, so that a hostile parameter can make neither
// the parser, the printer nor the engine recurse deeply or plan and read
// without end. Past one, a Parse function returns an error of class
// ErrTooComplex at the item that passes it. The engine holds a tree built
// with the constructors (see build.go) to MaxDepth as well.
const (
	// MaxDepth bounds the nesting of scopes in oslc.where, oslc.select,
	// oslc.properties and oslc.orderBy.
	MaxDepth = 32

	// MaxTerms bounds the comparisons of an oslc.where, at every depth:
	// each simple term counts one, except that a term "in [...]" counts
	// one per value.
	MaxTerms = 256

	// MaxProperties bounds the properties an oslc.select or
	// oslc.properties names, at every depth.
	MaxProperties = 256

	// MaxSortKeys bounds the keys of an oslc.orderBy, its signed sort
	// terms at every depth: the engine reads each key of every candidate.
	MaxSortKeys = 16

	// MaxSearchTerms bounds the strings of an oslc.searchTerms, and
	// MaxSearchWords the words in all of them (as the full-text index
	// cuts them, see literal.Tokens): a search reads the postings of each.
	MaxSearchTerms = 32
	MaxSearchWords = 32
)

// ParseWhere parses the value of oslc.where. Prefixed names are resolved
// with prefixes (see DefaultPrefixes and Prefixes.Map).
func ParseWhere(src string, prefixes map[string]string) (w *Where, err error) {
	err = parse("oslc.where", src, prefixes, func(p *parser) { w = p.parseCompoundTerm(tokEof) })
	return w, err
}

// ParseSelect parses the value of oslc.select.
func ParseSelect(src string, prefixes map[string]string) (s *Selection, err error) {
	err = parse("oslc.select", src, prefixes, func(p *parser) { s = p.parseProperties(tokEof) })
	return s, err
}

// ParseProperties parses the value of oslc.properties, whose grammar is
// that of oslc.select.
func ParseProperties(src string, prefixes map[string]string) (s *Selection, err error) {
	err = parse("oslc.properties", src, prefixes, func(p *parser) { s = p.parseProperties(tokEof) })
	return s, err
}

// ParseOrderBy parses the value of oslc.orderBy. As an extension, a sort
// term without a sign is ascending: a "+" sent unencoded in a URL reaches
// the server as a space.
func ParseOrderBy(src string, prefixes map[string]string) (o *OrderBy, err error) {
	err = parse("oslc.orderBy", src, prefixes, func(p *parser) { o = &OrderBy{Terms: p.parseSortTerms(tokEof)} })
	return o, err
}

// ParseSearchTerms parses the value of oslc.searchTerms.
func ParseSearchTerms(src string) (st SearchTerms, err error) {
	err = parse("oslc.searchTerms", src, nil, func(p *parser) { st = p.parseSearchTerms() })
	return st, err
}

// ParsePrefixes parses the value of oslc.prefix.
func ParsePrefixes(src string) (ps Prefixes, err error) {
	err = parse("oslc.prefix", src, nil, func(p *parser) { ps = p.parsePrefixDefs() })
	return ps, err
}

// parse runs fn on a parser of src, turning its bailout into the error.
func parse(param, src string, prefixes map[string]string, fn func(p *parser)) (err error) {
	p := &parser{param: param, src: src, prefixes: prefixes}
	defer func() {
		if e := recover(); e != nil {
			b, ok := e.(bailout)
			if !ok {
				panic(e)
			}
			err = b.err
		}
	}()
	p.sc.Init(src)
	p.next()
	fn(p)
	return nil
}

// parser is a recursive-descent parser with one token of lookahead. Errors
// panic with a bailout that the entry point recovers.
type parser struct {
	sc       scanner
	param    string
	src      string
	prefixes map[string]string
	depth    int
	count    int // what the parameter's limit bounds, so far

	pos int
	tok token
	lit string
}

type bailout struct{ err *Error }

func (p *parser) next() {
	p.pos, p.tok, p.lit = p.sc.Scan()
	if p.tok == tokIllegal {
		p.fail(p.sc.ErrPos, ErrSyntax, p.sc.Err)
	}
}

func (p *parser) fail(pos int, kind error, msg string) {
	panic(bailout{&Error{Param: p.param, Pos: pos, Msg: msg, Err: kind}})
}

// expected reports that the current token is not what was expected.
func (p *parser) expected(what string) {
	p.fail(p.pos, ErrSyntax, "expected "+what+", found "+p.found())
}

func (p *parser) found() string {
	switch p.tok {
	case tokEof:
		return "end of input"
	case tokString:
		return "string " + strconv.Quote(p.lit)
	case tokIri:
		return strconv.Quote("<" + p.lit + ">")
	case tokLangtag:
		return strconv.Quote("@" + p.lit)
	}
	return strconv.Quote(p.lit)
}

func (p *parser) expect(tok token, what string) int {
	pos := p.pos
	if p.tok != tok {
		p.expected(what)
	}
	p.next()
	return pos
}

func (p *parser) enter() {
	if p.depth++; p.depth > MaxDepth {
		p.fail(p.pos, ErrTooComplex, fmt.Sprintf("scopes nested deeper than %d", MaxDepth))
	}
}

// add counts n more of what limit bounds, items of the parameter, failing
// at pos once there are more than limit.
func (p *parser) add(pos, n, limit int, items string) {
	if p.count += n; p.count > limit {
		p.fail(pos, ErrTooComplex, fmt.Sprintf("more than %d %s; a query may have at most %d", limit, items, limit))
	}
}

func (p *parser) leave() { p.depth-- }

// end describes the token that closes a list.
func end(tok token) string {
	if tok == tokEof {
		return "end of input"
	}
	return strconv.Quote(tok.String())
}

// parseCompoundTerm parses
//
//	compound_term ::= simple_term (space? boolean_op space? simple_term)*
//	boolean_op    ::= "and"
//
// followed by closing, which it does not consume.
func (p *parser) parseCompoundTerm(closing token) *Where {
	w := &Where{Terms: []Term{p.parseSimpleTerm()}}
	for p.tok == tokAnd {
		p.next()
		w.Terms = append(w.Terms, p.parseSimpleTerm())
	}
	if p.tok != closing {
		p.expected(`"and" or ` + end(closing))
	}
	return w
}

// parseSimpleTerm parses
//
//	simple_term ::= term | scoped_term
//	term        ::= identifier_wc comparison_op value | identifier_wc space in_op space? in_val
//	scoped_term ::= identifier_wc "{" compound_term "}"
func (p *parser) parseSimpleTerm() Term {
	pos := p.pos
	prop := p.parseIdentifier(true)
	if p.tok != tokIn {
		p.add(pos, 1, MaxTerms, "comparisons")
	}
	switch p.tok {
	case tokLbrace:
		p.enter()
		p.next()
		w := p.parseCompoundTerm(tokRbrace)
		p.next()
		p.leave()
		return &ScopedTerm{Prop: prop, Where: w}
	case tokIn:
		p.next()
		return &InTerm{Prop: prop, Values: p.parseInVal()}
	}
	op := p.parseComparisonOp()
	return &Comparison{Prop: prop, Op: op, Value: p.parseValue()}
}

// parseComparisonOp parses
//
//	comparison_op ::= "=" | "!=" | "<" | ">" | "<=" | ">="
func (p *parser) parseComparisonOp() Op {
	var op Op
	switch p.tok {
	case tokEq:
		op = OpEQ
	case tokNeq:
		op = OpNE
	case tokLt:
		op = OpLT
	case tokGt:
		op = OpGT
	case tokLeq:
		op = OpLE
	case tokGeq:
		op = OpGE
	default:
		p.expected("comparison operator")
	}
	p.next()
	return op
}

// parseInVal parses
//
//	in_val ::= "[" value ("," value)* "]"
func (p *parser) parseInVal() []Value {
	p.expect(tokLbrack, `"["`)
	p.add(p.pos, 1, MaxTerms, "comparisons")
	vs := []Value{p.parseValue()}
	for p.tok == tokComma {
		p.next()
		p.add(p.pos, 1, MaxTerms, "comparisons")
		vs = append(vs, p.parseValue())
	}
	p.expect(tokRbrack, `"," or "]"`)
	return vs
}

// parseIdentifier parses
//
//	identifier_wc ::= identifier | wildcard
//	identifier    ::= PrefixedName
//	wildcard      ::= "*"
//
// An IRI in angle brackets is accepted as an identifier too. The wildcard
// only if wildcard is set.
func (p *parser) parseIdentifier(wildcard bool) Name {
	switch {
	case p.tok == tokPname || p.tok == tokIri:
		return p.parseName()
	case p.tok == tokStar && wildcard:
		n := Name{Wildcard: true, Pos: p.pos}
		p.next()
		return n
	}
	p.expected("property")
	panic("unreachable")
}

// parseName parses a PrefixedName or an IRI, resolving it.
func (p *parser) parseName() Name {
	n := Name{Pos: p.pos}
	switch p.tok {
	case tokPname:
		prefix, local, _ := strings.Cut(p.lit, ":")
		ns, ok := p.prefixes[prefix]
		if !ok {
			p.fail(p.pos, ErrUnknownPrefix, fmt.Sprintf("unknown prefix %q in %s", prefix, p.lit))
		}
		n.Prefixed = p.lit
		n.IRI = ns + unescapeLocal(local)
	case tokIri:
		n.IRI = p.lit
	default:
		p.expected("IRI or prefixed name")
	}
	if _, err := rdf.NewIRI(n.IRI); err != nil {
		p.fail(p.pos, ErrSyntax, fmt.Sprintf("invalid IRI %q: %v", n.IRI, err))
	}
	p.next()
	return n
}

// parseValue parses
//
//	value         ::= uri_ref_esc | PrefixedName | literal_value
//	literal_value ::= boolean | decimal | string_esc (LANGTAG | ("^^" PrefixedName))?
//	boolean       ::= "true" | "false"
func (p *parser) parseValue() Value {
	pos := p.pos
	switch p.tok {
	case tokIri, tokPname:
		n := p.parseName()
		return &n
	case tokTrue, tokFalse:
		l := &Literal{Kind: LitBoolean, Lex: p.lit, Pos: pos}
		p.next()
		return l
	case tokNumber:
		l := &Literal{Kind: LitNumber, Lex: p.lit, Pos: pos}
		p.next()
		return l
	case tokString:
		l := &Literal{Kind: LitString, Lex: p.lit, Pos: pos}
		p.next()
		switch p.tok {
		case tokLangtag:
			l.Lang = p.lit
			p.next()
		case tokDtype:
			p.next()
			n := p.parseName()
			l.Datatype = &n
			if msg := l.Malformed(); msg != "" {
				p.fail(pos, ErrSyntax, msg)
			}
		}
		return l
	}
	p.expected("value")
	panic("unreachable")
}

// parseProperties parses
//
//	properties  ::= property ("," property)*
//	property    ::= identifier | wildcard | nested_prop
//	nested_prop ::= (identifier | wildcard) "{" properties "}"
//
// followed by closing, which it does not consume.
func (p *parser) parseProperties(closing token) *Selection {
	s := &Selection{}
	for {
		p.add(p.pos, 1, MaxProperties, "properties")
		sp := SelectProp{Prop: p.parseIdentifier(true)}
		if p.tok == tokLbrace {
			p.enter()
			p.next()
			sp.Nested = p.parseProperties(tokRbrace)
			p.next()
			p.leave()
		}
		s.Props = append(s.Props, sp)
		if p.tok != tokComma {
			break
		}
		p.next()
	}
	if p.tok != closing {
		p.expected(`"," or ` + end(closing))
	}
	return s
}

// parseSortTerms parses
//
//	sort_terms        ::= sort_term ("," sort_term)*
//	sort_term         ::= scoped_sort_terms | ("+" | "-") identifier
//	scoped_sort_terms ::= identifier "{" sort_terms "}"
//
// followed by closing, which it does not consume.
func (p *parser) parseSortTerms(closing token) []SortTerm {
	var ts []SortTerm
	for {
		var t SortTerm
		switch p.tok {
		case tokPlus, tokMinus:
			p.add(p.pos, 1, MaxSortKeys, "sort keys")
			t.Desc = p.tok == tokMinus
			p.next()
			t.Prop = p.parseIdentifier(false)
		case tokPname, tokIri:
			pos := p.pos
			t.Prop = p.parseIdentifier(false)
			if p.tok != tokLbrace {
				p.add(pos, 1, MaxSortKeys, "sort keys")
			}
			if p.tok == tokLbrace {
				p.enter()
				p.next()
				t.Nested = p.parseSortTerms(tokRbrace)
				p.next()
				p.leave()
			}
		default:
			p.expected(`"+", "-" or property`)
		}
		ts = append(ts, t)
		if p.tok != tokComma {
			break
		}
		p.next()
	}
	if p.tok != closing {
		p.expected(`"," or ` + end(closing))
	}
	return ts
}

// parseSearchTerms parses
//
//	search_terms ::= string_esc ("," string_esc)*
func (p *parser) parseSearchTerms() SearchTerms {
	var st SearchTerms
	words := map[string]bool{}
	for {
		if p.tok != tokString {
			p.expected("string")
		}
		if len(st) == MaxSearchTerms {
			p.fail(p.pos, ErrTooComplex, fmt.Sprintf("more than %d search terms; a query may have at most %d", MaxSearchTerms, MaxSearchTerms))
		}
		literal.Words(p.lit, func(tok []byte) { words[string(tok)] = true })
		if len(words) > MaxSearchWords {
			p.fail(p.pos, ErrTooComplex, fmt.Sprintf("more than %d distinct words in the search terms; a query may have at most %d", MaxSearchWords, MaxSearchWords))
		}
		st = append(st, p.lit)
		p.next()
		if p.tok != tokComma {
			break
		}
		p.next()
	}
	if p.tok != tokEof {
		p.expected(`"," or end of input`)
	}
	return st
}

// parsePrefixDefs parses
//
//	prefix_defs ::= prefix_def ("," prefix_def)*
//	prefix_def  ::= prefix "=" uri_ref_esc
//	prefix      ::= PN_PREFIX
func (p *parser) parsePrefixDefs() Prefixes {
	var ps Prefixes
	for {
		d := PrefixDef{Prefix: p.lit, Pos: p.pos}
		switch p.tok {
		case tokWord, tokAnd, tokIn, tokTrue, tokFalse:
			if !isPrefix(p.lit) {
				p.fail(p.pos, ErrSyntax, "invalid prefix "+strconv.Quote(p.lit))
			}
		default:
			p.expected("prefix")
		}
		p.next()
		p.expect(tokEq, `"="`)
		if p.tok != tokIri {
			p.expected("IRI")
		}
		if _, err := rdf.NewIRI(p.lit); err != nil {
			p.fail(p.pos, ErrSyntax, fmt.Sprintf("invalid IRI %q: %v", p.lit, err))
		}
		d.IRI = p.lit
		p.next()
		ps = append(ps, d)
		if p.tok != tokComma {
			break
		}
		p.next()
	}
	if p.tok != tokEof {
		p.expected(`"," or end of input`)
	}
	return ps
}
