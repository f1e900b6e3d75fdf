package collect

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/knakk/rdf"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"

	"github.com/oslc-pm/pmprovider/vocab"
)

// firstSample is how long Host measures CPU use over when it has no earlier
// reading to compute it from.
const firstSample = 200 * time.Millisecond

// Host is the "host" collector: it measures the machine the provider runs
// on, and processes on it, through gopsutil.
//
// For a crtv:ComputerSystem target it reports pm:CpuUsed (percent busy,
// 0..100), pm:CpuSpeed (the highest clock speed of the logical CPUs, MHz),
// pm:RealMemoryUsed (bytes of RAM used), pm:VirtualMemoryUsed (bytes of
// swap used), pm:DiskSpaceUsed (bytes used on the filesystem at the
// target's crtv:instancePath, or "/") and pm:NetworkIOErrors (receive and
// send errors of all interfaces, per minute). Every ComputerSystem target
// is taken to be this machine: Host does not look at crtv:hostname, so
// assign it only to resources that stand for the machine it runs on.
//
// For a crtv:Process target, found by its crtv:processId, it reports
// pm:CpuUsed (percent of one CPU, so up to 100 times the number of CPUs),
// pm:RealMemoryUsed (resident set size) and pm:VirtualMemoryUsed (virtual
// memory size), both in bytes. A process that is not running yields no
// samples.
//
// CpuUsed and NetworkIOErrors are rates over the period, computed from the
// counters Host read at the previous collection for the same job and
// target. Without a usable earlier reading (the first collection, one
// older than a period before the period started, or a pid now held by
// another process) Host measures CpuUsed over a short sample instead and
// leaves NetworkIOErrors out. Collect is safe for concurrent use. The zero
// Host is ready to use, like NewHost's.
type Host struct {
	sample time.Duration // the short CPU sample

	mu   sync.Mutex
	prev map[hostKey]hostReading
}

// Readings are kept per job and target so that jobs measuring the same
// resource over different periods do not take each other's deltas.
type hostKey struct {
	job, target rdf.IRI
}

// A hostReading holds the counters read for one target at one time.
type hostReading struct {
	at time.Time
	// For a system, busy and total CPU seconds of all CPUs; for a
	// process, its user and system CPU seconds in busy.
	busy, total float64
	hasCPU      bool
	netErrs     uint64 // a system's interface errors
	hasNet      bool
	created     int64 // a process's start time, ms since the epoch
}

var _ Collector = (*Host)(nil)

// NewHost returns the host collector.
func NewHost() *Host {
	return &Host{sample: firstSample, prev: make(map[hostKey]hostReading)}
}

// Name returns "host".
func (*Host) Name() string { return "host" }

// Metrics returns the metrics Host offers, over both of its classes.
func (*Host) Metrics() []Metric {
	return []Metric{
		{metricCPUUsed, UnitPercent},
		{metricCPUSpeed, UnitMegahertz},
		{metricRealMemoryUsed, UnitByte},
		{metricVirtualMemoryUsed, UnitByte},
		{metricDiskSpaceUsed, UnitByte},
		{metricNetworkIOErrors, UnitPerMinute},
	}
}

// Classes returns crtv:ComputerSystem and crtv:Process.
func (*Host) Classes() []rdf.IRI {
	return []rdf.IRI{classComputerSystem, classProcess}
}

// Forget drops the readings kept for job, for when the job is deleted.
// Readings of targets a job stops measuring are dropped at its next
// collection.
func (h *Host) Forget(job rdf.IRI) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k := range h.prev {
		if k.job == job {
			delete(h.prev, k)
		}
	}
}

// A hostTarget is one request target as a Collect call sees it.
type hostTarget struct {
	t      Target
	system bool
	proc   *process.Process
	mem    *process.MemoryInfoStat
	now    hostReading // the reading stored for the next collection
	prev   hostReading
	usable bool // prev is usable for deltas
	base   *hostReading
	n      int    // samples produced
	reason string // why none were, when it failed
	wait   bool   // nothing yet, but measured: no failure
}

