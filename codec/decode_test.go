package codec_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/oslc-pm/pmprovider/codec"
	"github.com/oslc-pm/pmprovider/codec/codectest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const rdfNS = `xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"`

type decodeCase struct {
	name string
	in   string
	base string
	want string // N-Triples
}

// rdfxmlCases include what knakk's RDF/XML decoder gets wrong or rejects:
// nested typed node elements, typed nodes with rdf:nodeID, rdf:resource
// with non-hierarchical IRIs (urn:), escaped text in XML literals.
var rdfxmlCases = []decodeCase{
	{
		name: "nested typed nodes",
		in: `<rdf:RDF ` + rdfNS + ` xmlns:oslc="http://open-services.net/ns/core#">
  <oslc:ServiceProvider rdf:about="">
    <oslc:service>
      <oslc:Service>
        <oslc:domain rdf:resource="http://open-services.net/ns/perfmon#"/>
      </oslc:Service>
    </oslc:service>
  </oslc:ServiceProvider>
</rdf:RDF>`,
		base: "http://ex.org/sp#frag",
		want: `<http://ex.org/sp> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://open-services.net/ns/core#ServiceProvider> .
<http://ex.org/sp> <http://open-services.net/ns/core#service> _:s .
_:s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://open-services.net/ns/core#Service> .
_:s <http://open-services.net/ns/core#domain> <http://open-services.net/ns/perfmon#> .
`,
	},
	{
		name: "typed node with nodeID and urn resource",
		in: `<rdf:RDF ` + rdfNS + ` xmlns:ex="http://ex.org/">
  <ex:Service rdf:nodeID="n1"><ex:x rdf:resource="urn:isbn:123"/></ex:Service>
  <rdf:Description rdf:about="a"><ex:y rdf:nodeID="n1"/></rdf:Description>
</rdf:RDF>`,
		base: "http://ex.org/dir/doc",
		want: `_:n <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://ex.org/Service> .
_:n <http://ex.org/x> <urn:isbn:123> .
<http://ex.org/dir/a> <http://ex.org/y> _:n .
`,
	},
	{
		name: "relative IRIs and xml:base",
		in: `<rdf:RDF ` + rdfNS + ` xmlns:ex="http://ex.org/" xml:base="http://other.org/a/b/c">
  <rdf:Description rdf:about="../d?q#f" ex:p="lit">
    <ex:r rdf:resource="/root"/>
    <ex:r rdf:resource="//host/x"/>
    <ex:r rdf:resource="#frag"/>
    <ex:r rdf:resource=""/>
    <ex:r rdf:resource="./e/./f/../g"/>
  </rdf:Description>
  <rdf:Description rdf:ID="id1" xml:base="http://third.org/x/"><ex:s rdf:resource="y"/></rdf:Description>
</rdf:RDF>`,
		base: "http://ignored.org/",
		want: `<http://other.org/a/d?q#f> <http://ex.org/p> "lit" .
<http://other.org/a/d?q#f> <http://ex.org/r> <http://other.org/root> .
<http://other.org/a/d?q#f> <http://ex.org/r> <http://host/x> .
<http://other.org/a/d?q#f> <http://ex.org/r> <http://other.org/a/b/c#frag> .
<http://other.org/a/d?q#f> <http://ex.org/r> <http://other.org/a/b/c> .
<http://other.org/a/d?q#f> <http://ex.org/r> <http://other.org/a/b/e/g> .
<http://third.org/x/#id1> <http://ex.org/s> <http://third.org/x/y> .
`,
	},
	{
		name: "XML literals are exclusive canonical XML",
		in: `<rdf:RDF ` + rdfNS + ` xmlns:dcterms="http://purl.org/dc/terms/" xmlns:x="http://x/">
  <rdf:Description rdf:about="http://ex.org/a">
    <dcterms:title rdf:parseType="Literal">Hello <b class="q">world</b> &amp; &lt;more&gt; "q"<!-- c --></dcterms:title>
    <dcterms:description rdf:parseType="Literal"><x:p b='x"y'  a="1">t<x:i/></x:p><x:q/></dcterms:description>
    <dcterms:subject rdf:parseType="Literal"/>
    <dcterms:source rdf:parseType="Other">plain</dcterms:source>
  </rdf:Description>
