package query_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// plans are the planner settings every evaluator test runs under: the
// default, and no probes at all, so that the walks in key and IRI order
// answer too; each with and without a total.
var plans = []struct {
	name    string
	budget  int
	noTotal bool
}{
	{"scan", 2048, false},
	{"scan/nototal", 2048, true},
	{"walk", 0, false},
	{"walk/nototal", 0, true},
}

// forPlans runs f under each planner setting.
func forPlans(t *testing.T, f func(t *testing.T, noTotal bool)) {
	for _, p := range plans {
		t.Run(p.name, func(t *testing.T) {
			defer query.SetProbeBudget(p.budget)()
			f(t, p.noTotal)
		})
	}
}

func TestWhere(t *testing.T) {
	db := openFixture(t)
	web01, web02, db01 := "<"+hosts+"web01>", "<"+hosts+"web02>", "<"+hosts+"db01>"
	tests := []struct {
		name, where string
		want        []string
	}{
		{"all", "", []string{"r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08", "r09"}},
		{"iri equality", "dcterms:isPartOf=" + web01, []string{"r01", "r02", "r07"}},
		{"in", "dcterms:isPartOf in [" + web02 + "," + db01 + "]", []string{"r03", "r04", "r05", "r06", "r08", "r09"}},
		{"no match", "dcterms:isPartOf=<http://example.org/none>", []string{}},
		{"plain string as dateTime", `dcterms:date>="2026-11-01T00:00:00Z"`, []string{"r01", "r02", "r03", "r05", "r06", "r07", "r09"}},
		{"instants, not lexical order", `dcterms:date<"2026-11-01T01:00:00Z"`, []string{"r01", "r02", "r04", "r06"}},
		{"typed dateTime", `dcterms:date>"2026-11-01T00:00:00Z"^^xsd:dateTime`, []string{"r01", "r03", "r05", "r07", "r09"}},
		{"dateTime equality across offsets", `dcterms:date="2026-11-01T01:00:00+01:00"`, []string{"r02", "r06"}},
		{"one-hour window", `dcterms:date>="2026-11-01T00:00:00Z" and dcterms:date<"2026-11-01T01:00:00Z"`, []string{"r01", "r02", "r06"}},
		{"window and resource", `dcterms:isPartOf=` + web01 + ` and dcterms:date>="2026-11-01T00:00:00Z" and dcterms:date<"2026-11-01T01:00:00Z"`, []string{"r01", "r02"}},
		{"empty window", `dcterms:date>="2026-11-01T00:00:00Z" and dcterms:date<"2026-10-01T00:00:00Z"`, []string{}},
		{"mixed-kind bounds", `dcterms:date>="2026-11-01T00:00:00Z" and dcterms:date<5`, []string{}},
		{"nested metric and value", "ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>90}", []string{"r01", "r03", "r07", "r09"}},
		{"nested inclusive", "ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>=90}", []string{"r01", "r03", "r05", "r07", "r09"}},
		{"nested and resource", "ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>90} and dcterms:isPartOf=" + web01, []string{"r01", "r07"}},
		{"numbers across types", "ems:observes{ems:numericValue=20}", []string{"r02", "r09"}},
		{"decimal equals integer", "ems:observes{ems:numericValue=90.0}", []string{"r05"}},
		{"plain string as number", `ems:observes{ems:numericValue="20"}`, []string{"r02", "r09"}},
		{"plain string number order", `ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>"96"}`, []string{"r07", "r09"}},
		{"one value in range", "ems:observes{ems:numericValue>90 and ems:numericValue<=95}", []string{"r02", "r03", "r05"}},
		{"metric category", "ems:observes{ems:metric{rdfs:subClassOf=pm:MemoryMetrics}}", []string{"r01", "r02", "r03", "r04", "r05", "r06", "r09"}},
		{"metric category and value", "ems:observes{ems:metric{rdfs:subClassOf=pm:MemoryMetrics} and ems:numericValue>90}", []string{"r02", "r05"}},
		{"not equal", "pm:availabilityStatus!=pm:Running", []string{"r03", "r04", "r05", "r07", "r08", "r09"}},
		{"string", `dcterms:title="Database backup"`, []string{"r03"}},
		{"string case-sensitive", `dcterms:title="database backup"`, []string{}},
		{"string not equal", `dcterms:title!="Database backup"`, []string{"r01", "r02", "r04", "r05", "r06", "r07", "r08", "r09"}},
		{"string in", `dcterms:title in ["Idle database","Normal operation"]`, []string{"r04", "r06"}},
		{"xsd:string equals plain", `dcterms:title="Idle database"^^xsd:string`, []string{"r06"}},
		{"wildcard equality", "*=" + db01, []string{"r05", "r06", "r09"}},
		{"nested wildcard", "ems:observes{*=pm:CpuUsed and *>96}", []string{"r07", "r09"}},
		{"wildcard scope", "*{dcterms:title=\"Web server 01\"}", []string{"r01", "r02", "r07"}},
		{"nested property of resource", `dcterms:isPartOf{dcterms:title="Web server 01"}`, []string{"r01", "r02", "r07"}},
		{"absent property", `oslc:shortTitle="x"`, []string{}},
		{"boolean", "<http://example.org/ns#alert>=true", []string{"r01", "r02"}},
		{"boolean false", "<http://example.org/ns#alert>=false", []string{"r03"}},
		{"boolean as plain string", `<http://example.org/ns#alert>="true"`, []string{"r01", "r02"}},
		{"typed boolean", `<http://example.org/ns#alert>!="1"^^xsd:boolean`, []string{"r03", "r04", "r05", "r06", "r07", "r08", "r09"}},
		{"numbers of all types", "<http://example.org/ns#seq>>=2", []string{"r01", "r03", "r04", "r07", "r08", "r09"}},
		{"float and infinity", `<http://example.org/ns#seq>>6.5 and <http://example.org/ns#seq><"INF"^^xsd:double`, []string{"r04", "r09"}},
		{"language tag", `dcterms:description="Sauvegarde"@fr`, []string{"r03"}},
		{"language tag any case", `dcterms:description="Backup"@en-gb`, []string{"r05"}},
		{"plain is not tagged", `dcterms:description="Sauvegarde"`, []string{}},
		{"other language", `dcterms:description="Sauvegarde"@en`, []string{}},
	}
	forPlans(t, func(t *testing.T, noTotal bool) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := run(t, db, recordScope, tt.where, "", "", "", query.Page{NoTotal: noTotal})
				require.NoError(t, err)
				assert.Equal(t, tt.want, ids(res))
				if !noTotal {
					assert.Equal(t, len(tt.want), res.Total)
				}
				// And paged, two at a time.
				assert.Equal(t, tt.want, allPages(t, db, recordScope, tt.where, "", "", 2, noTotal, nil))
			})
		}
	})
}

