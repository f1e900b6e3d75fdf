package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// BenchmarkChangeLog measures what logging a change adds to a write: the
// same writes of PM records (20 triples each) with the log on and off.
// Create is one record per call, as a POST writes it, with and without
// fsync (with it the fsync dominates); Load and Stage write 1000 records
// per call, as an import and the job engine do. Compare log=on with
// log=off in ns/op.
func BenchmarkChangeLog(b *testing.B) {
	for _, op := range []string{"create", "create-sync", "load", "stage"} {
		for _, on := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/log=%v", op, map[bool]string{false: "off", true: "on"}[on]), func(b *testing.B) {
				// A lone writer need not wait for a batch to fill.
				db, _ := openDB(b, &store.Options{NoSync: op != "create-sync", MaxBatchDelay: time.Microsecond})
				db.SetChangeLogForTest(on)
				// Half the writes replace records already there.
				require.NoError(b, db.Load(b.Context(), records(0, 500)))
				rs := records(0, max(b.N, 1500))
				b.ResetTimer()
				switch op {
				case "create", "create-sync":
					for i := 0; i < b.N; i++ {
						var err error
						if i < 500 {
							_, err = db.Replace(b.Context(), rs[i].ID, rs[i].Triples, "")
						} else {
							_, err = db.Create(b.Context(), rs[i].ID, rs[i].Triples)
						}
						if err != nil {
							b.Fatal(err)
						}
					}
				default:
					for i := 0; i < b.N; i++ {
						chunk := rs[(i%2)*500:][:1000]
						if op == "load" {
							require.NoError(b, db.Load(b.Context(), chunk))
						} else {
							require.NoError(b, db.Stage(b.Context(), chunk))
						}
					}
				}
			})
		}
	}
}
