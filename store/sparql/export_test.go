package sparql

import "context"

// Update sends a SPARQL Update request: tests make stores of older
// layouts with it.
func (d *DB) Update(ctx context.Context, text string) error { return d.c.update(ctx, text) }

// Layout is the store's layout version.
func (d *DB) Layout(ctx context.Context) (int, error) { return d.layout(ctx) }

// SetUpgradeBatch sets how many resources one request of the upgrade
// completes, and returns a function that restores it.
func SetUpgradeBatch(n int) (restore func()) {
	old := upgradeBatch
	upgradeBatch = n
	return func() { upgradeBatch = old }
}

// Namespace is the store's own namespace.
const Namespace = ns

// SelectAt runs a SELECT query at ep and tells how many rows it gave.
func SelectAt(ctx context.Context, ep Endpoint, text string) (int, error) {
	rows, err := newClient(ep).selectRows(ctx, text)
	return len(rows), err
}
