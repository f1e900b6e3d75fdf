package codec

import (
	"encoding/xml"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oslc-pm/pmprovider/vocab"
)

// isNameStartChar and isNameChar follow XML 1.0 (fifth edition), without
// the colon, so they define NCNames.
func isNameStartChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' ||
		r >= 0xC0 && r <= 0xD6 || r >= 0xD8 && r <= 0xF6 || r >= 0xF8 && r <= 0x2FF ||
		r >= 0x370 && r <= 0x37D || r >= 0x37F && r <= 0x1FFF || r >= 0x200C && r <= 0x200D ||
		r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF || r >= 0x3001 && r <= 0xD7FF ||
		r >= 0xF900 && r <= 0xFDCF || r >= 0xFDF0 && r <= 0xFFFD || r >= 0x10000 && r <= 0xEFFFF
}

func isNameChar(r rune) bool {
	return isNameStartChar(r) || r == '-' || r == '.' || r >= '0' && r <= '9' ||
		r == 0xB7 || r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040
}

// isNCName reports whether s is an XML NCName.
func isNCName(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		if i == 0 && !isNameStartChar(r) || !isNameChar(r) {
			return false
		}
	}
	return true
}

// isWritableName reports whether s is an NCName that we write as a local
// name or prefix: a fifth-edition NCName that, if not ASCII, older XML
// parsers such as Go's (which use the fourth edition's tables) accept too.
func isWritableName(s string) bool {
	if !isNCName(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			t, err := xml.NewDecoder(strings.NewReader("<" + s + "/>")).Token()
			se, ok := t.(xml.StartElement)
			return err == nil && ok && se.Name.Local == s && se.Name.Space == ""
		}
	}
	return true
}

// rdfNames are the terms of the RDF namespace that RDF/XML reserves: they
// cannot be node element names (types) or property element names
// (predicates).
var rdfNames = map[string]bool{
	"RDF": true, "ID": true, "about": true, "parseType": true, "resource": true,
	"nodeID": true, "datatype": true, "li": true, "Description": true,
	"aboutEach": true, "aboutEachPrefix": true, "bagID": true,
}

// namespaces assigns prefixes to namespace IRIs for QNames.
type namespaces struct {
	known  []vocab.Prefix     // usable conventional prefixes, longest namespace first
	order  []vocab.Prefix     // conventional prefixes in declaration order
	prefix map[string]string  // namespace → prefix, for namespaces in use
	taken  map[string]bool    // prefixes not available for generation
	gen    map[string]bool    // namespaces needing a generated prefix
	used   map[string]bool    // namespaces in use
	decl   []vocab.Prefix     // declarations, after assign
	cache  map[string]qnParts // IRI → split
}

type qnParts struct {
	ns, local string
	ok        bool
}

// newNamespaces filters the conventional prefixes: invalid names, "xml"
// names and duplicates are dropped; "rdf" is always the RDF namespace.
func newNamespaces(ps []vocab.Prefix) *namespaces {
	n := &namespaces{prefix: map[string]string{}, taken: map[string]bool{}, gen: map[string]bool{}, used: map[string]bool{}, cache: map[string]qnParts{}}
	ps = append([]vocab.Prefix{{Prefix: "rdf", NS: vocab.RDF}}, ps...)
	seenNS := map[string]bool{}
	for _, p := range ps {
		if !isWritableName(p.Prefix) || strings.HasPrefix(strings.ToLower(p.Prefix), "xml") ||
			p.NS == "" || n.taken[p.Prefix] || seenNS[p.NS] || p.NS == xmlNS || p.NS == xmlnsNS || firstNonXMLChar(p.NS) >= 0 {
			continue
		}
		n.taken[p.Prefix], seenNS[p.NS] = true, true
		n.order = append(n.order, p)
	}
	n.known = append([]vocab.Prefix(nil), n.order...)
	sort.SliceStable(n.known, func(i, j int) bool { return len(n.known[i].NS) > len(n.known[j].NS) })
	return n
}

// split splits an IRI into a namespace and an NCName local part: after
// the longest conventional namespace it starts with, else at the last '#'
// or '/', else at the start of the longest NCName suffix.
func (n *namespaces) split(iri string) (ns, local string, ok bool) {
	if q, hit := n.cache[iri]; hit {
		return q.ns, q.local, q.ok
	}
	ns, local, ok = n.split1(iri)
	n.cache[iri] = qnParts{ns, local, ok}
	return ns, local, ok
}

func (n *namespaces) split1(iri string) (string, string, bool) {
	for _, p := range n.known {
		if strings.HasPrefix(iri, p.NS) && isWritableName(iri[len(p.NS):]) {
			return p.NS, iri[len(p.NS):], true
		}
	}
	valid := func(i int) bool {
		ns := iri[:i]
		return i > 0 && isWritableName(iri[i:]) && ns != xmlNS && ns != xmlnsNS && firstNonXMLChar(ns) < 0
	}
	if i := strings.LastIndexAny(iri, "#/"); i >= 0 && valid(i+1) {
		return iri[:i+1], iri[i+1:], true
	}
	// The longest run of name characters at the end; the NCName starts at
	// its first name start character.
	start := len(iri)
	for start > 0 {
		r, w := utf8.DecodeLastRuneInString(iri[:start])
		if !isNameChar(r) {
			break
		}
		start -= w
	}
	for i, r := range iri[start:] {
		if isNameStartChar(r) {
			if valid(start + i) {
				return iri[:start+i], iri[start+i:], true
			}
			break
		}
	}
	return "", "", false
}

// use records that namespace ns appears in a QName.
func (n *namespaces) use(ns string) {
	if n.used[ns] {
		return
	}
	n.used[ns] = true
	for _, p := range n.order {
		if p.NS == ns {
			n.prefix[ns] = p.Prefix
			return
		}
	}
	n.gen[ns] = true
}

// assign generates prefixes ns1, ns2, ... for the other namespaces in use,
// in namespace order, and lists the declarations: conventional prefixes in
// their order, then generated ones.
func (n *namespaces) assign() {
	for _, p := range n.order {
		if n.used[p.NS] {
			n.decl = append(n.decl, p)
		}
	}
	gen := make([]string, 0, len(n.gen))
	for ns := range n.gen {
		gen = append(gen, ns)
	}
	sort.Strings(gen)
	i := 1
	for _, ns := range gen {
		p := "ns" + strconv.Itoa(i)
		for n.taken[p] {
			i++
			p = "ns" + strconv.Itoa(i)
		}
		i++
		n.taken[p] = true
		n.prefix[ns] = p
		n.decl = append(n.decl, vocab.Prefix{Prefix: p, NS: ns})
	}
}

// qname returns the QName of iri, which split and use have seen.
func (n *namespaces) qname(iri string) string {
	ns, local, _ := n.split(iri)
	return n.prefix[ns] + ":" + local
}
