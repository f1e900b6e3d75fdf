package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"net/http/httptest"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider/report"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// graphs is a Getter over resources in memory.
type graphs map[rdf.IRI][]rdf.Triple

func (m graphs) Get(_ context.Context, id rdf.IRI) ([]rdf.Triple, string, error) {
	g, ok := m[id]
	if !ok {
		return nil, "", store.ErrNotFound
	}
	return g, `"1"`, nil
}

func iri(s string) rdf.IRI {
	i, err := rdf.NewIRI(s)
	if err != nil {
		panic(err)
	}
	return i
}

func dt(s string) rdf.Literal { return rdf.NewTypedLiteral(s, vocab.XSDDateTime) }

// record is a record of res for the period start to end, with one
// measure of CpuUsed (value v) or, if v is "", a status.
func record(id, res, start, end, v string) []rdf.Triple {
	r := iri(id)
	g := []rdf.Triple{
		{Subj: r, Pred: vocab.DCIsPartOf, Obj: iri(res)},
		{Subj: r, Pred: vocab.DCDate, Obj: dt(end)},
		{Subj: r, Pred: vocab.PMJTerm("periodStart"), Obj: dt(start)},
	}
	if v == "" {
		return append(g, rdf.Triple{Subj: r, Pred: vocab.PMAvailabilityStatus, Obj: vocab.PMJTerm("Unavailable")})
	}
	m := iri(id + "#m1")
	return append(g,
		rdf.Triple{Subj: r, Pred: vocab.EMSObserves, Obj: m},
		rdf.Triple{Subj: m, Pred: vocab.EMSMetric, Obj: vocab.IRI(vocab.PM, "CpuUsed")},
		rdf.Triple{Subj: m, Pred: vocab.EMSNumericValue, Obj: rdf.NewTypedLiteral(v, vocab.XSDDouble)},
		rdf.Triple{Subj: m, Pred: vocab.PMJTerm("sampleCount"), Obj: rdf.NewTypedLiteral("6", vocab.XSDInteger)},
	)
}

func fixture() (graphs, rdf.IRI) {
	const b = "http://pm.example"
	rep := iri(b + "/oslc/reports/r1")
	m := graphs{
		iri(b + "/oslc/records/a2"): record(b+"/oslc/records/a2", b+"/oslc/resources/x", "2026-11-24T10:01:00+01:00", "2026-11-24T10:02:00+01:00", "2.5"),
		iri(b + "/oslc/records/a1"): record(b+"/oslc/records/a1", b+"/oslc/resources/x", "2026-11-24T10:00:00+01:00", "2026-11-24T10:01:00+01:00", "1.5"),
		iri(b + "/oslc/records/b1"): record(b+"/oslc/records/b1", b+"/oslc/resources/w", "2026-11-24T10:00:00+01:00", "2026-11-24T10:01:00+01:00", ""),
	}
	m[rep] = []rdf.Triple{
		{Subj: rep, Pred: vocab.PMJTerm("producedBy"), Obj: iri(b + "/oslc/jobs/j1")},
		{Subj: rep, Pred: vocab.PMJTerm("periodStart"), Obj: dt("2026-11-24T10:00:00+01:00")},
		{Subj: rep, Pred: vocab.PMJTerm("periodEnd"), Obj: dt("2026-11-24T10:02:00+01:00")},
		{Subj: rep, Pred: vocab.PMJTerm("record"), Obj: iri(b + "/oslc/records/a2")},
		{Subj: rep, Pred: vocab.PMJTerm("record"), Obj: iri(b + "/oslc/records/gone")},
		{Subj: rep, Pred: vocab.PMJTerm("record"), Obj: iri(b + "/oslc/records/a1")},
		{Subj: rep, Pred: vocab.PMJTerm("record"), Obj: iri(b + "/oslc/records/b1")},
	}
	return m, rep
}

