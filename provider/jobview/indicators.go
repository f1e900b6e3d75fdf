package jobview

import (
	"slices"
	"strings"
	"sync"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Indicator is a pm metric some collector of the provider measures.
type Indicator struct {
	IRI        rdf.IRI
	Label      string
	Comment    string
	Collectors []string // short names of the collectors, pmj:SyntheticCollector
	Groups     []rdf.IRI
}

// Group is a pm metric category with the indicators of it the provider
// measures.
type Group struct {
	IRI        rdf.IRI
	Label      string
	Indicators []rdf.IRI
}

// Indicators returns the metrics the engine's collectors offer, and their
// categories (the pm vocabulary's classes above them, pm:Metric aside),
// sorted by IRI.
func (b *Backend) Indicators() ([]*Indicator, []*Group) {
	capID, _ := rdf.NewIRI(b.api.URL("/oslc/capabilities"))
	caps := b.api.Jobs().Capabilities(capID)
	byIRI := make(map[string]*Indicator)
	for _, t := range caps {
		if t.Pred != vocab.PMJTerm("supportedMetric") {
			continue
		}
		m, ok := t.Obj.(rdf.IRI)
		if !ok {
			continue
		}
		in := byIRI[m.String()]
		if in == nil {
			in = &Indicator{IRI: m}
			byIRI[m.String()] = in
		}
		if c, ok := t.Subj.(rdf.IRI); ok && !slices.Contains(in.Collectors, Name(c)) {
			in.Collectors = append(in.Collectors, Name(c))
		}
	}
	closure, _ := vocab.SubClassClosure()
	ls := labels()
	groups := make(map[string]*Group)
	var ins []*Indicator
	for _, in := range byIRI {
		in.Label, in.Comment = ls.label[in.IRI.String()], ls.comment[in.IRI.String()]
		for _, sup := range closure[in.IRI.String()] {
			if !strings.HasPrefix(sup, vocab.PM) || sup == vocab.PM+"Metric" {
				continue
			}
			g := groups[sup]
			if g == nil {
				g = &Group{IRI: vocab.IRI(sup, ""), Label: ls.label[sup]}
				groups[sup] = g
			}
			g.Indicators = append(g.Indicators, in.IRI)
			in.Groups = append(in.Groups, g.IRI)
		}
		ins = append(ins, in)
	}
	byStr := func(a, b rdf.IRI) int { return strings.Compare(a.String(), b.String()) }
	slices.SortFunc(ins, func(a, b *Indicator) int { return byStr(a.IRI, b.IRI) })
	var gs []*Group
	for _, g := range groups {
		slices.SortFunc(g.Indicators, byStr)
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *Group) int { return byStr(a.IRI, b.IRI) })
	for _, in := range ins {
		slices.SortFunc(in.Groups, byStr)
	}
	return ins, gs
}

// labelSet is the rdfs:label and rdfs:comment of each pm term.
type labelSet struct{ label, comment map[string]string }

var labels = sync.OnceValue(func() labelSet {
	ls := labelSet{label: map[string]string{}, comment: map[string]string{}}
	g, err := vocab.Lookup("perfmon").Graph()
	if err != nil {
		return ls
	}
	for _, t := range g {
		switch t.Pred.String() {
		case vocab.RDFS + "label":
			ls.label[t.Subj.String()] = t.Obj.String()
		case vocab.RDFS + "comment":
			ls.comment[t.Subj.String()] = t.Obj.String()
		}
	}
	return ls
})
