package codec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/vocab"
)

// decodeRDFXML parses an RDF/XML document. It implements the grammar of
// the RDF 1.1 XML Syntax recommendation (section 7): node and property
// elements at any depth, typed node elements, property attributes,
// rdf:parseType Resource, Literal and Collection, rdf:li, rdf:ID
// (including reification), rdf:nodeID, xml:base and xml:lang.
func decodeRDFXML(data []byte, base string) (g []rdf.Triple, err error) {
	p := &xmlParser{
		z:      newXMLTokenizer(data, MaxDepth),
		data:   data,
		bnodes: map[string]rdf.Blank{},
		ids:    map[string]bool{},
	}
	if base != "" {
		if !hasScheme(base) {
			return nil, fmt.Errorf("%w: base IRI %q is not absolute", ErrSyntax, base)
		}
		base = stripFragment(base)
	}
	defer func() {
		if r := recover(); r != nil {
			err = p.recovered(r)
		}
	}()
	p.document(xmlCtx{base: base})
	return p.triples, nil
}

type xmlParser struct {
	z       *xmlTokenizer
	data    []byte
	triples []rdf.Triple
	bnodes  map[string]rdf.Blank // rdf:nodeID → blank node
	nblank  int
	ids     map[string]bool // IRIs made from rdf:ID, which must be unique
	// sawDoctype says that the document has had its DOCTYPE.
	sawDoctype bool
}

// xmlCtx is the evaluation context of an element: the in-scope base IRI
// and language.
type xmlCtx struct {
	base, lang string
}

// bailout carries a decoding error up through panic.
type bailout struct{ err error }

func (p *xmlParser) fail(format string, args ...any) {
	panic(bailout{p.z.errorf(format, args...)})
}

func (p *xmlParser) check(err error) {
	if err != nil {
		panic(bailout{err})
	}
}

func (p *xmlParser) recovered(r any) error {
	b, ok := r.(bailout)
	if !ok {
		line, col := p.z.d.InputPos()
		return &SyntaxError{Format: RDFXML, Line: line, Column: col, Msg: fmt.Sprintf("internal parser error: %v", r)}
	}
	var xe *xmlError
	var deep *tooDeepError
	switch {
	case errors.As(b.err, &deep):
		return tooLarge(RDFXML, "%v", deep)
	case errors.Is(b.err, ErrTooLarge):
		return b.err
	case errors.As(b.err, &xe):
		return &SyntaxError{Format: RDFXML, Line: xe.line, Column: xe.col, Msg: xe.msg}
	}
	return &SyntaxError{Format: RDFXML, Msg: b.err.Error()}
}

// next returns the next token, failing on errors and at the end of input.
func (p *xmlParser) next() any {
	tok, err := p.z.next()
	if err == io.EOF {
		p.fail("unexpected end of document")
	}
	p.check(err)
	return tok
}

func (p *xmlParser) emit(s rdf.Subject, pr string, o rdf.Object) {
	if len(p.triples) >= MaxTriples {
		panic(bailout{tooLarge(RDFXML, "more than %d triples", MaxTriples)})
	}
	p.triples = append(p.triples, rdf.Triple{Subj: s, Pred: newIRI(pr), Obj: o})
}

func (p *xmlParser) blank() rdf.Blank {
	b := newBlank("b" + strconv.Itoa(p.nblank))
	p.nblank++
	return b
}

func (p *xmlParser) nodeID(id string) rdf.Blank {
	if !isNCName(id) {
		p.fail("rdf:nodeID %q is not an XML NCName", id)
	}
	b, ok := p.bnodes[id]
	if !ok {
		b = p.blank()
		p.bnodes[id] = b
	}
	return b
}

func (p *xmlParser) resolve(ctx xmlCtx, ref string) rdf.IRI {
	s, err := resolveIRI(ctx.base, ref)
	if err != nil {
		p.fail("%v", err)
	}
	return newIRI(s)
}

