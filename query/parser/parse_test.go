package parser

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the errors in testdata/bad.txt from the parsers' output")

// testPrefixes are the provider's prefixes and a few of the tests' own.
var testPrefixes = Prefixes{
	{Prefix: "oslc_cm", IRI: "http://open-services.net/ns/cm#"},
	{Prefix: "ex", IRI: "http://example.org/ns#"},
	{Prefix: "", IRI: "http://example.org/default#"},
}.Map(DefaultPrefixes())

// parseTest is a good input and how it prints; want "" means as written.
type parseTest struct{ in, want string }

var whereTests = []parseTest{
	// The specification's examples.
	{`dcterms:creator=<https://example.org/jts/users/deb>`, ""},
	{`dcterms:creator=<https://example.org/jts/users/deb> and oslc_cm:fixed=false`, ""},
	{`dcterms:creator {foaf:name="Deb"}`, `dcterms:creator{foaf:name="Deb"}`},
	{`oslc_cm:severity in ["high","medium"]`, ""},
	{`oslc_cm:severity="high"`, ""},
	// Operators.
	{`ex:p!=1`, ""},
	{`ex:p<5`, ""},
	{`ex:p<=5`, ""},
	{`ex:p>5`, ""},
	{`ex:p>=5`, ""},
	{`ex:p<<http://example.org/x>`, ""},
	{`ex:p>=<http://example.org/x>`, ""},
	{`dcterms:date>="2026-11-01T00:00:00Z" and dcterms:date<"2026-11-01T01:00:00Z"`, ""},
	// Values.
	{`ex:p=ex:v`, ""},
	{`ex:p=<http://example.org/a?b=c&d#e>`, ""},
	{`ex:p="a \"quoted\" back\\slash"`, ""},
	{`ex:p="tab\there\nnewline \u00e9 \U0001F600 \'"`, `ex:p="tab\there\nnewline é 😀 '"`},
	{"ex:p=\"raw\ttab\"", `ex:p="raw\ttab"`},
	{`ex:p="\u0001"`, ""},
	{`ex:p=""`, ""},
	{`ex:p="x"@en`, ""},
	{`ex:p="x"@en-GB`, ""},
	{`ex:p="x" @fr`, `ex:p="x"@fr`},
	{`ex:p="42"^^xsd:int`, ""},
	{`ex:p="x"^^<http://example.org/dt>`, ""},
	{`ex:p=42`, ""},
	{`ex:p=-3.5`, ""},
	{`ex:p=+.5`, ""},
	{`ex:p=5.`, ""},
	{`ex:p=1e3`, ""},
	{`ex:p=-1.5E-3`, ""},
	{`ex:p=true and ex:q=false`, ""},
	{`ex:p in [1, "a", <http://example.org/x>, ex:v, true,"b"@en]`, `ex:p in [1,"a",<http://example.org/x>,ex:v,true,"b"@en]`},
	{`ex:p in[1]`, `ex:p in [1]`},
	// Properties.
	{`*=ex:v`, ""},
	{`*{*=1}`, ""},
	{`<http://example.org/p>=1`, ""},
	{`<http://example.org/p>{<http://example.org/q><2}`, ""},
	{`ex:a{ex:b{ex:c{ex:d=1 and ex:e=2} and ex:f in [3]}}`, ""},
	{`ex:local.name-x_y·z=1`, ""},
	{`ex:a\,b\.c=1`, ""},
	{`ex:%41b=1`, ""},
	{`ex:=1`, ""},
	{`:x=1`, ""},
	{`ex:café=1`, ""},
	{`ex:a:b=1`, ""},
	{`ex:1st=1`, ""},
	{`ex:and=1 and ex:in in [1]`, ""},
	// Spaces.
	{`  ex:p = 1   and   ex:q = 2 `, `ex:p=1 and ex:q=2`},
	{`ex:p=1and ex:q=2`, `ex:p=1 and ex:q=2`},
	{"ex:p=1\tand\nex:q=2", `ex:p=1 and ex:q=2`},
}

var selectTests = []parseTest{
	{`dcterms:title,dcterms:creator,oslc:modifiedBy{foaf:name}`, ""},
	{`*`, ""},
	{`*{*}`, ""},
	{`ex:a{ex:b{ex:c,*},ex:d}`, ""},
	{`rdf:nil`, ""},
	{`<http://example.org/p>{ex:q}`, ""},
	{` dcterms:title , dcterms:creator `, `dcterms:title,dcterms:creator`},
}

