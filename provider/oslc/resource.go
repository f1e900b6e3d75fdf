package oslc

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/shapes"
	"github.com/oslc-pm/pmprovider/vocab"
)

// readBody decodes the request body as RDF, with relative IRIs (and <>)
// resolved against base.
// The body is limited by Serve.
func (s *Server) readBody(r *http.Request, base string) ([]rdf.Triple, error) {
	f, mt, ok := requestFormat(r)
	if !ok {
		if mt == "" {
			return nil, Errorf(http.StatusUnsupportedMediaType, "header Content-Type", "a Content-Type is required; accepted are: %s", acceptedInput)
		}
		return nil, Errorf(http.StatusUnsupportedMediaType, "header Content-Type", "media type %q is not accepted; accepted are: %s", mt, acceptedInput)
	}
	// Read it whole first, so that an oversized body is told apart from a
	// malformed one.
	body, err := readAll(r)
	if err != nil {
		return nil, err
	}
	g, err := codec.DecodeBytes(body, f, base)
	if err != nil {
		return nil, err
	}
	if len(g) == 0 {
		return nil, Errorf(http.StatusBadRequest, "body", "the body holds no triples")
	}
	if len(g) > MaxTriples {
		return nil, Errorf(http.StatusRequestEntityTooLarge, "body", "the body holds %d triples; a write may hold at most %d", len(g), MaxTriples)
	}
	// What is stored must be servable in RDF/XML, the representation
	// every OSLC client can read and the default: a literal with a
	// character XML cannot hold, or a predicate with no QName, would make
	// every later GET of the resource fail.
	if err := codec.CheckRDFXML(g, &codec.Options{Prefixes: vocab.Prefixes}); err != nil {
		return nil, Errorf(http.StatusBadRequest, "body", "the body cannot be stored: RDF/XML, the representation OSLC clients read, cannot express it: %v", err)
	}
	return g, nil
}

// readAll reads r's body, in one allocation when it has a length.
func readAll(r *http.Request) ([]byte, error) {
	n := r.ContentLength
	if n <= 0 || n > 1<<20 {
		return io.ReadAll(r.Body)
	}
	// One byte more, to see the end (or what MaxBytesReader refuses).
	buf := make([]byte, 0, n+1)
	for {
		m, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			rest, err := io.ReadAll(r.Body)
			return append(buf, rest...), err
		}
	}
}

// MaxTriples bounds the triples of one write: a write holds the store's
// writer for a time in proportion to them (about 10 µs each).
const MaxTriples = 50000

const acceptedInput = "application/rdf+xml, text/turtle, application/ld+json, application/n-triples"

var lastID atomic.Int64

