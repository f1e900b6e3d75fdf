package sparql

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query"
)

// rdfType is the one term of RDF the store reads: a scope's types.
const rdfType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

var _ query.Answerer = (*Source)(nil)

// Answer answers a whole OSLC query with one SPARQL SELECT (query.Answerer):
// conditions as graph patterns over the value keys the store keeps with
// each triple (keyTriple), nested scopes as joins, != as FILTER NOT
// EXISTS, sort keys as MIN or MAX of the keys along their paths, keyset
// paging as a filter on them, and the total as a COUNT in a UNION branch
// of the same query. A search reads the token frequencies the store keeps
// (textTriples) of every member that has one, with the tokens' document
// frequencies and the resource count in other branches: the engine scores
// and pages them, so that the ranking is the engine's.
func (s *Source) Answer(ctx context.Context, q *query.Pushdown) (*query.Answer, error) {
	d := s.d
	if len(q.Search) > 0 && len(d.text) == 0 {
		d.fellBack.Add(1)
		slog.Debug("sparql: search left to the query engine: no text predicates")
		return nil, query.ErrNotPushed
	}
	if q.Limit > maxLimit {
		d.fellBack.Add(1)
		slog.Debug("sparql: page left to the query engine: too large", "limit", q.Limit)
		return nil, query.ErrNotPushed
	}
	d.pushed.Add(1)
	x := &builder{d: d}
	var text string
	if len(q.Search) > 0 {
		text = x.search(q)
	} else {
		text = x.page(q)
	}
	if d.opt.Trace != nil {
		d.opt.Trace(text)
	}
	rows, err := d.c.selectRows(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("answer: %w", err)
	}
	return x.read(q, rows)
}

// maxLimit is the largest LIMIT Answer sends with an ORDER BY: Virtuoso 7
// refuses to sort more than 10,000 rows for a page.
const maxLimit = 10000

// Select runs a SPARQL SELECT query and tells how many rows it gave: the
// benchmark times the queries of Answer with it.
func (d *DB) Select(ctx context.Context, text string) (int, error) {
	rows, err := d.c.selectRows(ctx, text)
	return len(rows), err
}

// Pushdowns tells how many queries the store answered itself, and how many
// it left to the engine.
func (d *DB) Pushdowns() (pushed, fellBack int64) { return d.pushed.Load(), d.fellBack.Load() }

// builder writes one query; variables are numbered.
type builder struct {
	d *DB
	b strings.Builder
	n int
}

func (x *builder) v(name string) string {
	x.n++
	return "?" + name + strconv.Itoa(x.n)
}

func (x *builder) str(s string) { writeString(&x.b, s) }
func (x *builder) iri(s string) { writeIRI(&x.b, s) }
func (x *builder) w(s ...string) {
	for _, p := range s {
		x.b.WriteString(p)
	}
}

// graph writes GRAPH ?g { body } with a fresh ?g, limited to the store's
// graphs.
func (x *builder) graph(body func()) {
	g := x.v("g")
	x.w("GRAPH ", g, " { ")
	body()
	x.w(" } ")
	if x.d.opt.GraphPrefix != "" {
		x.w("FILTER(STRSTARTS(STR(", g, "), ")
		x.str(x.d.opt.GraphPrefix)
		x.w(")) ")
	}
}

// members writes the pattern binding ?s to each member of q, its scope
// and its conditions, and without types ?sk to its IRI as a string
// (predIRI), which orders the members without turning IRIs into strings.
func (x *builder) members(q *query.Pushdown) {
	typed := len(q.Scope.Types) > 0
	if typed {
		t := x.v("t")
		x.w("VALUES ", t, " {")
		for _, ty := range q.Scope.Types {
			x.w(" ")
			x.iri(ty.String())
		}
		x.w(" } ")
		x.graph(func() { x.w("?s <"+rdfType+"> ", t) })
		x.w("FILTER(isIRI(?s) && !STRSTARTS(STR(?s), ")
		x.str(blankNS)
		x.w(")")
		if q.Scope.Prefix != "" {
			x.w(" && STRSTARTS(STR(?s), ")
			x.str(q.Scope.Prefix)
			x.w(")")
		}
		x.w(") ")
	} else {
		x.graph(func() { x.w("?s <" + predIRI + "> ?sk") })
		if q.Scope.Prefix != "" {
			x.w("FILTER(STRSTARTS(STR(?sk), ")
			x.str(q.Scope.Prefix)
			x.w(")) ")
		}
	}
	for _, c := range q.Where {
		x.cond("?s", c)
	}
}

