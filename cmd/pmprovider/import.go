package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql"
	"github.com/oslc-pm/pmprovider/vocab"
)

// stdin is what "-" imports; tests replace it.
var stdin io.Reader = os.Stdin

const importUsage = `usage: pmprovider import [--data DIR | --store sparql --sparql-query URL ...] [--base-url URL] [--batch N] FILE...

Loads N-Triples (.nt, .ntriples; "-" is standard input) or Turtle (.ttl,
.turtle) into the store as they are: no shape validation, no
server-managed properties added. Triples are grouped into resources by
subject: <X#frag> belongs to resource <X>, a blank node to the resource
whose triple refers to it, and any other subject is a resource of its own.
A resource in the store is replaced by what the files say of it.

N-Triples is streamed; a Turtle file is read whole (at most 32 MiB).
Resources are written --batch at a time, one transaction each. On bad
input import stops at the first error, naming file:line; the batches
written before it stay in the store, the one being read is dropped.

Into an empty store (--bulk-build, the default), the batches leave out
the indexes by predicate and object, of text and of pairs, which import
builds at the end, in key order: a smaller store, loaded faster. Queries
see the resources once import is done; if it is killed before, the next
writable open of the store builds them.

`

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("pmprovider import", importUsage, stderr)
	dataDir := fs.String("data", "data", "`directory` of the embedded store")
	base := fs.String("base-url", "", "base `URL` for relative IRIs in Turtle (default: none, relative IRIs are errors)")
	batch := fs.Int("batch", 1000, "resources per transaction")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load to `file`")
	bulkBuild := fs.Bool("bulk-build", true, "into an empty store, build the indexes by predicate, of text and of pairs at the end, in key order; false: index each batch as it is written")
	bulk := fs.String("sparql-bulk", "", "with --store sparql, write instead the TriG `file` that the SPARQL store's own bulk loader loads into an empty store (Virtuoso: ld_dir and rdf_loader_run); needs no endpoint")
	var sc storeConfig
	addStoreFlags(fs, &sc)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bulk != "" {
		if sc.kind != "sparql" {
			return errors.New("import: --sparql-bulk writes for --store sparql: give --store sparql (and its --sparql-graph-prefix, if any)")
		}
		if sc.sparql.Endpoint.Query == "" {
			sc.sparql.Endpoint.Query = "-" // not used
		}
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("import: no FILE given (- reads N-Triples from standard input)")
	}
	if *batch < 1 {
		return fmt.Errorf("import: --batch %d: want at least 1", *batch)
	}
	if *base != "" {
		if _, err := rdf.NewIRI(*base); err != nil || !strings.Contains(*base, ":") {
			return fmt.Errorf("import: --base-url %q: want an absolute IRI", *base)
		}
	}
	for _, name := range fs.Args() {
		if _, err := importFormat(name); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if err := sc.check(); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	var (
		db       loader
		building *store.DB // in a bulk load: EndBulk at the end
	)
	if *bulk != "" {
		f, err := os.Create(*bulk)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		opt := sc.sparql
		opt.TextPredicates = query.TextPredicates()
		tw := &trigLoader{bw: sparql.NewBulkWriter(f, opt), f: f}
		defer tw.abandon() // unless closed: half a file must not be loaded
		db = tw
	} else if sc.kind == "sparql" {
		sdb, err := openSPARQLDB(ctx, sc)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		db = sdb
	} else {
		bdb, err := openStore(*dataDir, false)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer bdb.Close()
		db = bdb
		if *bulkBuild {
			ok, err := bdb.BeginBulk(ctx)
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			if ok {
				building = bdb
				// Build what was loaded if import stops early; a
				// canceled ctx leaves that to the store's next open.
				defer func() {
					if building != nil {
						_ = building.EndBulk(ctx)
					}
				}()
			}
		}
	}

	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer stopProfile()
	imp := newImporter(ctx, db, *batch, stderr)
	for i, name := range fs.Args() {
		if err := imp.file(i, name, *base); err != nil {
			err = errors.Join(err, imp.wait())
			imp.stopped()
			return fmt.Errorf("import: %w", err)
		}
	}
	if err := imp.finish(); err != nil {
		err = errors.Join(err, imp.wait())
		imp.stopped()
		return fmt.Errorf("import: %w", err)
	}
	if building != nil {
		start := time.Now()
		// The build's sorters hold up to ~100 MB live: a collection at
		// half the default growth keeps its heap under 200 MB (peak
		// 183 MB at a million records, measured with GOGC=50).
		gc := debug.SetGCPercent(50)
		err := building.EndBulk(ctx)
		debug.SetGCPercent(gc)
		building = nil
		if err != nil {
			return fmt.Errorf("import: build the indexes: %w", err)
		}
		fmt.Fprintf(stderr, "import: built the indexes by predicate, of text and of pairs in %s\n", time.Since(start).Round(time.Millisecond))
	}
	if tw, ok := db.(*trigLoader); ok {
		if err := tw.close(); err != nil {
			return fmt.Errorf("import: %s: %w", *bulk, err)
		}
		fmt.Fprintf(stderr, "import: wrote %s: load it into an empty store with the store's bulk loader; the provider's next start syncs the change log\n", *bulk)
	}
	el := time.Since(imp.start)
	fmt.Fprintf(stderr, "import: loaded %d resources (%d records), %d triples from %d files in %s: %s records/s, %s resources/s, %s triples/s\n",
		imp.resources, imp.records, imp.triples, fs.NArg(), el.Round(time.Millisecond),
		rate(imp.records, el), rate(imp.resources, el), rate(imp.triples, el))
	return nil
}

