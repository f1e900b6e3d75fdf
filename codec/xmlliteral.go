package codec

import (
	"encoding/xml"
	"errors"
	"io"
	"sort"
	"strings"
)

// XML literals (rdf:parseType="Literal") have as lexical form the exclusive
// canonical XML (without comments) of the property element's content, as
// RDF/XML requires: namespace declarations move to the elements that use
// them, attributes are sorted, empty elements get end tags, and text and
// attribute values are escaped the canonical way. Raptor (rapper) produces
// the same; rdflib serializes through xml.dom.minidom and differs in
// details (empty-element tags, quotes in text).

// canonicalContent reads the tokens of the element just opened in z up to
// its end tag, and returns their exclusive canonical form.
func canonicalContent(z *xmlTokenizer) (string, error) {
	var b strings.Builder
	var rendered []nsBinding // namespace declarations written so far, in scope
	var marks []int
	renderedNS := func(prefix string) string {
		for i := len(rendered) - 1; i >= 0; i-- {
			if rendered[i].prefix == prefix {
				return rendered[i].uri
			}
		}
		return ""
	}
	level := 0
	for {
		tok, err := z.next()
		if err == io.EOF {
			return "", z.errorf("unexpected end of document in XML literal")
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xmlStart:
			level++
			marks = append(marks, len(rendered))
			// Exclusive c14n declares the namespaces an element visibly
			// uses that its output ancestors have not declared.
			used := map[string]string{t.Name.Prefix: t.Name.Space}
			for _, a := range t.Attr {
				if a.Name.Prefix != "" && a.Name.Prefix != "xml" {
					used[a.Name.Prefix] = a.Name.Space
				}
			}
			prefixes := make([]string, 0, len(used))
			for p := range used {
				prefixes = append(prefixes, p)
			}
			sort.Strings(prefixes)
			b.WriteByte('<')
			b.WriteString(t.Name.qname())
			for _, p := range prefixes {
				if renderedNS(p) == used[p] {
					continue
				}
				rendered = append(rendered, nsBinding{p, used[p]})
				if p == "" {
					b.WriteString(` xmlns="`)
				} else {
					b.WriteString(" xmlns:" + p + `="`)
				}
				b.WriteString(escapeAttr(used[p]))
				b.WriteByte('"')
			}
			attrs := append([]xmlAttr(nil), t.Attr...)
			sort.Slice(attrs, func(i, j int) bool {
				if attrs[i].Name.Space != attrs[j].Name.Space {
					return attrs[i].Name.Space < attrs[j].Name.Space
				}
				return attrs[i].Name.Local < attrs[j].Name.Local
			})
			for _, a := range attrs {
				b.WriteByte(' ')
				b.WriteString(a.Name.qname())
				b.WriteString(`="`)
				b.WriteString(escapeAttr(a.Value))
				b.WriteByte('"')
			}
			b.WriteByte('>')
		case xml.EndElement:
			if level == 0 {
				return b.String(), nil
			}
			level--
			rendered = rendered[:marks[len(marks)-1]]
			marks = marks[:len(marks)-1]
			b.WriteString("</")
			b.WriteString(rawQName(t.Name))
			b.WriteByte('>')
		case xml.CharData:
			b.WriteString(escapeText(string(t)))
		case xml.ProcInst:
			if strings.EqualFold(t.Target, "xml") {
				return "", z.errorf("XML declaration inside an XML literal")
			}
			b.WriteString("<?" + t.Target)
			if len(t.Inst) > 0 {
				b.WriteByte(' ')
				b.Write(t.Inst)
			}
			b.WriteString("?>")
		case xml.Comment:
			// Canonical XML without comments.
		case xml.Directive:
			return "", z.errorf("DOCTYPE or other directive inside an XML literal")
		}
	}
}

// canonicalXMLLiteral returns the exclusive canonical form of s read as XML
// content with no namespaces in scope, and whether s is well-formed,
// self-contained XML content at all.
func canonicalXMLLiteral(s string) (string, bool) {
	c, err := readXMLLiteral(s)
	return c, err == nil
}

// readXMLLiteral returns the canonical form of s, as canonicalXMLLiteral,
// or why s is not XML content.
func readXMLLiteral(s string) (string, error) {
	// The wrapper's name is in the messages of literals that close it
	// early ("element <b> closed by </XMLLiteral>").
	z := newXMLTokenizer([]byte("<XMLLiteral>"+s+"</XMLLiteral>"), MaxDepth)
	if _, err := z.next(); err != nil {
		return "", err
	}
	c, err := canonicalContent(z)
	if err != nil {
		return "", err
	}
	switch _, err := z.next(); err {
	case io.EOF:
		return c, nil
	case nil:
		return "", errors.New("malformed XML: an end tag of an element the literal does not open")
	default:
		return "", err
	}
}

// CheckXMLLiteral says why lex is not a lexical form of rdf:XMLLiteral:
// XML content (text and elements) that is well-formed and self-contained,
// with elements balanced, '<' and '&' escaped, namespace prefixes
// declared, and no XML declaration or DOCTYPE. It returns nil if lex is.
func CheckXMLLiteral(lex string) error {
	_, err := readXMLLiteral(lex)
	return err
}

// escapeText escapes character data as canonical XML does. Escaping '>'
// also keeps "]]>" out, and "&#xD;" keeps carriage returns from being
// normalized away by the reader.
var escapeText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace

// escapeAttr escapes an attribute value (in double quotes) as canonical XML
// does: white space other than ' ' is escaped, or attribute-value
// normalization would turn it into spaces.
var escapeAttr = strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;").Replace
