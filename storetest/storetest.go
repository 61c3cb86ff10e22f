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
	// AgeAudit, for a backend that records when each audit entry was
	// written apart from its at (and refuses to trim recent writes), makes
	// every entry look written at its at, directly in the database, so
	// that back-dated test entries can be trimmed. Nil if not needed.
	AgeAudit func(t *testing.T)
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
	// Folders and Ideas are the backend's folder and idea stores.
	Folders quire.FolderService
	Ideas   quire.IdeaService
	// Files is the backend's file metadata store.
	Files quire.FileService
	// Chats is the backend's conversation store.
	Chats quire.ChatService
	// Embeddings is the backend's embedding store.
	Embeddings quire.EmbeddingService
	// RawEmbedding reads the embeddings row of a document as stored,
	// directly from the database, below the store; it fails t if there
	// is none.
	RawEmbedding func(t *testing.T, workspaceID, docID string) RawEmbedding
	// SetRawEmbedding writes dims and the sealed vector (vector_enc) over
	// the embeddings row of a document, directly in the database, below
	// the store, as an attacker with write access would.
	SetRawEmbedding func(t *testing.T, workspaceID, docID string, dims int, vectorEnc []byte)
	// NoteLinks is the backend's public note link store.
	NoteLinks quire.NoteLinkService
	// SecurityReports is the backend's vulnerability report store.
	SecurityReports quire.SecurityReportService
	// Shares is the backend's folder share store.
	Shares quire.ShareService
	// Deletions is the backend's account deletion queue; its Auth must
	// also be a quire.EmailChangeStore.
	Deletions quire.AccountDeletionService
	// Privacy is the backend's privacy settings store.
	Privacy quire.PrivacyService
	// Retention is the backend's retention store; it shares Auth's audit
	// log.
	Retention quire.RetentionStore
	// Exports is the backend's data export store.
	Exports quire.ExportService
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
	{"ChatCRUD", testChatCRUD},
	{"ChatMessages", testChatMessages},
	{"ChatIsolation", testChatIsolation},
	{"ChatRewrapAndCanary", testChatRewrapAndCanary},
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
	{"FolderCRUD", testFolderCRUD},
	{"FolderValidation", testFolderValidation},
	{"FolderDeleteUnfile", testFolderDeleteUnfile},
	{"FolderDeleteContents", testFolderDeleteContents},
	{"FolderReferences", testFolderReferences},
	{"FolderDeleteRace", testFolderDeleteRace},
	{"FolderIsolation", testFolderIsolation},
	{"FolderIdeaWorkspaceDelete", testFolderIdeaWorkspaceDelete},
	{"FolderIdeaRewrap", testFolderIdeaRewrap},
	{"FolderIdeaCiphertextBound", testFolderIdeaCiphertextBound},
	{"IdeaCRUD", testIdeaCRUD},
	{"IdeaValidation", testIdeaValidation},
	{"FindIdeasOrderAndFilters", testFindIdeas},
	{"IdeaBulk", testIdeaBulk},
	{"IdeaPromote", testIdeaPromote},
	{"IdeaIsolation", testIdeaIsolation},
	{"FileCRUD", testFileCRUD},
	{"FindFilesOrderAndFilters", testFindFiles},
	{"FileValidation", testFileValidation},
	{"FileNoteDelete", testFileNoteDelete},
	{"FileIsolation", testFileIsolation},
	{"FileWorkspaceDelete", testFileWorkspaceDelete},
	{"FileRewrap", testFileRewrap},
	{"FileCiphertextBound", testFileCiphertextBound},
	{"FileCanary", testFileCanary},
	{"EmbeddingRoundTrip", testEmbeddingRoundTrip},
	{"EmbeddingUpsert", testEmbeddingUpsert},
	{"EmbeddingDelete", testEmbeddingDelete},
	{"EmbeddingValidation", testEmbeddingValidation},
	{"EmbeddingIsolation", testEmbeddingIsolation},
	{"EmbeddingWorkspaceDelete", testEmbeddingWorkspaceDelete},
	{"EmbeddingRewrap", testEmbeddingRewrap},
	{"EmbeddingCanary", testEmbeddingCanary},
	{"EmbeddingStoredLayout", testEmbeddingStoredLayout},
	{"EmbeddingCiphertextBound", testEmbeddingCiphertextBound},
	{"NoteLinks", testNoteLinks},
	{"NoteLinkValidation", testNoteLinkValidation},
	{"NoteLinkCascade", testNoteLinkCascade},
	{"NoteLinkIsolation", testNoteLinkIsolation},
	{"SecurityReports", testSecurityReports},
	{"SecurityReportValidation", testSecurityReportValidation},
	{"SecurityReportStatus", testSecurityReportStatus},
	{"SecurityReportFilters", testSecurityReportFilters},
	{"SecurityReportOverdueOrder", testSecurityReportOverdueOrder},
	{"SecurityReportCanary", testSecurityReportCanary},
	{"Shares", testShares},
	{"ShareValidation", testShareValidation},
	{"ShareRenew", testShareRenew},
	{"ShareAccept", testShareAccept},
	{"ShareExpired", testShareExpired},
	{"ShareExpiredPurged", testShareExpiredPurged},
	{"SharesForUser", testSharesForUser},
	{"SharePermissionAndDelete", testSharePermissionAndDelete},
	{"ShareIsolation", testShareIsolation},
	{"ShareCascade", testShareCascade},
	{"ShareCanary", testShareCanary},
	{"ShareRewrap", testShareRewrap},
	{"ShareRaces", testShareRaces},
}

// Run runs every conformance test against the backend that open returns (open is called once per subtest, giving an empty database each time).
func Run(t *testing.T, open func(t *testing.T) Stores) {
	for _, st := range suite {
		t.Run(st.name, func(t *testing.T) {
			st.fn(t, open(t))
		})
	}
	runAuth(t, open)
	for _, st := range deletionSuite {
		t.Run("Rights/"+st.name, func(t *testing.T) { st.fn(t, open(t)) })
	}
	for _, st := range privacySuite {
		t.Run("Privacy/"+st.name, func(t *testing.T) { st.fn(t, open(t)) })
	}
	for _, st := range exportSuite {
		t.Run("Export/"+st.name, func(t *testing.T) { st.fn(t, open(t)) })
	}
	for _, st := range retentionSuite {
		t.Run("Retention/"+st.name, func(t *testing.T) { st.fn(t, open(t)) })
	}
}