// openStore opens the store in dir, creating dir unless readOnly.
func openStore(dir string, readOnly bool) (*store.DB, error) {
	if dir == "" {
		return nil, errors.New("--data: want a directory")
	}
	path := filepath.Join(dir, "pm.db")
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no store in %s: %w", dir, err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	db, err := store.Open(path, storeOptions(store.Options{Timeout: 2 * time.Second, ReadOnly: readOnly}))
	if err != nil {
		return nil, fmt.Errorf("open store in %s (is a server using it?): %w", dir, err)
	}
	return db, nil
}

// importFormat picks the format of a file by its name.
func importFormat(name string) (codec.Format, error) {
	if name == "-" {
		return codec.NTriples, nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".nt", ".ntriples":
		return codec.NTriples, nil
	case ".ttl", ".turtle":
		return codec.Turtle, nil
	}
	return 0, fmt.Errorf("%s: unknown extension: want .nt or .ntriples (N-Triples), .ttl or .turtle (Turtle)", name)
}

// rate formats n per el.
func rate(n int64, el time.Duration) string {
	if el <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(n)/el.Seconds())
}

// importer groups a stream of triples into resources and loads them in
// batches.
type importer struct {
	ctx       context.Context
	db        loader
	batchSize int
	log       io.Writer

	batch    []*store.Resource
	pending  map[string]*store.Resource // resources of batch by IRI
	reopened map[string]bool            // resources of batch that an earlier batch loaded
	loaded   map[uint64]struct{}        // hashes of the IRIs earlier batches loaded
	seed     maphash.Seed

	// Blank nodes of the current file: the resource each belongs to (for
	// the current batch), and triples about those not yet referred to.
	owner   map[string]string
	orphans map[string][]located
	fileNo  int

	// The batch being written while the next one is read, if any.
	writing *batchLoad

	start                       time.Time
	lastReport                  time.Time
	resources, records, triples int64 // written, not counting writing
}

// A batchLoad is a batch being written: import reads the next batch on
// one core while the store writes this one on the other.
type batchLoad struct {
	done                        chan error
	first, last                 rdf.IRI
	resources, records, triples int64
}

