package report

import (
	"encoding/csv"
	"io"
)

// csvHeader names the CSV columns.
var csvHeader = []string{"report", "job", "resource", "periodStart", "periodEnd", "metric", "value", "unit", "sampleCount"}

// WriteCSV writes rep as CSV (MediaCSV): a header, then a line per row.
func WriteCSV(w io.Writer, rep *Report) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	for _, row := range rep.Rows {
		cw.Write([]string{rep.ID, rep.Job, row.Resource, row.Start, row.End, row.Metric, row.Value, row.Unit, row.Count})
	}
	cw.Flush()
	return cw.Error()
}