// unique reports whether members binds each member once: with neither
// types nor conditions, by its one iri triple. The query then needs no
// DISTINCT, which costs Virtuoso 7 a sort of every member.
func unique(q *query.Pushdown) bool { return len(q.Scope.Types) == 0 && len(q.Where) == 0 }

// sk is how the members' IRIs are projected alongside ?s and compared as
// strings: ?sk and STR(?sk) without types (members), STR(?s) with them.
// STR: Virtuoso 7 compares and orders strings of its dictionary by their
// place in it.
func sk(q *query.Pushdown) (project, compare string) {
	if len(q.Scope.Types) > 0 {
		return "", "STR(?s)"
	}
	return " ?sk", "STR(?sk)"
}

// cond writes the pattern of c on subject variable subj.
func (x *builder) cond(subj string, c query.Cond) {
	switch c.Kind {
	case query.CondEq:
		x.keyIn(subj, c)
	case query.CondNe:
		x.w("FILTER NOT EXISTS { ")
		x.keyIn(subj, c)
		x.w("} ")
	case query.CondRange:
		if c.Empty {
			x.w("FILTER(false) ")
			return
		}
		if x.valueRange(subj, c) {
			return
		}
		// STR: Virtuoso 7 compares a stored string with a constant
		// by its place in its dictionary, not as strings.
		k := "STR(" + x.keyPattern(subj, c) + ")"
		x.w("FILTER(", k, " >")
		if c.LoIncl {
			x.w("=")
		}
		x.w(" ")
		x.str(c.Lo)
		x.w(" && ", k, " <")
		if c.HiIncl {
			x.w("=")
		}
		x.w(" ")
		x.str(c.Hi)
		x.w(") ")
	case query.CondScoped:
		node := x.v("n")
		p := x.property(subj, c, node)
		x.w("FILTER(!isLiteral(", node, ")")
		if c.Wildcard {
			x.w(" && !STRSTARTS(STR(", p, "), ")
			x.str(ns)
			x.w(")")
		}
		x.w(") ")
		for _, ic := range c.Inner {
			x.cond(node, ic)
		}
	}
}

// keyPattern writes the pattern binding a fresh variable to each value key
// of c's property on subj, and returns the variable.
func (x *builder) keyPattern(subj string, c query.Cond) string {
	k := x.v("k")
	x.keyOf(subj, c, k)
	return k
}

// keyOf writes the pattern binding k to each value key of c's property on
// subj, any property in the key namespace when c is a wildcard.
func (x *builder) keyOf(subj string, c query.Cond, k string) { x.companion(subj, c, keyNS, k) }

// property writes the pattern binding o to each object of c's property
// on subj, or of any property when c is a wildcard: then it returns the
// variable of the property, which the caller keeps out of the store's
// namespace.
func (x *builder) property(subj string, c query.Cond, o string) (p string) {
	p = x.v("p")
	x.graph(func() {
		x.w(subj, " ")
		if c.Wildcard {
			x.w(p)
		} else {
			x.iri(c.Prop.String())
		}
		x.w(" ", o)
	})
	return p
}

