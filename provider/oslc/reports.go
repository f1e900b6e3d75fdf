package oslc

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
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

// reportFormats maps the format parameter's report values to media types.
var reportFormats = map[string]string{"csv": MediaCSV, "3gpp": Media3GPP, "meascollec": Media3GPP}

// reportFile returns the media type of a report file the request asks
// for, or "" for the RDF representations: the format parameter csv or
// 3gpp, or an Accept header that prefers text/csv or Media3GPP (named
// exactly) to everything else it lists.
func reportFile(r *http.Request) string {
	if f := r.URL.Query().Get("format"); f != "" {
		return reportFormats[strings.ToLower(f)]
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

// WantsReportFile tells whether r asks for a report file (CSV or 3GPP)
// rather than an RDF representation.
func WantsReportFile(r *http.Request) bool { return reportFile(r) != "" }

// A reportRow is one value of one metric of one resource in one period.
type reportRow struct {
	resource, metric, unit string
	start, end             string // lexical forms, with their offsets
	value                  string
	count                  string
}

// reportData is a report with its records flattened.
type reportData struct {
	id, job, granularity, reporting string
	start, end                      string
	rows                            []reportRow
}

// loadReport reads report id and its records.
func (s *Server) loadReport(ctx context.Context, id rdf.IRI) (*reportData, error) {
	g, _, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &reportData{id: id.String()}
	var recs []rdf.IRI
	for _, t := range g {
		if !rdf.TermsEqual(t.Subj, id) {
			continue
		}
		switch t.Pred.String() {
		case vocab.PMJ + "producedBy":
			d.job = t.Obj.String()
		case vocab.PMJ + "granularity":
			d.granularity = t.Obj.String()
		case vocab.PMJ + "periodStart":
			d.start = t.Obj.String()
		case vocab.PMJ + "periodEnd":
			d.end = t.Obj.String()
		case vocab.PMJ + "record":
			if i, ok := t.Obj.(rdf.IRI); ok {
				recs = append(recs, i)
			}
		}
	}
	for _, rec := range recs {
		rg, _, err := s.store.Get(ctx, rec)
		if err != nil {
			continue // removed since (retention): the report lists what is left
		}
		d.rows = append(d.rows, recordRows(rec, rg)...)
	}
	slices.SortStableFunc(d.rows, func(a, b reportRow) int {
		if c := strings.Compare(a.end, b.end); c != 0 {
			return c
		}
		if c := strings.Compare(a.resource, b.resource); c != 0 {
			return c
		}
		return strings.Compare(a.metric, b.metric)
	})
	return d, nil
}

// recordRows flattens a record: a row per measure, and one for its
// pm:availabilityStatus.
func recordRows(id rdf.IRI, g []rdf.Triple) []reportRow {
	var base reportRow
	measures := make(map[string]*reportRow)
	var order []string
	var status string
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) {
			switch t.Pred {
			case vocab.DCIsPartOf:
				base.resource = t.Obj.String()
			case vocab.DCDate:
				base.end = t.Obj.String()
			case vocab.PMJTerm("periodStart"):
				base.start = t.Obj.String()
			case vocab.PMAvailabilityStatus:
				status = t.Obj.String()
			}
		}
	}
	for _, t := range g {
		if rdf.TermsEqual(t.Subj, id) && t.Pred == vocab.EMSObserves {
			k := t.Obj.String()
			if measures[k] == nil {
				measures[k] = &reportRow{}
				order = append(order, k)
			}
		}
	}
	for _, t := range g {
		m := measures[t.Subj.String()]
		if m == nil {
			continue
		}
		switch t.Pred {
		case vocab.EMSMetric:
			m.metric = t.Obj.String()
		case vocab.EMSNumericValue:
			m.value = t.Obj.String()
		case vocab.EMSUnitOfMeasure:
			m.unit = t.Obj.String()
		case vocab.PMJTerm("sampleCount"):
			m.count = t.Obj.String()
		}
	}
	var out []reportRow
	for _, k := range order {
		m := measures[k]
		if m.metric == "" {
			continue
		}
		m.resource, m.start, m.end = base.resource, base.start, base.end
		out = append(out, *m)
	}
	if status != "" {
		out = append(out, reportRow{resource: base.resource, start: base.start, end: base.end,
			metric: vocab.PMAvailabilityStatus.String(), value: status})
	}
	return out
}