var orderByTests = []parseTest{
	{`dcterms:creator{+foaf:name},-dcterms:created`, ""},
	{`+dcterms:date`, ""},
	{`-dcterms:date,+dcterms:title`, ""},
	{`dcterms:date`, `+dcterms:date`},
	{`ex:a{ex:b{-ex:c,+ex:d}}`, ""},
	{`-<http://example.org/p>`, ""},
	{` - dcterms:date , + dcterms:title`, `-dcterms:date,+dcterms:title`},
}

var searchTermsTests = []parseTest{
	{`"database","performance"`, ""},
	{`"one"`, ""},
	{`""`, ""},
	{`"a \"b\" c\\d"`, ""},
	{` "x" , "y" `, `"x","y"`},
	{`"memory database"`, ""},
}

var prefixTests = []parseTest{
	{`dcterms=<http://purl.org/dc/terms/>`, ""},
	{`ex=<http://example.org/ns#>,oslc_cm=<http://open-services.net/ns/cm#>`, ""},
	{`a.b-c_d=<http://example.org/>`, ""},
	{`in=<http://example.org/in#>,and=<http://example.org/and#>`, ""},
	{`ex = <http://example.org/> , ex2=<http://example.org/2>`, `ex=<http://example.org/>,ex2=<http://example.org/2>`},
}

// parsers parse a parameter and print the tree; clear drops the positions,
// so that trees can be compared.
var parsers = map[string]func(string) (tree any, printed string, err error){
	"oslc.where": func(s string) (any, string, error) {
		w, err := ParseWhere(s, testPrefixes)
		if err != nil {
			return nil, "", err
		}
		return clearPos(w), w.String(), nil
	},
	"oslc.select": func(s string) (any, string, error) {
		sel, err := ParseSelect(s, testPrefixes)
		if err != nil {
			return nil, "", err
		}
		return clearPos(sel), sel.String(), nil
	},
	"oslc.properties": func(s string) (any, string, error) {
		sel, err := ParseProperties(s, testPrefixes)
		if err != nil {
			return nil, "", err
		}
		return clearPos(sel), sel.String(), nil
	},
	"oslc.orderBy": func(s string) (any, string, error) {
		o, err := ParseOrderBy(s, testPrefixes)
		if err != nil {
			return nil, "", err
		}
		return clearPos(o), o.String(), nil
	},
	"oslc.searchTerms": func(s string) (any, string, error) {
		st, err := ParseSearchTerms(s)
		if err != nil {
			return nil, "", err
		}
		return st, st.String(), nil
	},
	"oslc.prefix": func(s string) (any, string, error) {
		ps, err := ParsePrefixes(s)
		if err != nil {
			return nil, "", err
		}
		return clearPos(ps), ps.String(), nil
	},
}

var goodInputs = map[string][]parseTest{
	"oslc.where":       whereTests,
	"oslc.select":      selectTests,
	"oslc.orderBy":     orderByTests,
	"oslc.searchTerms": searchTermsTests,
	"oslc.prefix":      prefixTests,
}

func TestParse(t *testing.T) {
	for param, tests := range goodInputs {
		for _, tt := range tests {
			t.Run(param+"/"+tt.in, func(t *testing.T) {
				want := tt.want
				if want == "" {
					want = tt.in
				}
				checkRoundTrip(t, param, tt.in, want)
			})
		}
	}
}

// checkRoundTrip parses in, checks it prints as want (unless want is ""),
// and that the printed text parses to the same tree and prints the same.
func checkRoundTrip(t *testing.T, param, in, want string) {
	t.Helper()
	parse := parsers[param]
	tree, printed, err := parse(in)
	require.NoError(t, err)
	if want != "" {
		assert.Equal(t, want, printed)
	}
	tree2, printed2, err := parse(printed)
	require.NoError(t, err, "reparsing %q", printed)
	assert.Equal(t, printed, printed2, "print, parse, print is a fixed point")
	assert.Equal(t, tree, tree2, "the printed text parses to the same tree")
}