// companion writes the pattern binding v to each object of c's property
// under the store's namespace space (keyNS, numNS, timeNS) on subj: any
// property in that namespace when c is a wildcard.
func (x *builder) companion(subj string, c query.Cond, space, v string) {
	p := x.v("p")
	x.graph(func() {
		x.w(subj, " ")
		if c.Wildcard {
			x.w(p)
		} else {
			x.iri(space + c.Prop.String())
		}
		x.w(" ", v)
	})
	if c.Wildcard {
		x.w("FILTER(STRSTARTS(STR(", p, "), ")
		x.str(space)
		x.w(")) ")
	}
}

// keyIn writes the pattern of a value of c's property on subj whose key
// is one of c.Keys: IRIs and blank nodes as the objects of the triples
// themselves, literals by their value keys (keyTriple).
func (x *builder) keyIn(subj string, c query.Cond) {
	var nodes, lits []string
	for _, k := range c.Keys {
		if n, ok := nodeOfKey(k); ok {
			nodes = append(nodes, n)
		} else {
			lits = append(lits, k)
		}
	}
	if len(nodes) > 0 && len(lits) > 0 {
		x.w("{ ")
	}
	if len(nodes) > 0 {
		o := x.v("o")
		if len(nodes) == 1 {
			var b strings.Builder
			writeIRI(&b, nodes[0])
			o = b.String()
		} else {
			x.w("VALUES ", o, " {")
			for _, n := range nodes {
				x.w(" ")
				x.iri(n)
			}
			x.w(" } ")
		}
		p := x.property(subj, c, o)
		if c.Wildcard {
			x.w("FILTER(!STRSTARTS(STR(", p, "), ")
			x.str(ns)
			x.w(")) ")
		}
	}
	if len(nodes) > 0 && len(lits) > 0 {
		x.w("} UNION { ")
	}
	switch {
	case len(lits) == 1 && !c.Wildcard:
		x.graph(func() {
			x.w(subj, " ")
			x.iri(keyNS + c.Prop.String())
			x.w(" ")
			x.str(lits[0])
		})
	case len(lits) > 0:
		k := x.v("k")
		x.w("VALUES ", k, " {")
		for _, key := range lits {
			x.w(" ")
			x.str(key)
		}
		x.w(" } ")
		x.keyOf(subj, c, k)
	case len(nodes) == 0:
		x.w("FILTER(false) ")
	}
	if len(nodes) > 0 && len(lits) > 0 {
		x.w("} ")
	}
}

// nodeOfKey is the stored IRI of the IRI or blank node whose value key is
// k (query.ValueKey); ok is false for a literal's key.
func nodeOfKey(k string) (iri string, ok bool) {
	switch {
	case strings.HasPrefix(k, "6"):
		return k[1:], true
	case strings.HasPrefix(k, "7"):
		return blankNS + k[1:], true
	}
	return "", false
}

// valueRange writes, if c is a range of numbers or of dateTimes, the
// pattern comparing the values' companions (valueTriple) with its bounds,
// which the store compares as numbers from its own indexes, and reports
// whether it did.
func (x *builder) valueRange(subj string, c query.Cond) bool {
	comp := ""
	switch c.Lo[0] {
	case '1':
		comp = numNS
	case '2':
		comp = timeNS
	default:
		return false
	}
	end := string(c.Lo[0] + 1)
	lo, loOK := boundOfKey(c.Lo)
	hi, hiOK := boundOfKey(c.Hi)
	openLo := len(c.Lo) == 1 && c.LoIncl
	openHi := c.Hi == end && !c.HiIncl
	if (!loOK && !openLo) || (!hiOK && !openHi) || (hiOK && c.Hi[0] != c.Lo[0]) {
		return false
	}
	v := x.v("v")
	x.companion(subj, c, comp, v)
	bound := func(b, op string, incl bool) {
		if incl {
			op += "="
		}
		x.w("FILTER(", v, " ", op, " ", b, ") ")
	}
	if loOK {
		bound(lo, ">", c.LoIncl)
	}
	if hiOK {
		bound(hi, "<", c.HiIncl)
	}
	return true
}

