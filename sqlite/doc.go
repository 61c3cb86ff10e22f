// Package sqlite is Quire's embedded store: the quire services on one SQLite
// file through the pure-Go modernc.org/sqlite driver, so that the binary stays
// static (CGO_ENABLED=0).
//
// Every user value (emails, names, titles, note content) reaches the file
// only as barrier ciphertext, bound to its table, row and field; emails are
// found through a keyed blind index. Plain-text columns hold only random
// identifiers, enums, flags, counters and timestamps.
//
// One connection writes and a pool reads (WAL mode), so writers queue inside
// the process instead of failing with SQLITE_BUSY; a busy timeout covers
// other processes (such as `quire keys rewrap` next to a running server).
// Values are encrypted before a write transaction starts, because creating or
// rotating a data key is itself a write on the one writer connection.
package sqlite
