package report

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Media types of the report files, besides the RDF formats every
// resource has.
const (
	// MediaCSV is a report as CSV: one row per resource, period and metric.
	MediaCSV = "text/csv"
	// Media3GPP is a report as a 3GPP TS 32.435 measCollecFile. Plain
	// application/xml stays RDF/XML, as for every other resource.
	Media3GPP = "application/vnd.3gpp.measCollec+xml"
)

// formats maps the format parameter's report values to media types.
var formats = map[string]string{"csv": MediaCSV, "3gpp": Media3GPP, "meascollec": Media3GPP}

// Negotiate returns the media type of the report file r asks for, or ""
// for the RDF representations: the format parameter csv or 3gpp (or
// meascollec), or an Accept header that prefers MediaCSV or Media3GPP
// (named exactly) to everything else it lists.
func Negotiate(r *http.Request) string {
	if f := r.URL.Query().Get("format"); f != "" {
		return formats[strings.ToLower(f)]
	}
	best, bestQ, otherQ := "", 0.0, 0.0
	for _, part := range strings.Split(strings.Join(r.Header.Values("Accept"), ","), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch {
		case strings.EqualFold(mt, MediaCSV), strings.EqualFold(mt, Media3GPP):
			if q > bestQ {
				best, bestQ = MediaCSV, q
				if strings.EqualFold(mt, Media3GPP) {
					best = Media3GPP
				}
			}
		default:
			otherQ = max(otherQ, q)
		}
	}
	if bestQ > 0 && bestQ >= otherQ {
		return best
	}
	return ""
}

// FileName is the name of the file of the report with identifier ident
// (its IRI's last segment) as mediaType: ident.csv for MediaCSV, else
// Aident.xml, a measCollecFile named with a leading file type letter as
// 3GPP files are.
func FileName(ident, mediaType string) string {
	if mediaType == MediaCSV {
		return ident + ".csv"
	}
	return "A" + ident + ".xml"
}
