package query

import (
	"context"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/codec/literal"
)

// PrefixSearch is search as you type: the resources with, for each of
// tokens (as literal.Tokens cuts them), a word of a searched literal (see
// TextPredicates) that starts with it. It returns each resource's IRI,
// without the fragment of a node that belongs to it, with the sum over
// the tokens of the occurrences of such words in the literals of its
// subjects: more is a better match. Subjects that are blank nodes are not
// resources and count for nothing. No tokens find nothing (a nil map).
//
// limit bounds the postings read per token (a posting is a subject's
// occurrences of one word in one property), so that a short prefix of
// many words stays cheap; 0 or less is no bound. With more postings than
// that, which are read depends on the source.
//
// A source with Features.Text answers from its text index
// (Accelerator.TextPrefix); others by reading every searched literal.
func PrefixSearch(ctx context.Context, src Source, tokens []string, limit int) (map[string]int, error) {
	scan := naivePrefix(src)
	if acc, ok := src.(Accelerator); ok && acc.Features().Text {
		scan = acc.TextPrefix
	}
	var out map[string]int
	for _, tok := range tokens {
		got := map[string]int{}
		n := 0
		err := scan(ctx, tok, func(_ string, p Posting) bool {
			if iri, ok := p.Subj.(rdf.IRI); ok {
				id, _, _ := strings.Cut(iri.String(), "#")
				got[id] += p.TF
			}
			n++
			return limit <= 0 || n < limit
		})
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = got
			continue
		}
		for id, sc := range out {
			if g, ok := got[id]; ok {
				out[id] = sc + g
			} else {
				delete(out, id)
			}
		}
	}
	return out, nil
}

// naivePrefix is TextPrefix without a text index: it reads the literals of
// the searched properties, property by property, and gathers the postings
// of the words starting with the prefix.
func naivePrefix(src Source) func(ctx context.Context, prefix string, fn func(token string, p Posting) bool) error {
	return func(ctx context.Context, prefix string, fn func(token string, p Posting) bool) error {
		type key struct {
			token string
			subj  string
			pred  rdf.IRI
		}
		for _, pred := range textPredicates {
			var order []key
			postings := map[key]*Posting{}
			err := src.Match(ctx, nil, pred, nil, func(t rdf.Triple) bool {
				text, ok := literalText(t.Obj)
				if !ok {
					return true
				}
				for _, tok := range literal.Tokens(text) {
					if !strings.HasPrefix(tok, prefix) {
						continue
					}
					k := key{tok, subjKey(t.Subj), pred}
					if p := postings[k]; p != nil {
						p.TF++
						continue
					}
					postings[k] = &Posting{Subj: t.Subj, Pred: pred, TF: 1}
					order = append(order, k)
				}
				return true
			})
			if err != nil {
				return err
			}
			for _, k := range order {
				if !fn(k.token, *postings[k]) {
					return nil
				}
			}
		}
		return nil
	}
}