// located is a triple with where it was read.
type located struct {
	t   rdf.Triple
	pos position
}

// position is where a triple was read: a file and, for N-Triples, a line.
type position struct {
	file string
	line int
}

func (p position) String() string {
	if p.line == 0 {
		return p.file
	}
	return fmt.Sprintf("%s:%d", p.file, p.line)
}

// loader is the store import writes to: the bbolt store or a SPARQL
// store (--store sparql), a batch per Load.
type loader interface {
	Get(ctx context.Context, id rdf.IRI) ([]rdf.Triple, string, error)
	Load(ctx context.Context, rs []store.Resource) error
}

func newImporter(ctx context.Context, db loader, batchSize int, log io.Writer) *importer {
	now := time.Now()
	return &importer{
		ctx: ctx, db: db, batchSize: batchSize, log: log,
		pending:  map[string]*store.Resource{},
		reopened: map[string]bool{},
		loaded:   map[uint64]struct{}{},
		seed:     maphash.MakeSeed(),
		owner:    map[string]string{},
		orphans:  map[string][]located{},
		start:    now, lastReport: now,
	}
}

// file imports one file; i numbers it, to keep blank nodes apart.
func (imp *importer) file(i int, name, base string) error {
	f, err := importFormat(name)
	if err != nil {
		return err
	}
	var r io.Reader
	display := "<stdin>"
	if name == "-" {
		r = stdin
	} else {
		fh, err := os.Open(name)
		if err != nil {
			return err
		}
		defer fh.Close()
		r, display = fh, name
	}
	imp.fileNo = i
	if f == codec.Turtle {
		g, err := codec.Decode(r, codec.Turtle, base)
		if errors.Is(err, codec.ErrTooLarge) {
			return fmt.Errorf("%s: %w (Turtle is read whole: convert it to N-Triples, which is streamed)", display, err)
		}
		if err != nil {
			return posError(display, 0, err)
		}
		for _, t := range g {
			if b, ok := t.Subj.(rdf.Blank); ok {
				t.Subj = imp.blank(b.String())
			}
			if b, ok := t.Obj.(rdf.Blank); ok {
				t.Obj = imp.blank(b.String())
			}
			if err := imp.add(t, position{file: display}); err != nil {
				return err
			}
		}
		return imp.endFile()
	}
	if err := imp.ntriples(r, display); err != nil {
		return err
	}
	return imp.endFile()
}

// posError puts file:line in front of a decoding error.
func posError(name string, lineOffset int, err error) error {
	var se *codec.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		if se.Column > 0 {
			msg = fmt.Sprintf("column %d: %s", se.Column, se.Msg)
		}
		return fmt.Errorf("%s:%d: %s syntax error: %s", name, lineOffset+se.Line, se.Format, msg)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// Chunks of N-Triples decoded at once: the codec reads whole documents.
const (
	chunkLines = 8192
	chunkBytes = 1 << 20
)

// ntriples streams an N-Triples document: it decodes it a chunk of whole
// lines at a time and maps each triple back to its line.
func (imp *importer) ntriples(r io.Reader, name string) error {
	br := bufio.NewReaderSize(r, 256<<10)
	var (
		chunk     []byte
		lines     []int // line number of each triple line in chunk
		starts    []int // its offset in chunk
		firstLine = 1   // line number of chunk's first line
		line      = 0
		long      []byte
	)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := imp.decodeChunk(chunk, lines, starts, name, firstLine-1); err != nil {
			return err
		}
		chunk, lines, starts = chunk[:0], lines[:0], starts[:0]
		firstLine = line + 1
		return nil
	}
	for {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], b...)
			for errors.Is(err, bufio.ErrBufferFull) {
				b, err = br.ReadSlice('\n')
				long = append(long, b...)
			}
			b = long
		}
		if len(b) > 0 {
			line++
			if isTripleLine(b) {
				lines = append(lines, line)
				starts = append(starts, len(chunk))
			}
			chunk = append(chunk, b...)
			if b[len(b)-1] != '\n' {
				chunk = append(chunk, '\n')
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, line+1, err)
		}
		if len(lines) >= chunkLines || len(chunk) >= chunkBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// isTripleLine reports whether an N-Triples line holds a triple: it is not