</rdf:RDF>`,
		want: `<http://ex.org/a> <http://purl.org/dc/terms/title> "Hello <b class=\"q\">world</b> &amp; &lt;more&gt; \"q\""^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral> .
<http://ex.org/a> <http://purl.org/dc/terms/description> "<x:p xmlns:x=\"http://x/\" a=\"1\" b=\"x&quot;y\">t<x:i></x:i></x:p><x:q xmlns:x=\"http://x/\"></x:q>"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral> .
<http://ex.org/a> <http://purl.org/dc/terms/subject> ""^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral> .
<http://ex.org/a> <http://purl.org/dc/terms/source> "plain"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral> .
`,
	},
	{
		name: "parseType Resource, Collection, rdf:li",
		in: `<rdf:RDF ` + rdfNS + ` xmlns:ex="http://ex.org/">
  <rdf:Bag rdf:about="http://ex.org/bag">
    <rdf:li>one</rdf:li>
    <rdf:li rdf:resource="http://ex.org/two"/>
    <ex:res rdf:parseType="Resource"><ex:v>inner</ex:v></ex:res>
    <ex:list rdf:parseType="Collection"><rdf:Description rdf:about="http://ex.org/i1"/><ex:T/></ex:list>
    <ex:empty rdf:parseType="Collection"></ex:empty>
  </rdf:Bag>
</rdf:RDF>`,
		want: `<http://ex.org/bag> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/1999/02/22-rdf-syntax-ns#Bag> .
<http://ex.org/bag> <http://www.w3.org/1999/02/22-rdf-syntax-ns#_1> "one" .
<http://ex.org/bag> <http://www.w3.org/1999/02/22-rdf-syntax-ns#_2> <http://ex.org/two> .
<http://ex.org/bag> <http://ex.org/res> _:r .
_:r <http://ex.org/v> "inner" .
<http://ex.org/bag> <http://ex.org/list> _:l1 .
_:l1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> <http://ex.org/i1> .
_:l1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> _:l2 .
_:l2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> _:t .
_:l2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .
_:t <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://ex.org/T> .
<http://ex.org/bag> <http://ex.org/empty> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .
`,
	},
	{
		name: "xml:lang inheritance, datatypes, empty property elements",
		in: `<rdf:RDF ` + rdfNS + ` xmlns:ex="http://ex.org/" xml:lang="en">
  <rdf:Description rdf:about="http://ex.org/s" ex:attr="attribute">
    <ex:a>english</ex:a>
    <ex:b xml:lang="de-DE">deutsch</ex:b>
    <ex:c xml:lang="">none</ex:c>
    <ex:d rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">42</ex:d>
    <ex:e/>
    <ex:f ex:g="on blank" rdf:type="http://ex.org/T"/>
    <ex:h rdf:resource="http://ex.org/o" ex:i="on resource"/>
    <ex:j rdf:datatype="http://www.w3.org/2001/XMLSchema#string"></ex:j>
    <ex:k>  </ex:k>
  </rdf:Description>
</rdf:RDF>`,
		want: `<http://ex.org/s> <http://ex.org/attr> "attribute"@en .