// idIRI returns the IRI of rdf:ID="id": the base with fragment id.
func (p *xmlParser) idIRI(ctx xmlCtx, id string) rdf.IRI {
	if !isNCName(id) {
		p.fail("rdf:ID %q is not an XML NCName", id)
	}
	iri := p.resolve(ctx, "#"+id)
	if p.ids[iri.String()] {
		p.fail("rdf:ID %q is used twice with the same base", id)
	}
	p.ids[iri.String()] = true
	return iri
}

// document parses the whole input:
//
//	doc ::= root(document-element == RDF, children == list(nodeElementList))
//	      | nodeElement
func (p *xmlParser) document(ctx xmlCtx) {
	var root xmlStart
	for root.Name.Local == "" {
		tok, err := p.z.next()
		if err == io.EOF {
			p.fail("empty document: expected rdf:RDF or a node element")
		}
		p.check(err)
		switch t := tok.(type) {
		case xmlStart:
			root = t
		case xml.Directive:
			p.doctype(t)
		case xml.CharData:
			if !isXMLSpace(t) {
				p.fail("text before the document element")
			}
		}
	}
	if root.Name.Space == vocab.RDF && root.Name.Local == "RDF" {
		ctx = p.context(ctx, root)
		for _, a := range root.Attr {
			if a.Name.Space != xmlNS {
				p.fail("attribute %s is not allowed on rdf:RDF", a.Name.qname())
			}
		}
		p.nodeElementList(ctx)
	} else {
		p.nodeElement(ctx, root)
	}
	for {
		tok, err := p.z.next()
		if err == io.EOF {
			return
		}
		p.check(err)
		switch t := tok.(type) {
		case xmlStart:
			p.fail("more than one document element")
		case xml.CharData:
			if !isXMLSpace(t) {
				p.fail("text after the document element")
			}
		}
	}
}

// doctype installs the document's simple internal entities, if the
// expansion they can cause stays small: at most maxEntityGrowth times the
// document's own size (plus a little), so that a small body cannot turn
// into a huge literal, and never beyond MaxDocumentSize.
func (p *xmlParser) doctype(d xml.Directive) {
	if p.sawDoctype {
		p.fail("more than one DOCTYPE")
	}
	p.sawDoctype = true
	ents, err := parseDoctype(d)
	if err != nil {
		p.fail("%v", err)
	}
	limit := min(maxEntityGrowth*len(p.data)+maxEntityAllowance, MaxDocumentSize)
	added := 0
	for name, v := range ents {
		ref := "&" + name + ";"
		added += bytes.Count(p.data, []byte(ref)) * max(len(v)-len(ref), 0)
		if len(p.data)+added > MaxDocumentSize || added > limit {
			panic(bailout{tooLarge(RDFXML, "entities would expand the document by more than %d bytes", limit)})
		}
	}
	if len(ents) > 0 {
		p.z.d.Entity = ents
	}
}

// Entity expansion may add at most maxEntityGrowth times the document's
// size plus maxEntityAllowance bytes: namespace abbreviations grow a
// document by a small factor, amplification attacks by hundreds.
const (
	maxEntityGrowth    = 4
	maxEntityAllowance = 64 << 10
)

// context applies xml:base and xml:lang of e to ctx.
func (p *xmlParser) context(ctx xmlCtx, e xmlStart) xmlCtx {
	for _, a := range e.Attr {
		if a.Name.Space != xmlNS {
			continue
		}
		switch a.Name.Local {
		case "base":
			b, err := resolveIRI(ctx.base, a.Value)
			if err != nil {
				p.fail("xml:base: %v", err)
			}
			ctx.base = stripFragment(b)
		case "lang":
			if a.Value != "" && !isLangTag(a.Value) {
				p.fail("xml:lang %q is not a valid language tag", a.Value)
			}
			ctx.lang = a.Value
		}
	}
	return ctx
}

// nodeElementList parses node elements up to the end of the current
// element.
func (p *xmlParser) nodeElementList(ctx xmlCtx) {
	for {
		switch t := p.next().(type) {
		case xmlStart:
			p.nodeElement(ctx, t)
		case xml.EndElement:
			return
		case xml.CharData:
			if !isXMLSpace(t) {
				p.fail("unexpected text %q where a node element was expected", shorten(string(t)))
			}
		}
	}
}

// attrKind classifies an attribute of a node or property element.
type attrKind int

