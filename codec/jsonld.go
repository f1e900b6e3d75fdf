package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/vocab"
	"github.com/piprate/json-gold/ld"
)

// JSON-LD is written by encodeJSONLD directly as compacted JSON-LD: the
// context declares the prefixes in use, nodes are laid out like RDF/XML
// (singly-referenced blank nodes embedded), plain strings are bare JSON
// strings, canonical xsd:integer and xsd:boolean literals native JSON
// values, and everything else an explicit value object. It is read with
// json-gold (JSON-LD 1.1), never loading remote contexts.

// encodeJSONLD writes g as JSON-LD.
func encodeJSONLD(w io.Writer, g []rdf.Triple, opt *Options) error {
	g, err := prepare(g)
	if err != nil {
		return err
	}
	j := &jsonldWriter{plan: planGraph(g, opt.root(), nil), used: map[string]bool{}}
	if err := j.choosePrefixes(g, opt.prefixes()); err != nil {
		return err
	}
	nodes := make([]any, 0, len(j.plan.top))
	for _, s := range j.plan.top {
		nodes = append(nodes, j.node(s))
	}
	doc := jsonObject{}
	if len(j.used) > 0 {
		ctx := jsonObject{}
		for _, p := range j.prefixes {
			if !j.used[p.Prefix] {
				continue
			}
			if strings.ContainsAny(p.NS[len(p.NS)-1:], ":/?#[]@") {
				ctx[p.Prefix] = p.NS
			} else {
				ctx[p.Prefix] = jsonObject{"@id": p.NS, "@prefix": true}
			}
		}
		doc["@context"] = ctx
	}
	if len(nodes) == 1 {
		for k, v := range nodes[0].(jsonObject) {
			doc[k] = v
		}
	} else {
		doc["@graph"] = nodes
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("JSON-LD: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

type jsonObject = map[string]any

type jsonldWriter struct {
	plan     *graphPlan
	prefixes []vocab.Prefix // candidates
	used     map[string]bool
}

// choosePrefixes picks the candidate prefixes: those that can shorten some
// IRI, except any named like the scheme of an IRI, which would then read
// as a compact IRI. Those compact uses are declared.
func (j *jsonldWriter) choosePrefixes(g []rdf.Triple, ps []vocab.Prefix) error {
	var iris []string
	schemes := map[string]bool{}
	add := func(t rdf.Term) error {
		var s string
		switch t := t.(type) {
		case rdf.IRI:
			s = t.String()
		case rdf.Literal:
			s = t.DataType.String()
		default:
			return nil
		}
		iris = append(iris, s)
		schemes[s[:schemeEnd(s)]] = true
		return nil
	}
	for _, t := range g {
		for _, term := range []rdf.Term{t.Subj, t.Pred, t.Obj} {
			if err := add(term); err != nil {
				return err
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range ps {
		if p.Prefix == "" || seen[p.Prefix] || schemes[p.Prefix] || strings.ContainsAny(p.Prefix, ":/#@") ||
			strings.HasPrefix(p.Prefix, "_") || checkIRI(p.NS) != nil {
			continue
		}
		seen[p.Prefix] = true
		for _, s := range iris {
			if len(s) > len(p.NS) && strings.HasPrefix(s, p.NS) {
				j.prefixes = append(j.prefixes, p)
				break
			}
		}
	}
	return nil
}

// compact returns iri as a compact IRI if a prefix applies. A suffix
// starting with "//" would make the result read as an absolute IRI.
func (j *jsonldWriter) compact(iri string) string {
	best := -1
	for i, p := range j.prefixes {
		if len(iri) > len(p.NS) && strings.HasPrefix(iri, p.NS) && !strings.HasPrefix(iri[len(p.NS):], "//") &&
			(best < 0 || len(p.NS) > len(j.prefixes[best].NS)) {
			best = i
		}
	}
	if best < 0 {
		return iri
	}
	j.used[j.prefixes[best].Prefix] = true
	return j.prefixes[best].Prefix + ":" + iri[len(j.prefixes[best].NS):]
}

func (j *jsonldWriter) node(s rdf.Subject) jsonObject {
	k := KeyOf(s)
	n := jsonObject{}
	switch s := s.(type) {
	case rdf.IRI:
		n["@id"] = j.compact(s.String())
	case rdf.Blank:
		if !j.plan.nested[k] && j.plan.refs[k] > 0 {
			n["@id"] = "_:" + blankLabel(s)
		}
	}
	var types []any
	props := map[string][]any{}
	var order []string
	for _, t := range j.plan.props[k] {
		if o, ok := t.Obj.(rdf.IRI); ok && t.Pred.String() == rdfType {
			types = append(types, j.compact(o.String()))
			continue
		}
		p := j.compact(t.Pred.String())
		if _, ok := props[p]; !ok {
			order = append(order, p)
		}
		props[p] = append(props[p], j.value(t.Obj))
	}
	if len(types) > 0 {
		n["@type"] = single(types)
	}
	for _, p := range order {
		n[p] = single(props[p])
	}
	return n
}

func single(vs []any) any {
	if len(vs) == 1 {
		return vs[0]
	}
	return vs
}

func (j *jsonldWriter) value(o rdf.Object) any {
	switch o := o.(type) {
	case rdf.IRI:
		return jsonObject{"@id": j.compact(o.String())}
	case rdf.Blank:
		if j.plan.nested[KeyOf(o)] {
			return j.node(o)
		}
		return jsonObject{"@id": "_:" + blankLabel(o)}
	case rdf.Literal:
		lex, dt := o.String(), o.DataType.String()
		switch {
		case o.Lang() != "":
			return jsonObject{"@value": lex, "@language": o.Lang()}
		case dt == xsdString:
			return lex
		case dt == xsdBoolean && (lex == "true" || lex == "false"):
			return lex == "true"
		case dt == xsdInteger && isCanonicalJSONInteger(lex):
			return json.Number(lex)
		}
		return jsonObject{"@value": lex, "@type": j.compact(dt)}
	}
	return nil
}

// isCanonicalJSONInteger reports whether lex is an integer that JSON-LD
// processors turn back into exactly lex: canonical, and small enough to
// survive a float64.
func isCanonicalJSONInteger(lex string) bool {
	n, err := strconv.ParseInt(lex, 10, 64)
	return err == nil && strconv.FormatInt(n, 10) == lex && n < 1<<53 && n > -(1<<53)
}

// decodeJSONLD reads JSON-LD. json-gold expands the document and builds
// its node map; the node map is turned into triples here rather than by
// json-gold's ToRDF, which silently drops triples with relative IRIs or
// with http IRIs its URL pattern rejects, and garbles integers beyond
// int64.
func decodeJSONLD(data []byte, base string) ([]rdf.Triple, error) {
	// encoding/json would read invalid UTF-8 as U+FFFD: refuse it, as the
	// other formats' parsers do.
	if !utf8.Valid(data) {
		off := 0
		for r, w := utf8.DecodeRune(data); r != utf8.RuneError || w != 1; r, w = utf8.DecodeRune(data[off:]) {
			off += w
		}
		line, col := lineCol(data, off)
		return nil, &SyntaxError{Format: JSONLD, Line: line, Column: col, Msg: "invalid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	doc, err := readJSON(dec, 0)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		return nil, jsonSyntaxError(data, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(data, int(dec.InputOffset()))
		return nil, &SyntaxError{Format: JSONLD, Line: line, Column: col, Msg: "data after the JSON value"}
	}
	if off := loneSurrogate(data); off >= 0 {
		line, col := lineCol(data, off)
		return nil, &SyntaxError{Format: JSONLD, Line: line, Column: col, Msg: fmt.Sprintf("%s is half of a surrogate pair: it is no character", data[off:off+6])}
	}
	opts := ld.NewJsonLdOptions(base)
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = noRemoteContexts{}
	opts.SafeMode = true
	expanded, err := ld.NewJsonLdProcessor().Expand(doc, opts)
	if err != nil {
		return nil, jsonldError(err)
	}
	nodeMap := map[string]any{"@default": map[string]any{}}
	if _, err := ld.NewJsonLdApi().GenerateNodeMap(expanded, nodeMap, "@default", ld.NewIdentifierIssuer("_:b"), "", "", nil); err != nil {
		return nil, jsonldError(err)
	}
	for name, graph := range nodeMap {
		if m, _ := graph.(map[string]any); name != "@default" && len(m) > 0 {
			return nil, &SyntaxError{Format: JSONLD, Msg: fmt.Sprintf("named graph %q: only the default graph is supported", name)}
		}
	}
	c := &jsonldConverter{bnodes: map[string]rdf.Blank{}}
	if err := c.graph(nodeMap["@default"].(map[string]any)); err != nil {
		return nil, err
	}
	return c.triples, nil
}

// loneSurrogate returns the offset of the first \u escape in the
// well-formed JSON data that names half of a surrogate pair without the
// other half, or -1. encoding/json reads one as U+FFFD; the other
// formats' parsers refuse it, and so does this one.
func loneSurrogate(data []byte) int {
	if !bytes.Contains(data, []byte(`\u`)) {
		return -1
	}
	surrogate := func(i int) rune {
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return 0
		}
		n, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		if err != nil || n < 0xd800 || n > 0xdfff {
			return 0
		}
		return rune(n)
	}
	in := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case !in:
			in = c == '"'
		case c == '"':
			in = false
		case c == '\\':
			r := surrogate(i)
			switch {
			case r >= 0xdc00:
				return i
			case r != 0:
				if next := surrogate(i + 6); next < 0xdc00 {
					return i
				}
				i += 6
			}
			i++ // the escaped character; a \u escape's digits are not special
		}
	}
	return -1
}

func jsonldError(err error) error {
	var le *ld.JsonLdError
	if errors.As(err, &le) {
		return &SyntaxError{Format: JSONLD, Msg: fmt.Sprintf("%s: %v", le.Code, le.Details)}
	}
	return &SyntaxError{Format: JSONLD, Msg: err.Error()}
}

// jsonldConverter implements the JSON-LD "Deserialize JSON-LD to RDF"
// algorithm on a node map, failing where the algorithm drops data.
type jsonldConverter struct {
	bnodes  map[string]rdf.Blank
	nblank  int
	triples []rdf.Triple
}

func (c *jsonldConverter) fail(format string, args ...any) error {
	return &SyntaxError{Format: JSONLD, Msg: fmt.Sprintf(format, args...)}
}

func (c *jsonldConverter) emit(s rdf.Subject, p rdf.IRI, o rdf.Object) error {
	if len(c.triples) >= MaxTriples {
		return tooLarge(JSONLD, "more than %d triples", MaxTriples)
	}
	c.triples = append(c.triples, rdf.Triple{Subj: s, Pred: p, Obj: o})
	return nil
}

func (c *jsonldConverter) graph(graph map[string]any) error {
	for _, id := range sortedKeys(graph) {
		node, ok := graph[id].(map[string]any)
		if !ok {
			continue
		}
		subj, err := c.ref(id)
		if err != nil {
			return err
		}
		for _, prop := range sortedKeys(node) {
			values, _ := node[prop].([]any)
			switch {
			case prop == "@type":
				for _, v := range values {
					s, _ := v.(string)
					t, err := c.ref(s)
					if err != nil {
						return err
					}
					if err := c.emit(subj, newIRI(rdfType), t.(rdf.Object)); err != nil {
						return err
					}
				}
				continue
			case strings.HasPrefix(prop, "@"):
				continue
			case strings.HasPrefix(prop, "_:"):
				return c.fail("blank node %s used as a property", prop)
			}
			pred, err := c.iri(prop)
			if err != nil {
				return err
			}
			for _, v := range values {
				o, err := c.object(v)
				if err != nil {
					return err
				}
				if err := c.emit(subj, pred, o); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ref converts a node identifier: a blank node or an absolute IRI.
func (c *jsonldConverter) ref(id string) (rdf.Subject, error) {
	if strings.HasPrefix(id, "_:") {
		b, ok := c.bnodes[id]
		if !ok {
			b = c.fresh()
			c.bnodes[id] = b
		}
		return b, nil
	}
	return c.iri(id)
}

func (c *jsonldConverter) fresh() rdf.Blank {
	b := newBlank("b" + strconv.Itoa(c.nblank))
	c.nblank++
	return b
}

func (c *jsonldConverter) iri(s string) (rdf.IRI, error) {
	if !hasScheme(s) {
		return rdf.IRI{}, c.fail("relative IRI %q and no base IRI to resolve it against", s)
	}
	if err := validIRI(s); err != nil {
		return rdf.IRI{}, c.fail("%v", err)
	}
	return newIRI(s), nil
}

// object converts a value object, list object or node reference.
func (c *jsonldConverter) object(v any) (rdf.Object, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, c.fail("unexpected value %v", v)
	}
	if value, ok := m["@value"]; ok {
		return c.literal(value, m)
	}
	if list, ok := m["@list"]; ok {
		items, _ := list.([]any)
		return c.list(items)
	}
	id, _ := m["@id"].(string)
	r, err := c.ref(id)
	if err != nil {
		return nil, err
	}
	return r.(rdf.Object), nil
}

func (c *jsonldConverter) list(items []any) (rdf.Object, error) {
	if len(items) == 0 {
		return newIRI(rdfNil), nil
	}
	head := c.fresh()
	node := head
	for i, item := range items {
		o, err := c.object(item)
		if err != nil {
			return nil, err
		}
		if err := c.emit(node, newIRI(rdfFirst), o); err != nil {
			return nil, err
		}
		var rest rdf.Object = newIRI(rdfNil)
		var next rdf.Blank
		if i < len(items)-1 {
			next = c.fresh()
			rest = next
		}
		if err := c.emit(node, newIRI(rdfRest), rest); err != nil {
			return nil, err
		}
		node = next
	}
	return head, nil
}

func (c *jsonldConverter) literal(value any, m map[string]any) (rdf.Object, error) {
	dt, _ := m["@type"].(string)
	if dt == "@json" {
		return nil, c.fail("JSON literals (@json) are not supported")
	}
	if dt != "" {
		if _, err := c.iri(dt); err != nil {
			return nil, err
		}
		if dt == rdfLangString {
			return nil, c.fail("rdf:langString literals need a language")
		}
	}
	var lex string
	switch v := value.(type) {
	case string:
		lex = v
		if lang, ok := m["@language"].(string); ok && dt == "" {
			if !isLangTag(lang) {
				return nil, c.fail("invalid language tag %q", lang)
			}
			return newLiteral(lex, "", lang), nil
		}
	case bool:
		lex = strconv.FormatBool(v)
		if dt == "" {
			dt = xsdBoolean
		}
	case json.Number:
		var numType string
		lex, numType = jsonNumberLexical(string(v), dt == xsdDouble)
		if dt == "" {
			dt = numType
		}
	case float64:
		var numType string
		lex, numType = jsonNumberLexical(strconv.FormatFloat(v, 'g', -1, 64), dt == xsdDouble)
		if dt == "" {
			dt = numType
		}
	default:
		return nil, c.fail("unexpected @value %v", value)
	}
	if !utf8.ValidString(lex) {
		return nil, c.fail("literal is not valid UTF-8")
	}
	return newLiteral(lex, dt, ""), nil
}

// jsonNumberLexical converts a JSON number as JSON-LD does: an integral
// value below 10^21 becomes a canonical xsd:integer (exactly, however
// long), anything else a canonical xsd:double.
func jsonNumberLexical(num string, double bool) (lex, datatype string) {
	r, ok := new(big.Rat).SetString(num)
	if ok && !double && r.IsInt() {
		limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(21), nil)
		if new(big.Int).Abs(r.Num()).Cmp(limit) < 0 {
			return r.Num().String(), xsdInteger
		}
	}
	f, _ := strconv.ParseFloat(num, 64)
	return ld.GetCanonicalDouble(f), xsdDouble
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// noRemoteContexts refuses to load remote contexts: a server must not fetch
// URLs named by its clients.
type noRemoteContexts struct{}

func (noRemoteContexts) LoadDocument(u string) (*ld.RemoteDocument, error) {
	return nil, ld.NewJsonLdError(ld.LoadingRemoteContextFailed, fmt.Sprintf("remote context %q not allowed: put the context inline", u))
}

// readJSON reads the JSON value at depth with dec (which uses numbers),
// as encoding/json reads one into an any, but refuses an object with a
// key twice (encoding/json keeps the last value, other parsers the first:
// {"@id": "a", "@id": "b"} would name different nodes to different
// readers) and values nested more than MaxDepth deep.
func readJSON(dec *json.Decoder, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, tooLarge(JSONLD, "JSON nested more than %d deep", MaxDepth)
	}
	tok, err := dec.Token()
	if err == io.EOF && depth > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, unexpectedEOF(err)
			}
			key := k.(string)
			if _, dup := m[key]; dup {
				return nil, fmt.Errorf("the key %q occurs twice in an object", key)
			}
			if m[key], err = readJSON(dec, depth+1); err != nil {
				return nil, err
			}
		}
		_, err := dec.Token()
		return m, unexpectedEOF(err)
	case json.Delim('['):
		a := []any{}
		for dec.More() {
			v, err := readJSON(dec, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, unexpectedEOF(err)
	}
	return tok, nil
}

// unexpectedEOF is err, or io.ErrUnexpectedEOF for the end of input inside
// a value.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func jsonSyntaxError(data []byte, dec *json.Decoder, err error) error {
	off := int(dec.InputOffset())
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = int(se.Offset) // the Token API's offset is that of the offending byte
	case errors.As(err, &te):
		off = int(te.Offset)
	case err == io.EOF:
		return &SyntaxError{Format: JSONLD, Msg: "empty document"}
	}
	line, col := lineCol(data, off)
	msg := err.Error()
	if err == io.ErrUnexpectedEOF {
		msg = "unexpected end of JSON input"
	}
	return &SyntaxError{Format: JSONLD, Line: line, Column: col, Msg: msg}
}

// lineCol converts a byte offset to a 1-based line and byte column.
func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}