<http://ex.org/s> <http://ex.org/a> "english"@en .
<http://ex.org/s> <http://ex.org/b> "deutsch"@de-DE .
<http://ex.org/s> <http://ex.org/c> "none" .
<http://ex.org/s> <http://ex.org/d> "42"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex.org/s> <http://ex.org/e> ""@en .
<http://ex.org/s> <http://ex.org/f> _:f .
_:f <http://ex.org/g> "on blank"@en .
_:f <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://ex.org/T> .
<http://ex.org/s> <http://ex.org/h> <http://ex.org/o> .
<http://ex.org/o> <http://ex.org/i> "on resource"@en .
<http://ex.org/s> <http://ex.org/j> "" .
<http://ex.org/s> <http://ex.org/k> "  "@en .
`,
	},
	{
		name: "reification with rdf:ID",
		in: `<rdf:RDF ` + rdfNS + ` xmlns:ex="http://ex.org/">
  <rdf:Description rdf:about="http://ex.org/s"><ex:p rdf:ID="st">v</ex:p></rdf:Description>
</rdf:RDF>`,
		base: "http://ex.org/doc",
		want: `<http://ex.org/s> <http://ex.org/p> "v" .
<http://ex.org/doc#st> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> .
<http://ex.org/doc#st> <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <http://ex.org/s> .
<http://ex.org/doc#st> <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <http://ex.org/p> .
<http://ex.org/doc#st> <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> "v" .
`,
	},
	{
		name: "no rdf:RDF, DOCTYPE entities, comments and PIs",
		in: `<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://ex.org/"> <!ENTITY xsd 'http://www.w3.org/2001/XMLSchema#'> ]>
<!-- a comment -->
<ex:Thing ` + rdfNS + ` xmlns:ex="http://ex.org/" rdf:about="&ex;thing">
  <?pi data?>
  <ex:n rdf:datatype="&xsd;int">7</ex:n>
</ex:Thing>`,
		want: `<http://ex.org/thing> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://ex.org/Thing> .
<http://ex.org/thing> <http://ex.org/n> "7"^^<http://www.w3.org/2001/XMLSchema#int> .
`,
	},
	{
		name: "Latin-1 encoding",
		in:   "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rdf:RDF " + rdfNS + " xmlns:ex=\"http://ex.org/\"><rdf:Description rdf:about=\"http://ex.org/s\"><ex:p>caf\xe9</ex:p></rdf:Description></rdf:RDF>",
		want: `<http://ex.org/s> <http://ex.org/p> "café" .
`,
	},
	{
		name: "unqualified attributes of old documents",
		in:   `<rdf:RDF ` + rdfNS + ` xmlns:ex="http://ex.org/"><rdf:Description about="http://ex.org/s"><ex:p resource="http://ex.org/o"/></rdf:Description></rdf:RDF>`,
		want: `<http://ex.org/s> <http://ex.org/p> <http://ex.org/o> .
