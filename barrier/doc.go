// Package barrier is Quire's one encryption boundary: every byte that a store
// writes to disk and that came from a user passes through it.
//
// The design follows HashiCorp Vault's barrier, with per-tenant keys:
//
//	root key (file, env, KMS) ──wraps──▶ keyring (versioned KEKs + index key)
//	keyring KEK ──wraps──▶ data keys, random, one set per scope (workspace, user)
//	data key ──AES-256-GCM──▶ stored values
//
// A stored value is format ‖ data-key version ‖ nonce ‖ ciphertext+tag. The
// associated data binds it to its scope, table, row and field, so a value
// copied into another record fails to decrypt. Data keys are random rather
// than derived, so deleting a scope's data keys (Shred) makes its data
// unrecoverable. Equality lookups use keyed blind indexes (BlindIndex).
package barrier