// Collect measures req.Targets. It fails only when there were targets and
// every one of them failed; the error wraps ErrNoSamples and says why.
func (h *Host) Collect(ctx context.Context, req Request) ([]Sample, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(req.Targets) == 0 {
		return nil, nil
	}
	wantCPU := req.Wants(metricCPUUsed)
	wantNet := req.Wants(metricNetworkIOErrors)
	wantProcMem := req.Wants(metricRealMemoryUsed) || req.Wants(metricVirtualMemoryUsed)

	ts := make([]hostTarget, len(req.Targets))
	var sys hostReading // this machine's counters, read once for all systems
	haveSys := false
	for i, t := range req.Targets {
		ht := &ts[i]
		ht.t = t
		switch {
		case t.HasType(classComputerSystem):
			ht.system = true
			if !haveSys && (wantCPU || wantNet) {
				sys = readSystem(ctx, wantCPU, wantNet)
				haveSys = true
			}
			ht.now = sys
		case t.HasType(classProcess):
			openProcess(ctx, ht, wantCPU, wantProcMem)
		default:
			ht.reason = "neither a crtv:ComputerSystem nor a crtv:Process"
		}
	}

	// Pair each target with its previous reading; those that have none
	// usable get a short CPU sample, taken once for all of them.
	period := req.End.Sub(req.Start)
	h.mu.Lock()
	for i := range ts {
		ht := &ts[i]
		if ht.reason != "" {
			continue
		}
		p, ok := h.prev[hostKey{req.Job, ht.t.IRI}]
		ht.prev = p
		ht.usable = ok && ht.now.at.After(p.at) &&
			(period <= 0 || !p.at.Before(req.Start.Add(-period))) &&
			(ht.system || p.created == ht.now.created)
	}
	h.mu.Unlock()

	if wantCPU {
		if err := h.resample(ctx, ts, sys.hasNet); err != nil {
			return nil, err
		}
	}

	sm := &systemMetrics{ctx: ctx, req: req, disk: make(map[string]*disk.UsageStat)}
	var out []Sample
	for i := range ts {
		ht := &ts[i]
		if ht.reason != "" {
			continue
		}
		before := len(out)
		if ht.system {
			out = systemSamples(out, ht, sm)
		} else {
			out = processSamples(out, ht, req)
		}
		ht.n = len(out) - before
		if ht.n == 0 && ht.reason == "" && !ht.wait {
			ht.reason = "none of the requested metrics could be measured"
		}
	}

	h.mu.Lock()
	if h.prev == nil {
		h.prev = make(map[hostKey]hostReading)
	}
	keep := make(map[rdf.IRI]bool, len(ts))
	for i := range ts {
		ht := &ts[i]
		if !ht.now.at.IsZero() {
			h.prev[hostKey{req.Job, ht.t.IRI}] = ht.now
			keep[ht.t.IRI] = true
		}
	}
	for k := range h.prev {
		if k.job == req.Job && !keep[k.target] {
			delete(h.prev, k)
		}
	}
	h.mu.Unlock()

	if len(out) == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, noSamples(ts)
	}
	return out, nil
}

// openProcess finds the process of a crtv:Process target and reads it.
func openProcess(ctx context.Context, ht *hostTarget, wantCPU, wantMem bool) {
	v := strings.TrimSpace(ht.t.Prop(propProcessID))
	if v == "" {
		ht.reason = "no crtv:processId"
		return
	}
	pid, err := strconv.ParseInt(v, 10, 32)
	if err != nil || pid <= 0 {
		ht.reason = fmt.Sprintf("bad crtv:processId %q", v)
		return
	}
	p, err := process.NewProcessWithContext(ctx, int32(pid))
	if errors.Is(err, process.ErrorProcessNotRunning) {
		ht.reason = fmt.Sprintf("process %d is not running", pid)
		return
	}
	if err != nil {
		ht.reason = fmt.Sprintf("process %d: %v", pid, err)
		return
	}
	created, err := p.CreateTimeWithContext(ctx)
	if err != nil {
		ht.reason = fmt.Sprintf("process %d: %v", pid, err)
		return
	}
	ht.proc = p
	ht.now = hostReading{at: time.Now(), created: created}
	if wantCPU {
		readProcessCPU(ctx, p, &ht.now)
	}
	if wantMem {
		if m, err := p.MemoryInfoWithContext(ctx); err == nil {
			ht.mem = m
		}
	}
}