`,
	},
}

var turtleCases = []decodeCase{
	{
		name: "private use characters in a query",
		in:   `<http://ex.org/s?q=\uE000> <http://ex.org/p> <http://ex.org/s?\U000F0000#f> .`,
		want: "<http://ex.org/s?q=\uE000> <http://ex.org/p> <http://ex.org/s?\U000F0000#f> .\n",
	},
	{
		name: "relative IRIs resolve properly",
		in: `@prefix p: <http://ex.org/> .
<foo> p:q <../up>, <#frag>, <>, <?q>, <//host/p> .`,
		base: "http://ex.org/a/b",
		want: `<http://ex.org/a/foo> <http://ex.org/q> <http://ex.org/up> .
<http://ex.org/a/foo> <http://ex.org/q> <http://ex.org/a/b#frag> .
<http://ex.org/a/foo> <http://ex.org/q> <http://ex.org/a/b> .
<http://ex.org/a/foo> <http://ex.org/q> <http://ex.org/a/b?q> .
<http://ex.org/a/foo> <http://ex.org/q> <http://host/p> .
`,
	},
	{
		name: "@base and SPARQL-style directives",
		in: `@base <http://one.org/a/> .
<x> <p> <y> .
BASE <../b/>
PREFIX e: <e#>
prefix f: <http://f.org/>
<z> e:p f:o .`,
		want: `<http://one.org/a/x> <http://one.org/a/p> <http://one.org/a/y> .
<http://one.org/b/z> <http://one.org/b/e#p> <http://f.org/o> .
`,
	},
	{
		name: "document labels and anonymous blank nodes do not collide",
		in: `@prefix p: <http://ex.org/> .
<http://ex.org/s> p:q _:b1, _:b0, [ p:r 1 ], [] .
_:b1 p:r 2 .`,
		want: `<http://ex.org/s> <http://ex.org/q> _:x .
<http://ex.org/s> <http://ex.org/q> _:y .
<http://ex.org/s> <http://ex.org/q> _:z .
<http://ex.org/s> <http://ex.org/q> _:w .
_:z <http://ex.org/r> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
_:x <http://ex.org/r> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .
`,
	},
	{
		name: "literals",
		in: `@prefix p: <http://ex.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
p:s p:v 1, -2.50, .5e3, +7, true, false, "a\tb\u00e9\U0001F600\"", 'single "q"', """long
"quote" ""x"" """, '''also
long''', "en"@en-US-x-twain, "typed"^^xsd:token, "full"^^<http://ex.org/dt> .`,
		want: `<http://ex.org/s> <http://ex.org/v> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex.org/s> <http://ex.org/v> "-2.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://ex.org/s> <http://ex.org/v> ".5e3"^^<http://www.w3.org/2001/XMLSchema#double> .
<http://ex.org/s> <http://ex.org/v> "+7"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex.org/s> <http://ex.org/v> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://ex.org/s> <http://ex.org/v> "false"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://ex.org/s> <http://ex.org/v> "a\tb\u00E9\U0001F600\"" .
<http://ex.org/s> <http://ex.org/v> "single \"q\"" .
<http://ex.org/s> <http://ex.org/v> "long\n\"quote\" \"\"x\"\" " .
<http://ex.org/s> <http://ex.org/v> "also\nlong" .
<http://ex.org/s> <http://ex.org/v> "en"@en-US-x-twain .
<http://ex.org/s> <http://ex.org/v> "typed"^^<http://www.w3.org/2001/XMLSchema#token> .
<http://ex.org/s> <http://ex.org/v> "full"^^<http://ex.org/dt> .
`,
	},
	{
		name: "prefixed names, 'a', lists and property lists",
		in: `@prefix : <http://ex.org/> .
@prefix p.q: <http://pq.org/> .
:s a :T ; :l ( 1 :x ( ) ) ; :e\~x :a.b, p.q:c%41, :0d ;
   :n [ :m [ :k :v ] ] ;
   .
( :h ) :p :o .
[ :only :here ] .`,
		want: `<http://ex.org/s> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://ex.org/T> .
<http://ex.org/s> <http://ex.org/l> _:l1 .
_:l1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
_:l1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> _:l2 .
_:l2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> <http://ex.org/x> .
_:l2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> _:l3 .
_:l3 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .
_:l3 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .
<http://ex.org/s> <http://ex.org/e~x> <http://ex.org/a.b> .
<http://ex.org/s> <http://ex.org/e~x> <http://pq.org/c%41> .
<http://ex.org/s> <http://ex.org/e~x> <http://ex.org/0d> .
<http://ex.org/s> <http://ex.org/n> _:n1 .
_:n1 <http://ex.org/m> _:n2 .
_:n2 <http://ex.org/k> <http://ex.org/v> .
_:h1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> <http://ex.org/h> .
_:h1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .
_:h1 <http://ex.org/p> <http://ex.org/o> .
_:o1 <http://ex.org/only> <http://ex.org/here> .
`,
	},
	{
		name: "escapes between plain text, and a prefix bound again",
		in: `@prefix p: <http://ex.org/one/> .
<http://ex.org/s\u00E9x\U0001F600y> p:a\-b\.c p:a\-b\.c, "x\ty\u00e9z\"", <http://ex.org/s\u00E9x\U0001F600y> .
@prefix p: <http://ex.org/two/> .
<http://ex.org/s> p:a\-b\.c p:a\-b\.c .`,
		want: `<http://ex.org/s\u00E9x\U0001F600y> <http://ex.org/one/a-b.c> <http://ex.org/one/a-b.c> .
<http://ex.org/s\u00E9x\U0001F600y> <http://ex.org/one/a-b.c> "x\ty\u00E9z\"" .
<http://ex.org/s\u00E9x\U0001F600y> <http://ex.org/one/a-b.c> <http://ex.org/s\u00E9x\U0001F600y> .
<http://ex.org/s> <http://ex.org/two/a-b.c> <http://ex.org/two/a-b.c> .
`,
	},
	{
		name: "comments, BOM and CRLF",
		in:   "\ufeff# comment\r\n<http://ex.org/s> <http://ex.org/p> \"x\" . # trailing\r\n",
		want: `<http://ex.org/s> <http://ex.org/p> "x" .
`,
	},
}

