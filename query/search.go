package query

import (
	"context"
	"math"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/query/parser"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// Tokens splits text into the lowercase tokens oslc.searchTerms matches:
// runs of letters and digits. It is the store's tokenizer (store.Tokens),
// so search terms cut the way the text index cut the data.
func Tokens(s string) []string { return store.Tokens(s) }

// textPredicates are the properties searched without a text index.
var textPredicates = store.DefaultTextPredicates

// TextSource is a full-text index: a Source that has one (the store's
// Snapshot does) is searched through it, others by reading the literals
// of dcterms:title, dcterms:description and dcterms:identifier.
type TextSource interface {
	// Text calls fn with the postings of token, a lowercase token as
	// Tokens makes: each subject and property with a string literal of
	// dcterms:title, dcterms:description or dcterms:identifier holding
	// the token, and how many times (tf > 0), until fn returns false.
	Text(ctx context.Context, token string, fn func(s rdf.Subject, p rdf.IRI, tf int) bool) error
}

// textOwnSource is what the store's Snapshot offers to tell, with each
// posting, whether the subject is a resource stating the triple itself,
// so that checking it is a stored resource costs no lookup.
type textOwnSource interface {
	TextOwn(ctx context.Context, token string, fn func(s rdf.Subject, p rdf.IRI, tf int, own bool) bool) error
}

// statser is what the store's Snapshot offers to size the collection for
// idf; without it, the number of subjects with any hit is used.
type statser interface {
	Stats(ctx context.Context) (store.Stats, error)
}

// searchTokens returns the distinct tokens of the search terms, in order.
// A term of several words matches any of them: there is no phrase search.
func searchTokens(st parser.SearchTerms) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range st {
		for _, t := range Tokens(s) {
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
// properties.
func (e *eval) textIndex(tokens []string) (*hits, error) {
	h := newHits(len(tokens))
	if ts, ok := e.text.(textOwnSource); ok {
		for i, tok := range tokens {
			err := ts.TextOwn(e.ctx, tok, func(s rdf.Subject, _ rdf.IRI, tf int, own bool) bool {
				if tf > 0 {
					h.add(s, i, tf)
					if own {
						h.set.addRes(s, true)
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
	if e.text != nil {
		for i, tok := range tokens {
			err := e.text.Text(e.ctx, tok, func(s rdf.Subject, _ rdf.IRI, tf int) bool {
				if tf > 0 {
					h.add(s, i, tf)
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
				for _, tok := range Tokens(text) {
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
				for _, tok := range Tokens(text) {
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
// source tells, else the subjects seen.
func (e *eval) collectionSize(seen int) (int, error) {
	if st, ok := e.src.(statser); ok {
		s, err := st.Stats(e.ctx)
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
