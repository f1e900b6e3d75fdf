package shapes

import (
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// Names of the threshold and alarm shapes.
const (
	ThresholdName = "threshold"
	AlarmName     = "alarm"
)

// Severities are the pmj perceived severity individuals (TMF642).
var Severities = []rdf.IRI{vocab.PMJTerm("Critical"), vocab.PMJTerm("Major"), vocab.PMJTerm("Minor"),
	vocab.PMJTerm("Warning"), vocab.PMJTerm("Indeterminate")}

// Directions are the pmj threshold direction individuals.
var Directions = []rdf.IRI{vocab.PMJTerm("Rising"), vocab.PMJTerm("Falling"), vocab.PMJTerm("RisingAndFalling")}

func thresholdShape() *Shape {
	s := &Shape{Name: ThresholdName, Title: "Threshold", Describes: []rdf.IRI{vocab.PMJTerm("Threshold")}}
	dbl := vocab.XSDDouble
	dir := pmjProp("thresholdDirection", ZeroOrOne, Resource, "pmj:Rising (the default: crossed at the value or above, cleared at value - offset or below), pmj:Falling (crossed at the value or below, cleared at value + offset or above) or pmj:RisingAndFalling (3GPP UP_AND_DOWN: raised at value + offset or above, cleared at value - offset or below).")
	dir.Allowed = Directions
	sev := pmjProp("perceivedSeverity", ZeroOrOne, Resource, "The severity of the alarms it raises (TMF642): pmj:Critical, pmj:Major (the default), pmj:Minor, pmj:Warning or pmj:Indeterminate.")
	sev.Allowed = Severities
	admin := pmjProp("adminState", ZeroOrOne, Resource, "pmj:Unlocked (the default) or pmj:Locked, which stops its evaluation.")
	admin.Allowed = []rdf.IRI{vocab.PMJTerm("Unlocked"), vocab.PMJTerm("Locked")}
	props := common()
	s.Properties = append(props,
		pmjProp("monitoredObject", ZeroOrMany, Resource, "A monitored resource whose records the threshold watches. Give these, or a pmj:monitoredObjectClass."),
		pmjProp("monitoredObjectClass", ZeroOrOne, Resource, "A class of monitored resources it watches, narrowed by pmj:instanceFilter."),
		pmjProp("instanceFilter", ZeroOrOne, vocab.XSDString, "An oslc.where expression selecting instances of pmj:monitoredObjectClass, e.g. crtv:name=\"db1\"."),
		pmjProp("performanceIndicator", ExactlyOne, Resource, "The metric watched, a numeric pm metric such as pm:CpuUsed. Counters are watched as the rates the records hold. STRING-typed measures are refused (OSS/J)."),
		dir,
		pmjProp("thresholdValue", ExactlyOne, dbl, "The threshold value (OSS/J setValue, 3GPP thresholdValue)."),
		pmjProp("thresholdOffset", ZeroOrOne, dbl, "The offset (OSS/J) or hysteresis (3GPP), zero or more; default 0."),
		pmjProp("granularity", ZeroOrOne, XSDDuration, "Watch only records of periods this long (a job's granularity), e.g. PT1M; none: every record."),
		sev,
		admin,
	)
	return s
}

func alarmShape() *Shape {
	dt, dbl := vocab.XSDDateTime, vocab.XSDDouble
	dir := pmjProp("thresholdDirection", ExactlyOne, Resource, "The direction of the threshold crossed.")
	dir.Allowed = Directions
	sev := pmjProp("perceivedSeverity", ExactlyOne, Resource, "TMF642 perceivedSeverity, the threshold's.")
	sev.Allowed = Severities
	state := pmjProp("alarmState", ExactlyOne, Resource, "TMF642 state: pmj:Raised or pmj:Cleared.")
	state.Allowed = []rdf.IRI{vocab.PMJTerm("Raised"), vocab.PMJTerm("Cleared")}
	ack := pmjProp("ackState", ExactlyOne, Resource, "TMF642 ackState: pmj:AckUnacknowledged or pmj:AckAcknowledged.")
	ack.Allowed = []rdf.IRI{vocab.PMJTerm("AckUnacknowledged"), vocab.PMJTerm("AckAcknowledged")}
	return readOnlyShape(AlarmName, "Alarm", vocab.PMJTerm("Alarm"),
		pmjProp("threshold", ExactlyOne, Resource, "The threshold crossed."),
		pmjProp("alarmedObject", ExactlyOne, Resource, "The monitored resource (TMF642 alarmedObject)."),
		pmjProp("performanceIndicator", ExactlyOne, Resource, "The metric that crossed."),
		pmjProp("indicatorName", ExactlyOne, vocab.XSDString, "Its short name, e.g. pm:CpuUsed (TMF642 indicatorName)."),
		pmjProp("indicatorUnit", ZeroOrOne, Resource, "The unit of the observed value (TMF642 indicatorUnit)."),
		pmjProp("observedValue", ExactlyOne, dbl, "The value that crossed (TMF642 observedValue)."),
		pmjProp("thresholdValue", ExactlyOne, dbl, "The threshold value when it was crossed."),
		pmjProp("thresholdOffset", ExactlyOne, dbl, "The offset when it was crossed."),
		pmjProp("granularity", ZeroOrOne, XSDDuration, "The period of the record that crossed, if it says."),
		dir, sev, state, ack,
		pmjProp("alarmType", ExactlyOne, vocab.XSDString, "TMF642 alarmType: QualityOfServiceAlarm."),
		pmjProp("probableCause", ExactlyOne, vocab.XSDString, "TMF642 probableCause: thresholdCrossed."),
		pmjProp("alarmRaisedTime", ExactlyOne, dt, "The time of the record that crossed, with its offset (TMF642 alarmRaisedTime)."),
		pmjProp("alarmChangedTime", ExactlyOne, dt, "When the alarm last changed."),
		pmjProp("alarmClearedTime", ZeroOrOne, dt, "The time of the record that cleared it, or of its clearing by hand."),
		pmjProp("raisedBy", ExactlyOne, Resource, "The record whose value crossed."),
		pmjProp("clearedBy", ZeroOrOne, Resource, "The record whose value cleared it, or the threshold whose replacement did."),
		pmjProp("clearReason", ZeroOrOne, vocab.XSDString, "Why a replacement of its threshold cleared it: locked, another metric, the resource no longer watched."),
		pmjProp("clearedValue", ZeroOrOne, dbl, "The value that cleared it."),
		pmjProp("clearUser", ZeroOrOne, vocab.XSDString, "Who cleared it by hand (TMF642 clearUserId)."),
		pmjProp("ackUser", ZeroOrOne, vocab.XSDString, "Who acknowledged it (TMF642 ackUserId)."),
		pmjProp("ackTime", ZeroOrOne, dt, "When it was acknowledged."),
	)
}
