package shapes

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// MonitoredClasses are the crtv (and foaf) classes advertised for monitored
// resources. Any other type is accepted too.
var MonitoredClasses = []rdf.IRI{
	vocab.IRI(vocab.CRTV, "ComputerSystem"),
	vocab.IRI(vocab.CRTV, "SoftwareServer"),
	vocab.IRI(vocab.CRTV, "Process"),
	vocab.IRI(vocab.CRTV, "Database"),
	vocab.IRI(vocab.CRTV, "StorageVolume"),
	vocab.IRI(vocab.CRTV, "SoftwareModule"),
	vocab.IRI(vocab.CRTV, "ResourcePool"),
	vocab.IRI(vocab.FOAF, "Agent"),
}

// AvailabilityStatuses are the pm:availabilityStatus values of the PM
// vocabulary: if a resource has any status, at least one MUST be one of
// them (other, product-specific, values may come with it).
var AvailabilityStatuses = []rdf.IRI{
	vocab.IRI(vocab.PM, "Running"),
	vocab.IRI(vocab.PM, "NotRunning"),
	vocab.IRI(vocab.PM, "Unknown"),
}

var builtin struct {
	once sync.Once
	all  []*Shape
	err  error
}

// All returns the provider's shapes: record, measure, monitored resource,
// and those of measurement jobs and what they produce.
func All() ([]*Shape, error) {
	builtin.once.Do(func() {
		rec, err := recordShape()
		if err != nil {
			builtin.err = err
			return
		}
		builtin.all = []*Shape{rec, measureShape(), monitoredShape(), jobShape(), reportShape(), trackingShape(), notificationShape(), adhocShape(), thresholdShape(), alarmShape(), subscriptionShape()}
	})
	return builtin.all, builtin.err
}