// blank and not a comment.
func isTripleLine(b []byte) bool {
	b = bytes.TrimLeft(b, " \t")
	return len(b) > 0 && b[0] != '#' && b[0] != '\n' && b[0] != '\r'
}

// decodeChunk decodes whole N-Triples lines; lines has the line number of
// each line that holds a triple, starts its offset in chunk.
func (imp *importer) decodeChunk(chunk []byte, lines, starts []int, name string, lineOffset int) error {
	g, err := codec.Decode(bytes.NewReader(chunk), codec.NTriples, "")
	if err != nil {
		// Take in the lines before the bad one, so that what import
		// keeps does not depend on where chunks end.
		var se *codec.SyntaxError
		if errors.As(err, &se) && se.Line > 1 {
			prefix := chunk[:lineStart(chunk, se.Line)]
			n := 0
			for n < len(lines) && lines[n]-lineOffset < se.Line {
				n++
			}
			if perr := imp.decodeChunk(prefix, lines[:n], starts[:n], name, lineOffset); perr != nil {
				return perr
			}
		}
		return posError(name, lineOffset, err)
	}
	if len(g) != len(lines) {
		return fmt.Errorf("%s:%d-%d: %d triples on %d lines: want one triple a line, lines ending in LF or CRLF",
			name, lineOffset+1, lineOffset+bytes.Count(chunk, []byte("\n")), len(g), len(lines))
	}
	// The codec labels blank nodes b0, b1... per document: put back the
	// labels of the file, which hold across chunks.
	labels := map[string]string{}
	for j, t := range g {
		_, sb := t.Subj.(rdf.Blank)
		_, ob := t.Obj.(rdf.Blank)
		if sb || ob {
			text := chunk[starts[j]:]
			if i := bytes.IndexByte(text, '\n'); i >= 0 {
				text = text[:i]
			}
			s, o := ntBlankLabels(text)
			if sb {
				labels[t.Subj.String()] = s
			}
			if ob {
				labels[t.Obj.String()] = o
			}
		}
	}
	for j, t := range g {
		if b, ok := t.Subj.(rdf.Blank); ok {
			t.Subj = imp.blank(labels[b.String()])
		}
		if b, ok := t.Obj.(rdf.Blank); ok {
			t.Obj = imp.blank(labels[b.String()])
		}
		if err := imp.add(t, position{name, lines[j]}); err != nil {
			return err
		}
	}
	return nil
}

// lineStart returns the offset of line n (1-based) in chunk.
func lineStart(chunk []byte, n int) int {
	off := 0
	for ; n > 1; n-- {
		i := bytes.IndexByte(chunk[off:], '\n')
		if i < 0 {
			return len(chunk)
		}
		off += i + 1
	}
	return off
}

// ntBlankLabels returns the labels of the blank subject and object of a
// well-formed N-Triples line, "" where the term is not a blank node.
func ntBlankLabels(line []byte) (subj, obj string) {
	s := string(bytes.TrimLeft(line, " \t"))
	label := func() string {
		i := 2
		for i < len(s) && !strings.ContainsRune(" \t\r\n<\"#", rune(s[i])) {
			i++
		}
		l := strings.TrimRight(s[2:i], ".")
		s = s[len("_:")+len(l):]
		return l
	}
	skipIRI := func() {
		if i := strings.IndexByte(s, '>'); i >= 0 {
			s = s[i+1:]
		}
	}
	if strings.HasPrefix(s, "_:") {
		subj = label()
	} else {
		skipIRI()
	}
	s = strings.TrimLeft(s, " \t")
	skipIRI() // the predicate
	s = strings.TrimLeft(s, " \t")
	if strings.HasPrefix(s, "_:") {
		obj = label()
	}
	return subj, obj
}

