package oslc

import (
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// The JSON of OSLC Core 2.0 (Appendix B, "Guidelines for JSON"), which
// OSLC 2.0 clients such as Lyo's read for application/json: one JSON
// object per resource, its properties named by prefixed names declared in
// "prefixes", its IRI in "rdf:about", references as {"rdf:resource": IRI},
// literals as JSON strings, numbers or booleans, several values of a
// property as an array (rdf:type always), and nested nodes in-line. Query
// results are one object with the query base's "rdf:about", the members
// in "oslc:results" (in the page's order) and the oslc:ResponseInfo in
// "oslc:responseInfo".

// encodeOSLCJSON writes g, about root, as OSLC 2.0 JSON.
func encodeOSLCJSON(w io.Writer, root rdf.Subject, g []rdf.Triple) error {
	j := &jsonWriter{bySubj: make(map[string][]rdf.Triple), refs: make(map[string]int), done: make(map[string]bool), prefixes: make(map[string]string)}
	for _, t := range g {
		k := termKey(t.Subj)
		j.bySubj[k] = append(j.bySubj[k], t)
		if _, lit := t.Obj.(rdf.Literal); !lit {
			j.refs[termKey(t.Obj)]++
		}
	}
	var info rdf.Subject
	for _, t := range g {
		if t.Pred == vocab.RDFType && t.Obj == vocab.OSLCTerm("ResponseInfo") {
			info = t.Subj
			break
		}
	}
	var out map[string]any
	if info == nil {
		out = j.object(root, nil)
	} else {
		out = j.results(root, info)
	}
	out["prefixes"] = j.prefixes
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

type jsonWriter struct {
	bySubj   map[string][]rdf.Triple
	refs     map[string]int  // how often each node is an object
	done     map[string]bool // nodes written in-line already
	prefixes map[string]string
}

// results writes a query result: the container root, its members (the
// objects of rdfs:member, in order) and the response info, whose subject
// is the request URI: the root itself when the query has no parameters.
func (j *jsonWriter) results(root, info rdf.Subject) map[string]any {
	membership := func(t rdf.Triple) bool { return t.Pred == vocab.RDFSMember || t.Pred == vocab.LDPContains }
	paging := func(t rdf.Triple) bool {
		return t.Pred == vocab.OSLCTerm("totalCount") || t.Pred == vocab.OSLCTerm("nextPage") || t.Pred == vocab.DCDescription ||
			t.Pred == vocab.RDFType && t.Obj == vocab.OSLCTerm("ResponseInfo")
	}
	j.done[termKey(info)] = true
	var members []any
	for _, t := range j.bySubj[termKey(root)] {
		// Each member is an object with its rdf:about, selected
		// properties or none.
		if m, ok := t.Obj.(rdf.Subject); ok && t.Pred == vocab.RDFSMember && !j.done[termKey(m)] {
			members = append(members, j.object(m, nil))
		}
	}
	if members == nil {
		members = []any{}
	}
	var out, infoObj map[string]any
	if termKey(root) == termKey(info) {
		out = j.object(root, func(t rdf.Triple) bool { return membership(t) || paging(t) })
		infoObj = j.object(info, func(t rdf.Triple) bool { return !paging(t) && t.Pred != vocab.DCTitle })
	} else {
		out = j.object(root, membership)
		delete(j.done, termKey(info))
		infoObj = j.object(info, nil)
	}
	out[j.name(vocab.OSLCTerm("results"))] = members
	out[j.name(vocab.OSLCTerm("responseInfo"))] = infoObj
	return out
}

// object writes node s and what it points to, but the triples skip says.
func (j *jsonWriter) object(s rdf.Subject, skip func(rdf.Triple) bool) map[string]any {
	k := termKey(s)
	j.done[k] = true
	out := make(map[string]any)
	switch s := s.(type) {
	case rdf.IRI:
		j.prefixes["rdf"] = vocab.RDF
		out["rdf:about"] = s.String()
	case rdf.Blank:
		if j.refs[k] > 1 {
			j.prefixes["rdf"] = vocab.RDF
			out["rdf:nodeID"] = s.String()
		}
	}
	var order []string
	vals := make(map[string][]any)
	for _, t := range j.bySubj[k] {
		if skip != nil && skip(t) {
			continue
		}
		n := j.name(t.Pred)
		if _, ok := vals[n]; !ok {
			order = append(order, n)
		}
		vals[n] = append(vals[n], j.value(t.Obj))
	}
	for _, n := range order {
		if v := vals[n]; len(v) == 1 && n != "rdf:type" {
			out[n] = v[0]
		} else {
			out[n] = v
		}
	}
	return out
}

// value writes an object: a literal as JSON, a node described in the
// graph in-line the first time, else as a reference.
func (j *jsonWriter) value(o rdf.Term) any {
	switch o := o.(type) {
	case rdf.Literal:
		return literalJSON(o)
	case rdf.Subject:
		k := termKey(o)
		if len(j.bySubj[k]) > 0 && !j.done[k] {
			return j.object(o, nil)
		}
		j.prefixes["rdf"] = vocab.RDF
		if b, ok := o.(rdf.Blank); ok {
			return map[string]any{"rdf:nodeID": b.String()}
		}
		return map[string]any{"rdf:resource": o.String()}
	}
	return o.String()
}

// jsonNumber is the lexical form of an xsd number that is also a JSON
// number.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// literalJSON returns l as a JSON number or boolean when its datatype
// says so and its lexical form allows it, else as a string.
func literalJSON(l rdf.Literal) any {
	lex := l.String()
	switch l.DataType {
	case vocab.XSDInteger, vocab.XSDInt, vocab.XSDLong, vocab.XSDDecimal, vocab.XSDDouble, vocab.XSDFloat,
		vocab.IRI(vocab.XSD, "short"), vocab.IRI(vocab.XSD, "byte"), vocab.IRI(vocab.XSD, "nonNegativeInteger"),
		vocab.IRI(vocab.XSD, "positiveInteger"), vocab.IRI(vocab.XSD, "unsignedInt"), vocab.IRI(vocab.XSD, "unsignedLong"):
		if n := strings.TrimPrefix(lex, "+"); jsonNumber.MatchString(n) {
			return json.Number(n)
		}
	case vocab.XSDBoolean:
		if b, err := strconv.ParseBool(lex); err == nil {
			return b
		}
	}
	return lex
}

// ncName matches the local part of a prefixed name.
var ncName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// name returns the prefixed name of p, declaring its prefix: a
// conventional one (vocab.Prefixes), else one minted from the namespace.
func (j *jsonWriter) name(p rdf.Term) string {
	iri := p.String()
	for _, pf := range vocab.Prefixes {
		if local, ok := strings.CutPrefix(iri, pf.NS); ok && ncName.MatchString(local) {
			j.prefixes[pf.Prefix] = pf.NS
			return pf.Prefix + ":" + local
		}
	}
	i := strings.LastIndexAny(iri, "#/")
	ns, local := iri[:i+1], iri[i+1:]
	if !ncName.MatchString(local) {
		ns, local = iri, ""
	}
	for prefix, n := range j.prefixes {
		if n == ns {
			return prefix + ":" + local
		}
	}
	prefix := "j." + strconv.Itoa(len(j.prefixes))
	for j.prefixes[prefix] != "" {
		prefix += "_"
	}
	j.prefixes[prefix] = ns
	return prefix + ":" + local
}