var jsonldCases = []decodeCase{
	{
		name: "surrogate pairs and escaped backslashes",
		in:   `{"@id": "http://ex.org/s", "http://ex.org/p": ["\ud83d\ude00", "\\ud800"]}`,
		want: "<http://ex.org/s> <http://ex.org/p> \"\U0001F600\" .\n<http://ex.org/s> <http://ex.org/p> \"\\\\ud800\" .\n",
	},
	{
		name: "context, nesting, relative IRIs",
		in: `{"@context": {"oslc": "http://open-services.net/ns/core#", "dcterms": "http://purl.org/dc/terms/",
  "title": {"@id": "dcterms:title", "@type": "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral"}},
 "@id": "", "@type": "oslc:ServiceProvider", "title": "PM &amp; co",
 "oslc:service": {"@type": "oslc:Service", "oslc:domain": {"@id": "http://open-services.net/ns/perfmon#"}},
 "dcterms:identifier": [1, true, 2.5, {"@value": "x", "@language": "EN-us"}]}`,
		base: "http://ex.org/sp",
		want: `<http://ex.org/sp> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://open-services.net/ns/core#ServiceProvider> .
<http://ex.org/sp> <http://purl.org/dc/terms/title> "PM &amp; co"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral> .
<http://ex.org/sp> <http://open-services.net/ns/core#service> _:s .
_:s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://open-services.net/ns/core#Service> .
_:s <http://open-services.net/ns/core#domain> <http://open-services.net/ns/perfmon#> .
<http://ex.org/sp> <http://purl.org/dc/terms/identifier> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex.org/sp> <http://purl.org/dc/terms/identifier> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://ex.org/sp> <http://purl.org/dc/terms/identifier> "2.5E0"^^<http://www.w3.org/2001/XMLSchema#double> .
<http://ex.org/sp> <http://purl.org/dc/terms/identifier> "x"@en-us .
`,
	},
	{
		name: "expanded form with @graph",
		in:   `{"@graph": [{"@id": "http://ex.org/a", "http://ex.org/p": [{"@id": "_:x"}]}, {"@id": "_:x", "http://ex.org/q": "v"}]}`,
		want: `<http://ex.org/a> <http://ex.org/p> _:x .
_:x <http://ex.org/q> "v" .
`,
	},
}

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		f     codec.Format
		cases []decodeCase
	}{{codec.RDFXML, rdfxmlCases}, {codec.Turtle, turtleCases}, {codec.JSONLD, jsonldCases}} {
		for _, tt := range c.cases {
			t.Run(c.f.String()+"/"+tt.name, func(t *testing.T) {
				got, err := codec.Decode(strings.NewReader(tt.in), c.f, tt.base)
				require.NoError(t, err)
				want, err := codec.Decode(strings.NewReader(tt.want), codec.NTriples, "")
				require.NoError(t, err, "bad test: want is not N-Triples")
				if !codectest.Isomorphic(got, want) {
					t.Errorf("%s", codectest.Diff(got, want))
				}
			})
		}
	}
}