const (
	attrIgnored  attrKind = iota // xml:*, and other names starting with "xml"
	attrSyntax                   // rdf:about, rdf:ID, ...: see attrName
	attrProperty                 // a property attribute
)

// classify returns an attribute's kind and, for syntax attributes, the
// local name of the RDF term. Unqualified about, ID, resource, parseType
// and type are read as their rdf: counterparts, as the recommendation
// allows for old documents.
func (p *xmlParser) classify(a xmlAttr) (attrKind, string) {
	n := a.Name
	switch {
	case n.Space == xmlNS || n.Space == "" && strings.HasPrefix(strings.ToLower(n.Local), "xml"):
		return attrIgnored, ""
	case n.Space == "":
		switch n.Local {
		case "about", "ID", "resource", "parseType", "type":
			return attrSyntax, n.Local
		}
		p.fail("unqualified attribute %q (attributes need a namespace in RDF/XML)", n.Local)
	case n.Space == vocab.RDF:
		switch n.Local {
		case "about", "ID", "nodeID", "resource", "datatype", "parseType", "type":
			return attrSyntax, n.Local
		case "li", "Description", "RDF", "aboutEach", "aboutEachPrefix", "bagID":
			p.fail("rdf:%s is not allowed as an attribute", n.Local)
		}
	}
	return attrProperty, ""
}

// nodeElement parses a node element and returns its subject:
//
//	nodeElement ::= start-element(URI == nodeElementURIs,
//	    attributes == set((idAttr | nodeIdAttr | aboutAttr)?, propertyAttr*))
//	    propertyEltList end-element()
func (p *xmlParser) nodeElement(ctx xmlCtx, e xmlStart) rdf.Subject {
	ctx = p.context(ctx, e)
	if e.Name.Space == vocab.RDF {
		switch e.Name.Local {
		case "RDF", "ID", "about", "parseType", "resource", "nodeID", "datatype", "li", "aboutEach", "aboutEachPrefix", "bagID":
			p.fail("rdf:%s is not allowed as a node element", e.Name.Local)
		}
	}
	if e.Name.Space == "" {
		p.fail("node element <%s> has no namespace", e.Name.Local)
	}
	var subj rdf.Subject
	set := func(s rdf.Subject) {
		if subj != nil {
			p.fail("node element <%s> has more than one of rdf:about, rdf:ID and rdf:nodeID", e.Name.qname())
		}
		subj = s
	}
	var props []xmlAttr
	var types []string
	for _, a := range e.Attr {
		kind, name := p.classify(a)
		switch {
		case kind == attrProperty:
			props = append(props, a)
		case kind != attrSyntax:
		case name == "about":
			set(p.resolve(ctx, a.Value))
		case name == "ID":
			set(p.idIRI(ctx, a.Value))
		case name == "nodeID":
			set(p.nodeID(a.Value))
		case name == "type":
			types = append(types, a.Value)
		default:
			p.fail("rdf:%s is not allowed on node element <%s>", name, e.Name.qname())
		}
	}
	if subj == nil {
		subj = p.blank()
	}
	if !(e.Name.Space == vocab.RDF && e.Name.Local == "Description") {
		p.emit(subj, rdfType, p.elemIRI(e.Name))
	}
	for _, t := range types {
		p.emit(subj, rdfType, p.resolve(ctx, t))
	}
	for _, a := range props {
		p.emit(subj, p.attrIRI(a.Name), langLiteral(a.Value, ctx.lang))
	}
	p.propertyEltList(ctx, subj)
	return subj
}

func (p *xmlParser) elemIRI(n xmlName) rdf.IRI {
	s := n.Space + n.Local
	if err := validIRI(s); err != nil {
		p.fail("element <%s> does not name an IRI: %v", n.qname(), err)
	}
	return newIRI(s)
}

func (p *xmlParser) attrIRI(n xmlName) string {
	return p.elemIRI(n).String()
}

func langLiteral(s, lang string) rdf.Literal {
	return newLiteral(s, "", lang)
}