// resample takes the short CPU sample for the targets that have no usable
// previous CPU reading: the current reading becomes their base and a new
// one, after h.sample, their current reading.
func (h *Host) resample(ctx context.Context, ts []hostTarget, wantNet bool) error {
	need := false
	for i := range ts {
		ht := &ts[i]
		if ht.reason == "" && ht.now.hasCPU && !(ht.usable && ht.prev.hasCPU) {
			need = true
			break
		}
	}
	if !need {
		return nil
	}
	d := h.sample
	if d <= 0 {
		d = firstSample
	}
	timer := time.NewTimer(d)
	select {
	case <-ctx.Done():
		timer.Stop()
		return ctx.Err()
	case <-timer.C:
	}
	var sys2 hostReading
	haveSys := false
	for i := range ts {
		ht := &ts[i]
		if ht.reason != "" || !ht.now.hasCPU || (ht.usable && ht.prev.hasCPU) {
			continue
		}
		base := ht.now
		if ht.system {
			if !haveSys {
				sys2 = readSystem(ctx, true, wantNet)
				haveSys = true
			}
			ht.now = sys2
		} else {
			readProcessCPU(ctx, ht.proc, &ht.now)
		}
		ht.base = &base
	}
	return nil
}

// readSystem reads this machine's CPU and network error counters.
func readSystem(ctx context.Context, wantCPU, wantNet bool) hostReading {
	r := hostReading{at: time.Now()}
	if wantCPU {
		if ct, err := cpu.TimesWithContext(ctx, false); err == nil && len(ct) > 0 {
			r.busy, r.total = busyTotal(ct[0])
			r.hasCPU = true
		}
	}
	if wantNet {
		if ns, err := net.IOCountersWithContext(ctx, true); err == nil && len(ns) > 0 {
			for _, n := range ns {
				r.netErrs += n.Errin + n.Errout
			}
			r.hasNet = true
		}
	}
	return r
}

// busyTotal returns the busy and total seconds of t. As in top and
// gopsutil, guest time is already counted in user time, and waiting for
// I/O is idle.
func busyTotal(t cpu.TimesStat) (busy, total float64) {
	total = t.User + t.System + t.Idle + t.Nice + t.Iowait + t.Irq + t.Softirq + t.Steal
	if runtime.GOOS != "linux" {
		total += t.Guest + t.GuestNice
	}
	return total - t.Idle - t.Iowait, total
}

// readProcessCPU reads p's CPU seconds into r, and r.at.
func readProcessCPU(ctx context.Context, p *process.Process, r *hostReading) {
	r.at = time.Now()
	r.hasCPU = false
	if ct, err := p.TimesWithContext(ctx); err == nil {
		r.busy = ct.User + ct.System
		r.hasCPU = true
	}
}

// systemMetrics reads the machine-wide values that need no earlier
// reading, each at most once per Collect.
type systemMetrics struct {
	ctx context.Context
	req Request

	memDone, swapDone, infoDone bool
	mem, swap                   float64
	memOK, swapOK               bool
	mhz                         float64
	disk                        map[string]*disk.UsageStat
}

func (s *systemMetrics) realMemory() (float64, bool) {
	if !s.memDone {
		s.memDone = true
		if v, err := mem.VirtualMemoryWithContext(s.ctx); err == nil {
			s.mem, s.memOK = float64(v.Used), true
		}
	}
	return s.mem, s.memOK
}

func (s *systemMetrics) swapUsed() (float64, bool) {
	if !s.swapDone {
		s.swapDone = true
		if v, err := mem.SwapMemoryWithContext(s.ctx); err == nil {
			s.swap, s.swapOK = float64(v.Used), true
		}
	}
	return s.swap, s.swapOK
}

func (s *systemMetrics) cpuSpeed() (float64, bool) {
	if !s.infoDone {
		s.infoDone = true
		if is, err := cpu.InfoWithContext(s.ctx); err == nil {
			for _, i := range is {
				s.mhz = max(s.mhz, i.Mhz)
			}
		}
	}
	return s.mhz, s.mhz > 0
}

func (s *systemMetrics) diskUsed(path string) (float64, bool) {
	u, ok := s.disk[path]
	if !ok {
		u, _ = disk.UsageWithContext(s.ctx, path)
		s.disk[path] = u
	}
	if u == nil {
		return 0, false
	}
	return float64(u.Used), true
}