func TestOrderBy(t *testing.T) {
	db := openFixture(t)
	tests := []struct {
		name, where, orderBy string
		want                 []string
	}{
		{"newest first", "", "-dcterms:date", []string{"r05", "r07", "r09", "r03", "r01", "r02", "r06", "r04", "r08"}},
		{"oldest first", "", "+dcterms:date", []string{"r04", "r02", "r06", "r01", "r03", "r09", "r07", "r05", "r08"}},
		{"unsigned is ascending", "", "dcterms:date", []string{"r04", "r02", "r06", "r01", "r03", "r09", "r07", "r05", "r08"}},
		{"newest of one resource", "dcterms:isPartOf=<" + hosts + "web01>", "-dcterms:date", []string{"r07", "r01", "r02"}},
		{"nested key then date", "", "dcterms:isPartOf{+dcterms:title},-dcterms:date",
			[]string{"r05", "r09", "r06", "r07", "r01", "r02", "r03", "r04", "r08"}},
		{"largest nested value", "", "ems:observes{-ems:numericValue}",
			[]string{"r07", "r09", "r01", "r05", "r02", "r03", "r04", "r06", "r08"}},
		{"smallest nested value", "", "ems:observes{+ems:numericValue}",
			[]string{"r08", "r06", "r02", "r09", "r03", "r01", "r04", "r05", "r07"}},
		{"strings", "", "+dcterms:title", []string{"r07", "r01", "r03", "r09", "r06", "r05", "r02", "r04", "r08"}},
		{"strings descending", "", "-dcterms:title", []string{"r08", "r04", "r02", "r05", "r06", "r09", "r03", "r01", "r07"}},
		{"iri values", "", "-dcterms:isPartOf,+dcterms:date", []string{"r04", "r03", "r08", "r02", "r01", "r07", "r06", "r09", "r05"}},
		{"numbers ascending", "", "+<http://example.org/ns#seq>", []string{"r05", "r04", "r02", "r03", "r07", "r01", "r09", "r08", "r06"}},
		{"numbers descending", "", "-<http://example.org/ns#seq>", []string{"r08", "r04", "r09", "r01", "r03", "r07", "r02", "r05", "r06"}},
		{"numbers and window", `dcterms:date>="2026-11-01T00:00:00Z"`, "-<http://example.org/ns#seq>", []string{"r09", "r01", "r03", "r07", "r02", "r05", "r06"}},
		{"window newest first", `dcterms:date>="2026-11-01T00:00:00Z" and dcterms:date<"2026-11-01T04:00:00Z"`, "-dcterms:date",
			[]string{"r09", "r03", "r01", "r02", "r06"}},
	}
	forPlans(t, func(t *testing.T, noTotal bool) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := run(t, db, recordScope, tt.where, tt.orderBy, "", "", query.Page{NoTotal: noTotal})
				require.NoError(t, err)
				assert.Equal(t, tt.want, ids(res))
				for _, size := range []int{1, 2, 3, 4} {
					assert.Equal(t, tt.want, allPages(t, db, recordScope, tt.where, tt.orderBy, "", size, noTotal, nil), "page size %d", size)
				}
			})
		}
	})
}

