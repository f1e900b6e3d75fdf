package query

import (
	"math"
	"slices"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/vocab"
)

// textPredicates are the properties oslc.searchTerms searches: those the
// provider asks its store to index for text.
var textPredicates = vocab.TextIndexed

// TextPredicates returns the properties oslc.searchTerms searches
// (vocab.TextIndexed: dcterms:title, dcterms:description and
// dcterms:identifier). Without a
// text index (Features.Text) the engine reads their string literals; a
// source's text index must hold the literals of these.
func TextPredicates() []rdf.IRI { return slices.Clone(textPredicates) }

// searchTokens returns the distinct tokens of the search terms, in order.
// A term of several words matches any of them: there is no phrase search.
func searchTokens(st parser.SearchTerms) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range st {
		for _, t := range literal.Tokens(s) {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// hits are the term frequencies of the search tokens per subject.
type hits struct {
	set *subjSet
	tf  map[string][]int // subjKey → tf per token
	df  []int            // subjects per token
}

func newHits(n int) *hits {
	return &hits{set: newSubjSet(), tf: map[string][]int{}, df: make([]int, n)}
}

func (h *hits) add(s rdf.Subject, tok, tf int) {
	k := subjKey(s)
	v := h.tf[k]
	if v == nil {
		v = make([]int, len(h.df))
		h.tf[k] = v
		h.set.add(s)
	}
	if v[tok] == 0 {
		h.df[tok]++
	}
	v[tok] += tf
}

// textIndex finds every subject with a search token, through the text
// index if there is one, else by reading all literals of the searched
// properties. A posting that tells its subject states it (Own) proves
// the subject a resource, at no extra read.
func (e *eval) textIndex(tokens []string) (*hits, error) {
	h := newHits(len(tokens))
	if e.feat.Text {
		for i, tok := range tokens {
			err := e.acc.Text(e.ctx, tok, func(p Posting) bool {
				if p.TF > 0 {
					h.add(p.Subj, i, p.TF)
					if p.Own {
						h.set.addRes(p.Subj, true)
					}
				}
				return true
			})
			if err != nil {
				return nil, err
			}
		}
		return h, nil
	}
	index := map[string]int{}
	for i, t := range tokens {
		index[t] = i
	}
	for _, p := range textPredicates {
		err := e.src.Match(e.ctx, nil, p, nil, func(t rdf.Triple) bool {
			if text, ok := literalText(t.Obj); ok {
				for _, tok := range literal.Tokens(text) {
					if i, ok := index[tok]; ok {
						h.add(t.Subj, i, 1)
					}
				}
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	return h, nil
}

// textOf counts the search tokens in one subject's searched literals.
func (e *eval) textOf(s rdf.Subject, tokens []string) ([]int, error) {
	tf := make([]int, len(tokens))
	for _, p := range textPredicates {
		err := e.src.Match(e.ctx, s, p, nil, func(t rdf.Triple) bool {
			if text, ok := literalText(t.Obj); ok {
				for _, tok := range literal.Tokens(text) {
					for i, q := range tokens {
						if tok == q {
							tf[i]++
						}
					}
				}
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	return tf, nil
}

// rowDF counts the rows with each of k tokens.
func rowDF(rows []*row, k int) []int {
	df := make([]int, k)
	for _, rw := range rows {
		for i, f := range rw.tf {
			if f > 0 {
				df[i]++
			}
		}
	}
	return df
}

// idfs weighs each token by inverse document frequency, ln(1 + n/df),
// among n documents.
func idfs(df []int, n int) []float64 {
	out := make([]float64, len(df))
	for i, d := range df {
		if d > 0 {
			out[i] = math.Log(1 + float64(max(n, d))/float64(d))
		}
	}
	return out
}

// score is 100 times the idf-weighted mean of tf/(tf+1) over the tokens:
// 0 when no token occurs, approaching 100 when every token occurs often.
func score(tf []int, idf []float64) float64 {
	var sum, norm float64
	for i, w := range idf {
		norm += w
		if i < len(tf) && tf[i] > 0 {
			sum += w * float64(tf[i]) / float64(tf[i]+1)
		}
	}
	if norm == 0 {
		return 0
	}
	return 100 * sum / norm
}

// collectionSize is the n of idf: the resources in the store when the
// source tells (Features.Stats), else the subjects seen.
func (e *eval) collectionSize(seen int) (int, error) {
	if e.feat.Stats {
		s, err := e.acc.Stats(e.ctx)
		if err != nil {
			return 0, err
		}
		return max(int(s.Resources), seen), nil
	}
	return seen, nil
}

// literalText is the searchable text of a string literal; an XML literal's
// tags separate words, as in the store's index.
func literalText(o rdf.Object) (string, bool) {
	l, ok := o.(rdf.Literal)
	if !ok || classify(l).cls != clsString {
		return "", false
	}
	s := l.String()
	if l.DataType.String() != vocab.RDF+"XMLLiteral" {
		return s, true
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i] + " ")
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return b.String(), true
		}
		s = s[i+j+1:]
	}
}