// Lookup returns the shape served under name, or nil.
func Lookup(name string) *Shape {
	all, _ := All()
	for _, s := range all {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Names of the built-in shapes.
const (
	RecordName    = "record"
	MeasureName   = "measure"
	MonitoredName = "resource"
)

// common returns the OSLC Core properties every resource of ours has.
func common() []Property {
	dt := vocab.XSDDateTime
	return []Property{
		{Name: "type", Definition: vocab.RDFType, Occurs: ZeroOrMany, ValueType: Resource, Representation: Reference, Description: "The resource type URIs (RDF)."},
		{Name: "title", Definition: vocab.DCTitle, Occurs: ZeroOrOne, ValueType: vocab.RDFXMLLiteral, Description: "A name given to the resource (Dublin Core)."},
		{Name: "description", Definition: vocab.DCDescription, Occurs: ZeroOrOne, ValueType: vocab.RDFXMLLiteral, Description: "Descriptive text about the resource (Dublin Core)."},
		{Name: "identifier", Definition: vocab.DCIdentifier, Occurs: ZeroOrOne, ValueType: vocab.XSDString, ReadOnly: true, ServerManaged: true, Description: "A unique identifier assigned by the provider when the resource is created."},
		{Name: "created", Definition: vocab.DCCreated, Occurs: ZeroOrOne, ValueType: dt, ReadOnly: true, ServerManaged: true, Description: "Timestamp of resource creation (Dublin Core)."},
		{Name: "modified", Definition: vocab.DCModified, Occurs: ZeroOrOne, ValueType: dt, ReadOnly: true, ServerManaged: true, Description: "Timestamp of latest resource modification (Dublin Core)."},
		{Name: "serviceProvider", Definition: vocab.OSLCServiceProvider, Occurs: ZeroOrOne, ValueType: Resource, Representation: Reference, Range: []rdf.IRI{vocab.OSLCServiceProviderClass}, ReadOnly: true, ServerManaged: true, Description: "A link to the resource's OSLC Service Provider."},
		{Name: "instanceShape", Definition: vocab.OSLCInstanceShape, Occurs: ZeroOrOne, ValueType: Resource, Representation: Reference, Range: []rdf.IRI{vocab.IRI(vocab.OSLC, "ResourceShape")}, ReadOnly: true, ServerManaged: true, Description: "A link to the resource's OSLC Resource Shape."},
	}
}

// recordShape builds the PerformanceMonitoringRecord shape from the
// published shapes document: the record's own properties plus the
// pm:Properties ones (pm:availabilityStatus and the rest) that records carry.
func recordShape() (*Shape, error) {
	g, err := vocab.PublishedShapes()
	if err != nil {
		return nil, err
	}
	published := func(shape string) ([]Property, error) {
		subj := "http://open-services.net/ns/core/shapes/2.0/performance-monitoring-shapes.ttl#" + shape
		var props []Property
		for _, t := range g {
			if t.Subj.String() == subj && t.Pred.String() == vocab.OSLC+"property" {
				p, err := readProperty(g, t.Obj.String())
				if err != nil {
					return nil, fmt.Errorf("shape %s: %w", shape, err)
				}
				props = append(props, p)
			}
		}
		if len(props) == 0 {
			return nil, fmt.Errorf("shape %s not found in published shapes", shape)
		}
		sort.Slice(props, func(i, j int) bool { return props[i].Name < props[j].Name })
		return props, nil
	}
	own, err := published("tbPerformanceMonitoringRecord")
	if err != nil {
		return nil, err
	}
	extra, err := published("tbProperties")
	if err != nil {
		return nil, err
	}
	s := &Shape{Name: RecordName, Title: "Performance Monitoring Record", Describes: []rdf.IRI{vocab.PMRecord}}
	managed := make(map[string]bool)
	for _, p := range common() {
		if p.ServerManaged {
			managed[p.Definition.String()] = true
		}
	}
	for _, p := range append(own, extra...) {
		if s.Property(p.Definition.String()) != nil {
			continue
		}
		p.ServerManaged = managed[p.Definition.String()]
		switch p.Definition {
		case vocab.DCDate:
			p.RequireTimezone = true
		case vocab.PMAvailabilityStatus:
			p.OneOf = AvailabilityStatuses
		}
		s.Properties = append(s.Properties, p)
	}
	return s, nil
}

// readProperty reads one oslc:Property node of the published shapes,
// mending its known bugs: oslc:Representation for oslc:representation and
// oslc:serviceProvider for the class oslc:ServiceProvider as a range.
func readProperty(g []rdf.Triple, subj string) (Property, error) {
	var p Property
	p.Occurs = ZeroOrMany
	for _, t := range g {
		if t.Subj.String() != subj {
			continue
		}
		o := t.Obj.String()
		switch strings.TrimPrefix(t.Pred.String(), vocab.OSLC) {
		case "name":
			p.Name = o
		case "propertyDefinition":
			p.Definition = t.Obj.(rdf.IRI)
		case "occurs":
			switch strings.TrimPrefix(o, vocab.OSLC) {
			case "Exactly-one":
				p.Occurs = ExactlyOne
			case "Zero-or-one":
				p.Occurs = ZeroOrOne
			case "One-or-many":
				p.Occurs = OneOrMany
			}
		case "valueType":
			p.ValueType = t.Obj.(rdf.IRI)
		case "range":
			r := t.Obj.(rdf.IRI)
			if r.String() == vocab.OSLC+"serviceProvider" {
				r = vocab.OSLCServiceProviderClass
			}
			p.Range = append(p.Range, r)
		case "readOnly":
			p.ReadOnly = o == "true"
		case "representation", "Representation":
			p.Representation = t.Obj.(rdf.IRI)
		}
		if t.Pred.String() == vocab.DCDescription.String() {
			p.Description = o
		}
	}
	if p.Name == "" || p.Definition == (rdf.IRI{}) {
		return p, fmt.Errorf("property %s lacks oslc:name or oslc:propertyDefinition", subj)
	}
	return p, nil
}

func measureShape() *Shape {
	s := &Shape{Name: MeasureName, Title: "Measure", Describes: []rdf.IRI{vocab.EMSMeasure}}
	s.Properties = []Property{
		{Name: "type", Definition: vocab.RDFType, Occurs: ZeroOrMany, ValueType: Resource, Representation: Reference, Description: "The resource type URIs (RDF): ems:Measure."},
		{Name: "title", Definition: vocab.DCTitle, Occurs: ZeroOrOne, ValueType: vocab.RDFXMLLiteral, Description: "A name given to the measure, e.g. \"Real Memory Utilization\"."},
		{Name: "metric", Definition: vocab.EMSMetric, Occurs: ExactlyOne, ValueType: Resource, Representation: Reference, Range: []rdf.IRI{vocab.IRI(vocab.EMS, "Metric")}, Description: "The metric measured: a subclass of pm:Metric, directly or indirectly, such as pm:CpuUsed."},
		{Name: "unitOfMeasure", Definition: vocab.EMSUnitOfMeasure, Occurs: ZeroOrOne, ValueType: Resource, Representation: Reference, Description: "The unit the value is expressed in, e.g. a QUDT or DBpedia unit."},
		{Name: "numericValue", Definition: vocab.EMSNumericValue, Occurs: ExactlyOne, ValueType: vocab.XSDDouble, Description: "The measured value. Any xsd numeric datatype is accepted."},
	}
	return s
}

func monitoredShape() *Shape {
	s := &Shape{Name: MonitoredName, Title: "Monitored Resource", Describes: MonitoredClasses}
	props := common()
	props[0].Occurs = OneOrMany
	crtv := func(name, desc string, vt rdf.IRI) Property {
		p := Property{Name: name, Definition: vocab.IRI(vocab.CRTV, name), Occurs: ZeroOrOne, ValueType: vt, Description: desc}
		if vt == Resource {
			p.Occurs = ZeroOrMany
			p.Representation = Reference
		}
		return p
	}
	pm := func(name, desc string, vt rdf.IRI) Property {
		p := Property{Name: name, Definition: vocab.IRI(vocab.PM, name), Occurs: ZeroOrMany, ValueType: vt, Description: desc}
		if vt == Resource {
			p.Representation = Reference
		} else {
			p.Occurs = ZeroOrOne
		}
		return p
	}
	str := vocab.XSDString
	status := pm("availabilityStatus", "An indication of availability: at least one of pm:Running, pm:NotRunning or pm:Unknown, and product-specific values if any.", Resource)
	status.OneOf = AvailabilityStatuses
	props = append(props,
		crtv("name", "The name of the resource.", str),
		crtv("fqdn", "The fully qualified domain name of a host.", str),
		crtv("shortHostName", "The host name on the local network.", str),
		crtv("ipAddress", "The IP address assigned to this system.", str),
		crtv("processId", "The process id assigned by the operating system.", str),
		crtv("version", "The version string assigned to this entity.", str),
		crtv("serialNumber", "Serial number assigned by the manufacturer.", str),
		crtv("model", "The device model.", str),
		crtv("manufacturer", "Name of the device manufacturer.", str),
		crtv("runsOn", "The ComputerSystem this SoftwareServer instance is running on.", Resource),
		crtv("dependsOn", "A resource this one cannot function properly without.", Resource),
		crtv("dbInstance", "The SoftwareServer managing this database.", Resource),
		status,
		pm("process", "A process running in this resource.", Resource),
		pm("disk", "A disk attached to this resource.", Resource),
		pm("monitoringAgent", "Software that monitors this resource.", Resource),
		pm("mobilityEnabled", "Whether the resource can move about dynamically.", vocab.XSDBoolean),
		pm("tableReorganizationNeeded", "Whether a database's tables need to be reorganized.", vocab.XSDBoolean),
	)
	s.Properties = props
	return s
}