func TestParseTrees(t *testing.T) {
	w, err := ParseWhere(`ex:p in [1,"x"@en,ex:v] and *{ex:q>=2.5} and ex:r!="s"^^xsd:string`, testPrefixes)
	require.NoError(t, err)
	require.Len(t, w.Terms, 3)
	in := w.Terms[0].(*InTerm)
	assert.Equal(t, "http://example.org/ns#p", in.Prop.IRI)
	assert.Equal(t, &Literal{Kind: LitNumber, Lex: "1", Pos: 10}, in.Values[0])
	assert.Equal(t, &Literal{Kind: LitString, Lex: "x", Lang: "en", Pos: 12}, in.Values[1])
	assert.Equal(t, &Name{IRI: "http://example.org/ns#v", Prefixed: "ex:v", Pos: 19}, in.Values[2])
	sc := w.Terms[1].(*ScopedTerm)
	assert.True(t, sc.Prop.Wildcard)
	cmp := sc.Where.Terms[0].(*Comparison)
	assert.Equal(t, OpGE, cmp.Op)
	assert.Equal(t, "http://www.w3.org/2001/XMLSchema#decimal", cmp.Value.(*Literal).DatatypeIRI())
	ne := w.Terms[2].(*Comparison)
	assert.Equal(t, OpNE, ne.Op)
	assert.Equal(t, "http://www.w3.org/2001/XMLSchema#string", ne.Value.(*Literal).DatatypeIRI())

	n, err := ParseWhere(`ex:a\,b=1`, testPrefixes)
	require.NoError(t, err)
	assert.Equal(t, "http://example.org/ns#a,b", n.Terms[0].Property().IRI, "escapes are removed")

	o, err := ParseOrderBy(`dcterms:creator{+foaf:name},-dcterms:created`, testPrefixes)
	require.NoError(t, err)
	assert.Equal(t, "http://xmlns.com/foaf/0.1/name", o.Terms[0].Nested[0].Prop.IRI)
	assert.True(t, o.Terms[1].Desc)

	ps, err := ParsePrefixes(`ex=<http://example.org/a>,ex=<http://example.org/b>`)
	require.NoError(t, err)
	assert.Equal(t, "http://example.org/b", ps.Map(nil)["ex"], "the last definition wins")
	assert.Equal(t, "http://purl.org/dc/terms/", ps.Map(DefaultPrefixes())["dcterms"])

	defs, err := ParsePrefixes(`my=<http://example.org/my#>`)
	require.NoError(t, err)
	mine, err := ParseWhere(`my:p=1`, defs.Map(DefaultPrefixes()))
	require.NoError(t, err)
	assert.Equal(t, "http://example.org/my#p", mine.Terms[0].Property().IRI)
	_, err = ParseWhere(`my:p=1`, DefaultPrefixes())
	assert.ErrorIs(t, err, ErrUnknownPrefix)

	sel, err := ParseProperties(`*`, nil)
	require.NoError(t, err)
	assert.True(t, sel.Props[0].Prop.Wildcard)
}

func TestParseDepth(t *testing.T) {
	deep := strings.Repeat("ex:p{", MaxDepth) + "ex:q=1" + strings.Repeat("}", MaxDepth)
	_, err := ParseWhere(deep, testPrefixes)
	require.NoError(t, err)
	// Past the limit, the client's error (400), not a feature the
	// provider lacks (501).
	_, err = ParseWhere("ex:p{"+deep+"}", testPrefixes)
	require.ErrorIs(t, err, ErrTooComplex)
	_, err = ParseSelect(strings.Repeat("ex:p{", MaxDepth+1)+"ex:q"+strings.Repeat("}", MaxDepth+1), testPrefixes)
	require.ErrorIs(t, err, ErrTooComplex)
}