// newID returns a fresh resource id that sorts by creation time: 13 base-36
// digits of a strictly increasing nanosecond clock, then 4 random ones
// against collisions with ids minted before a restart.
func (s *Server) newID() string {
	n := s.now().UnixNano()
	for {
		last := lastID.Load()
		if n <= last {
			n = last + 1
		}
		if lastID.CompareAndSwap(last, n) {
			break
		}
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	return pad(strconv.FormatInt(n, 36), 13) + pad(strconv.FormatUint(uint64(binary.BigEndian.Uint32(rnd[:])%(36*36*36*36)), 36), 4)
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

// findRoot picks the resource a body describes: the subject named as want
// if present; else the only subject no other node refers to.
func findRoot(g []rdf.Triple, want rdf.IRI) (rdf.Subject, error) {
	subjects := make(map[codec.TermKey]rdf.Subject)
	var order []codec.TermKey
	referenced := make(map[codec.TermKey]bool)
	for _, t := range g {
		k := codec.KeyOf(t.Subj)
		if _, ok := subjects[k]; !ok {
			subjects[k] = t.Subj
			order = append(order, k)
		}
		if _, isLit := t.Obj.(rdf.Literal); !isLit {
			if ok := codec.KeyOf(t.Obj); ok != k {
				referenced[ok] = true
			}
		}
	}
	if s, ok := subjects[codec.KeyOf(want)]; ok {
		return s, nil
	}
	var roots []rdf.Subject
	for _, k := range order {
		if !referenced[k] {
			roots = append(roots, subjects[k])
		}
	}
	switch len(roots) {
	case 1:
		return roots[0], nil
	case 0:
		return nil, Errorf(http.StatusBadRequest, "body", "cannot tell which resource the body describes: every node is referred to by another; name it <> or %s", want)
	}
	var names []string
	for _, r := range roots {
		names = append(names, r.Serialize(rdf.NTriples))
	}
	return nil, Errorf(http.StatusBadRequest, "body", "the body describes %d unrelated resources (%s); send one resource, named <> or %s, with its nested nodes", len(roots), strings.Join(names, ", "), want)
}

// termKey is a string naming a term, for keys that are also text
// (contents); codec.KeyOf is the cheaper key where a string is not needed.
func termKey(t rdf.Term) string { return t.Serialize(rdf.NTriples) }

// is says whether t is id, as rdf.TermsEqual would, without formatting
// both.
func is(t rdf.Term, id rdf.IRI) bool {
	iri, ok := t.(rdf.IRI)
	return ok && iri == id
}

// relabel gives the resource at root the IRI id and its nested nodes IRIs
// within it: blank nodes become id#<prefix>N, and IRIs below oldRoot#
// move below id#. taken lists fragments already in use.
func relabel(g []rdf.Triple, root rdf.Subject, id rdf.IRI, prefix string, taken map[string]bool) []rdf.Triple {
	rootKey := codec.KeyOf(root)
	oldPrefix := ""
	if iri, ok := root.(rdf.IRI); ok {
		oldPrefix = strings.SplitN(iri.String(), "#", 2)[0] + "#"
	}
	nested := id.String() + "#"
	var idTerm rdf.Term = id // boxed once, not once per triple
	names := make(map[codec.TermKey]rdf.Term)
	n := 0
	mapTerm := func(t rdf.Term) rdf.Term {
		if _, isLit := t.(rdf.Literal); isLit {
			return t
		}
		k := codec.KeyOf(t)
		if k == rootKey {
			return idTerm
		}
		if v, ok := names[k]; ok {
			return v
		}
		switch t := t.(type) {
		case rdf.Blank:
			for {
				n++
				frag := prefix + strconv.Itoa(n)
				if !taken[frag] {
					taken[frag] = true
					v := rdf.Term(vocab.IRI(nested, frag))
					names[k] = v
					return v
				}
			}
		case rdf.IRI:
			if oldPrefix != "" && oldPrefix != "#" && strings.HasPrefix(t.String(), oldPrefix) && oldPrefix != nested {
				v := rdf.Term(vocab.IRI(nested, strings.TrimPrefix(t.String(), oldPrefix)))
				names[k] = v
				return v
			}
		}
		return t
	}
	out := make([]rdf.Triple, 0, len(g))
	for _, t := range g {
		out = append(out, rdf.Triple{
			Subj: mapTerm(t.Subj).(rdf.Subject),
			Pred: t.Pred,
			Obj:  mapTerm(t.Obj).(rdf.Object),
		})
	}
	return out
}

// checkSubjects refuses a body that states triples about a subject other
// than id and the nodes nested in it (after relabel, IRIs id#...): such
// triples would be stored and indexed as facts about a resource the
// client merely links to, which queries and search would then report.
func checkSubjects(g []rdf.Triple, id rdf.IRI) error {
	nested := id.String() + "#"
	for _, t := range g {
		if iri, ok := t.Subj.(rdf.IRI); ok && (iri == id || strings.HasPrefix(iri.String(), nested)) {
			continue
		}
		return Errorf(http.StatusBadRequest, "body", "the body states triples about %s, which is neither the resource written (%s) nor a node nested in it; describe only the resource and its nested nodes (blank nodes or <#fragment> IRIs), and link to other resources without describing them", t.Subj.Serialize(rdf.NTriples), id)
	}
	return nil
}

// serverProps returns the triples the provider manages on a resource.
func (s *Server) serverProps(id rdf.IRI, shape string, created, modified time.Time, ident string) []rdf.Triple {
	dt := func(t time.Time) rdf.Object {
		return rdf.NewTypedLiteral(t.UTC().Format("2006-01-02T15:04:05.000Z07:00"), vocab.XSDDateTime)
	}
	var subj rdf.Subject = id // each interface value boxes its term: once
	c := dt(created)
	m := c
	if !modified.Equal(created) {
		m = dt(modified)
	}
	return []rdf.Triple{
		{Subj: subj, Pred: predIdentifier, Obj: vocab.Str(ident)},
		{Subj: subj, Pred: predCreated, Obj: c},
		{Subj: subj, Pred: predModified, Obj: m},
		{Subj: subj, Pred: predServiceProvider, Obj: s.managed("/oslc/provider")},
		{Subj: subj, Pred: predInstanceShape, Obj: s.managed("/oslc/shapes/" + shape)},
	}
}

// The predicates of serverProps, boxed once.
var (
	predIdentifier      rdf.Predicate = vocab.DCIdentifier
	predCreated         rdf.Predicate = vocab.DCCreated
	predModified        rdf.Predicate = vocab.DCModified
	predServiceProvider rdf.Predicate = vocab.OSLCServiceProvider
	predInstanceShape   rdf.Predicate = vocab.OSLCInstanceShape
)

// managed returns the IRI of path, one of the few the server names on
// every resource it keeps, as an object made once.
func (s *Server) managed(path string) rdf.Object {
	if o, ok := s.managedIRIs.Load(path); ok {
		return o.(rdf.Object)
	}
	o, _ := s.managedIRIs.LoadOrStore(path, rdf.Object(s.iri(path)))
	return o.(rdf.Object)
}

func isServerManaged(k *Kind, pred string) bool {
	p := k.Shape.Property(pred)
	return p != nil && p.ServerManaged
}

// validate checks a resource's graph against its kind's shape and the
// measure shape for its measures, at most shapes.MaxMeasures of them.
func validate(k *Kind, id rdf.IRI, g []rdf.Triple) error {
	vs := shapes.CheckLiterals(g)
	vs = append(vs, k.Shape.ValidateWithMeasures(id, g)...)
	if len(vs) == 0 {
		return nil
	}
	var msgs []string
	for _, v := range vs {
		msgs = append(msgs, v.Error())
	}
	return Errorf(http.StatusBadRequest, "body", "the resource does not conform to its shape <%s>: %s", "/oslc/shapes/"+k.Shape.Name, strings.Join(msgs, "; "))
}

// readNew reads the resource a client POSTs to k's creation factory and
// gives it its IRI: nested nodes get IRIs inside it, values sent for
// server-managed properties are dropped and replaced, and k's implied type
// is added if the client gave none. A body that describes any other
// resource is refused (checkSubjects).
func (s *Server) readNew(r *http.Request, k *Kind) (id rdf.IRI, ident string, g []rdf.Triple, now time.Time, err error) {
	factory := s.iri(k.Path())
	g, err = s.readBody(r, factory.String())
	if err != nil {
		return id, "", nil, now, err
	}
	root, err := findRoot(g, factory)
	if err != nil {
		return id, "", nil, now, err
	}
	ident = s.newID()
	id = s.iri(k.Path() + "/" + ident)
	g = relabel(g, root, id, k.fragments, map[string]bool{})
	if err := checkSubjects(g, id); err != nil {
		return id, "", nil, now, err
	}
	kept := g[:0]
	hasType := false
	for _, t := range g {
		if is(t.Subj, id) {
			// Who made it is the authenticated principal (Create adds it),
			// never what the client says.
			if isServerManaged(k, t.Pred.String()) || t.Pred == vocab.DCCreator {
				continue
			}
			hasType = hasType || t.Pred == vocab.RDFType
		}
		kept = append(kept, t)
	}
	g = kept
	if !hasType && k.Implied != (rdf.IRI{}) {
		g = append(g, rdf.Triple{Subj: id, Pred: vocab.RDFType, Obj: k.Implied})
	}
	now = s.now()
	return id, ident, append(g, s.serverProps(id, k.Shape.Name, now, now, ident)...), now, nil
}

// Create answers POST on k's creation factory: 201 with the new member,
// its Location and ETag.
func (s *Server) Create(k *Kind) Handler {
	return func(r *http.Request) (*Response, error) {
		id, ident, g, now, err := s.readNew(r, k)
		if err != nil {
			return nil, err
		}
		g = append(g, rdf.Triple{Subj: id, Pred: vocab.DCCreator, Obj: vocab.Str(who(r))})
		g, etag, err := k.create(r.Context(), &newMember{id: id, ident: ident, g: g, now: now, who: who(r)})
		if err != nil {
			return nil, err
		}
		resp := &Response{Status: http.StatusCreated, Root: id, Graph: g, Title: Title(id, g), Header: http.Header{}}
		resp.Header.Set("Location", id.String())
		resp.Header.Set("ETag", etag)
		return resp, nil
	}
}

// Get answers GET on a member of k, with its ETag; oslc.properties
// selects some of its properties.
func (s *Server) Get(k *Kind) Handler {
	return func(r *http.Request) (*Response, error) {
		id := s.RequestIRI(r)
		uri := r.URL.RequestURI()
		var version uint64
		if s.version != nil {
			// Read before the store: a state read after it is as new.
			version = s.version()
			if resp := s.cachedMember(r, id, version, uri); resp != nil {
				return resp, nil
			}
		}
		g, etag, err := s.store.Get(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if s.version != nil {
			s.etags.put(id.String(), version, etag)
		}
		// The answer's representation has its own ETag, which writeGraph
		// sets and compares with If-None-Match (etag.go).
		h := http.Header{}
		h.Set("ETag", etag)
		if v := r.URL.Query().Get("oslc.properties"); v != "" {
			pm, err := prefixes(r.URL.Query())
			if err != nil {
				return nil, QueryError(err)
			}
			sel, err := parser.ParseProperties(v, pm)
			if err != nil {
				return nil, QueryError(err)
			}
			g = selectProperties(g, id, sel)
		}
		resp := ok(id, g, Title(id, g))
		resp.Header = h
		resp.cacheKey = func(rep representation) string { return memberKey(etag, rep, uri) }
		return resp, nil
	}
}

// Replace answers PUT on a member of k, which must name the ETag it
// replaces in If-Match. Read-only properties left out are kept, with the
// nodes nested in them (a record's measures), and so is the rdf:type when
// the body states none (mergeReadOnly). The body must describe the
// resource itself and may describe only it and its nested nodes
// (checkSubjects).
func (s *Server) Replace(k *Kind) Handler {
	return func(r *http.Request) (*Response, error) {
		ifMatch := r.Header.Get("If-Match")
		if ifMatch == "" {
			return nil, Errorf(http.StatusBadRequest, "header If-Match", "If-Match is required on PUT (OSLC Core): GET the resource and send its ETag")
		}
		id := s.RequestIRI(r)
		old, etag, err := s.store.Get(r.Context(), id)
		if err != nil {
			return nil, err
		}
		if !etagMatch(ifMatch, etag) {
			return nil, Errorf(http.StatusPreconditionFailed, "header If-Match", "the resource has changed: its ETag is %s, not %s; GET it again and retry", etag, ifMatch)
		}
		g, err := s.readBody(r, id.String())
		if err != nil {
			return nil, err
		}
		root, err := findRoot(g, id)
		if err != nil {
			return nil, err
		}
		// A POST may name the new resource as it likes, a PUT only as
		// the resource it replaces (or leave it unnamed): relabelling
		// another IRI to id would store a resource the client did not
		// describe.
		if iri, isIRI := root.(rdf.IRI); isIRI && iri != id {
			return nil, Errorf(http.StatusBadRequest, "body", "the body describes %s; a PUT must describe the resource it replaces, %s: name it <> or %[2]s", iri.Serialize(rdf.NTriples), id.Serialize(rdf.NTriples))
		}
		// Nested nodes the PUT leaves out are kept (mergeReadOnly): the
		// new ones must not take their names.
		taken := make(map[string]bool)
		for _, ts := range [][]rdf.Triple{old, g} {
			for _, t := range ts {
				if iri, ok := t.Subj.(rdf.IRI); ok {
					if frag, found := strings.CutPrefix(iri.String(), id.String()+"#"); found {
						taken[frag] = true
					}
				}
			}
		}
		g = relabel(g, root, id, k.fragments, taken)
		if err := checkSubjects(g, id); err != nil {
			return nil, err
		}
		g, conflict := mergeReadOnly(k, id, old, g, s.now())
		g = dedupe(g)
		if k.validate != nil {
			if err := k.validate(id, g); err != nil {
				return nil, err
			}
		}
		if conflict != nil {
			return nil, conflict
		}
		g, newTag, err := k.replace(r.Context(), id, g, ifMatch, who(r))
		if err != nil {
			return nil, err
		}
		resp := ok(id, g, Title(id, g))
		resp.Header = http.Header{}
		resp.Header.Set("ETag", newTag)
		return resp, nil
	}
}

// mergeReadOnly enforces read-only properties on a replacement: a value
// that differs from the stored one is a 409; one left out keeps the stored
// value. Values that are nodes nested in the resource (the measures of
// ems:observes) are compared by what they say, not by their names, to any
// depth: the nodes a PUT leaves out are kept with their triples, and the
// same nodes stated again (blank or named) keep their stored names. The
// rdf:type is kept when the PUT states none. dcterms:modified is renewed.
// The conflict is returned apart, so that the caller can report invalid
// input (400) before a conflict (409).
func mergeReadOnly(k *Kind, id rdf.IRI, old, g []rdf.Triple, now time.Time) (merged []rdf.Triple, conflict error) {
	oldNodes, newNodes := nestedNodes(old, id), nestedNodes(g, id)
	oldVals := make(map[string][]rdf.Object)
	oldTriples := make(map[string][]rdf.Triple)
	for _, t := range old {
		if rdf.TermsEqual(t.Subj, id) {
			p := t.Pred.String()
			oldVals[p] = append(oldVals[p], t.Obj)
			oldTriples[p] = append(oldTriples[p], t)
		}
	}
	newVals := make(map[string][]rdf.Object)
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) {
			newVals[t.Pred.String()] = append(newVals[t.Pred.String()], t.Obj)
		}
	}
	var kept []rdf.Triple
	// The creator is the principal who created it: no PUT changes it.
	kept = append(kept, oldTriples[vocab.DCCreator.String()]...)
	if len(newVals[vocab.RDFType.String()]) == 0 {
		kept = append(kept, oldTriples[vocab.RDFType.String()]...)
	}
	dropPred := map[string]bool{vocab.DCModified.String(): true, vocab.DCCreator.String(): true}
	dropNode := make(map[string]bool)
	for _, p := range k.Shape.Properties {
		if !p.ReadOnly || p.Definition == vocab.DCModified {
			continue
		}
		def := p.Definition.String()
		nv, ov := newVals[def], oldVals[def]
		if len(nv) == 0 {
			kept = append(kept, oldTriples[def]...)
			for _, n := range reach(oldNodes, ov) {
				kept = append(kept, oldNodes[n]...)
				// The body may restate what a kept node says, not
				// change it.
				if extra := missing(newNodes[n], oldNodes[n]); extra != nil && conflict == nil {
					conflict = Errorf(http.StatusConflict, "body", "%s is read-only: the PUT leaves it out but states %s, which %s does not say; leave the node out too, or state it as it is", p.Name, extra.Serialize(rdf.NTriples), n)
				}
				dropNode[n] = true
			}
			continue
		}
		nested := nestedIn(newNodes, nv) || nestedIn(oldNodes, ov)
		nc, oc := contents(newNodes, nv), contents(oldNodes, ov)
		if !sameSet(nc, oc) {
			// Nested nodes are part of the resource (a record's
			// measures): a PUT that states other ones replaces them, as
			// it replaces the rest of the resource.
			if !nested && conflict == nil {
				conflict = Errorf(http.StatusConflict, "body", "%s is read-only: it is %s and cannot be changed to %s", p.Name, orNone(oc), strings.Join(nc, ", "))
			}
			continue
		}
		if !nested {
			continue
		}
		// The same nodes: keep the stored ones, under their names.
		dropPred[def] = true
		for _, n := range reach(newNodes, nv) {
			dropNode[n] = true
		}
		kept = append(kept, oldTriples[def]...)
		for _, n := range reach(oldNodes, ov) {
			kept = append(kept, oldNodes[n]...)
		}
	}
	out := make([]rdf.Triple, 0, len(g)+len(kept)+1)
	for _, t := range g {
		if (rdf.TermsEqual(t.Subj, id) && dropPred[t.Pred.String()]) || dropNode[termKey(t.Subj)] {
			continue
		}
		out = append(out, t)
	}
	out = append(out, kept...)
	out = append(out, rdf.Triple{Subj: id, Pred: vocab.DCModified, Obj: rdf.NewTypedLiteral(now.UTC().Format("2006-01-02T15:04:05.000Z07:00"), vocab.XSDDateTime)})
	return out, conflict
}

// nestedNodes returns the triples of the nodes nested in resource id (all
// subjects of g but id), by termKey.
func nestedNodes(g []rdf.Triple, id rdf.IRI) map[string][]rdf.Triple {
	nodes := make(map[string][]rdf.Triple)
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			k := termKey(t.Subj)
			nodes[k] = append(nodes[k], t)
		}
	}
	return nodes
}