// blank returns the blank node of a file label, kept apart from those of
// other files.
func (imp *importer) blank(label string) rdf.Blank {
	b, err := rdf.NewBlank(fmt.Sprintf("f%d_%s", imp.fileNo, label))
	if err != nil {
		panic(err) // labels are never empty
	}
	return b
}

// resourceOf returns the IRI of the resource an IRI subject belongs to.
func resourceOf(s rdf.IRI) string {
	id := s.String()
	if i := strings.IndexByte(id, '#'); i >= 0 {
		return id[:i]
	}
	return id
}

// add files one triple under its resource.
func (imp *importer) add(t rdf.Triple, pos position) error {
	var res string
	switch s := t.Subj.(type) {
	case rdf.IRI:
		res = resourceOf(s)
	case rdf.Blank:
		o, ok := imp.owner[s.String()]
		if !ok {
			imp.orphans[s.String()] = append(imp.orphans[s.String()], located{t, pos})
			return nil
		}
		res = o
	default:
		return fmt.Errorf("%s: unexpected subject %v", pos, t.Subj)
	}
	r, err := imp.resource(res, pos)
	if err != nil {
		return err
	}
	r.Triples = append(r.Triples, t)
	if b, ok := t.Obj.(rdf.Blank); ok {
		return imp.adopt(b.String(), r, pos)
	}
	return nil
}

// adopt makes blank node label part of resource r, with the triples about
// it read so far.
func (imp *importer) adopt(label string, r *store.Resource, pos position) error {
	res := r.ID.String()
	if o, ok := imp.owner[label]; ok {
		if o != res {
			return fmt.Errorf("%s: blank node _:%s is referred to from two resources, <%s> and <%s>; the store scopes a blank node to one resource", pos, strings.TrimPrefix(label, fmt.Sprintf("f%d_", imp.fileNo)), o, res)
		}
		return nil
	}
	imp.owner[label] = res
	waiting := imp.orphans[label]
	delete(imp.orphans, label)
	for _, l := range waiting {
		r.Triples = append(r.Triples, l.t)
		if b, ok := l.t.Obj.(rdf.Blank); ok {
			if err := imp.adopt(b.String(), r, l.pos); err != nil {
				return err
			}
		}
	}
	return nil
}

// resource returns the pending resource res, starting it (and, when the
// batch is full, a new batch) if needed.
func (imp *importer) resource(res string, pos position) (*store.Resource, error) {
	if r, ok := imp.pending[res]; ok {
		return r, nil
	}
	if len(imp.batch) >= imp.batchSize {
		if err := imp.flush(); err != nil {
			return nil, err
		}
	}
	id, err := rdf.NewIRI(res)
	if err != nil {
		return nil, fmt.Errorf("%s: subject <%s>: %v", pos, res, err)
	}
	r := &store.Resource{ID: id}
	imp.pending[res] = r
	imp.batch = append(imp.batch, r)
	if _, ok := imp.loaded[maphash.String(imp.seed, res)]; ok {
		imp.reopened[res] = true
	}
	return r, nil
}