// ReportFile serves a report as CSV or as a 3GPP measCollecFile.
func (s *Server) ReportFile(w http.ResponseWriter, r *http.Request) {
	id := s.RequestIRI(r)
	d, err := s.loadReport(r.Context(), id)
	if err != nil {
		s.WriteError(w, r, err)
		return
	}
	var buf bytes.Buffer
	mt := reportFile(r)
	name := strings.TrimPrefix(id.String(), s.base+"/oslc/reports/")
	switch mt {
	case MediaCSV:
		err = writeCSV(&buf, d)
		name += ".csv"
	default:
		err = write3GPP(&buf, d, s.base)
		name = "A" + name + ".xml"
	}
	if err != nil {
		s.WriteError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", mt+"; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	h.Add("Vary", "Accept")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// csvHeader names the CSV columns.
var csvHeader = []string{"report", "job", "resource", "periodStart", "periodEnd", "metric", "value", "unit", "sampleCount"}

func writeCSV(buf *bytes.Buffer, d *reportData) error {
	cw := csv.NewWriter(buf)
	cw.Write(csvHeader)
	for _, row := range d.rows {
		cw.Write([]string{d.id, d.job, row.resource, row.start, row.end, row.metric, row.value, row.unit, row.count})
	}
	cw.Flush()
	return cw.Error()
}

// The 3GPP TS 32.435 measurement collection file.
type measCollecFile struct {
	XMLName xml.Name `xml:"http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec measCollecFile"`
	Header  struct {
		FileFormatVersion string `xml:"fileFormatVersion,attr"`
		VendorName        string `xml:"vendorName,attr"`
		Sender            struct {
			LocalDn string `xml:"localDn,attr"`
		} `xml:"fileSender"`
		MeasCollec struct {
			BeginTime string `xml:"beginTime,attr"`
		} `xml:"measCollec"`
	} `xml:"fileHeader"`
	Data struct {
		ManagedElement struct {
			LocalDn string `xml:"localDn,attr"`
		} `xml:"managedElement"`
		Infos []measInfo `xml:"measInfo"`
	} `xml:"measData"`
	Footer struct {
		MeasCollec struct {
			EndTime string `xml:"endTime,attr"`
		} `xml:"measCollec"`
	} `xml:"fileFooter"`
}

type measInfo struct {
	ID  string `xml:"measInfoId,attr"`
	Job struct {
		ID string `xml:"jobId,attr"`
	} `xml:"job"`
	GranPeriod struct {
		Duration string `xml:"duration,attr"`
		EndTime  string `xml:"endTime,attr"`
	} `xml:"granPeriod"`
	Types  []measType  `xml:"measType"`
	Values []measValue `xml:"measValue"`
}

type measType struct {
	P    int    `xml:"p,attr"`
	Name string `xml:",chardata"`
}

type measValue struct {
	Ldn     string    `xml:"measObjLdn,attr"`
	Results []measR   `xml:"r"`
	Suspect *struct{} `xml:"suspect,omitempty"`
}

type measR struct {
	P     int    `xml:"p,attr"`
	Value string `xml:",chardata"`
}

// write3GPP writes d as a measCollecFile: a measInfo per granularity
// period, with the metrics measured in it as measTypes and a measValue
// per resource. Metric names are the metrics' IRIs; a status is written
// as its IRI.
func write3GPP(buf *bytes.Buffer, d *reportData, sender string) error {
	var f measCollecFile
	f.Header.FileFormatVersion = "32.435 V10.0"
	f.Header.VendorName = "pmprovider"
	f.Header.Sender.LocalDn = sender
	f.Header.MeasCollec.BeginTime = d.start
	f.Footer.MeasCollec.EndTime = d.end
	f.Data.ManagedElement.LocalDn = d.job
	gran := d.granularity
	if gran == "" {
		gran = granularityOf(d.rows)
	}
	for i := 0; i < len(d.rows); {
		j := i
		for j < len(d.rows) && d.rows[j].end == d.rows[i].end {
			j++
		}
		period := d.rows[i:j]
		var mi measInfo
		mi.ID = d.rows[i].end
		mi.Job.ID = d.job
		mi.GranPeriod.Duration = gran
		mi.GranPeriod.EndTime = d.rows[i].end
		var metrics []string
		for _, row := range period {
			if !slices.Contains(metrics, row.metric) {
				metrics = append(metrics, row.metric)
			}
		}
		slices.Sort(metrics)
		for k, m := range metrics {
			mi.Types = append(mi.Types, measType{P: k + 1, Name: m})
		}
		for k := 0; k < len(period); {
			l := k
			mv := measValue{Ldn: period[k].resource}
			for l < len(period) && period[l].resource == period[k].resource {
				mv.Results = append(mv.Results, measR{P: slices.Index(metrics, period[l].metric) + 1, Value: period[l].value})
				l++
			}
			slices.SortFunc(mv.Results, func(a, b measR) int { return a.P - b.P })
			mi.Values = append(mi.Values, mv)
			k = l
		}
		f.Data.Infos = append(f.Data.Infos, mi)
		i = j
	}
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(&f); err != nil {
		return err
	}
	buf.WriteString("\n")
	return nil
}

// granularityOf guesses the granularity of rows without one: the length
// of the first period.
func granularityOf(rows []reportRow) string {
	for _, r := range rows {
		a, err1 := time.Parse(time.RFC3339Nano, r.start)
		b, err2 := time.Parse(time.RFC3339Nano, r.end)
		if err1 == nil && err2 == nil && b.After(a) {
			return "PT" + strconv.FormatInt(int64(b.Sub(a)/time.Second), 10) + "S"
		}
	}
	return ""
}