// missing returns a triple of ts that is not in of, or nil.
func missing(ts, of []rdf.Triple) *rdf.Triple {
	have := make(map[string]bool, len(of))
	for _, t := range of {
		have[t.Serialize(rdf.NTriples)] = true
	}
	for i := range ts {
		if !have[ts[i].Serialize(rdf.NTriples)] {
			return &ts[i]
		}
	}
	return nil
}

// nestedIn says whether any of vs is a node of nodes.
func nestedIn(nodes map[string][]rdf.Triple, vs []rdf.Object) bool {
	for _, v := range vs {
		if _, ok := nodes[termKey(v)]; ok {
			return true
		}
	}
	return false
}

// reach returns the keys of the nodes of nodes that vs are or lead to.
func reach(nodes map[string][]rdf.Triple, vs []rdf.Object) []string {
	var out []string
	seen := make(map[string]bool)
	var visit func(k string)
	visit = func(k string) {
		ts, ok := nodes[k]
		if !ok || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, k)
		for _, t := range ts {
			visit(termKey(t.Obj))
		}
	}
	for _, v := range vs {
		visit(termKey(v))
	}
	return out
}

// contents returns what each of vs says: a value that is a node of nodes
// is written as its sorted predicate-object pairs, nested nodes in turn,
// so that equal nodes under other names (blank or not) read the same;
// other values as themselves.
func contents(nodes map[string][]rdf.Triple, vs []rdf.Object) []string {
	var content func(k string, path map[string]bool) string
	content = func(k string, path map[string]bool) string {
		ts, ok := nodes[k]
		if !ok || path[k] {
			return k
		}
		path[k] = true
		defer delete(path, k)
		pairs := make([]string, 0, len(ts))
		for _, t := range ts {
			pairs = append(pairs, termKey(t.Pred)+" "+content(termKey(t.Obj), path))
		}
		sort.Strings(pairs)
		return "[ " + strings.Join(pairs, " ; ") + " ]"
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = content(termKey(v), make(map[string]bool))
	}
	return out
}

func orNone(v []string) string {
	if len(v) == 0 {
		return "unset"
	}
	return strings.Join(v, ", ")
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Delete answers DELETE on a member of k: 204. If-Match, if sent, must
// name its ETag.
func (s *Server) Delete(k *Kind) Handler {
	return func(r *http.Request) (*Response, error) {
		ifMatch := r.Header.Get("If-Match")
		if ifMatch == "*" {
			ifMatch = ""
		}
		if err := k.remove(r.Context(), s.RequestIRI(r), ifMatch, who(r)); err != nil {
			return nil, err
		}
		return &Response{Status: http.StatusNoContent, NoBody: true}, nil
	}
}

// dedupe removes repeated triples, keeping the first.
func dedupe(g []rdf.Triple) []rdf.Triple { return codec.Dedupe(g) }

// Title returns a resource's dcterms:title, or its IRI.
func Title(id rdf.IRI, g []rdf.Triple) string {
	for _, t := range g {
		if is(t.Subj, id) && t.Pred == vocab.DCTitle {
			return t.Obj.String()
		}
	}
	return id.String()
}
