package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

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
	j := &jsonldWriter{plan: planGraph(g, opt.root()), used: map[string]bool{}}
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
	k := termKey(s)
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
		if j.plan.nested[termKey(o)] {
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

// decodeJSONLD reads JSON-LD with json-gold.
func decodeJSONLD(data []byte, base string) ([]rdf.Triple, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonSyntaxError(data, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(data, int(dec.InputOffset()))
		return nil, &SyntaxError{Format: JSONLD, Line: line, Column: col, Msg: "data after the JSON value"}
	}
	if jsonDepth(doc, 0) > MaxDepth {
		return nil, tooLarge(JSONLD, "JSON nested more than %d deep", MaxDepth)
	}
	opts := ld.NewJsonLdOptions(base)
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = noRemoteContexts{}
	opts.SafeMode = true
	res, err := ld.NewJsonLdProcessor().ToRDF(doc, opts)
	if err != nil {
		var le *ld.JsonLdError
		if errors.As(err, &le) {
			return nil, &SyntaxError{Format: JSONLD, Msg: fmt.Sprintf("%s: %v", le.Code, le.Details)}
		}
		return nil, &SyntaxError{Format: JSONLD, Msg: err.Error()}
	}
	ds, ok := res.(*ld.RDFDataset)
	if !ok {
		return nil, &SyntaxError{Format: JSONLD, Msg: fmt.Sprintf("unexpected JSON-LD processor result %T", res)}
	}
	c := &jsonldConverter{bnodes: map[string]rdf.Blank{}}
	var g []rdf.Triple
	for name, quads := range ds.Graphs {
		if name != "@default" && len(quads) > 0 {
			return nil, &SyntaxError{Format: JSONLD, Msg: fmt.Sprintf("named graph %q: only the default graph is supported", name)}
		}
	}
	for _, q := range ds.Graphs["@default"] {
		if len(g) >= MaxTriples {
			return nil, tooLarge(JSONLD, "more than %d triples", MaxTriples)
		}
		s, err := c.term(q.Subject)
		if err != nil {
			return nil, err
		}
		p, err := c.term(q.Predicate)
		if err != nil {
			return nil, err
		}
		o, err := c.term(q.Object)
		if err != nil {
			return nil, err
		}
		subj, ok1 := s.(rdf.Subject)
		pred, ok2 := p.(rdf.IRI)
		if !ok1 || !ok2 {
			return nil, &SyntaxError{Format: JSONLD, Msg: "generalized RDF (literal subject or non-IRI predicate) is not supported"}
		}
		g = append(g, rdf.Triple{Subj: subj, Pred: pred, Obj: o.(rdf.Object)})
	}
	return g, nil
}

type jsonldConverter struct {
	bnodes map[string]rdf.Blank
}

// term converts a json-gold node to a knakk term, relabelling blank nodes
// b0, b1, ... in order of appearance.
func (c *jsonldConverter) term(n ld.Node) (rdf.Term, error) {
	switch n := n.(type) {
	case ld.IRI:
		return c.iri(n.Value)
	case *ld.IRI:
		return c.iri(n.Value)
	case ld.BlankNode:
		return c.blank(n.Attribute), nil
	case *ld.BlankNode:
		return c.blank(n.Attribute), nil
	case ld.Literal:
		return c.literal(n)
	case *ld.Literal:
		return c.literal(*n)
	}
	return nil, &SyntaxError{Format: JSONLD, Msg: fmt.Sprintf("unexpected RDF node %T", n)}
}

func (c *jsonldConverter) iri(s string) (rdf.Term, error) {
	if err := checkIRI(s); err != nil {
		return nil, &SyntaxError{Format: JSONLD, Msg: err.Error()}
	}
	return newIRI(s), nil
}

func (c *jsonldConverter) blank(id string) rdf.Blank {
	b, ok := c.bnodes[id]
	if !ok {
		b = newBlank("b" + strconv.Itoa(len(c.bnodes)))
		c.bnodes[id] = b
	}
	return b
}

func (c *jsonldConverter) literal(l ld.Literal) (rdf.Term, error) {
	if l.Language != "" {
		if !isLangTag(l.Language) {
			return nil, &SyntaxError{Format: JSONLD, Msg: fmt.Sprintf("invalid language tag %q", l.Language)}
		}
		return newLiteral(l.Value, "", l.Language), nil
	}
	dt := l.Datatype
	if dt == "" {
		dt = xsdString
	}
	if err := checkIRI(dt); err != nil || dt == rdfLangString {
		return nil, &SyntaxError{Format: JSONLD, Msg: fmt.Sprintf("invalid datatype %q", dt)}
	}
	return newLiteral(l.Value, dt, ""), nil
}

// noRemoteContexts refuses to load remote contexts: a server must not fetch
// URLs named by its clients.
type noRemoteContexts struct{}

func (noRemoteContexts) LoadDocument(u string) (*ld.RemoteDocument, error) {
	return nil, ld.NewJsonLdError(ld.LoadingRemoteContextFailed, fmt.Sprintf("remote context %q not allowed: put the context inline", u))
}

func jsonDepth(v any, d int) int {
	max := d
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			if n := jsonDepth(x, d+1); n > max {
				max = n
			}
			if max > MaxDepth {
				return max
			}
		}
	case []any:
		for _, x := range v {
			if n := jsonDepth(x, d+1); n > max {
				max = n
			}
			if max > MaxDepth {
				return max
			}
		}
	}
	return max
}

func jsonSyntaxError(data []byte, dec *json.Decoder, err error) error {
	off := int(dec.InputOffset())
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = int(se.Offset)
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