// TestDecodeNTriples checks the N-Triples subset: what Turtle allows and
// N-Triples does not is rejected.
func TestDecodeNTriples(t *testing.T) {
	good := "<http://ex.org/s> <http://ex.org/p> \"a\\u00e9\"@en .\n_:x <http://ex.org/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#int> .\n\n# c\n"
	g, err := codec.Decode(strings.NewReader(good), codec.NTriples, "")
	require.NoError(t, err)
	assert.Len(t, g, 2)
	for _, bad := range []string{
		`@prefix p: <http://ex.org/> .`,
		`<http://ex.org/s> <http://ex.org/p> <relative> .`,
		`<http://ex.org/s> a <http://ex.org/o> .`,
		`<http://ex.org/s> <http://ex.org/p> 1 .`,
		`<http://ex.org/s> <http://ex.org/p> 'single' .`,
		`<http://ex.org/s> <http://ex.org/p> <http://ex.org/o>, <http://ex.org/o2> .`,
		`<http://ex.org/s> <http://ex.org/p> [] .`,
	} {
		t.Run(bad, func(t *testing.T) {
			_, err := codec.Decode(strings.NewReader(bad), codec.NTriples, "http://base.org/")
			require.Error(t, err)
			assert.ErrorIs(t, err, codec.ErrSyntax)
		})
	}
}

// TestDecodeErrors reads testdata/errors.txt: for each bad document, the
// error Decode must return.
func TestDecodeErrors(t *testing.T) {
	for _, c := range readErrorCases(t) {
		t.Run(c.name, func(t *testing.T) {
			_, err := codec.Decode(strings.NewReader(c.in), c.format, c.base)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want, "got %q; want it to contain %q", err.Error(), c.want)
			var se *codec.SyntaxError
			if errors.As(err, &se) {
				assert.True(t, errors.Is(err, codec.ErrSyntax))
				assert.Equal(t, c.format, se.Format)
			} else {
				assert.ErrorIs(t, err, codec.ErrTooLarge)
			}
		})
	}
}

type errorCase struct {
	name, base, want, in string
	format               codec.Format
}

// readErrorCases parses testdata/errors.txt. Each case starts with a line
// "=== FORMAT: name", then "base: IRI" (optional), "want: text", and the
// document up to the next "===" line.
func readErrorCases(t testing.TB) []errorCase {
	t.Helper()
	data, err := os.ReadFile("testdata/errors.txt")
	require.NoError(t, err)
	formats := map[string]codec.Format{"rdfxml": codec.RDFXML, "turtle": codec.Turtle, "ntriples": codec.NTriples, "jsonld": codec.JSONLD}
	var cases []errorCase
	var body []string
	flush := func() {
		if len(cases) > 0 {
			cases[len(cases)-1].in = strings.TrimSuffix(strings.Join(body, "\n"), "\n")
		}
		body = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "=== "):
			flush()
			f, name, ok := strings.Cut(strings.TrimPrefix(line, "=== "), ": ")
			format, known := formats[f]
			require.True(t, ok && known, "bad case header %q", line)
			cases = append(cases, errorCase{name: f + "/" + name, format: format})
		case len(cases) == 0 || strings.HasPrefix(line, "#") && body == nil:
		case strings.HasPrefix(line, "base: ") && body == nil:
			cases[len(cases)-1].base = strings.TrimPrefix(line, "base: ")
		case strings.HasPrefix(line, "want: ") && body == nil:
			cases[len(cases)-1].want = strings.TrimPrefix(line, "want: ")
		default:
			body = append(body, line)
		}
	}
	flush()
	require.NotEmpty(t, cases)
	return cases
}