// TestParseLimits checks each limit of a query's size: a parameter at the
// limit parses, one item more is ErrTooComplex at that item.
func TestParseLimits(t *testing.T) {
	list := func(n int, item func(i int) string, sep string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = item(i)
		}
		return strings.Join(parts, sep)
	}
	cmp := func(i int) string { return fmt.Sprintf("ex:p%d=%d", i, i) }
	inList := func(n int) string { return "ex:p in [" + list(n, strconv.Itoa, ",") + "]" }
	tests := []struct {
		name, param string
		at, past    string
		pos         int // of the item past the limit
		msg         string
	}{
		{"comparisons", "oslc.where", list(MaxTerms, cmp, " and "), list(MaxTerms+1, cmp, " and "),
			len(list(MaxTerms, cmp, " and ")+" and ") + 1, "more than 256 comparisons"},
		{"nested comparisons", "oslc.where",
			"ex:a{" + list(MaxTerms-1, cmp, " and ") + "}", "ex:a{" + list(MaxTerms, cmp, " and ") + "}",
			len("ex:a{"+list(MaxTerms-1, cmp, " and ")+" and ") + 1, "more than 256 comparisons"},
		{"in values", "oslc.where", inList(MaxTerms), inList(MaxTerms + 1),
			len(inList(MaxTerms)) + 1, "more than 256 comparisons"},
		{"properties", "oslc.select", list(MaxProperties, func(i int) string { return fmt.Sprintf("ex:p%d", i) }, ","),
			list(MaxProperties+1, func(i int) string { return fmt.Sprintf("ex:p%d", i) }, ","),
			len(list(MaxProperties, func(i int) string { return fmt.Sprintf("ex:p%d", i) }, ",")+",") + 1, "more than 256 properties"},
		{"nested properties", "oslc.properties", "ex:a{" + list(MaxProperties-1, func(i int) string { return fmt.Sprintf("ex:p%d", i) }, ",") + "}",
			"ex:a{" + list(MaxProperties, func(i int) string { return fmt.Sprintf("ex:p%d", i) }, ",") + "}",
			len("ex:a{"+list(MaxProperties-1, func(i int) string { return fmt.Sprintf("ex:p%d", i) }, ",")+",") + 1, "more than 256 properties"},
		{"sort terms", "oslc.orderBy", list(MaxSortKeys, func(i int) string { return fmt.Sprintf("+ex:p%d", i) }, ","),
			list(MaxSortKeys+1, func(i int) string { return fmt.Sprintf("+ex:p%d", i) }, ","),
			len(list(MaxSortKeys, func(i int) string { return fmt.Sprintf("+ex:p%d", i) }, ",")+",") + 1, "more than 16 sort keys"},
		{"unsigned sort keys", "oslc.orderBy", "ex:a{" + list(MaxSortKeys, func(i int) string { return fmt.Sprintf("ex:p%d", i) }, ",") + "}",
			"ex:a{" + list(MaxSortKeys+1, func(i int) string { return fmt.Sprintf("ex:p%d", i) }, ",") + "}",
			len("ex:a{"+list(MaxSortKeys, func(i int) string { return fmt.Sprintf("ex:p%d", i) }, ",")+",") + 1, "more than 16 sort keys"},
		{"search terms", "oslc.searchTerms", list(MaxSearchTerms, func(i int) string { return `"w"` }, ","),
			list(MaxSearchTerms+1, func(i int) string { return `"w"` }, ","),
			len(list(MaxSearchTerms, func(i int) string { return `"w"` }, ",")+",") + 1, "more than 32 search terms"},
		{"search words", "oslc.searchTerms", `"` + list(MaxSearchWords, func(i int) string { return fmt.Sprintf("w%d", i) }, " ") + `"`,
			`"a","` + list(MaxSearchWords, func(i int) string { return fmt.Sprintf("w%d", i) }, " ") + `"`,
			len(`"a",`) + 1, "more than 32 distinct words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := parsers[tt.param]
			_, _, err := parse(tt.at)
			require.NoError(t, err, "at the limit")
			_, _, err = parse(tt.past)
			require.ErrorIs(t, err, ErrTooComplex)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.param, e.Param)
			assert.Equal(t, tt.pos, e.Pos, "got %v", err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

// TestMalformed checks which typed literals Malformed rejects.
func TestMalformed(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`"2026-11-01T00:00:00Z"^^xsd:dateTime`, ""},
		{`" 2026-11-01T00:00:00Z "^^xsd:dateTime`, ""},
		{`"x"^^xsd:dateTime`, `"x" is not a valid xsd:dateTime`},
		{`"2026-11-01T00:00:00"^^xsd:dateTimeStamp`, `"2026-11-01T00:00:00" is not a valid xsd:dateTimeStamp`},
		{`"1"^^xsd:boolean`, ""},
		{`"yes"^^xsd:boolean`, `"yes" is not a valid xsd:boolean`},
		{`"42"^^xsd:int`, ""},
		{`"4.2"^^xsd:integer`, `"4.2" is not a valid xsd:integer`},
		{`"NaN"^^xsd:double`, ""},
		{`"-INF"^^xsd:float`, ""},
		{`"lots"^^xsd:double`, `"lots" is not a valid xsd:double`},
		{`"anything"^^xsd:string`, ""},
		{`"anything"^^ex:own`, ""},
		{`"` + strings.Repeat("9", 50) + `x"^^xsd:decimal`, `"` + strings.Repeat("9", 40) + `..." is not a valid xsd:decimal`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseWhere("ex:p="+tt.in, testPrefixes)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrSyntax)
			assert.Equal(t, "oslc.where: at 6: "+tt.want, err.Error())
		})
	}
}