// allPages follows Next from the first page to the last and returns the
// members, checking the total on each page. between, if set, runs after
// each page.
func allPages(t *testing.T, db *store.DB, scope query.Scope, where, orderBy, search string, size int, noTotal bool, between func(page int)) []string {
	t.Helper()
	out := []string{}
	page := query.Page{Size: size, NoTotal: noTotal}
	for i := 0; ; i++ {
		require.Less(t, i, 100, "too many pages")
		res, err := run(t, db, scope, where, orderBy, "", search, page)
		require.NoError(t, err)
		require.LessOrEqual(t, len(res.Members), size)
		if noTotal {
			assert.Equal(t, -1, res.Total)
		}
		out = append(out, ids(res)...)
		if res.Next == "" {
			return out
		}
		require.Len(t, res.Members, size, "a page before the last is full")
		if between != nil {
			between(i)
		}
		page.After = res.Next
	}
}

func TestPagingWhileCreating(t *testing.T) {
	queries := []struct{ where, orderBy string }{
		{"", ""},
		{"", "-dcterms:date"},
		{"", "+dcterms:date"},
		{"dcterms:isPartOf=<" + hosts + "web01>", "-dcterms:date"},
		{"ems:observes{ems:metric=pm:CpuUsed}", "ems:observes{+ems:numericValue}"},
	}
	for _, q := range queries {
		forPlans(t, func(t *testing.T, noTotal bool) {
			t.Run(q.where+"/"+q.orderBy, func(t *testing.T) {
				db := openFixture(t)
				before, err := run(t, db, recordScope, q.where, q.orderBy, "", "", query.Page{})
				require.NoError(t, err)
				n := 0
				got := allPages(t, db, recordScope, q.where, q.orderBy, "", 2, noTotal, func(page int) {
					// Records before and after the cursor in every order.
					for _, d := range []string{"2026-10-01T00:00:00Z", "2026-11-01T01:00:00Z", "2026-12-01T00:00:00Z"} {
						n++
						r := record{id: fmt.Sprintf("n%02d", n), date: d, host: "web01",
							measures: []measure{{pmCpuUsed, integer(fmt.Sprint(n * 7 % 100))}}}
						if n%2 == 0 {
							r.id = fmt.Sprintf("a%02d", n) // sorts before the fixture's IRIs
						}
						res := r.resource()
						_, err := db.Create(context.Background(), res.ID, res.Triples)
						require.NoError(t, err)
					}
				})
				seen := map[string]int{}
				for _, id := range got {
					seen[id]++
					assert.Equal(t, 1, seen[id], "member %s repeated", id)
				}
				for _, id := range ids(before) {
					assert.Equal(t, 1, seen[id], "member %s of the result before the creations", id)
				}
			})
		})
	}
}