// boundOfKey is the value key k of a number or a dateTime as its
// companion holds it, in SPARQL syntax; ok is false for any other key.
func boundOfKey(k string) (string, bool) {
	if len(k) != 17 || (k[0] != '1' && k[0] != '2') {
		return "", false
	}
	b, err := strconv.ParseUint(k[1:], 16, 64)
	if err != nil {
		return "", false
	}
	if k[0] == '2' {
		return `"` + strconv.FormatInt(int64(b^(1<<63)), 10) + `"^^<` + xsdNS + `integer>`, true
	}
	if b>>63 == 1 {
		b &^= 1 << 63
	} else {
		b = ^b
	}
	f := math.Float64frombits(b)
	if math.IsNaN(f) {
		return "", false
	}
	return `"` + formatDouble(f) + `"^^<` + xsdNS + `double>`, true
}

// sortValues writes, for each sort key, an OPTIONAL binding ?o<i> to the
// value keys reached along its path.
func (x *builder) sortValues(keys []query.SortKey) {
	for i, k := range keys {
		x.w("OPTIONAL { ")
		node := "?s"
		for _, p := range k.Path[:len(k.Path)-1] {
			next := x.v("n")
			x.graph(func() {
				x.w(node, " ")
				x.iri(p.String())
				x.w(" ", next)
			})
			x.w("FILTER(!isLiteral(", next, ")) ")
			node = next
		}
		last := k.Path[len(k.Path)-1]
		o := "?o" + strconv.Itoa(i)
		x.w("{ ")
		x.graph(func() {
			x.w(node, " ")
			x.iri(keyNS + last.String())
			x.w(" ", o)
		})
		// An IRI or blank node is its own key (keyTriple): ?m<i>, which
		// grouped turns into one.
		x.w("} UNION { ")
		x.graph(func() {
			x.w(node, " ")
			x.iri(last.String())
			x.w(fmt.Sprintf(" ?m%d", i))
		})
		x.w(fmt.Sprintf("FILTER(isIRI(?m%d)) } } ", i))
	}
}

// missing is what a member without a value for k sorts as: last either
// way.
func missing(k query.SortKey) string {
	if k.Desc {
		return "0" // before every key, which starts with a digit from 1
	}
	return "~" // after every key
}

// grouped writes the subquery listing ?s with its keys ?k<i>, missing
// ones replaced (see missing).
func (x *builder) grouped(q *query.Pushdown) {
	proj, _ := sk(q)
	x.w("{ SELECT ?s", proj)
	for i, k := range q.Keys {
		agg := "MIN"
		if k.Desc {
			agg = "MAX"
		}
		// Virtuoso 7 fails to compile COALESCE(MIN(...)): MIN(COALESCE)
		// is the same, as missing sorts after every key. IF(BOUND) and
		// COALESCE(STR(?m), ""): Virtuoso 7 concatenates an unbound
		// value as "".
		m := fmt.Sprintf(`COALESCE(STR(?m%d), "")`, i)
		x.w(fmt.Sprintf(" (%s(COALESCE(STR(?o%d), IF(BOUND(?m%d), IF(STRSTARTS(%s, ", agg, i, i, m))
		x.str(blankNS)
		x.w(fmt.Sprintf("), CONCAT(\"7\", STRAFTER(%s, ", m))
		x.str(blankNS)
		x.w(fmt.Sprintf(")), CONCAT(\"6\", %s)), ", m))
		x.str(missing(k))
		x.w("), ")
		x.str(missing(k))
		x.w(fmt.Sprintf(")) AS ?k%d)", i))
	}
	x.w(" WHERE { ")
	x.members(q)
	x.sortValues(q.Keys)
	x.w("} GROUP BY ?s", proj, " } ")
}

