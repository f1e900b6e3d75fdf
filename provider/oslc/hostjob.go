package oslc

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/vocab"
)

// EnsureHostJob makes sure this machine is a monitored resource
// (crtv:ComputerSystem at /oslc/resources/host-<hostname>) and that a job
// (/oslc/jobs/host-<hostname>) measures it with the host collector every
// 10 seconds, reporting every minute. It returns the job's IRI. A job that
// exists is left as it is, even if suspended or cancelled.
func (s *Server) EnsureHostJob(ctx context.Context) (rdf.IRI, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	slug := "host-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, host)
	res := s.iri("/oslc/resources/" + slug)
	job := s.iri("/oslc/jobs/" + slug)
	now := s.now()
	k := s.Kind("resources")
	g := []rdf.Triple{
		{Subj: res, Pred: vocab.RDFType, Obj: vocab.IRI(vocab.CRTV, "ComputerSystem")},
		{Subj: res, Pred: vocab.DCTitle, Obj: vocab.XMLLiteral(xmlText(host))},
		{Subj: res, Pred: vocab.IRI(vocab.CRTV, "shortHostName"), Obj: vocab.Str(host)},
		{Subj: res, Pred: vocab.IRI(vocab.CRTV, "name"), Obj: vocab.Str(host)},
	}
	g = append(g, s.serverProps(res, k.Shape.Name, now, now, slug)...)
	if _, err := s.store.Create(ctx, res, g); err != nil && !errors.Is(err, store.ErrExists) {
		return job, err
	}
	if s.jobs.Known(job) {
		return job, nil
	}
	if _, _, err := s.store.Get(ctx, job); err == nil {
		return job, nil // stored, but not running: cancelled or completed
	}
	dur := vocab.IRI(vocab.XSD, "duration")
	jg := []rdf.Triple{
		{Subj: job, Pred: vocab.RDFType, Obj: vocab.PMJJob},
		{Subj: job, Pred: vocab.DCTitle, Obj: vocab.XMLLiteral("Measure " + xmlText(host))},
		{Subj: job, Pred: vocab.DCDescription, Obj: vocab.XMLLiteral("The default job: this host's CPU, memory, disk and network every 10 seconds, reported every minute.")},
		{Subj: job, Pred: vocab.PMJTerm("jobType"), Obj: vocab.PMJTerm("Proactive")},
		{Subj: job, Pred: vocab.PMJTerm("monitoredObject"), Obj: res},
		{Subj: job, Pred: vocab.PMJTerm("collector"), Obj: vocab.PMJTerm("HostCollector")},
		{Subj: job, Pred: vocab.PMJTerm("granularity"), Obj: rdf.NewTypedLiteral("PT10S", dur)},
		{Subj: job, Pred: vocab.PMJTerm("reportingPeriod"), Obj: rdf.NewTypedLiteral("PT1M", dur)},
		{Subj: job, Pred: vocab.PMJTerm("timeZone"), Obj: vocab.Str(localZone())},
	}
	jg = append(jg, s.serverProps(job, "job", now, now, slug)...)
	_, _, err = s.jobs.Create(ctx, job, slug, jg, "pmprovider (default job)")
	return job, err
}

// localZone names this machine's time zone, or UTC.
func localZone() string {
	if tz := os.Getenv("TZ"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			return tz
		}
	}
	if l, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(l, "zoneinfo/"); i >= 0 {
			if _, err := time.LoadLocation(l[i+9:]); err == nil {
				return l[i+9:]
			}
		}
	}
	return "UTC"
}

func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