// propertyEltList parses property elements up to the end of the node
// element of subj.
func (p *xmlParser) propertyEltList(ctx xmlCtx, subj rdf.Subject) {
	li := 0
	for {
		switch t := p.next().(type) {
		case xmlStart:
			p.propertyElt(ctx, subj, t, &li)
		case xml.EndElement:
			return
		case xml.CharData:
			if !isXMLSpace(t) {
				p.fail("unexpected text %q where a property element was expected", shorten(string(t)))
			}
		}
	}
}

// propertyElt parses one property element of subj:
//
//	propertyElt ::= resourcePropertyElt | literalPropertyElt |
//	    parseTypeLiteralPropertyElt | parseTypeResourcePropertyElt |
//	    parseTypeCollectionPropertyElt | parseTypeOtherPropertyElt |
//	    emptyPropertyElt
func (p *xmlParser) propertyElt(ctx xmlCtx, subj rdf.Subject, e xmlStart, li *int) {
	ctx = p.context(ctx, e)
	pred := e.Name.Space + e.Name.Local
	if e.Name.Space == vocab.RDF {
		switch e.Name.Local {
		case "li":
			*li++
			pred = vocab.RDF + "_" + strconv.Itoa(*li)
		case "Description", "RDF", "ID", "about", "parseType", "resource", "nodeID", "datatype", "aboutEach", "aboutEachPrefix", "bagID":
			p.fail("rdf:%s is not allowed as a property element", e.Name.Local)
		}
	}
	if e.Name.Space == "" {
		p.fail("property element <%s> has no namespace", e.Name.Local)
	}
	if err := validIRI(pred); err != nil {
		p.fail("element <%s> does not name an IRI: %v", e.Name.qname(), err)
	}

	var id, nodeID, resource, datatype, parseType *string
	var props []xmlAttr
	for _, a := range e.Attr {
		kind, name := p.classify(a)
		v := a.Value
		switch {
		case kind == attrProperty:
			props = append(props, a)
		case kind != attrSyntax:
		case name == "ID":
			id = &v
		case name == "nodeID":
			nodeID = &v
		case name == "resource":
			resource = &v
		case name == "datatype":
			datatype = &v
		case name == "parseType":
			parseType = &v
		case name == "type":
			props = append(props, xmlAttr{Name: xmlName{Prefix: "rdf", Local: "type", Space: vocab.RDF}, Value: v})
		default:
			p.fail("rdf:%s is not allowed on property element <%s>", name, e.Name.qname())
		}
	}
	reify := func(o rdf.Object) {
		p.emit(subj, pred, o)
		if id == nil {
			return
		}
		st := p.idIRI(ctx, *id)
		p.emit(st, rdfType, newIRI(vocab.RDF+"Statement"))
		p.emit(st, vocab.RDF+"subject", subj.(rdf.Object))
		p.emit(st, vocab.RDF+"predicate", newIRI(pred))
		p.emit(st, vocab.RDF+"object", o)
	}

	if parseType != nil {
		if nodeID != nil || resource != nil || datatype != nil || len(props) > 0 {
			p.fail("<%s rdf:parseType=%q> cannot have rdf:resource, rdf:nodeID, rdf:datatype or property attributes", e.Name.qname(), *parseType)
		}
		switch *parseType {
		case "Resource":
			b := p.blank()
			reify(b)
			p.propertyEltList(ctx, b)
		case "Collection":
			var items []rdf.Subject
			for done := false; !done; {
				switch t := p.next().(type) {
				case xmlStart:
					items = append(items, p.nodeElement(ctx, t))
				case xml.EndElement:
					done = true
				case xml.CharData:
					if !isXMLSpace(t) {
						p.fail("unexpected text %q in rdf:parseType=\"Collection\"", shorten(string(t)))
					}
				}
			}
			if len(items) == 0 {
				reify(newIRI(rdfNil))
				return
			}
			nodes := make([]rdf.Blank, len(items))
			for i := range items {
				nodes[i] = p.blank()
			}
			reify(nodes[0])
			for i, item := range items {
				p.emit(nodes[i], rdfFirst, item.(rdf.Object))
				if i+1 < len(items) {
					p.emit(nodes[i], rdfRest, nodes[i+1])
				} else {
					p.emit(nodes[i], rdfRest, newIRI(rdfNil))
				}
			}
		default: // "Literal", and any other value is treated as "Literal".
			lit, err := canonicalContent(p.z)
			p.check(err)
			reify(newLiteral(lit, rdfXMLLiteral, ""))
		}
		return
	}

	// Read the content to tell literal, resource and empty property
	// elements apart.
	var text []byte
	for {
		switch t := p.next().(type) {
		case xml.CharData:
			text = append(text, t...)
		case xmlStart:
			if !isXMLSpace(text) {
				p.fail("property element <%s> mixes text and a node element (use rdf:parseType=\"Literal\" for XML content)", e.Name.qname())
			}
			if nodeID != nil || resource != nil || datatype != nil || len(props) > 0 {
				p.fail("property element <%s> with rdf:resource, rdf:nodeID, rdf:datatype or property attributes cannot contain a node element", e.Name.qname())
			}
			reify(p.nodeElement(ctx, t).(rdf.Object))
			p.endOfResourceProperty(e)
			return
		case xml.EndElement:
			p.literalOrEmpty(ctx, e, subj, string(text), nodeID, resource, datatype, props, reify)
			return
		}
	}
}