// systemSamples appends the samples of a crtv:ComputerSystem target.
func systemSamples(out []Sample, ht *hostTarget, sm *systemMetrics) []Sample {
	req := sm.req
	add := func(m rdf.IRI, v float64, unit rdf.IRI) {
		out = append(out, Sample{Resource: ht.t.IRI, Metric: m, Value: v, Unit: unit})
	}
	if req.Wants(metricCPUUsed) && ht.now.hasCPU {
		base := ht.base
		if base == nil && ht.usable && ht.prev.hasCPU {
			base = &ht.prev
		}
		if base != nil {
			// No tick between the readings gives no figure. Iowait may
			// go down, so busy is clamped.
			busy, total := ht.now.busy-base.busy, ht.now.total-base.total
			if total > 0 {
				add(metricCPUUsed, 100*min(total, max(0, busy))/total, UnitPercent)
			}
		}
	}
	if req.Wants(metricNetworkIOErrors) && ht.now.hasNet {
		// Counters that went down (an interface gone) give no rate.
		if ht.usable && ht.prev.hasNet && ht.now.netErrs >= ht.prev.netErrs {
			mins := ht.now.at.Sub(ht.prev.at).Minutes()
			add(metricNetworkIOErrors, float64(ht.now.netErrs-ht.prev.netErrs)/mins, UnitPerMinute)
		} else {
			ht.wait = true
		}
	}
	if req.Wants(metricCPUSpeed) {
		if v, ok := sm.cpuSpeed(); ok {
			add(metricCPUSpeed, v, UnitMegahertz)
		}
	}
	if req.Wants(metricRealMemoryUsed) {
		if v, ok := sm.realMemory(); ok {
			add(metricRealMemoryUsed, v, UnitByte)
		}
	}
	if req.Wants(metricVirtualMemoryUsed) {
		if v, ok := sm.swapUsed(); ok {
			add(metricVirtualMemoryUsed, v, UnitByte)
		}
	}
	if req.Wants(metricDiskSpaceUsed) {
		path := ht.t.Prop(propInstancePath)
		if path == "" {
			path = "/"
		}
		if v, ok := sm.diskUsed(path); ok {
			add(metricDiskSpaceUsed, v, UnitByte)
		}
	}
	return out
}

// processSamples appends the samples of a crtv:Process target.
func processSamples(out []Sample, ht *hostTarget, req Request) []Sample {
	add := func(m rdf.IRI, v float64, unit rdf.IRI) {
		out = append(out, Sample{Resource: ht.t.IRI, Metric: m, Value: v, Unit: unit})
	}
	if req.Wants(metricCPUUsed) && ht.now.hasCPU {
		base := ht.base
		if base == nil && ht.usable && ht.prev.hasCPU {
			base = &ht.prev
		}
		if base != nil {
			secs := ht.now.at.Sub(base.at).Seconds()
			busy := ht.now.busy - base.busy
			if secs > 0 && busy >= 0 {
				add(metricCPUUsed, 100*busy/secs, UnitPercent)
			}
		}
	}
	if ht.mem != nil {
		if req.Wants(metricRealMemoryUsed) {
			add(metricRealMemoryUsed, float64(ht.mem.RSS), UnitByte)
		}
		if req.Wants(metricVirtualMemoryUsed) {
			add(metricVirtualMemoryUsed, float64(ht.mem.VMS), UnitByte)
		}
	}
	return out
}

// noSamples returns nil when some target was measured but had nothing to
// report yet, and otherwise an error listing why targets failed.
func noSamples(ts []hostTarget) error {
	var reasons []string
	for i := range ts {
		ht := &ts[i]
		if ht.reason == "" {
			return nil
		}
		if len(reasons) < 3 {
			reasons = append(reasons, vocab.Short(ht.t.IRI.String())+": "+ht.reason)
		}
	}
	msg := strings.Join(reasons, "; ")
	if n := len(ts) - len(reasons); n > 0 {
		msg += fmt.Sprintf("; and %d more", n)
	}
	return fmt.Errorf("host: %w: %s", ErrNoSamples, msg)
}
