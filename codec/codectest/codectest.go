// Package codectest checks RDF documents against parsers we did not write:
// Python rdflib and Raptor's rapper. Tests of any package can use it for
// end-to-end interop checks of what the server sends.
//
// Each check returns a canonical form: the graph as N-Triples, blank nodes
// relabelled canonically by rdflib.compare.to_canonical_graph, lines
// sorted, so two forms are equal exactly when the graphs are isomorphic.
// Lexical forms are compared as written; language tags are lowercased
// (RDF 1.1 compares them case-insensitively, JSON-LD processors lowercase
// them) and "x"^^xsd:string is "x".
//
// The work is done by testdata/interop/rdfcanon.py in the module root,
// run with /usr/bin/python3 (Debian's python3-rdflib), and by
// /usr/bin/rapper (raptor2-utils). When either is missing the test fails:
// interop is not optional. Each Python run costs about half a second, so
// use Batch to canonicalize many documents at once.
package codectest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/knakk/rdf"
)

// Tools used. Python is Debian's, not whatever python3 is first on PATH.
const (
	PythonPath = "/usr/bin/python3"
	RapperPath = "/usr/bin/rapper"
)

// A Job is one document for Batch to canonicalize.
type Job struct {
	Name      string // for failure messages
	Data      []byte
	MediaType string // format of Data
	Base      string // base IRI of the document
	// UseRapper makes rapper parse Data (RDF/XML, Turtle or N-Triples),
	// and rdflib read rapper's N-Triples.
	UseRapper bool
}

// RDFLibJob returns a job for rdflib to parse data.
func RDFLibJob(name string, data []byte, mediaType, base string) Job {
	return Job{Name: name, Data: data, MediaType: mediaType, Base: base}
}

// RapperJob returns a job for rapper to parse data.
func RapperJob(name string, data []byte, mediaType, base string) Job {
	return Job{Name: name, Data: data, MediaType: mediaType, Base: base, UseRapper: true}
}

// GraphJob returns a job for our own triples, written as N-Triples by this
// package's minimal writer (not the codec's), so the reference does not
// depend on the code under test.
func GraphJob(name string, g []rdf.Triple) Job {
	return Job{Name: name, Data: NTriples(g), MediaType: "application/n-triples"}
}

// RDFLib returns the canonical form of data parsed by rdflib.
func RDFLib(t testing.TB, data []byte, mediaType, base string) string {
	t.Helper()
	return Batch(t, RDFLibJob("rdflib", data, mediaType, base))[0]
}

// Rapper returns the canonical form of data parsed by rapper (then
// canonicalized with rdflib).
func Rapper(t testing.TB, data []byte, mediaType, base string) string {
	t.Helper()
	return Batch(t, RapperJob("rapper", data, mediaType, base))[0]
}

// Canonical returns the canonical form of our own triples, for comparison
// with RDFLib and Rapper.
func Canonical(t testing.TB, g []rdf.Triple) string {
	t.Helper()
	return Batch(t, GraphJob("graph", g))[0]
}

// Batch returns the canonical forms of all jobs, running rdflib once. It
// fails the test if a tool is missing or a document does not parse.
func Batch(t testing.TB, jobs ...Job) []string {
	t.Helper()
	ins := make([]batchIn, len(jobs))
	for i, j := range jobs {
		data, mt := j.Data, j.MediaType
		if j.UseRapper {
			data, mt = rapper(t, j), "application/n-triples"
		}
		ins[i] = batchIn{Data: string(data), Format: mt, Base: j.Base}
	}
	outs := runBatch(t, ins)
	res := make([]string, len(jobs))
	for i, o := range outs {
		if o.NT == nil {
			t.Fatalf("codectest: job %q: rdflib cannot parse the %s document: %s\n%s", jobs[i].Name, ins[i].Format, o.Error, excerpt(ins[i].Data))
		}
		res[i] = *o.NT
	}
	return res
}

// RDFLibWrite returns g serialized by rdflib in each of the media types,
// running rdflib once.
func RDFLibWrite(t testing.TB, g []rdf.Triple, mediaTypes ...string) [][]byte {
	t.Helper()
	cs := make([]Conversion, len(mediaTypes))
	for i, mt := range mediaTypes {
		cs[i] = Conversion{G: g, MediaType: mt}
	}
	return RDFLibConvert(t, cs...)
}