// endOfResourceProperty reads up to the end of a resourcePropertyElt,
// which holds only its one node element.
func (p *xmlParser) endOfResourceProperty(e xmlStart) {
	for {
		switch t := p.next().(type) {
		case xml.EndElement:
			return
		case xmlStart:
			p.fail("property element <%s> contains more than one node element", e.Name.qname())
		case xml.CharData:
			if !isXMLSpace(t) {
				p.fail("property element <%s> mixes text and a node element", e.Name.qname())
			}
		}
	}
}

// literalOrEmpty finishes a property element that held only text:
//
//	literalPropertyElt ::= start-element(URI == propertyElementURIs,
//	    attributes == set(idAttr?, datatypeAttr?)) text end-element()
//	emptyPropertyElt ::= start-element(URI == propertyElementURIs,
//	    attributes == set(idAttr?, (resourceAttr | nodeIdAttr)?, propertyAttr*))
//	    end-element()
func (p *xmlParser) literalOrEmpty(ctx xmlCtx, e xmlStart, subj rdf.Subject, text string,
	nodeID, resource, datatype *string, props []xmlAttr, reify func(rdf.Object)) {
	resourceLike := nodeID != nil || resource != nil || len(props) > 0
	if datatype != nil {
		if resourceLike {
			p.fail("property element <%s> cannot have rdf:datatype with rdf:resource, rdf:nodeID or property attributes", e.Name.qname())
		}
		dt := p.resolve(ctx, *datatype).String()
		if dt == rdfLangString {
			p.fail("rdf:datatype rdf:langString needs a language; use xml:lang")
		}
		reify(newLiteral(text, dt, ""))
		return
	}
	if !resourceLike {
		reify(langLiteral(text, ctx.lang))
		return
	}
	if !isXMLSpace([]byte(text)) {
		p.fail("property element <%s> with rdf:resource, rdf:nodeID or property attributes must be empty", e.Name.qname())
	}
	var obj rdf.Subject
	switch {
	case nodeID != nil && resource != nil:
		p.fail("property element <%s> has both rdf:resource and rdf:nodeID", e.Name.qname())
	case resource != nil:
		obj = p.resolve(ctx, *resource)
	case nodeID != nil:
		obj = p.nodeID(*nodeID)
	default:
		obj = p.blank()
	}
	reify(obj.(rdf.Object))
	for _, a := range props {
		if a.Name.Space == vocab.RDF && a.Name.Local == "type" {
			p.emit(obj, rdfType, p.resolve(ctx, a.Value))
			continue
		}
		p.emit(obj, p.attrIRI(a.Name), langLiteral(a.Value, ctx.lang))
	}
}

func stripFragment(iri string) string {
	if i := strings.IndexByte(iri, '#'); i >= 0 {
		return iri[:i]
	}
	return iri
}

// shorten abbreviates text quoted in error messages.
func shorten(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > 40 {
		return string(r[:37]) + "..."
	}
	return string(r)
}
