package threshold

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
)

// slowStore makes each load take a while and counts those in flight.
type slowStore struct {
	Store
	started chan struct{}

	mu                  sync.Mutex
	inFlight, maxFlight int
}

func (s *slowStore) Load(ctx context.Context, rs []store.Resource) error {
	s.mu.Lock()
	s.inFlight++
	s.maxFlight = max(s.maxFlight, s.inFlight)
	s.mu.Unlock()
	s.started <- struct{}{}
	time.Sleep(100 * time.Millisecond)
	err := s.Store.Load(ctx, rs)
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
	return err
}

// Writes of records no threshold watches run together; a write the
// evaluator keeps something of runs alone, so that the next evaluates
// from the states it left.
func TestWritesRunTogetherUnlessEvaluated(t *testing.T) {
	other := mustIRI(base + "/oslc/resources/host2")
	for _, tc := range []struct {
		name                 string
		first                store.Resource
		maxFlight            int
		evaluated, crossings uint64
	}{
		{"no threshold watches the first", recordGraph(1, other, t0, 95), 2, 0, 0},
		{"the first crosses a threshold", recordGraph(1, host, t0, 95), 1, 1, 1},
		{"the first is watched, crosses none", recordGraph(1, host, t0, 50), 1, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), nil)
			require.NoError(t, err)
			defer db.Close()
			slow := &slowStore{Store: boltsource.New(db), started: make(chan struct{}, 2)}
			e := New(Config{Store: slow, Base: base, Now: (&clock{t0}).now})
			require.NoError(t, e.Load(ctx))
			st := e.Store()
			_, err = st.Create(ctx, thrID, thresholdGraph(thrID, 90, 10, RisingIRI, host))
			require.NoError(t, err)

			done := make(chan error)
			go func() { done <- st.Load(ctx, []store.Resource{tc.first}) }()
			<-slow.started
			require.NoError(t, st.Load(ctx, []store.Resource{recordGraph(2, other, t0, 97)}))
			require.NoError(t, <-done)
			assert.Equal(t, tc.maxFlight, slow.maxFlight)
			evaluated, crossings := e.Stats()
			assert.Equal(t, tc.evaluated, evaluated, "records a threshold watches")
			assert.Equal(t, tc.crossings, crossings)
		})
	}
}
