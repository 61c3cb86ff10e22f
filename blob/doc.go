// Package blob is Quire's encrypted file store: attachments and voice-note
// audio, encrypted with the workspace's keys like every other value, kept
// on local disk (Local) or in an S3-compatible bucket (S3).
//
// Store is what the application uses; a Backend only ever sees ciphertext.
// Sniff decides, from a file's first bytes, whether it may be stored at all.
//
// # Format
//
// Envelope encryption: every blob has its own random 256-bit file key,
// sealed by the barrier under the workspace's data key with associated data
// barrier.AD("blobs", "<workspaceID>/<blobID>", "key"). Shredding the
// workspace's scope therefore makes every blob of it unreadable. A stored
// blob is a header followed by the body (integers big-endian):
//
//	header: "QBL1"              magic
//	        0x01                format version
//	        uint32              chunk size C (plaintext bytes; 4 KiB–1 MiB, default 64 KiB)
//	        uint16 n, [n]byte   the wrapped file key (barrier ciphertext)
//	body:   chunk 0 ‖ chunk 1 ‖ … ‖ chunk k
//
// Every chunk is AES-256-GCM under the file key of C plaintext bytes, but
// the last, which holds 1 to C bytes (0 only for an empty blob), each with
// its 16-byte tag. This is the STREAM construction (Hoang, Reyhanitabar,
// Rogaway, Vizár: "Online Authenticated-Encryption and its Nonce-Reuse
// Misuse-Resistance", 2015): the 96-bit nonce of chunk i is
//
//	0x000000 ‖ uint64 i ‖ last (0x01 for the final chunk, else 0x00)
//
// and every chunk's associated data is
//
//	"quire.blob.v1" ‖ 0x00 ‖ "<workspaceID>/<blobID>" ‖ 0x00 ‖ header
//
// A fixed nonce prefix is safe because no file key is used for two blobs.
// So a flipped bit anywhere, chunks reordered, dropped or swapped in from
// another blob, a stream cut at a chunk boundary (the new last chunk was not
// sealed as last), and a blob copied to another ID or workspace (its key
// unwraps only at its own location) all fail to decrypt. The plaintext size
// is not stored: Open derives it from the stored size and C, and the last-
// chunk flag proves the stream complete.
//
// Both directions stream: Put and Open hold one chunk at a time, whatever
// the size of the blob. An integrity failure is an EINTERNAL error whose
// message says nothing about the contents.
//
// # Keys
//
// Backends store a blob under "<workspaceID>/<blobID>", both quire IDs, so
// a workspace is one prefix that DeleteWorkspace removes. Any other key,
// such as "../x", "a/b" or an absolute path, is refused with EINVALID.
package blob
