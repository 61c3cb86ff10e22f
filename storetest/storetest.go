package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// Stores is one opened backend, freshly migrated and empty, with a barrier.
type Stores struct {
	Users      quire.UserService
	Workspaces quire.WorkspaceService
	Notes      quire.NoteService
	Keys       barrier.KeyStore
	Barrier    *barrier.Barrier
	Inspector  quire.StoreInspector
	// Rewrap re-encrypts every stored value not under its scope's newest data key; progress may be nil.
	Rewrap func(ctx context.Context, progress func(done, total int)) error
	// Reopen closes the backend and opens it again on the same data with the same root key (for restart tests); returns the new Stores.
	Reopen func(t *testing.T) Stores
	// Auth is the backend's account store.
	Auth quire.AuthStore
	// TamperAudit changes the event column of audit entry seq directly in
	// the database, below the store, as an attacker with write access would.
	TamperAudit func(t *testing.T, seq int64)
	// Usage is the backend's AI usage store.
	Usage quire.UsageService
	// CopyUsageRecord copies the sealed record (record_enc) of usage row
	// fromID over that of row toID directly in the database, below the
	// store, as an attacker with write access would.
	CopyUsageRecord func(t *testing.T, fromID, toID string)
	// RawAIPolicy reads the sealed AI policy (policy_enc) of a workspace
	// directly from the database, below the store; nil if it has none.
	RawAIPolicy func(t *testing.T, workspaceID string) []byte
	// SetRawAIPolicy writes ct over the sealed AI policy of a workspace
	// that has one, directly in the database, below the store, as an
	// attacker with write access would.
	SetRawAIPolicy func(t *testing.T, workspaceID string, ct []byte)
}

// clockOffset is how far the suite has moved the barrier's clock ahead of
// the wall clock, in nanoseconds. It only ever grows.
var clockOffset atomic.Int64

// Now is the clock the suite controls: the wall clock plus however far the
// key-rotation tests have advanced it.
func Now() time.Time { return time.Now().Add(time.Duration(clockOffset.Load())) }

// BarrierOptions returns the options a backend's open function must pass to
// barrier.Open (on Reopen too). They use Now as the barrier's clock, so that
// the suite can let the key cache expire without waiting, which barrier.Retire
// requires before it deletes an old key version.
func BarrierOptions() barrier.Options { return barrier.Options{Now: Now} }

// advanceClock moves Now forward past the barrier's default cache TTL.
func advanceClock() { clockOffset.Add(int64(2 * time.Minute)) }

// suiteTest is one conformance test; it gets a fresh backend.
type suiteTest struct {
	name string
	fn   func(t *testing.T, s Stores)
}

var suite = []suiteTest{
	{"UserCRUD", testUserCRUD},
	{"UserEmailLookup", testUserEmailLookup},
	{"UserValidation", testUserValidation},
	{"UserDeleteShreds", testUserDeleteShreds},
	{"WorkspaceCRUD", testWorkspaceCRUD},
	{"WorkspaceRegion", testWorkspaceRegion},
	{"WorkspaceValidation", testWorkspaceValidation},
	{"Memberships", testMemberships},
	{"FindWorkspacesByUser", testFindWorkspacesByUser},
	{"WorkspaceDeleteShreds", testWorkspaceDeleteShreds},
	{"NoteCRUD", testNoteCRUD},
	{"NoteVersions", testNoteVersions},
	{"NoteVersionIsolation", testNoteVersionIsolation},
	{"NoteVersionPolicy", testNoteVersionPolicy},
	{"NoteVersionRewrap", testNoteVersionRewrap},
	{"NoteUpdateFields", testNoteUpdateFields},
	{"NoteValidation", testNoteValidation},
	{"FindNotesOrderAndFilters", testFindNotes},
	{"OptimisticConcurrency", testOptimisticConcurrency},
	{"TenantIsolation", testTenantIsolation},
	{"ConcurrentCreates", testConcurrentCreates},
	{"CiphertextBoundToRecord", testCiphertextBound},
	{"Canary", testCanary},
	{"KeyRotation", testKeyRotation},
	{"RewrapResumable", testRewrapResumable},
	{"Restart", testRestart},
	{"UsageRoundTrip", testUsageRoundTrip},
	{"UsageOrderSinceLimit", testUsageOrderSinceLimit},
	{"UsageTokens", testUsageTokens},
	{"UsageUnknownUser", testUsageUnknownUser},
	{"UsageUserDeletedConcurrently", testUsageUserDeletedConcurrently},
	{"UsageValidation", testUsageValidation},
	{"UsageCascade", testUsageCascade},
	{"UsageCiphertextBound", testUsageCiphertextBound},
	{"UsageRewrap", testUsageRewrap},
	{"AIPolicyDefault", testAIPolicyDefault},
	{"AIPolicyRoundTrip", testAIPolicyRoundTrip},
	{"AIPolicyValidation", testAIPolicyValidation},
	{"AIPolicyUnknownWorkspace", testAIPolicyUnknownWorkspace},
	{"AIPolicyDeletedWithWorkspace", testAIPolicyDeletedWithWorkspace},
	{"AIPolicyIsolation", testAIPolicyIsolation},
	{"AIPolicyCanary", testAIPolicyCanary},
	{"AIPolicyRewrap", testAIPolicyRewrap},
	{"AIPolicyCensusEmpty", testAIPolicyCensusEmpty},
	{"AIPolicyCensusMixed", testAIPolicyCensusMixed},
	{"AIPolicyCensusDeletedWorkspace", testAIPolicyCensusDeletedWorkspace},
	{"AIPolicyCensusTampered", testAIPolicyCensusTampered},
}

// Run runs every conformance test against the backend that open returns (open is called once per subtest, giving an empty database each time).
func Run(t *testing.T, open func(t *testing.T) Stores) {
	for _, st := range suite {
		t.Run(st.name, func(t *testing.T) {
			st.fn(t, open(t))
		})
	}
	runAuth(t, open)
}