// afterBranch writes branch i of the keyset filter: the members whose
// first i keys equal q.After's and whose next key (or, for the last
// branch, IRI) comes after it. The branches are disjoint and together
// are the members after q.After in the total order: Virtuoso 7 loses
// rows of the equivalent disjunction in one FILTER.
func (x *builder) afterBranch(q *query.Pushdown, i int) {
	x.w("FILTER(")
	for j := 0; j < i; j++ {
		x.w(fmt.Sprintf("STR(?k%d) = ", j))
		x.str(x.cursorKey(q, j))
		x.w(" && ")
	}
	if i == len(q.Keys) {
		_, cmp := sk(q)
		x.w(cmp, " > ")
		x.str(q.After.ID.String())
	} else {
		op := " > "
		if q.Keys[i].Desc {
			op = " < "
		}
		x.w(fmt.Sprintf("STR(?k%d)%s", i, op))
		x.str(x.cursorKey(q, i))
	}
	x.w(") ")
}

// cursorKey is key i of q.After as the query compares it.
func (x *builder) cursorKey(q *query.Pushdown, i int) string {
	if c := q.After.Keys[i]; c != "" {
		return c
	}
	return missing(q.Keys[i])
}

// page is the query of a page without search terms: one branch, or with
// a cursor one per keyset branch (afterBranch), each ordered and limited.
func (x *builder) page(q *query.Pushdown) string {
	x.w("SELECT * WHERE { ")
	branches := 1
	if q.After != nil {
		branches = len(q.Keys) + 1
	}
	for br := range branches {
		if br > 0 {
			x.w("UNION ")
		}
		proj, cmp := sk(q)
		x.w("{ SELECT ?s", proj)
		for i := range q.Keys {
			x.w(fmt.Sprintf(" ?k%d", i))
		}
		x.w(" WHERE { ")
		switch {
		case len(q.Keys) > 0:
			x.grouped(q)
		case unique(q):
			x.members(q)
		default:
			x.w("{ SELECT DISTINCT ?s", proj, " WHERE { ")
			x.members(q)
			x.w("} } ")
		}
		if q.After != nil {
			x.afterBranch(q, br)
		}
		x.w("} ORDER BY")
		for i, k := range q.Keys {
			if k.Desc {
				x.w(fmt.Sprintf(" DESC(STR(?k%d))", i))
			} else {
				x.w(fmt.Sprintf(" STR(?k%d)", i))
			}
		}
		x.w(" ", cmp)
		if q.Limit >= 0 {
			x.w(" LIMIT ", strconv.Itoa(q.Limit))
		}
		x.w(" } ")
	}
	if q.Count {
		x.w("UNION { SELECT (COUNT(")
		if !unique(q) {
			x.w("DISTINCT ")
		}
		x.w("?s) AS ?total) WHERE { ")
		x.members(q)
		x.w("} } ")
	}
	x.w("}")
	return x.b.String()
}

// tokenValues writes VALUES (?tp ?ti) pairing each token's predicate
// with its index.
func (x *builder) tokenValues(tokens []string, tp, ti string) {
	x.w("VALUES (", tp, " ", ti, ") {")
	for i, tok := range tokens {
		x.w(" (")
		x.iri(tokenPred(tok))
		x.w(" ", strconv.Itoa(i), ")")
	}
	x.w(" } ")
}

