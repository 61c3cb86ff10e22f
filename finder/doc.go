// Package finder is search over a workspace: it feeds the in-memory
// search engine (package search) from the stores, keeps each workspace's
// index current as notes, ideas and folders change, embeds documents
// through the AI gateway for semantic search, and reranks through it.
//
// Nothing of the index reaches the disk: an index is built in memory
// from decrypted notes, ideas and folder names when a workspace is first
// searched, and lives in a cache bounded by its memory (DESIGN.md). The
// embeddings, which are content, are stored only encrypted
// (quire.EmbeddingService); a document whose text changed is embedded
// again in the background, so a save never waits for the AI provider.
//
// The store wrappers (Notes, Ideas, Folders, Workspaces) are how the
// index learns of changes: every write that succeeds updates the cached
// index at once, or, for writes that touch many documents (a folder
// deleted with its contents, bulk moves), drops it to be rebuilt.
package finder
