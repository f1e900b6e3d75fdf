package codec

import (
	"encoding/xml"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	*conventions                   // shared, read-only
	prefix       map[string]string // namespace → prefix, for namespaces in use
	genTaken     map[string]bool   // generated prefixes
	gen          map[string]bool   // namespaces needing a generated prefix
	decl         []vocab.Prefix    // declarations, after assign
}

// conventions are what namespaces draws from a list of conventional
// prefixes: it depends on the list alone, so encodings with the same list
// share it (lastConventions), with what split found.
type conventions struct {
	from  []vocab.Prefix  // the list, as given
	known []vocab.Prefix  // usable conventional prefixes, longest namespace first
	order []vocab.Prefix  // conventional prefixes in declaration order
	taken map[string]bool // conventional prefixes
	// splits caches split1, up to maxSplits IRIs: a graph's predicates
	// and types are mostly the same few dozen.
	splits sync.Map // IRI → qnParts
	nsplit atomic.Int64
}

const maxSplits = 4096

type qnParts struct {
	ns, local string
	ok        bool
}

// lastConventions are the conventions of the last prefix list seen:
// nearly every encoding uses vocab.Prefixes.
var lastConventions atomic.Pointer[conventions]

// newNamespaces filters the conventional prefixes: invalid names, "xml"
// names and duplicates are dropped; "rdf" is always the RDF namespace.
func newNamespaces(ps []vocab.Prefix) *namespaces {
	c := lastConventions.Load()
	if c == nil || !slices.Equal(c.from, ps) {
		c = newConventions(ps)
		lastConventions.Store(c)
	}
	return &namespaces{conventions: c, prefix: map[string]string{}}
}

func newConventions(ps []vocab.Prefix) *conventions {
	c := &conventions{from: slices.Clone(ps), taken: map[string]bool{}}
	ps = append([]vocab.Prefix{{Prefix: "rdf", NS: vocab.RDF}}, ps...)
	seenNS := map[string]bool{}
	for _, p := range ps {
		if !isWritableName(p.Prefix) || strings.HasPrefix(strings.ToLower(p.Prefix), "xml") ||
			p.NS == "" || c.taken[p.Prefix] || seenNS[p.NS] || p.NS == xmlNS || p.NS == xmlnsNS || firstNonXMLChar(p.NS) >= 0 {
			continue
		}
		c.taken[p.Prefix], seenNS[p.NS] = true, true
		c.order = append(c.order, p)
	}
	c.known = append([]vocab.Prefix(nil), c.order...)
	sort.SliceStable(c.known, func(i, j int) bool { return len(c.known[i].NS) > len(c.known[j].NS) })
	return c
}

// split splits an IRI into a namespace and an NCName local part: after
// the longest conventional namespace it starts with, else at the last '#'
// or '/', else at the start of the longest NCName suffix.
func (c *conventions) split(iri string) (ns, local string, ok bool) {
	if q, hit := c.splits.Load(iri); hit {
		q := q.(*qnParts)
		return q.ns, q.local, q.ok
	}
	ns, local, ok = c.split1(iri)
	if c.nsplit.Load() < maxSplits {
		if _, loaded := c.splits.LoadOrStore(iri, &qnParts{ns, local, ok}); !loaded {
			c.nsplit.Add(1)
		}
	}
	return ns, local, ok
}

func (c *conventions) split1(iri string) (string, string, bool) {
	for _, p := range c.known {
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
	if _, ok := n.prefix[ns]; ok || n.gen[ns] {
		return
	}
	for _, p := range n.order {
		if p.NS == ns {
			n.prefix[ns] = p.Prefix
			return
		}
	}
	if n.gen == nil {
		n.gen = map[string]bool{}
	}
	n.gen[ns] = true
}

// used says whether namespace ns appears in a QName.
func (n *namespaces) used(ns string) bool {
	_, ok := n.prefix[ns]
	return ok || n.gen[ns]
}

// assign generates prefixes ns1, ns2, ... for the other namespaces in use,
// in namespace order, and lists the declarations: conventional prefixes in
// their order, then generated ones.
func (n *namespaces) assign() {
	n.decl = make([]vocab.Prefix, 0, len(n.prefix)+len(n.gen))
	for _, p := range n.order {
		if n.used(p.NS) {
			n.decl = append(n.decl, p)
		}
	}
	if len(n.gen) == 0 {
		return
	}
	n.genTaken = map[string]bool{}
	gen := make([]string, 0, len(n.gen))
	for ns := range n.gen {
		gen = append(gen, ns)
	}
	sort.Strings(gen)
	i := 1
	for _, ns := range gen {
		p := "ns" + strconv.Itoa(i)
		for n.taken[p] || n.genTaken[p] {
			i++
			p = "ns" + strconv.Itoa(i)
		}
		i++
		n.genTaken[p] = true
		n.prefix[ns] = p
		n.decl = append(n.decl, vocab.Prefix{Prefix: p, NS: ns})
	}
}