// A Conversion asks rdflib to write graph G in MediaType.
type Conversion struct {
	G         []rdf.Triple
	MediaType string
}

// RDFLibConvert returns each graph as rdflib writes it, running rdflib
// once.
func RDFLibConvert(t testing.TB, cs ...Conversion) [][]byte {
	t.Helper()
	ins := make([]batchIn, len(cs))
	for i, c := range cs {
		ins[i] = batchIn{Data: string(NTriples(c.G)), Format: "application/n-triples", To: c.MediaType}
	}
	outs := runBatch(t, ins)
	res := make([][]byte, len(outs))
	for i, o := range outs {
		if o.Data == nil {
			t.Fatalf("codectest: rdflib cannot write %s: %s", cs[i].MediaType, o.Error)
		}
		res[i] = []byte(*o.Data)
	}
	return res
}

type batchIn struct {
	Data   string `json:"data"`
	Format string `json:"format"`
	Base   string `json:"base"`
	To     string `json:"to,omitempty"`
}

type batchOut struct {
	NT    *string `json:"nt"`
	Data  *string `json:"data"`
	Error string  `json:"error"`
}

// runBatch runs rdfcanon.py --batch once.
func runBatch(t testing.TB, ins []batchIn) []batchOut {
	t.Helper()
	if len(ins) == 0 {
		return nil
	}
	script := scriptPath(t)
	requireTool(t, PythonPath, "python3-rdflib")
	payload, err := json.Marshal(ins)
	if err != nil {
		t.Fatalf("codectest: %v", err)
	}
	cmd := exec.Command(PythonPath, script, "--batch")
	cmd.Stdin = bytes.NewReader(payload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("codectest: %s %s: %v\n%s", PythonPath, script, err, stderr.String())
	}
	var outs []batchOut
	if err := json.Unmarshal(stdout.Bytes(), &outs); err != nil || len(outs) != len(ins) {
		t.Fatalf("codectest: bad output from rdfcanon.py (%v): %s\n%s", err, stdout.String(), stderr.String())
	}
	return outs
}

// rapper parses a job's document with rapper and returns N-Triples.
func rapper(t testing.TB, j Job) []byte {
	t.Helper()
	requireTool(t, RapperPath, "raptor2-utils")
	name := map[string]string{
		"application/rdf+xml":   "rdfxml",
		"application/xml":       "rdfxml",
		"text/xml":              "rdfxml",
		"text/turtle":           "turtle",
		"application/x-turtle":  "turtle",
		"application/n-triples": "ntriples",
		"text/plain":            "ntriples",
	}[strings.TrimSpace(strings.Split(j.MediaType, ";")[0])]
	if name == "" {
		t.Fatalf("codectest: job %q: rapper cannot parse %q", j.Name, j.MediaType)
	}
	base := j.Base
	if base == "" {
		base = "http://invalid.example/" // rapper needs one for standard input
	}
	cmd := exec.Command(RapperPath, "-q", "-i", name, "-o", "ntriples", "-", base)
	cmd.Stdin = bytes.NewReader(j.Data)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("codectest: job %q: rapper -i %s: %v\n%s\n%s", j.Name, name, err, stderr.String(), excerpt(string(j.Data)))
	}
	return stdout.Bytes()
}

func requireTool(t testing.TB, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("codectest: %s is missing: install Debian package %s (apt-get install %s)", path, pkg, pkg)
	}
}

var (
	scriptOnce sync.Once
	script     string
	scriptErr  error
)

// scriptPath finds testdata/interop/rdfcanon.py in the module root: the
// first directory up from the working directory that holds go.mod.
func scriptPath(t testing.TB) string {
	t.Helper()
	scriptOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			scriptErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				script = filepath.Join(dir, "testdata", "interop", "rdfcanon.py")
				_, scriptErr = os.Stat(script)
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				scriptErr = fmt.Errorf("no go.mod above the working directory")
				return
			}
			dir = parent
		}
	})
	if scriptErr != nil {
		t.Fatalf("codectest: cannot find rdfcanon.py: %v", scriptErr)
	}
	return script
}

func excerpt(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "\n[...]"
	}
	return s
}
