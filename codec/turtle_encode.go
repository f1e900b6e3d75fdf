package codec

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Turtle and N-Triples are written with knakk/rdf, around these gaps in its
// encoder (knakk v0.0.0-20190304171630):
//
//   - It abbreviates rdf:type to "a" in every position, which is invalid
//     as a subject or object.
//   - It writes prefixed names without checking or escaping the local part
//     ("ex:a(b)", "ex:x.").
//   - It writes xsd:integer, decimal, double and boolean literals bare even
//     when the lexical form is not Turtle's number syntax ("abc", "1" as a
//     double, which would read back as an integer), and xsd:dateTime and
//     prefixed-datatype literals without escaping quotes or backslashes.
//   - It does not escape control characters in strings.
//   - It declares each prefix on first use, in the middle of the output,
//     which splits the statement about the current subject in two.
//   - Its EncodeAll sorts unstably and drops "duplicates" using TermsEqual,
//     which ignores literal datatypes ("1"^^xsd:int equals "1"^^xsd:long).
//
// So triples are deduplicated and fully sorted first and encoded one by
// one; the prefix declarations are moved to the top, and the statements
// they split joined again; and a triple knakk would get wrong is written by
// ttlWriter instead, into the statement about its subject.

// encodeTurtle writes g as Turtle.
func encodeTurtle(w io.Writer, g []rdf.Triple, opt *Options) error {
	g, err := prepare(g)
	if err != nil {
		return err
	}
	g = rootFirst(g, opt.root())
	prefixes := turtlePrefixes(opt.prefixes())
	t := &ttlWriter{ns: make(map[string]string, len(prefixes)), used: map[string]bool{}}
	for _, p := range prefixes {
		t.ns[p.NS] = p.Prefix
	}

	var kb bytes.Buffer
	enc := rdf.NewTripleEncoder(&kb, rdf.Turtle)
	enc.Namespaces = t.ns
	enc.GenerateNamespaces = false
	var own []rdf.Triple
	for _, tr := range g {
		if !knakkTurtleSafe(tr, t.ns) {
			own = append(own, tr)
			continue
		}
		if err := enc.Encode(tr); err != nil {
			return err
		}
	}
	if err := enc.Close(); err != nil {
		return err
	}
	stmts := t.parseKnakk(kb.String())
	bySubj := make(map[string]*ttlStmt, len(stmts))
	for _, st := range stmts {
		bySubj[st.subj] = st
	}
	for _, tr := range own {
		subj := t.text(tr.Subj, false)
		st := bySubj[subj]
		if st == nil {
			st = &ttlStmt{subj: subj}
			bySubj[subj] = st
			stmts = append(stmts, st)
		}
		st.add(t.text(tr.Pred, true), t.text(tr.Obj, false)+" .")
	}

	var b bytes.Buffer
	for _, p := range prefixes {
		if t.used[p.Prefix] {
			fmt.Fprintf(&b, "@prefix %s: <%s> .\n", p.Prefix, p.NS)
		}
	}
	for i, st := range stmts {
		if i > 0 || b.Len() > 0 {
			b.WriteByte('\n')
		}
		for _, ln := range st.lines {
			b.WriteString(ln)
			b.WriteByte('\n')
		}
	}
	_, err = w.Write(b.Bytes())
	return err
}

// ttlWriter writes the Turtle terms knakk cannot, and collects the
// statements knakk wrote.
type ttlWriter struct {
	ns   map[string]string // namespace → prefix
	used map[string]bool   // prefixes used
}

// A ttlStmt is the statement about one subject: lines in knakk's layout,
// "subject\tpredicate\tobject ;", "\tpredicate\tobject ,", "\t\t\tobject .".
type ttlStmt struct {
	subj  string
	lines []string
	pred  string // predicate of the last line
}

// add appends a predicate and an object, which ends with its separator
// (" ;", " ," or " .") as knakk writes it.
func (s *ttlStmt) add(pred, obj string) {
	if len(s.lines) == 0 {
		s.lines, s.pred = []string{s.subj + "\t" + pred + "\t" + obj}, pred
		return
	}
	last := strings.TrimSuffix(s.lines[len(s.lines)-1], " .")
	if pred == s.pred {
		s.lines[len(s.lines)-1] = last + " ,"
		s.lines = append(s.lines, "\t\t\t"+obj)
		return
	}
	s.lines[len(s.lines)-1] = last + " ;"
	s.lines = append(s.lines, "\t"+pred+"\t"+obj)
	s.pred = pred
}