func TestTotalAndNext(t *testing.T) {
	db := openFixture(t)
	res, err := run(t, db, recordScope, "dcterms:isPartOf=<"+hosts+"web01>", "", "", "", query.Page{Size: 2})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Total)
	assert.Equal(t, []string{"r01", "r02"}, ids(res))
	require.NotEmpty(t, res.Next)
	assert.NotContains(t, res.Next, "=")
	assert.NotContains(t, res.Next, "+")
	assert.NotContains(t, res.Next, "/")
	res, err = run(t, db, recordScope, "dcterms:isPartOf=<"+hosts+"web01>", "", "", "", query.Page{Size: 2, After: res.Next})
	require.NoError(t, err)
	assert.Equal(t, []string{"r07"}, ids(res))
	assert.Equal(t, 3, res.Total)
	assert.Empty(t, res.Next)

	res, err = run(t, db, recordScope, "dcterms:isPartOf=<"+hosts+"web01>", "", "", "", query.Page{Size: 3})
	require.NoError(t, err)
	assert.Empty(t, res.Next, "an exactly full last page has no next")
}

func TestScope(t *testing.T) {
	db := openFixture(t)
	where := "dcterms:isPartOf=<" + hosts + "web01>"
	tests := []struct {
		name  string
		scope query.Scope
		want  []string
	}{
		{"records", recordScope, []string{"r01", "r02", "r07"}},
		{"any type under records", query.Scope{Prefix: records}, []string{"r01", "r02", "r07", "x-other"}},
		{"other type", query.Scope{Prefix: records, Types: []rdf.IRI{crtvComputer}}, []string{"x-other"}},
		{"two types", query.Scope{Prefix: records, Types: []rdf.IRI{crtvComputer, vocab.PMRecord}}, []string{"r01", "r02", "r07", "x-other"}},
		{"another prefix", query.Scope{Prefix: hosts}, []string{}},
	}
	forPlans(t, func(t *testing.T, noTotal bool) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := run(t, db, tt.scope, where, "", "", "", query.Page{NoTotal: noTotal})
				require.NoError(t, err)
				assert.Equal(t, tt.want, ids(res))
				res, err = run(t, db, tt.scope, "", "", "", "", query.Page{NoTotal: noTotal})
				require.NoError(t, err)
				assert.Subset(t, ids(res), tt.want)
			})
		}
	})
	// Fragment nodes are not members, though they are under the prefix.
	res, err := run(t, db, query.Scope{Prefix: records}, "ems:metric=pm:CpuUsed", "", "", "", query.Page{})
	require.NoError(t, err)
	assert.Empty(t, ids(res))
}

