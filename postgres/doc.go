// Package postgres is Quire's PostgreSQL store: the user, workspace, note
// and account (auth) services, the barrier's key store, key rewrapping and
// the store inspector, over a pgx connection pool.
//
// Every user value (email, name, workspace name and AI policy, note title
// and content, folder name, idea text, folder share address, file name, embedding vector and text hash, TOTP secret, session user agent, API key and passkey names,
// passkey data) is stored only as barrier ciphertext, bound to its table, row and field;
// email lookups go through a keyed blind index, and secrets (session and
// one-time tokens, API keys, recovery codes) are stored only as hashes.
//
// # Tenant isolation (claim ISO-1)
//
// The tenant tables (workspaces, memberships, notes, note_versions, note_links,
// folders, folder_shares, ideas, files, embeddings, ai_policies, and the data_keys rows of workspace scopes) have row-level
// security enabled and forced. Their policies read two transaction-local settings:
//
//   - quire.workspace_id binds a transaction to one workspace: it sees and
//     may write that workspace's rows only;
//   - quire.user_id lets a transaction list the memberships of one user and
//     the workspaces they belong to, and those workspaces' AI policies
//     (read-only), for FindWorkspacesByUser.
//
// Every transaction that touches a tenant table sets them first with
// set_config(…, true), so a setting never outlives its transaction or leaks
// to the next user of a pooled connection. A transaction bound to nothing
// sees no tenant rows at all.
//
// Two operations must see across tenants: listing workspace IDs (for Rewrap
// and ScanRaw) and listing data-key metadata (for the barrier's rotation,
// status and retirement). Each is a SECURITY DEFINER function owned by the
// owning role that returns identifiers and key metadata only — never a
// ciphertext or a wrapped key. Inside them a "maintenance" SELECT policy,
// granted to the owning role alone, opens the rows. A third,
// quire_note_link, finds a public note link by its token's blind index for
// a request that has no workspace yet; it returns the link's workspace and
// note IDs and indexing flag, and the note is then read in a transaction
// bound to that workspace. Two more serve folder shares the same way:
// quire_share_invite finds a pending invitation by its token's blind index,
// and quire_shares_for_user lists the shares a user has accepted, across
// workspaces; both return identifiers, the permission, times and the
// address's blind index, never the sealed address. Everything else,
// including the rewrap of every tenant's values, runs bound to one
// workspace at a time.
//
// # Roles
//
// Migrations run as Config.OwnerURL when it is set, otherwise as Config.URL.
// When the two connect as different roles, each migration run grants the
// role of Config.URL exactly the DML it needs (and EXECUTE on the five
// functions); on the audit log it grants INSERT and SELECT only, so the
// application can append to the hash chain but never rewrite it. In
// production mode Open refuses a role that is a superuser, has BYPASSRLS
// (or can become such a role), or owns the tables, since any of those
// would bypass row-level security; and it refuses a connection without
// verified TLS to any host that is not loopback (claim TLS-2).
package postgres
