package provider_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/knakk/rdf"
	"github.com/stretchr/testify/require"

	"github.com/oslc-pm/pmprovider/provider"
	"github.com/oslc-pm/pmprovider/query"
	"github.com/oslc-pm/pmprovider/query/boltsource"
	"github.com/oslc-pm/pmprovider/store"
	"github.com/oslc-pm/pmprovider/store/sparql/sparqltest"
)

// TestMain starts one Virtuoso for the tests that run over the SPARQL
// store (TestOnSPARQL), when virtuoso-t is installed.
func TestMain(m *testing.M) { sparqltest.Main(m) }

// stores is the table of stores the end-to-end tests run on. Every test
// runs on the first; the tests of onEveryStore run on each, under
// Test<name>: newTestServer picks the store by the test's name.
var stores = []struct {
	name string
	open func(t testing.TB) (provider.Store, *store.DB)
}{
	{"bolt", func(t testing.TB) (provider.Store, *store.DB) {
		db, err := store.Open(filepath.Join(t.TempDir(), "pm.db"), pmStoreOptions(store.Options{}))
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		return boltsource.New(db), db
	}},
	{"sparql", func(t testing.TB) (provider.Store, *store.DB) {
		return sparqltest.Open(t), nil
	}},
	{"oxigraph", func(t testing.TB) (provider.Store, *store.DB) {
		return sparqltest.OpenOxigraph(t), nil
	}},
}

// openStore opens a fresh store of the kind the running test asks for.
func openStore(t testing.TB) (provider.Store, *store.DB) {
	for _, s := range stores[1:] {
		if strings.HasPrefix(t.Name(), "TestOn"+strings.ToUpper(s.name)+"/") {
			return s.open(t)
		}
	}
	return stores[0].open(t)
}

// match calls fn with every triple of the server's store.
func (ts *testServer) match(fn func(tr rdf.Triple) bool) error {
	ctx := context.Background()
	return ts.st.View(ctx, func(src query.Source) error {
		return src.Match(ctx, nil, nil, nil, fn)
	})
}

// onEveryStore are the end-to-end tests that run on every store.
var onEveryStore = []struct {
	name string
	test func(t *testing.T)
}{
	{"DiscoveryAndRecordLifecycle", TestDiscoveryAndRecordLifecycle},
	{"CreateNamingStyles", TestCreateNamingStyles},
	{"CreateInEveryFormat", TestCreateInEveryFormat},
	{"ContentNegotiation", TestContentNegotiation},
	{"BadInput", TestBadInput},
	{"MonitoredResources", TestMonitoredResources},
	{"QueryAgreesWithRDFLib", TestQueryAgreesWithRDFLib},
	{"QueryParameters", TestQueryParameters},
	{"PropertiesOnResource", TestPropertiesOnResource},
	{"PutKeepsReadOnlyMeasuresAndType", TestPutKeepsReadOnlyMeasuresAndType},
	{"PutReplacesStatedMeasures", TestPutReplacesStatedMeasures},
	{"QueryBasesAreLDPContainers", TestQueryBasesAreLDPContainers},
	{"PostedQuery", TestPostedQuery},
	{"QueryResultShape", TestQueryResultShape},
	{"OrderSurvivesSerialization", TestOrderSurvivesSerialization},
	{"ETagPerRepresentation", TestETagPerRepresentation},
	{"PageSizeIsAHint", TestPageSizeIsAHint},
	{"JobCreateAndCollect", TestJobCreateAndCollect},
	{"JobSuspendResume", TestJobSuspendResume},
	{"JobCancelAndDelete", TestJobCancelAndDelete},
	{"PushJob", TestPushJob},
	{"ReportDownloads", TestReportDownloads},
	{"TRSDiscovery", TestTRSDiscovery},
	{"TRSConditionalGET", TestTRSConditionalGET},
	{"TRSBadRequests", TestTRSBadRequests},
	{"SubscriptionsHTTP", TestSubscriptionsHTTP},
	{"HubStream", TestHubStream},
	{"AdhocCollection", TestAdhocCollection},
}

// TestOnSPARQL runs the tests of onEveryStore over the SPARQL store, in
// a Virtuoso of its own (sparqltest).
func TestOnSPARQL(t *testing.T) {
	sparqltest.Current(t)
	for _, tc := range onEveryStore {
		t.Run(tc.name, tc.test)
	}
}

// onOxigraph are the tests of onEveryStore that also run over the SPARQL
// store in Oxigraph, a second SPARQL implementation: writes, queries of
// every kind, the change log, the job engine.
var onOxigraph = []string{
	"DiscoveryAndRecordLifecycle", "CreateNamingStyles", "QueryAgreesWithRDFLib", "QueryParameters",
	"PropertiesOnResource", "PageSizeIsAHint", "PutReplacesStatedMeasures", "TRSConditionalGET",
	"HubStream", "JobCreateAndCollect",
}

// TestOnOXIGRAPH runs the core tests (onOxigraph) over the SPARQL store
// in an Oxigraph (sparqltest.OpenOxigraph), to check that the store
// speaks portable SPARQL.
func TestOnOXIGRAPH(t *testing.T) {
	sparqltest.CurrentOxigraph(t)
	for _, tc := range onEveryStore {
		if slices.Contains(onOxigraph, tc.name) {
			t.Run(tc.name, tc.test)
		}
	}
}