// parseKnakk splits knakk's output into statements, taking out its
// "@prefix" lines and joining the statements they split. It relies on two
// properties of that output: line breaks inside literals are escaped, so
// every line starts a statement ("subject\tpredicate\tobject") or
// continues one (with a tab); and subjects and predicates hold no tabs.
func (t *ttlWriter) parseKnakk(out string) []*ttlStmt {
	var stmts []*ttlStmt
	for _, ln := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(ln, "@prefix "):
			name, _, _ := strings.Cut(strings.TrimPrefix(ln, "@prefix "), ":")
			t.used[name] = true
		case ln == "":
		case ln[0] == '\t':
			st := stmts[len(stmts)-1]
			st.lines = append(st.lines, ln)
			if p, _, _ := strings.Cut(ln[1:], "\t"); p != "" {
				st.pred = p
			}
		default:
			subj, rest, _ := strings.Cut(ln, "\t")
			pred, obj, _ := strings.Cut(rest, "\t")
			if n := len(stmts); n > 0 && stmts[n-1].subj == subj {
				stmts[n-1].add(pred, obj)
				continue
			}
			stmts = append(stmts, &ttlStmt{subj: subj, lines: []string{ln}, pred: pred})
		}
	}
	return stmts
}

// text returns the Turtle form of a term, as knakk would write it where
// knakk is right: prefixed names when the local part needs no escaping,
// numbers and booleans bare when their lexical form is Turtle's syntax.
func (t *ttlWriter) text(term rdf.Term, predicate bool) string {
	var b bytes.Buffer
	switch term := term.(type) {
	case rdf.IRI:
		return t.iri(term, predicate)
	case rdf.Literal:
		switch dt := term.DataType.String(); {
		case term.Lang() != "" || dt == xsdString:
		case (dt == xsdInteger || dt == xsdDecimal || dt == xsdDouble || dt == xsdBoolean) && turtleNumberOK(term.String(), dt):
			return term.String()
		default:
			writeNTTerm(&b, rdf.NewTypedLiteral(term.String(), newIRI(xsdString)))
			return b.String() + "^^" + t.iri(term.DataType, false)
		}
	}
	writeNTTerm(&b, term)
	return b.String()
}

func (t *ttlWriter) iri(i rdf.IRI, predicate bool) string {
	if predicate && i.String() == rdfType {
		return "a"
	}
	first, rest := i.Split()
	if p, ok := t.ns[first]; ok && first != "" && isPlainPNLocal(rest) {
		t.used[p] = true
		return p + ":" + rest
	}
	return "<" + i.String() + ">"
}

// encodeNTriples writes g as N-Triples, one triple a line, sorted.
func encodeNTriples(w io.Writer, g []rdf.Triple, opt *Options) error {
	g, err := prepare(g)
	if err != nil {
		return err
	}
	g = rootFirst(g, opt.root())
	var b bytes.Buffer
	for _, t := range g {
		if knakkNTSafe(t) {
			// What knakk's N-Triples TripleEncoder writes for each triple;
			// called directly to interleave with writeNTTriple.
			b.WriteString(t.Serialize(rdf.NTriples))
		} else {
			writeNTTriple(&b, t)
		}
	}
	_, err = w.Write(b.Bytes())
	return err
}

// rootFirst moves the triples about root to the front, keeping order.
func rootFirst(g []rdf.Triple, root rdf.Subject) []rdf.Triple {
	if root == nil {
		return g
	}
	k := KeyOf(root)
	out := make([]rdf.Triple, 0, len(g))
	for _, t := range g {
		if KeyOf(t.Subj) == k {
			out = append(out, t)
		}
	}
	for _, t := range g {
		if KeyOf(t.Subj) != k {
			out = append(out, t)
		}
	}
	return out
}

// turtlePrefixes returns the usable prefixes: valid PN_PREFIX names and
// valid namespace IRIs, first binding of each name and namespace wins.
func turtlePrefixes(ps []vocab.Prefix) []vocab.Prefix {
	var out []vocab.Prefix
	names, nss := map[string]bool{}, map[string]bool{}
	for _, p := range ps {
		if names[p.Prefix] || nss[p.NS] || !isPNPrefix(p.Prefix) || checkIRI(p.NS) != nil {
			continue
		}
		names[p.Prefix], nss[p.NS] = true, true
		out = append(out, p)
	}
	return out
}

