package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/store"
)

// A write whose caller gave up while it waited for the writer's lock is
// not made: the caller was told it failed, so storing it would be a write
// nobody acknowledged.
func TestWriteAfterCallerLeft(t *testing.T) {
	db, _ := openDB(t, nil)
	g := func(id rdf.IRI) []rdf.Triple { return []rdf.Triple{{Subj: id, Pred: ex("p"), Obj: str("v")}} }
	_, err := db.Create(context.Background(), ex("kept"), g(ex("kept")))
	require.NoError(t, err)

	for _, op := range []string{"create", "replace", "delete"} {
		t.Run(op, func(t *testing.T) {
			release := db.HoldWriterForTest()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				var err error
				switch op {
				case "create":
					_, err = db.Create(ctx, ex("gone"), g(ex("gone")))
				case "replace":
					_, err = db.Replace(ctx, ex("kept"), []rdf.Triple{{Subj: ex("kept"), Pred: ex("p"), Obj: str("changed")}}, "")
				case "delete":
					err = db.Delete(ctx, ex("kept"), "")
				}
				done <- err
			}()
			time.Sleep(20 * time.Millisecond) // the write is waiting for the lock
			cancel()
			release()
			require.True(t, errors.Is(<-done, context.Canceled))

			_, _, err := db.Get(context.Background(), ex("gone"))
			assert.ErrorIs(t, err, store.ErrNotFound)
			kept, _, err := db.Get(context.Background(), ex("kept"))
			require.NoError(t, err)
			assert.Equal(t, "v", kept[0].Obj.(rdf.Literal).String())
		})
	}
}