// badInput is a case of testdata/bad.txt.
type badInput struct {
	param, input, kind, err string
}

var kinds = map[string]error{"syntax": ErrSyntax, "prefix": ErrUnknownPrefix, "unsupported": ErrUnsupported, "complex": ErrTooComplex}

// readBad reads testdata/bad.txt: cases of four lines, "param:",
// "input:" (or "inputq:" with a Go-quoted input), "kind:" and "error:",
// separated by blank lines; "#" starts a comment line.
func readBad(t testing.TB) []badInput {
	f, err := os.Open("testdata/bad.txt")
	require.NoError(t, err)
	defer f.Close()
	var cases []badInput
	var c badInput
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		key, value, _ := strings.Cut(line, ": ")
		switch key {
		case "param":
			c = badInput{param: value}
		case "input":
			c.input = value
		case "inputq":
			c.input, err = strconv.Unquote(value)
			require.NoError(t, err, "line %d", n)
		case "kind":
			c.kind = value
		case "error":
			c.err = value
			cases = append(cases, c)
		default:
			require.True(t, line == "" || strings.HasPrefix(line, "#"), "line %d: %q", n, line)
		}
	}
	require.NoError(t, sc.Err())
	return cases
}

func TestParseErrors(t *testing.T) {
	cases := readBad(t)
	require.NotEmpty(t, cases)
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d/%s/%s", i, c.param, c.input), func(t *testing.T) {
			parse := parsers[c.param]
			require.NotNil(t, parse, "parameter %q", c.param)
			_, _, err := parse(c.input)
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e), "an *Error")
			assert.Equal(t, c.param, e.Param)
			if *update {
				cases[i].err = err.Error()
				for k, v := range kinds {
					if errors.Is(err, v) {
						cases[i].kind = k
					}
				}
				return
			}
			assert.Equal(t, c.err, err.Error())
			require.Contains(t, kinds, c.kind)
			assert.ErrorIs(t, err, kinds[c.kind])
		})
	}
	if *update {
		writeBad(t, cases)
	}
}

func writeBad(t *testing.T, cases []badInput) {
	var b strings.Builder
	b.WriteString("# Bad query parameters and the error each must produce.\n")
	b.WriteString("# Regenerate the errors with: go test ./query/ -run TestParseErrors -update\n")
	for _, c := range cases {
		b.WriteString("\nparam: " + c.param + "\n")
		if strings.TrimSpace(c.input) != c.input || strings.ContainsAny(c.input, "\n\t\r") || !utf8Valid(c.input) || c.input == "" {
			b.WriteString("inputq: " + strconv.Quote(c.input) + "\n")
		} else {
			b.WriteString("input: " + c.input + "\n")
		}
		b.WriteString("kind: " + c.kind + "\nerror: " + c.err + "\n")
	}
	require.NoError(t, os.WriteFile("testdata/bad.txt", []byte(b.String()), 0o644))
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// clearPos returns a copy of a parsed tree with every Pos zero.
func clearPos(tree any) any {
	v := reflect.ValueOf(tree)
	c := reflect.New(v.Type()).Elem()
	clearValue(c, v)
	return c.Interface()
}

func clearValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Elem().Type())
		clearValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		clearValue(e, src.Elem())
		dst.Set(e)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			clearValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Struct:
		for i := 0; i < src.NumField(); i++ {
			if src.Type().Field(i).Name == "Pos" {
				continue
			}
			clearValue(dst.Field(i), src.Field(i))
		}
	default:
		dst.Set(src)
	}
}
