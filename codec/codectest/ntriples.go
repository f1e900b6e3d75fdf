package codectest

import (
	"fmt"
	"strings"

	"github.com/knakk/rdf"
)

// NTriples writes g as N-Triples with as little cleverness as possible:
// literals escape everything outside printable ASCII, and blank nodes are
// renamed c0, c1, ... so that any label is safe. It is the reference
// serialization for Canonical.
func NTriples(g []rdf.Triple) []byte {
	var b strings.Builder
	labels := map[string]string{}
	term := func(t rdf.Term) {
		switch t := t.(type) {
		case rdf.IRI:
			b.WriteString("<" + escape(t.String(), true) + ">")
		case rdf.Blank:
			id := t.Serialize(rdf.NTriples)
			l, ok := labels[id]
			if !ok {
				l = fmt.Sprintf("c%d", len(labels))
				labels[id] = l
			}
			b.WriteString("_:" + l)
		case rdf.Literal:
			b.WriteString(`"` + escape(t.String(), false) + `"`)
			if t.Lang() != "" {
				b.WriteString("@" + t.Lang())
			} else if dt := t.DataType.String(); dt != "http://www.w3.org/2001/XMLSchema#string" {
				b.WriteString("^^<" + escape(dt, true) + ">")
			}
		default:
			panic(fmt.Sprintf("codectest: unexpected term %T", t))
		}
	}
	for _, t := range g {
		term(t.Subj)
		b.WriteByte(' ')
		term(t.Pred)
		b.WriteByte(' ')
		term(t.Obj)
		b.WriteString(" .\n")
	}
	return []byte(b.String())
}

func escape(s string, iri bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case !iri && r == '"':
			b.WriteString(`\"`)
		case !iri && r == '\\':
			b.WriteString(`\\`)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
	}
	return b.String()
}