// flush starts writing the batch, once the one before it is written. A
// resource an earlier batch loaded (its triples were not together in the
// input) gets the new triples added to the stored ones.
func (imp *importer) flush() error {
	if len(imp.batch) == 0 {
		return nil
	}
	if len(imp.reopened) > 0 {
		// Read what earlier batches wrote only once they are written.
		if err := imp.wait(); err != nil {
			return err
		}
	}
	rs := make([]store.Resource, len(imp.batch))
	l := &batchLoad{done: make(chan error, 1)}
	for i, r := range imp.batch {
		l.triples += int64(len(r.Triples))
		if imp.reopened[r.ID.String()] {
			old, _, err := imp.db.Get(imp.ctx, r.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			wasRecord := isRecord(&store.Resource{ID: r.ID, Triples: old})
			r.Triples = append(old, r.Triples...)
			if !wasRecord && isRecord(r) {
				l.records++
			}
		} else {
			l.resources++
			if isRecord(r) {
				l.records++
			}
		}
		rs[i] = *r
	}
	l.first, l.last = rs[0].ID, rs[len(rs)-1].ID
	if err := imp.wait(); err != nil {
		return err
	}
	go func() { l.done <- imp.db.Load(imp.ctx, rs) }()
	imp.writing = l
	for _, r := range rs {
		imp.loaded[maphash.String(imp.seed, r.ID.String())] = struct{}{}
	}
	imp.batch = imp.batch[:0]
	clear(imp.pending)
	clear(imp.reopened)
	clear(imp.owner)
	return nil
}

// wait waits until the batch being written, if any, is written, and
// counts it.
func (imp *importer) wait() error {
	l := imp.writing
	if l == nil {
		return nil
	}
	imp.writing = nil
	if err := <-l.done; err != nil {
		return fmt.Errorf("load the batch of %s to %s: %w", l.first, l.last, err)
	}
	imp.resources += l.resources
	imp.records += l.records
	imp.triples += l.triples
	if now := time.Now(); now.Sub(imp.lastReport) >= 2*time.Second {
		imp.lastReport = now
		el := now.Sub(imp.start)
		fmt.Fprintf(imp.log, "import: %d resources (%d records), %d triples, %s: %s records/s, %s triples/s\n",
			imp.resources, imp.records, imp.triples, el.Round(time.Second), rate(imp.records, el), rate(imp.triples, el))
	}
	return nil
}

func isRecord(r *store.Resource) bool {
	for _, t := range r.Triples {
		s, _ := t.Subj.(rdf.IRI)
		o, _ := t.Obj.(rdf.IRI)
		if s == r.ID && t.Pred == vocab.RDFType && o == vocab.PMRecord {
			return true
		}
	}
	return false
}

// endFile checks that every blank node of the file belongs to a resource.
func (imp *importer) endFile() error {
	for label, ts := range imp.orphans {
		return fmt.Errorf("%s: blank node _:%s is not referred to from any resource (or only from one loaded before it appeared: keep a resource's triples together)",
			ts[0].pos, strings.TrimPrefix(label, fmt.Sprintf("f%d_", imp.fileNo)))
	}
	clear(imp.owner)
	return nil
}

// finish loads what is pending.
func (imp *importer) finish() error {
	if err := imp.endFile(); err != nil {
		return err
	}
	if err := imp.flush(); err != nil {
		return err
	}
	return imp.wait()
}

// stopped tells what stayed in the store after an error.
func (imp *importer) stopped() {
	fmt.Fprintf(imp.log, "import: stopped; the %d resources (%d triples) loaded before the error stay in the store\n", imp.resources, imp.triples)
}

// trigLoader is import's loader with --sparql-bulk: it writes the
// resources as TriG for a bulk loader.
type trigLoader struct {
	bw *sparql.BulkWriter
	f  *os.File // nil once written whole
}

// Get reports that a resource was loaded before: a bulk file holds each
// resource once.
func (t *trigLoader) Get(ctx context.Context, id rdf.IRI) ([]rdf.Triple, string, error) {
	return nil, "", fmt.Errorf("<%s>: its triples are not together in the input, which --sparql-bulk needs: sort the input by subject", id)
}

func (t *trigLoader) Load(ctx context.Context, rs []store.Resource) error {
	return t.bw.Write(rs)
}

func (t *trigLoader) close() error {
	err := t.bw.Flush()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		t.f = nil
	}
	return err
}

// abandon removes the file unless close wrote it whole.
func (t *trigLoader) abandon() {
	if t.f != nil {
		t.f.Close()
		os.Remove(t.f.Name())
	}
}