func TestDecodeLimits(t *testing.T) {
	t.Run("size", func(t *testing.T) {
		r := strings.NewReader(strings.Repeat(" ", codec.MaxDocumentSize+1))
		_, err := codec.Decode(r, codec.Turtle, "")
		assert.ErrorIs(t, err, codec.ErrTooLarge)
	})
	deep := map[codec.Format]string{
		codec.RDFXML: `<rdf:RDF ` + rdfNS + ` xmlns:ex="http://ex.org/">` + strings.Repeat("<ex:T><ex:p>", 200) + strings.Repeat("</ex:p></ex:T>", 200) + `</rdf:RDF>`,
		codec.Turtle: `<http://ex.org/s> <http://ex.org/p> ` + strings.Repeat("[ <http://ex.org/p> ", 300) + "1" + strings.Repeat("]", 300) + " .",
		codec.JSONLD: strings.Repeat(`{"http://ex.org/p": `, 300) + "1" + strings.Repeat("}", 300),
	}
	for f, in := range deep {
		t.Run("depth/"+f.String(), func(t *testing.T) {
			_, err := codec.Decode(strings.NewReader(in), f, "")
			assert.ErrorIs(t, err, codec.ErrTooLarge)
		})
	}
	t.Run("entity expansion", func(t *testing.T) {
		in := `<!DOCTYPE rdf:RDF [<!ENTITY e "` + strings.Repeat("x", 1000) + `">]>
<rdf:RDF ` + rdfNS + ` xmlns:ex="http://ex.org/"><rdf:Description rdf:about="http://ex.org/s"><ex:p>` +
			strings.Repeat("&e;", 40000) + `</ex:p></rdf:Description></rdf:RDF>`
		_, err := codec.Decode(strings.NewReader(in), codec.RDFXML, "")
		assert.ErrorIs(t, err, codec.ErrTooLarge)
	})
	t.Run("entity amplification", func(t *testing.T) {
		// 3 kB of references to a 1 kB entity: within MaxDocumentSize,
		// but a thousand times the document.
		in := `<!DOCTYPE rdf:RDF [<!ENTITY e "` + strings.Repeat("x", 1000) + `">]>
<rdf:RDF ` + rdfNS + ` xmlns:ex="http://ex.org/"><rdf:Description rdf:about="http://ex.org/s"><ex:p>` +
			strings.Repeat("&e;", 1000) + `</ex:p></rdf:Description></rdf:RDF>`
		_, err := codec.Decode(strings.NewReader(in), codec.RDFXML, "")
		assert.ErrorIs(t, err, codec.ErrTooLarge)
	})
	t.Run("unsupported format", func(t *testing.T) {
		_, err := codec.Decode(strings.NewReader(""), codec.Format(-1), "")
		assert.ErrorIs(t, err, codec.ErrUnsupportedFormat)
	})
}

// TestDecodeNoLeak checks that failed decodes leave no goroutines behind,
// as knakk's lexer does (it blocks forever on its token channel).
func TestDecodeNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		// Multi-subtag language tags are built through knakk's parser.
		_, err := codec.Decode(strings.NewReader(`<http://ex.org/s> <http://ex.org/p> "x"@zh-Hant-TW .`), codec.Turtle, "")
		require.NoError(t, err)
		for _, f := range codec.Formats {
			_, err := codec.Decode(strings.NewReader("<a> <b> .\n<a> <b> <c> .\n"), f, "")
			require.Error(t, err)
		}
	}
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before)
}

// TestDecodeSubjectTypes checks the term types Decode returns.
func TestDecodeSubjectTypes(t *testing.T) {
	g, err := codec.Decode(strings.NewReader(`_:a <http://ex.org/p> "x"@en .`), codec.NTriples, "")
	require.NoError(t, err)
	require.Len(t, g, 1)
	assert.IsType(t, rdf.Blank{}, g[0].Subj)
	assert.IsType(t, rdf.IRI{}, g[0].Pred)
	l, ok := g[0].Obj.(rdf.Literal)
	require.True(t, ok)
	assert.Equal(t, "en", l.Lang())
	assert.Equal(t, "x", l.String())
}
