package ui

import (
	"html/template"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// htmlValue is one object of a property, ready for the page.
type htmlValue struct {
	Text string
	Href string // set for links
	Note string // datatype or language, shown small
	IRI  bool   // Text is an IRI: it alone may break at any character
}

type htmlProp struct {
	Name string
	Href string
	Vals []htmlValue
}

type htmlNode struct {
	ID    string // anchor
	Label string
	Href  string
	Props []htmlProp
}

type htmlPage struct {
	Title   string
	Nodes   []htmlNode
	Formats []htmlValue
	// Before is what the page shows above the triples: tables, charts,
	// forms; Hide leaves the triples out (they are in the downloads).
	Before template.HTML
	Hide   bool
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.Static}}/page.css">
<link rel="stylesheet" href="{{.Static}}/site.css">
<script src="{{.Static}}/console.js" defer></script>
</head>
<body data-live-url="{{.Live}}" data-events-url="{{.Events}}">
<a class="skip" href="#main">Skip to content</a>
<nav aria-label="Site"><a href="{{.Home}}">Overview</a> · <a href="{{.Catalog}}">Catalog</a> · Download:
{{range $i, $f := .Formats}}{{if $i}}, {{end}}<a href="{{$f.Href}}" type="{{$f.Note}}">{{$f.Text}}</a>{{end}}</nav>
<main id="main">
<h1>{{.Title}}</h1>
{{.Before}}
{{if not .Hide}}{{if .Before}}<h2 class="all">All properties</h2>{{end}}{{range .Nodes}}<section id="{{.ID}}" aria-label="{{.Label}}">
{{if .Href}}<h2><a href="{{.Href}}">{{.Label}}</a></h2>{{else}}<h2>{{.Label}}</h2>{{end}}
<table>
{{range .Props}}<tr><th scope="row"><a href="{{.Href}}" class="iri">{{.Name}}</a></th><td>{{if eq (len .Vals) 1}}{{template "val" index .Vals 0}}{{else}}<ul class="vals">{{range .Vals}}<li>{{template "val" .}}</li>{{end}}</ul>{{end}}</td></tr>
{{end}}</table>
</section>
{{end}}{{end}}</main>
</body>
</html>
{{define "val"}}{{if .Href}}<a href="{{.Href}}"{{if .IRI}} class="iri"{{end}}>{{.Text}}</a>{{else if .IRI}}<span class="iri">{{.Text}}</span>{{else}}{{.Text}}{{end}}{{if .Note}} <small>{{.Note}}</small>{{end}}{{end}}
`))

// RenderHTML writes g as a page: the root first, then every other subject,
// nested nodes linked by anchors.
func (s *Server) RenderHTML(w io.Writer, r *http.Request, root rdf.Subject, g []rdf.Triple, title string) error {
	bySubj := make(map[string][]rdf.Triple)
	var order []string
	for _, t := range g {
		k := termKey(t.Subj)
		if _, ok := bySubj[k]; !ok {
			order = append(order, k)
		}
		bySubj[k] = append(bySubj[k], t)
	}
	rootKey := termKey(root)
	sort.SliceStable(order, func(i, j int) bool { return order[i] == rootKey && order[j] != rootKey })
	anchor := func(t rdf.Term) string {
		switch t := t.(type) {
		case rdf.Blank:
			return "node-" + t.String()
		case rdf.IRI:
			if _, frag, ok := strings.Cut(t.String(), "#"); ok && frag != "" {
				return frag
			}
		}
		return "node-" + strings.NewReplacer(":", "-", "/", "-", "#", "-", "?", "-", "&", "-", "=", "-").Replace(t.String())
	}
	// A node described on the page is linked by its label, when it has one.
	labels := make(map[string]string)
	for _, t := range g {
		switch t.Pred.String() {
		case vocab.DCTerms + "title", vocab.OSLC + "label", vocab.RDFS + "label", vocab.OSLC + "prefix":
			if _, ok := labels[termKey(t.Subj)]; !ok {
				labels[termKey(t.Subj)] = t.Obj.String()
			}
		}
	}
	link := func(t rdf.Term) htmlValue {
		if _, ok := bySubj[termKey(t)]; ok && termKey(t) != rootKey {
			text := vocab.Short(t.String())
			if l, ok := labels[termKey(t)]; ok {
				text = l
			}
			_, labelled := labels[termKey(t)]
			return htmlValue{Text: text, Href: "#" + anchor(t), IRI: !labelled}
		}
		switch t := t.(type) {
		case rdf.IRI:
			text := vocab.Short(t.String())
			return htmlValue{Text: text, Href: t.String(), IRI: true}
		case rdf.Blank:
			return htmlValue{Text: "_:" + t.String()}
		case rdf.Literal:
			v := htmlValue{Text: t.String(), IRI: t.DataType.String() == vocab.XSD+"anyURI"}
			if t.Lang() != "" {
				v.Note = "@" + t.Lang()
			} else if dt := t.DataType.String(); dt != "" && dt != vocab.XSD+"string" {
				v.Note = vocab.Short(dt)
			}
			return v
		}
		return htmlValue{Text: t.String()}
	}
	page := struct {
		htmlPage
		Home, Catalog, Static, Live, Events string
	}{htmlPage: htmlPage{Title: title}, Home: s.URL("/"), Catalog: s.URL("/oslc/catalog"), Static: s.URL("/ui/static"),
		Live: s.URL("/ui/live"), Events: s.URL("/oslc/events")}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || isError(root, g) {
		before, hide, err := s.htmlExtras(r, root, g)
		if err != nil {
			return err
		}
		page.Before, page.Hide = before, hide
	}

	for _, k := range order {
		ts := bySubj[k]
		n := htmlNode{ID: anchor(ts[0].Subj), Label: vocab.Short(ts[0].Subj.String())}
		if iri, ok := ts[0].Subj.(rdf.IRI); ok {
			n.Href = iri.String()
		}
		if b, ok := ts[0].Subj.(rdf.Blank); ok {
			n.Label = "_:" + b.String()
		}
		byPred := make(map[string]*htmlProp)
		var preds []string
		for _, t := range ts {
			p := t.Pred.String()
			hp, ok := byPred[p]
			if !ok {
				hp = &htmlProp{Name: vocab.Short(p), Href: p}
				byPred[p] = hp
				preds = append(preds, p)
			}
			hp.Vals = append(hp.Vals, link(t.Obj))
			if t.Pred == vocab.DCTitle && k != rootKey {
				n.Label = t.Obj.String()
			}
		}
		sort.SliceStable(preds, func(i, j int) bool {
			return preds[i] == vocab.RDF+"type" && preds[j] != vocab.RDF+"type"
		})
		for _, p := range preds {
			n.Props = append(n.Props, *byPred[p])
		}
		page.Nodes = append(page.Nodes, n)
	}
	for _, f := range []struct{ name, param, mt string }{
		{"RDF/XML", "rdfxml", "application/rdf+xml"},
		{"Turtle", "turtle", "text/turtle"},
		{"JSON-LD", "jsonld", "application/ld+json"},
		{"N-Triples", "ntriples", "application/n-triples"},
	} {
		// A POST or PUT answers with the resource: link to it, not to the factory.
		target, q := r.URL.Path, r.URL.Query()
		if iri, ok := root.(rdf.IRI); ok && r.Method != http.MethodGet && r.Method != http.MethodHead {
			target, q = iri.String(), url.Values{}
		}
		q.Set("format", f.param)
		page.Formats = append(page.Formats, htmlValue{Text: f.name, Href: target + "?" + q.Encode(), Note: f.mt})
	}
	return pageTmpl.Execute(w, page)
}

// termKey identifies a term in maps.
func termKey(t rdf.Term) string {
	// Nodes are most of what the pages key on: their N-Triples costs a
	// Sprintf each.
	switch v := t.(type) {
	case rdf.IRI:
		return "<" + v.String() + ">"
	case rdf.Blank:
		return "_:" + strings.TrimPrefix(v.String(), "_:")
	}
	return t.Serialize(rdf.NTriples)
}
