package shapes

import (
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Names of the measurement job shapes.
const (
	JobName          = "job"
	ReportName       = "report"
	TrackingName     = "tracking"
	NotificationName = "notification"
	AdhocName        = "adhoc"
)

// XSDDuration is the value type of granularity and reporting periods.
var XSDDuration = vocab.XSDDuration

// Weekdays are the pmj weekday individuals, Sunday first as in time.Weekday.
var Weekdays = []rdf.IRI{
	vocab.PMJTerm("Sunday"), vocab.PMJTerm("Monday"), vocab.PMJTerm("Tuesday"),
	vocab.PMJTerm("Wednesday"), vocab.PMJTerm("Thursday"), vocab.PMJTerm("Friday"),
	vocab.PMJTerm("Saturday"),
}

// ExecutionStates are the pmj execution state individuals.
var ExecutionStates = []rdf.IRI{
	vocab.PMJTerm("Acknowledged"), vocab.PMJTerm("Rejected"), vocab.PMJTerm("Scheduled"),
	vocab.PMJTerm("InProgress"), vocab.PMJTerm("Suspended"), vocab.PMJTerm("Pending"),
	vocab.PMJTerm("ResourceUnavailable"), vocab.PMJTerm("Failed"), vocab.PMJTerm("Cancelled"),
	vocab.PMJTerm("Completed"),
}

// pmjProp returns a property pmj:name.
func pmjProp(name string, occurs Occurs, vt rdf.IRI, desc string) Property {
	p := Property{Name: name, Definition: vocab.PMJTerm(name), Occurs: occurs, ValueType: vt, Description: desc}
	if vt == Resource {
		p.Representation = Reference
	}
	return p
}

// managed marks p read-only and set by the provider.
func managed(p Property) Property {
	p.ReadOnly, p.ServerManaged = true, true
	return p
}

func jobShape() *Shape {
	s := &Shape{Name: JobName, Title: "Measurement Job", Describes: []rdf.IRI{vocab.PMJJob}}
	props := common()
	props[1].Occurs = ExactlyOne // title
	dt := vocab.XSDDateTime
	start := pmjProp("startTime", ZeroOrOne, dt, "When the job starts recording (OSS/J startTime, TM Forum scheduleDefinitionStartTime); absent: at once. At most the scheduling horizon ahead.")
	start.RequireTimezone = true
	stop := pmjProp("stopTime", ZeroOrOne, dt, "When the job stops (OSS/J stopTime, TM Forum scheduleDefinitionEndTime); absent: never.")
	stop.RequireTimezone = true
	jobType := pmjProp("jobType", ZeroOrOne, Resource, "MEF jobType: pmj:Proactive (scheduled, continuous; the default) or pmj:OnDemand (a single run or a bounded time, for troubleshooting).")
	jobType.Allowed = []rdf.IRI{vocab.PMJTerm("Proactive"), vocab.PMJTerm("OnDemand")}
	mode := pmjProp("reportingMode", ZeroOrOne, Resource, "pmj:ReportResources (the default), pmj:ReportEvents or pmj:ReportResourcesAndEvents.")
	mode.Allowed = []rdf.IRI{vocab.PMJTerm("ReportResources"), vocab.PMJTerm("ReportEvents"), vocab.PMJTerm("ReportResourcesAndEvents")}
	days := pmjProp("weekDay", ZeroOrMany, Resource, "A day of the week on which the job records, pmj:Monday to pmj:Sunday; none: every day.")
	days.Allowed = Weekdays
	admin := pmjProp("adminState", ZeroOrOne, Resource, "TM Forum adminState: pmj:Unlocked (the default) or pmj:Locked, which suspends the job.")
	admin.Allowed = []rdf.IRI{vocab.PMJTerm("Unlocked"), vocab.PMJTerm("Locked")}
	collector := pmjProp("collector", ExactlyOne, Resource, "The collector that gets the data: pmj:HostCollector, pmj:PushCollector or another listed in the provider's job capabilities.")
	collector.Range = []rdf.IRI{vocab.PMJCollector}
	state := managed(pmjProp("executionState", ZeroOrOne, Resource, "The job's state (MEF LSO Legato performance job states)."))
	state.Allowed = ExecutionStates
	props = append(props,
		jobType,
		pmjProp("monitoredObject", ZeroOrMany, Resource, "A monitored resource the job measures. Give these, or a pmj:monitoredObjectClass."),
		pmjProp("monitoredObjectClass", ZeroOrOne, Resource, "A class of monitored resources the job measures, narrowed by pmj:instanceFilter."),
		pmjProp("instanceFilter", ZeroOrOne, vocab.XSDString, "An oslc.where expression selecting instances of pmj:monitoredObjectClass, e.g. crtv:name=\"db1\"."),
		pmjProp("performanceIndicator", ZeroOrMany, Resource, "A pm metric (e.g. pm:CpuUsed) or metric category (e.g. pm:MemoryMetrics) to measure; none: all the collector offers."),
		collector,
		pmjProp("granularity", ExactlyOne, XSDDuration, "The granularity period, an xsd:duration: PT10S, PT1M, PT5M, PT15M, PT30M, PT1H or P1D."),
		pmjProp("reportingPeriod", ZeroOrOne, XSDDuration, "The reporting period, a whole number of granularity periods dividing a day; default: the granularity."),
		mode,
		start, stop,
		pmjProp("dailyInterval", ZeroOrMany, vocab.XSDString, "A daily recording interval \"HH:MM-HH:MM\" in pmj:timeZone, aligned to granularity boundaries; none: all day."),
		days,
		pmjProp("timeZone", ZeroOrOne, vocab.XSDString, "The IANA time zone the intervals and days are read in, e.g. Europe/Berlin; default UTC."),
		pmjProp("jobPriority", ZeroOrOne, vocab.XSDInteger, "TM Forum jobPriority, 1 (highest) to 10; default 5."),
		admin,
		state,
		managed(pmjProp("duty", ZeroOrOne, Resource, "pmj:OnDuty or pmj:OffDuty while inProgress (OSS/J).")),
		managed(pmjProp("stateReason", ZeroOrOne, vocab.XSDString, "Why the job is rejected, resourceUnavailable or failed.")),
		managed(pmjProp("stateChanged", ZeroOrOne, dt, "When the execution state last changed.")),
		pmjProp("reportRetention", ZeroOrOne, XSDDuration, "How long the job's reports are kept after their period ended, e.g. PT180M or P30D (at least PT1M); none: for ever. Expired reports are removed with the records they list."),
		pmjProp("probeURL", ZeroOrOne, Resource, "http collector: the URL probed for every monitored object without its own pmj:probeURL."),
		pmjProp("probeTimeout", ZeroOrOne, XSDDuration, "http and prometheus collectors: the timeout of a probe or scrape; default PT10S, at most half the granularity."),
		pmjProp("tlsInsecure", ZeroOrOne, vocab.IRI(vocab.XSD, "boolean"), "http collector: true skips the verification of the server's certificate."),
		pmjProp("scrapeURL", ZeroOrOne, Resource, "prometheus collector: the exposition endpoint scraped for every monitored object without its own pmj:scrapeURL."),
		pmjProp("metricMapping", ZeroOrMany, vocab.XSDString, "prometheus collector: mapping rules \"pm:Metric [unit] = expression\", one per line, replacing the built-in rule of the same metric."),
		managed(pmjProp("push", ZeroOrOne, Resource, "Where agents POST records for a push job.")),
		managed(pmjProp("trackingRecords", ZeroOrOne, Resource, "The job's tracking records (a query URL).")),
	)
	s.Properties = props
	return s
}

// readOnlyShape returns a shape of server-made resources whose properties
// are all read-only.
func readOnlyShape(name, title string, class rdf.IRI, props ...Property) *Shape {
	all := common()
	for i := range props {
		props[i].ReadOnly = true
	}
	return &Shape{Name: name, Title: title, Describes: []rdf.IRI{class}, Properties: append(all, props...)}
}

func reportShape() *Shape {
	dt := vocab.XSDDateTime
	return readOnlyShape(ReportName, "Performance Report", vocab.PMJReport,
		pmjProp("producedBy", ExactlyOne, Resource, "The job whose reporting period this is."),
		pmjProp("periodStart", ExactlyOne, dt, "Start of the reporting period."),
		pmjProp("periodEnd", ExactlyOne, dt, "End of the reporting period, with the job's time zone offset."),
		pmjProp("granularity", ExactlyOne, XSDDuration, "The job's granularity period."),
		pmjProp("record", ZeroOrMany, Resource, "A record produced in the period."),
		pmjProp("monitoredObject", ZeroOrMany, Resource, "A monitored resource the period's records are about: query reports by resource with oslc.where=pmj:monitoredObject=<resource>."),
		pmjProp("recordCount", ExactlyOne, vocab.XSDInteger, "How many records the period produced."),
		pmjProp("collectedPeriods", ExactlyOne, vocab.XSDInteger, "Granularity periods collected."),
		pmjProp("missedPeriods", ExactlyOne, vocab.XSDInteger, "Granularity periods that were due but not collected."),
		pmjProp("missedPeriod", ZeroOrMany, dt, "Start of each missed granularity period."),
	)
}

func trackingShape() *Shape {
	return readOnlyShape(TrackingName, "Tracking Record", vocab.PMJTracking,
		pmjProp("producedBy", ExactlyOne, Resource, "The job the change is about."),
		pmjProp("event", ExactlyOne, Resource, "What happened: pmj:Created, pmj:Updated, pmj:SuspendedEvent, pmj:ResumedEvent, pmj:CancelledEvent, pmj:StateChanged, pmj:CollectionFailed, pmj:PeriodsMissed."),
		Property{Name: "creator", Definition: vocab.IRI(vocab.DCTerms, "creator"), Occurs: ZeroOrOne, ValueType: vocab.XSDString, Description: "Who made the change: the client, or the provider's engine."},
		Property{Name: "date", Definition: vocab.DCDate, Occurs: ExactlyOne, ValueType: vocab.XSDDateTime, Description: "When the change happened."},
		pmjProp("fromState", ZeroOrOne, Resource, "The execution state before."),
		pmjProp("toState", ZeroOrOne, Resource, "The execution state after."),
		pmjProp("cause", ZeroOrOne, vocab.XSDString, "Why the state changed."),
		pmjProp("missedPeriod", ZeroOrMany, vocab.XSDDateTime, "Start of a granularity period that was due but not collected."),
	)
}

func notificationShape() *Shape {
	return readOnlyShape(NotificationName, "Notification", vocab.PMJNotification,
		pmjProp("producedBy", ExactlyOne, Resource, "The job that emitted it."),
		pmjProp("event", ExactlyOne, Resource, "pmj:FilesReady or pmj:PreparationError."),
		Property{Name: "date", Definition: vocab.DCDate, Occurs: ExactlyOne, ValueType: vocab.XSDDateTime, Description: "When it was emitted."},
		pmjProp("report", ZeroOrOne, Resource, "The report that became available."),
		pmjProp("periodStart", ZeroOrOne, vocab.XSDDateTime, "Start of the reporting period."),
		pmjProp("periodEnd", ZeroOrOne, vocab.XSDDateTime, "End of the reporting period."),
		pmjProp("record", ZeroOrMany, Resource, "A record of the period (event reporting mode)."),
		pmjProp("sequence", ExactlyOne, vocab.XSDInteger, "Orders the notifications, across restarts: the id of its server-sent event at /oslc/events."),
	)
}

func adhocShape() *Shape {
	s := &Shape{Name: AdhocName, Title: "Ad-hoc Collection", Describes: []rdf.IRI{vocab.PMJTerm("AdhocCollection")}}
	dt := vocab.XSDDateTime
	start := pmjProp("startTime", ExactlyOne, dt, "Start of the past time range to report on.")
	start.RequireTimezone = true
	stop := pmjProp("stopTime", ExactlyOne, dt, "End of the time range, not in the future.")
	stop.RequireTimezone = true
	state := managed(pmjProp("executionState", ZeroOrOne, Resource, "pmj:Completed, or pmj:Failed with a pmj:stateReason."))
	state.Allowed = ExecutionStates
	s.Properties = append(common(),
		pmjProp("monitoredObject", OneOrMany, Resource, "A monitored resource to report on."),
		pmjProp("performanceIndicator", ZeroOrMany, Resource, "A pm metric or metric category; none: every metric recorded."),
		pmjProp("granularity", ExactlyOne, XSDDuration, "The period the stored records are aggregated over (their mean, with pmj:sampleCount), e.g. PT15M or PT1H."),
		start, stop,
		pmjProp("timeZone", ZeroOrOne, vocab.XSDString, "The IANA time zone periods are aligned and written in; default UTC."),
		state,
		managed(pmjProp("stateReason", ZeroOrOne, vocab.XSDString, "Why the collection failed.")),
		managed(pmjProp("report", ZeroOrOne, Resource, "The report built.")),
		managed(pmjProp("sourceRecordCount", ZeroOrOne, vocab.XSDInteger, "How many stored records were aggregated.")),
	)
	return s
}
