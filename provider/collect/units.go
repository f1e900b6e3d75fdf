package collect

import (
	"github.com/knakk/rdf"

	"github.com/oslc-pm/pmprovider/vocab"
)

// dbpedia is the namespace of the DBpedia resources the pm vocabulary's
// examples use as units of measure.
const dbpedia = "http://dbpedia.org/resource/"

// Units of measure a Sample's Unit may hold, the same IRIs the fixture data
// uses so that collected and loaded records compare.
var (
	// UnitPercent is dbpedia:Percentage, for ratios scaled to 0..100.
	UnitPercent = vocab.IRI(dbpedia, "Percentage")
	// UnitByte is dbpedia:Byte.
	UnitByte = vocab.IRI(dbpedia, "Byte")
	// UnitMillisecond is dbpedia:Millisecond.
	UnitMillisecond = vocab.IRI(dbpedia, "Millisecond")
	// UnitPerMinute is pm:PerMinute, for event counts as a rate.
	UnitPerMinute = vocab.IRI(vocab.PM, "PerMinute")
	// UnitMegahertz is dbpedia:Megahertz, for clock speeds.
	UnitMegahertz = vocab.IRI(dbpedia, "Megahertz")
	// UnitCount is the zero IRI: a plain number of things, written
	// without ems:unitOfMeasure.
	UnitCount rdf.IRI
)

// The pm metrics and crtv terms the collectors in this package use.
var (
	metricCPUUsed           = vocab.IRI(vocab.PM, "CpuUsed")
	metricCPUSpeed          = vocab.IRI(vocab.PM, "CpuSpeed")
	metricRealMemoryUsed    = vocab.IRI(vocab.PM, "RealMemoryUsed")
	metricVirtualMemoryUsed = vocab.IRI(vocab.PM, "VirtualMemoryUsed")
	metricDiskSpaceUsed     = vocab.IRI(vocab.PM, "DiskSpaceUsed")
	metricNetworkIOErrors   = vocab.IRI(vocab.PM, "NetworkIOErrors")

	classComputerSystem = vocab.IRI(vocab.CRTV, "ComputerSystem")
	classSoftwareServer = vocab.IRI(vocab.CRTV, "SoftwareServer")
	classProcess        = vocab.IRI(vocab.CRTV, "Process")
	classDatabase       = vocab.IRI(vocab.CRTV, "Database")

	propProcessID    = vocab.CRTV + "processId"
	propInstancePath = vocab.CRTV + "instancePath"
)
