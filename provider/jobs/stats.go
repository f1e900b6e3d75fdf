package jobs

import (
	"sync"
	"time"
)

// stats counts what the engine wrote and how late.
type stats struct {
	mu      sync.Mutex
	periods int
	records int
	missed  int
	failed  int
	lastLag time.Duration
	lags    []time.Duration
	collect []time.Duration
	// The writer's transactions: how many, the resources they held, and
	// the time they took, from the call to the store to its return.
	txs, txResources int
	txTime, txMax    time.Duration
}

func (s *stats) tx(n int, d time.Duration) {
	s.mu.Lock()
	s.txs++
	s.txResources += n
	s.txTime += d
	s.txMax = max(s.txMax, d)
	s.mu.Unlock()
}

// maxLags bounds the lags kept.
const maxLags = 1 << 20

func (s *stats) miss(n int) {
	s.mu.Lock()
	s.missed += n
	s.mu.Unlock()
}

func (s *stats) fail() {
	s.mu.Lock()
	s.failed++
	s.mu.Unlock()
}

func (s *stats) collected(lag time.Duration) {
	s.mu.Lock()
	if len(s.collect) < maxLags {
		s.collect = append(s.collect, lag)
	}
	s.mu.Unlock()
}

func (s *stats) period(end, committed time.Time, records int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.periods++
	s.records += records
	s.lastLag = committed.Sub(end)
	if len(s.lags) < maxLags {
		s.lags = append(s.lags, committed.Sub(end))
	}
}

// Stats is what the engine has done since it started.
type Stats struct {
	Periods int             // granularity periods handled
	Records int             // records written
	Missed  int             // periods due but not collected (engine too late, collector failed)
	Lags    []time.Duration // per period: from its end to the commit of its records
	Collect []time.Duration // per collected period: from its end to the collector's answer
	// The writer's transactions (see Engine's writer): how many, the
	// resources they wrote, and their total and longest time in the store.
	Txs, TxResources int
	TxTime, TxMax    time.Duration
}

// Stats returns a copy of the engine's counters.
func (e *Engine) Stats() Stats {
	e.stats.mu.Lock()
	defer e.stats.mu.Unlock()
	return Stats{Periods: e.stats.periods, Records: e.stats.records, Missed: e.stats.missed,
		Lags: append([]time.Duration(nil), e.stats.lags...), Collect: append([]time.Duration(nil), e.stats.collect...),
		Txs: e.stats.txs, TxResources: e.stats.txResources, TxTime: e.stats.txTime, TxMax: e.stats.txMax}
}

// Counters are the engine's running totals, cheap to read often (a
// metrics scrape): Stats copies every lag.
type Counters struct {
	Periods, Records, Missed int
	Failed                   int           // periods whose collector failed
	LastLag                  time.Duration // of the last period committed
}

// Counters returns the engine's running totals.
func (e *Engine) Counters() Counters {
	e.stats.mu.Lock()
	defer e.stats.mu.Unlock()
	s := &e.stats
	return Counters{Periods: s.periods, Records: s.records, Missed: s.missed, Failed: s.failed, LastLag: s.lastLag}
}