// search is the query of a search: every member with a token, its keys
// and term frequencies (one row per token), the tokens' document
// frequencies, the subjects with one of them, and the resources.
func (x *builder) search(q *query.Pushdown) string {
	postings := func(s, l, tp, tf string) {
		x.graph(func() { x.w(s, " <"+predText+"> ", l, " . ", l, " ", tp, " ", tf) })
	}
	x.w("SELECT * WHERE { { SELECT ?s")
	for i := range q.Keys {
		x.w(fmt.Sprintf(" ?k%d", i))
	}
	x.w(" ?ti (SUM(?tf) AS ?n) WHERE { ")
	if len(q.Keys) > 0 {
		x.grouped(q)
	} else {
		x.w("{ SELECT DISTINCT ?s WHERE { ")
		x.members(q)
		x.w("} } ")
	}
	x.w("{ SELECT DISTINCT ?s ?l ?ti ?tf WHERE { ")
	x.tokenValues(q.Search, "?tp", "?ti")
	postings("?s", "?l", "?tp", "?tf")
	x.w("} } } GROUP BY ?s ?ti")
	for i := range q.Keys {
		x.w(fmt.Sprintf(" ?k%d", i))
	}
	x.w(" } UNION { SELECT ?di (COUNT(DISTINCT ?ds) AS ?df) WHERE { ")
	x.tokenValues(q.Search, "?dp", "?di")
	postings("?ds", "?dl", "?dp", "?dtf")
	x.w("} GROUP BY ?di } UNION { SELECT (COUNT(DISTINCT ?hs) AS ?hits) WHERE { ")
	x.tokenValues(q.Search, "?hp", "?hi")
	postings("?hs", "?hl", "?hp", "?htf")
	x.w("} } UNION { SELECT (COUNT(?re) AS ?resources) WHERE { ")
	x.graph(func() { x.w("?r <" + predETag + "> ?re") })
	x.w("} } }")
	return x.b.String()
}

// read turns the rows of page or search into an answer.
func (x *builder) read(q *query.Pushdown, rows []binding) (*query.Answer, error) {
	ans := &query.Answer{}
	atoi := func(t jsonTerm) (int, error) {
		n, err := strconv.Atoi(t.Value)
		if err != nil {
			// Some stores write sums of integers as decimals.
			f, ferr := strconv.ParseFloat(t.Value, 64)
			if ferr != nil {
				return 0, fmt.Errorf("answer: bad number %q", t.Value)
			}
			n = int(f)
		}
		return n, nil
	}
	keys := func(r binding) []string {
		ks := make([]string, len(q.Keys))
		for i, k := range q.Keys {
			ks[i] = r["k"+strconv.Itoa(i)].Value
			if ks[i] == missing(k) {
				ks[i] = ""
			}
		}
		return ks
	}
	byID := map[string]int{}
	var resources, hits int
	if len(q.Search) > 0 {
		ans.DF = make([]int, len(q.Search))
	}
	for _, r := range rows {
		switch {
		case r["total"].Type != "":
			n, err := atoi(r["total"])
			if err != nil {
				return nil, err
			}
			ans.Total = n
		case r["df"].Type != "":
			i, err := atoi(r["di"])
			if err != nil || i < 0 || i >= len(ans.DF) {
				return nil, errors.Join(err, fmt.Errorf("answer: bad token index %q", r["di"].Value))
			}
			if ans.DF[i], err = atoi(r["df"]); err != nil {
				return nil, err
			}
		case r["hits"].Type != "":
			n, err := atoi(r["hits"])
			if err != nil {
				return nil, err
			}
			hits = n
		case r["resources"].Type != "":
			n, err := atoi(r["resources"])
			if err != nil {
				return nil, err
			}
			resources = n
		case r["s"].Type != "":
			id, err := rdf.NewIRI(r["s"].Value)
			if err != nil {
				return nil, fmt.Errorf("answer: %w", err)
			}
			if len(q.Search) == 0 {
				ans.Rows = append(ans.Rows, query.AnswerRow{ID: id, Keys: keys(r)})
				continue
			}
			j, ok := byID[id.String()]
			if !ok {
				j = len(ans.Rows)
				byID[id.String()] = j
				ans.Rows = append(ans.Rows, query.AnswerRow{ID: id, Keys: keys(r), TF: make([]int, len(q.Search))})
			}
			i, err := atoi(r["ti"])
			if err != nil || i < 0 || i >= len(q.Search) {
				return nil, errors.Join(err, fmt.Errorf("answer: bad token index %q", r["ti"].Value))
			}
			if ans.Rows[j].TF[i], err = atoi(r["n"]); err != nil {
				return nil, err
			}
		}
	}
	ans.N = max(resources, hits)
	return ans, nil
}