func TestRead(t *testing.T) {
	m, id := fixture()
	rep, err := report.Read(context.Background(), m, id)
	require.NoError(t, err)
	assert.Equal(t, "http://pm.example/oslc/jobs/j1", rep.Job)
	assert.Equal(t, "", rep.Granularity)
	require.Len(t, rep.Rows, 3, "the record gone is left out")
	assert.Equal(t, "http://pm.example/oslc/resources/w", rep.Rows[0].Resource, "by period end, then resource")
	assert.Equal(t, vocab.PMAvailabilityStatus.String(), rep.Rows[0].Metric)
	assert.Equal(t, vocab.PMJ+"Unavailable", rep.Rows[0].Value)
	assert.Equal(t, report.Row{Resource: "http://pm.example/oslc/resources/x", Metric: vocab.PM + "CpuUsed", Value: "2.5", Count: "6",
		Start: "2026-11-24T10:01:00+01:00", End: "2026-11-24T10:02:00+01:00"}, rep.Rows[2])

	_, err = report.Read(context.Background(), m, iri("http://pm.example/oslc/reports/none"))
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func TestWriteCSV(t *testing.T) {
	m, id := fixture()
	rep, err := report.Read(context.Background(), m, id)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, report.WriteCSV(&buf, rep))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	assert.Equal(t, []string{"report", "job", "resource", "periodStart", "periodEnd", "metric", "value", "unit", "sampleCount"}, rows[0])
	assert.Equal(t, []string{id.String(), rep.Job, "http://pm.example/oslc/resources/x", "2026-11-24T10:00:00+01:00", "2026-11-24T10:01:00+01:00", vocab.PM + "CpuUsed", "1.5", "", "6"}, rows[2])
}

func TestWrite3GPP(t *testing.T) {
	m, id := fixture()
	rep, err := report.Read(context.Background(), m, id)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, report.Write3GPP(&buf, rep, "http://pm.example"))
	var f struct {
		Infos []struct {
			ID         string `xml:"measInfoId,attr"`
			GranPeriod struct {
				Duration string `xml:"duration,attr"`
			} `xml:"granPeriod"`
			Types  []string `xml:"measType"`
			Values []struct {
				Ldn string   `xml:"measObjLdn,attr"`
				R   []string `xml:"r"`
			} `xml:"measValue"`
		} `xml:"measData>measInfo"`
	}
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &f))
	require.Len(t, f.Infos, 2, "a measInfo per granularity period")
	assert.Equal(t, "PT60S", f.Infos[0].GranPeriod.Duration, "guessed from the first period")
	assert.Equal(t, []string{vocab.PM + "CpuUsed", vocab.PMAvailabilityStatus.String()}, f.Infos[0].Types)
	require.Len(t, f.Infos[0].Values, 2)
	assert.Equal(t, []string{"1.5"}, f.Infos[0].Values[1].R)
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct{ name, query, accept, want string }{
		{"rdf by default", "", "", ""},
		{"csv by format", "?format=CSV", "", report.MediaCSV},
		{"3gpp by format", "?format=3gpp", "text/csv", report.Media3GPP},
		{"meascollec by format", "?format=meascollec", "", report.Media3GPP},
		{"format wins, unknown is rdf", "?format=xml", "text/csv", ""},
		{"csv by accept", "", "text/csv", report.MediaCSV},
		{"3gpp by accept", "", report.Media3GPP, report.Media3GPP},
		{"rdf preferred", "", "text/csv;q=0.5, text/turtle", ""},
		{"csv preferred", "", "text/turtle;q=0.5, TEXT/CSV", report.MediaCSV},
		{"a tie goes to the file", "", "text/csv;q=0.9, */*;q=0.9", report.MediaCSV},
		{"refused", "", "text/csv;q=0", ""},
		{"plain xml is rdf", "", "application/xml", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/oslc/reports/r1"+tc.query, nil)
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			assert.Equal(t, tc.want, report.Negotiate(r))
		})
	}
}

func TestFileName(t *testing.T) {
	assert.Equal(t, "r1.csv", report.FileName("r1", report.MediaCSV))
	assert.Equal(t, "Ar1.xml", report.FileName("r1", report.Media3GPP))
}