// isPNPrefix reports whether s is "" or a PN_PREFIX.
func isPNPrefix(s string) bool {
	for i, r := range s {
		switch {
		case i == 0 && !isPNCharsBase(r):
			return false
		case r == '.' && i == len(s)-1, r != '.' && !isPNChars(r):
			return false
		}
	}
	return utf8.ValidString(s)
}

// isPlainPNLocal reports whether s can follow "prefix:" unescaped.
func isPlainPNLocal(s string) bool {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			w = 3
		case r == ':' || isPNCharsU(r) || r >= '0' && r <= '9':
		case i > 0 && (isPNChars(r) || r == '.' && i+w < len(s)):
		default:
			return false
		}
		i += w
	}
	return true
}

// knakkTurtleSafe reports whether knakk's Turtle encoder, with the given
// namespaces, writes t correctly.
func knakkTurtleSafe(t rdf.Triple, ns map[string]string) bool {
	iriOK := func(i rdf.IRI, predicate bool) bool {
		if i.String() == rdfType {
			return predicate
		}
		first, rest := i.Split()
		if _, ok := ns[first]; ok && first != "" {
			return isPlainPNLocal(rest)
		}
		return true
	}
	if s, ok := t.Subj.(rdf.IRI); ok && !iriOK(s, false) {
		return false
	}
	if !iriOK(t.Pred.(rdf.IRI), true) {
		return false
	}
	switch o := t.Obj.(type) {
	case rdf.IRI:
		return iriOK(o, false)
	case rdf.Literal:
		lex := o.String()
		switch dt := o.DataType.String(); dt {
		case xsdString, rdfLangString:
			return !hasControl(lex)
		case xsdInteger, xsdDecimal, xsdDouble, xsdBoolean:
			return turtleNumberOK(lex, dt)
		default:
			// Written with the lexical form unescaped when the datatype gets
			// a prefix, and for xsd:dateTime.
			first, rest := o.DataType.Split()
			_, prefixed := ns[first]
			if prefixed && first != "" && !isPlainPNLocal(rest) {
				return false
			}
			if prefixed && first != "" || dt == vocab.XSD+"dateTime" {
				return !strings.ContainsAny(lex, "\"\\\n\r") && !hasControl(lex)
			}
			return !hasControl(lex)
		}
	}
	return true
}

// knakkNTSafe reports whether knakk's N-Triples serialization of t is
// valid: it escapes only quotes, backslashes and line breaks.
func knakkNTSafe(t rdf.Triple) bool {
	if l, ok := t.Obj.(rdf.Literal); ok {
		return !hasControl(l.String())
	}
	return true
}

// hasControl reports whether s holds a control character other than tab,
// line feed and carriage return.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return true
		}
	}
	return false
}

// turtleNumberOK reports whether lex can be written bare for datatype dt:
// it must match Turtle's INTEGER, DECIMAL or BooleanLiteral, and be in the
// canonical form, as rdflib's parser re-lexicalizes bare numbers ("007"
// reads as "7"). Doubles are never written bare, for the same reason
// ("1.5E3" reads as "1500.0").
func turtleNumberOK(lex, dt string) bool {
	switch dt {
	case xsdBoolean:
		return lex == "true" || lex == "false"
	case xsdInteger:
		s := strings.TrimPrefix(lex, "-")
		return s != "" && allDigits(s) && (s == "0" && lex == "0" || s[0] != '0')
	case xsdDecimal:
		s := strings.TrimPrefix(lex, "-")
		i, f, ok := strings.Cut(s, ".")
		return ok && i != "" && f != "" && allDigits(i) && allDigits(f) && (i == "0" || i[0] != '0')
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// writeNTTriple writes t as an N-Triples line, which is also valid Turtle.
func writeNTTriple(b *bytes.Buffer, t rdf.Triple) {
	writeNTTerm(b, t.Subj)
	b.WriteByte(' ')
	writeNTTerm(b, t.Pred)
	b.WriteByte(' ')
	writeNTTerm(b, t.Obj)
	b.WriteString(" .\n")
}

func writeNTTerm(b *bytes.Buffer, t rdf.Term) {
	switch t := t.(type) {
	case rdf.IRI:
		b.WriteString("<" + t.String() + ">")
	case rdf.Blank:
		b.WriteString("_:" + blankLabel(t))
	case rdf.Literal:
		b.Write(literal.AppendQuoted(b.AvailableBuffer(), t.String()))
		switch dt := t.DataType.String(); {
		case t.Lang() != "":
			b.WriteString("@" + t.Lang())
		case dt != xsdString:
			b.WriteString("^^<" + dt + ">")
		}
	}
}