func TestSelect(t *testing.T) {
	db := openFixture(t)
	nt := func(m query.Member) []string {
		var out []string
		for _, t := range m.Triples {
			s := t.Subj.Serialize(rdf.NTriples)
			if _, ok := t.Subj.(rdf.Blank); ok {
				s = "_:b"
			}
			o := t.Obj.Serialize(rdf.NTriples)
			if _, ok := t.Obj.(rdf.Blank); ok {
				o = "_:b"
			}
			out = append(out, strings.NewReplacer(records, "", hosts, "", vocab.EMS, "ems:", vocab.DCTerms, "dcterms:", vocab.PM, "pm:", vocab.XSD, "xsd:").Replace(s+" "+t.Pred.Serialize(rdf.NTriples)+" "+o))
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name, sel string
		want      []string
	}{
		{"one property", "dcterms:title", []string{`<r03> <dcterms:title> "Database backup"`}},
		{"nested", "ems:observes{ems:numericValue}", []string{
			`<r03> <ems:observes> _:b`, `<r03> <ems:observes> _:b`,
			`_:b <ems:numericValue> "30"^^<xsd:integer>`, `_:b <ems:numericValue> "91"^^<xsd:int>`}},
		{"nested resource", "dcterms:isPartOf{dcterms:title}", []string{
			`<r03> <dcterms:isPartOf> <web02>`, `<web02> <dcterms:title> "Web server 02"`}},
		{"nil", "rdf:nil", nil},
		{"wildcard", "*", []string{
			`<r03> <dcterms:date> "2026-11-01T01:15:00-01:00"^^<xsd:dateTime>`,
			`<r03> <dcterms:description> "Sauvegarde"@fr`,
			`<r03> <dcterms:isPartOf> <web02>`,
			`<r03> <dcterms:title> "Database backup"`,
			`<r03> <ems:observes> _:b`, `<r03> <ems:observes> _:b`,
			`<r03> <http://example.org/ns#alert> "false"^^<xsd:boolean>`,
			`<r03> <http://example.org/ns#seq> "2E0"^^<xsd:double>`,
			`<r03> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <pm:PerformanceMonitoringRecord>`}},
		{"duplicates once", "dcterms:title,dcterms:title,*{rdf:nil}", nil},
		{"nested wildcard", "ems:observes{*}", []string{
			`<r03> <ems:observes> _:b`, `<r03> <ems:observes> _:b`,
			`_:b <ems:metric> <pm:CpuUsed>`, `_:b <ems:metric> <pm:RealMemoryUsed>`,
			`_:b <ems:numericValue> "30"^^<xsd:integer>`, `_:b <ems:numericValue> "91"^^<xsd:int>`,
			`_:b <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <ems:Measure>`,
			`_:b <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <ems:Measure>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := run(t, db, recordScope, `dcterms:title="Database backup"`, "", tt.sel, "", query.Page{})
			require.NoError(t, err)
			require.Len(t, res.Members, 1)
			if tt.name == "duplicates once" {
				got := nt(res.Members[0])
				assert.Len(t, got, 9, "title once, and all properties")
				return
			}
			assert.Equal(t, tt.want, nt(res.Members[0]))
		})
	}
	res, err := run(t, db, recordScope, "dcterms:isPartOf=<"+hosts+"web01>", "", "", "", query.Page{})
	require.NoError(t, err)
	for _, m := range res.Members {
		assert.Empty(t, m.Triples, "no oslc.select, no properties")
	}
}

var _ query.Accelerator = (*boltsource.Source)(nil)

// noText hides the store's text index, for the engine's fallback.
type noText struct{ query.Source }

var oslcScore = vocab.IRI(vocab.OSLC, "score")

func TestSearchTerms(t *testing.T) {
	db := openFixture(t)
	tests := []struct {
		name, where, search string
		want                []string
		scores              []float64
	}{
		{"one token, by tf", "", `"cpu"`, []string{"r07", "r01"}, []float64{75, 50}},
		{"case and punctuation", "", `"CPU!"`, []string{"r07", "r01"}, []float64{75, 50}},
		{"two terms", "", `"database","memory"`, []string{"r05", "r02", "r03", "r06"}, nil},
		{"words of one term", "", `"memory database"`, []string{"r05", "r02", "r03", "r06"}, nil},
		{"with where", "dcterms:isPartOf=<" + hosts + "db01>", `"database"`, []string{"r05", "r06"}, nil},
		{"no hit", "", `"nothing"`, []string{}, nil},
		{"tagged description", "", `"backup"`, []string{"r03", "r05"}, []float64{50, 50}},
		{"no token", "", `"!!"`, []string{}, nil},
	}
	sources := []struct {
		name string
		wrap func(*store.Snapshot) query.Source
	}{
		{"index", func(s *store.Snapshot) query.Source { return boltsource.NewSource(s) }},
		{"fallback", func(s *store.Snapshot) query.Source { return noText{boltsource.NewSource(s)} }},
	}
	for _, src := range sources {
		for _, tt := range tests {
			for _, noTotal := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/nototal=%v", src.name, tt.name, noTotal), func(t *testing.T) {
					q, err := parseQuery(tt.where, "", "", tt.search)
					require.NoError(t, err)
					var all []string
					var res *query.Result
					for page := (query.Page{Size: 1, NoTotal: noTotal}); ; {
						err = db.View(context.Background(), func(s *store.Snapshot) error {
							res, err = query.Run(context.Background(), src.wrap(s), recordScope, q, page)
							return err
						})
						require.NoError(t, err)
						assert.True(t, res.Scored)
						if noTotal {
							assert.Equal(t, -1, res.Total)
						} else {
							assert.Equal(t, len(tt.want), res.Total)
						}
						for i, m := range res.Members {
							assert.Equal(t, oslcScore, m.ScoreTriple().Pred)
							assert.Equal(t, vocab.XSDDouble, m.ScoreTriple().Obj.(rdf.Literal).DataType)
							assert.Greater(t, m.Score, 0.0)
							assert.Less(t, m.Score, 100.0)
							if tt.scores != nil {
								assert.InDelta(t, tt.scores[len(all)+i], m.Score, 1e-9)
							}
						}
						all = append(all, ids(res)...)
						if res.Next == "" {
							break
						}
						page.After = res.Next
					}
					if all == nil {
						all = []string{}
					}
					assert.Equal(t, tt.want, all)
				})
			}
		}
	}
}

func TestRunErrors(t *testing.T) {
	db := openFixture(t)
	first, err := run(t, db, recordScope, "", "-dcterms:date", "", "", query.Page{Size: 2})
	require.NoError(t, err)
	tests := []struct {
		name, where, orderBy string
		page                 query.Page
		want                 error
		msg                  string
	}{
		{"ordering IRIs", "dcterms:isPartOf><http://x>", "", query.Page{}, query.ErrUnsupported, "oslc.where: at 18: > compares only numbers and dateTimes"},
		{"ordering strings", `dcterms:title>"abc"`, "", query.Page{}, query.ErrUnsupported, "oslc.where: at 15:"},
		{"ordering booleans", `dcterms:title<=true`, "", query.Page{}, query.ErrUnsupported, "oslc.where: at 16:"},
		{"score in orderBy", "", "-oslc:score", query.Page{}, query.ErrSyntax, "oslc.orderBy: at 2: oslc:score must not appear"},
		{"garbage cursor", "", "-dcterms:date", query.Page{After: "%%%"}, query.ErrCursor, "invalid cursor"},
		{"cursor of another query", "", "+dcterms:date", query.Page{After: first.Next}, query.ErrCursor, "another query"},
		{"cursor of another where", "dcterms:title=\"x\"", "-dcterms:date", query.Page{After: first.Next}, query.ErrCursor, "another query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, db, recordScope, tt.where, tt.orderBy, "", "", tt.page)
			require.ErrorIs(t, err, tt.want)
			var qe *query.Error
			require.ErrorAs(t, err, &qe)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

// TestSparseWalk gives the walk in key order members too sparse to fill a
// page within its bound: it must give up and scan, with the same result.
func TestSparseWalk(t *testing.T) {
	db, err := store.Open(t.TempDir()+"/pm.db", pmStoreOptions(store.Options{NoSync: true}))
	require.NoError(t, err)
	defer db.Close()
	var rs []store.Resource
	for i := range 300 {
		host := "web02"
		if i%150 == 7 {
			host = "web01"
		}
		rs = append(rs, record{id: fmt.Sprintf("s%03d", i), host: host,
			date: fmt.Sprintf("2026-11-01T%02d:%02d:00Z", i/60, i%60)}.resource())
	}
	require.NoError(t, db.Load(context.Background(), rs))
	forPlans(t, func(t *testing.T, noTotal bool) {
		res, err := run(t, db, recordScope, "dcterms:isPartOf=<"+hosts+"web01>", "-dcterms:date", "", "", query.Page{Size: 1, NoTotal: noTotal})
		require.NoError(t, err)
		assert.Equal(t, []string{"s157"}, ids(res))
		assert.Equal(t, []string{"s157", "s007"}, allPages(t, db, recordScope, "dcterms:isPartOf=<"+hosts+"web01>", "-dcterms:date", "", 1, noTotal, nil))
	})
}

// TestPageTotal checks the totals of first pages, which some plans count
// apart from finding the page, against the members of the whole result.
func TestPageTotal(t *testing.T) {
	db := openFixture(t)
	wheres := []string{"", "dcterms:isPartOf=<" + hosts + "web01>", "ems:observes{ems:metric=pm:CpuUsed}"}
	scopes := []query.Scope{{Prefix: records}, {Prefix: hosts}, {Prefix: base}, {Prefix: records + "r0"}, {}, recordScope}
	for _, scope := range scopes {
		for _, where := range wheres {
			for _, orderBy := range []string{"", "-dcterms:date"} {
				t.Run(scope.Prefix+" "+where+" "+orderBy, func(t *testing.T) {
					all, err := run(t, db, scope, where, orderBy, "", "", query.Page{})
					require.NoError(t, err)
					res, err := run(t, db, scope, where, orderBy, "", "", query.Page{Size: 1})
					require.NoError(t, err)
					assert.Equal(t, len(all.Members), res.Total, "total")
					if len(all.Members) > 0 {
						assert.Equal(t, ids(all)[:1], ids(res))
					}
				})
			}
		}
	}
}
