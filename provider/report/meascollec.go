package report

import (
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"time"
)

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

// Write3GPP writes rep as a measCollecFile (Media3GPP) from sender (the
// provider's base URL): a measInfo per granularity period, with the
// metrics measured in it as measTypes and a measValue per resource.
// Metric names are the metrics' IRIs; a status is written as its IRI.
func Write3GPP(w io.Writer, rep *Report, sender string) error {
	var f measCollecFile
	f.Header.FileFormatVersion = "32.435 V10.0"
	f.Header.VendorName = "pmprovider"
	f.Header.Sender.LocalDn = sender
	f.Header.MeasCollec.BeginTime = rep.Start
	f.Footer.MeasCollec.EndTime = rep.End
	f.Data.ManagedElement.LocalDn = rep.Job
	gran := rep.Granularity
	if gran == "" {
		gran = granularityOf(rep.Rows)
	}
	rows := rep.Rows
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].End == rows[i].End {
			j++
		}
		period := rows[i:j]
		var mi measInfo
		mi.ID = rows[i].End
		mi.Job.ID = rep.Job
		mi.GranPeriod.Duration = gran
		mi.GranPeriod.EndTime = rows[i].End
		var metrics []string
		for _, row := range period {
			if !slices.Contains(metrics, row.Metric) {
				metrics = append(metrics, row.Metric)
			}
		}
		slices.Sort(metrics)
		for k, m := range metrics {
			mi.Types = append(mi.Types, measType{P: k + 1, Name: m})
		}
		for k := 0; k < len(period); {
			l := k
			mv := measValue{Ldn: period[k].Resource}
			for l < len(period) && period[l].Resource == period[k].Resource {
				mv.Results = append(mv.Results, measR{P: slices.Index(metrics, period[l].Metric) + 1, Value: period[l].Value})
				l++
			}
			slices.SortFunc(mv.Results, func(a, b measR) int { return a.P - b.P })
			mi.Values = append(mi.Values, mv)
			k = l
		}
		f.Data.Infos = append(f.Data.Infos, mi)
		i = j
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(&f); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// granularityOf guesses the granularity of rows without one: the length
// of the first period.
func granularityOf(rows []Row) string {
	for _, r := range rows {
		a, err1 := time.Parse(time.RFC3339Nano, r.Start)
		b, err2 := time.Parse(time.RFC3339Nano, r.End)
		if err1 == nil && err2 == nil && b.After(a) {
			return "PT" + strconv.FormatInt(int64(b.Sub(a)/time.Second), 10) + "S"
		}
	}
	return ""
}
