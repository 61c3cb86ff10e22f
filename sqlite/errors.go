package sqlite

import (
	"errors"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite result codes the store reacts to (extended codes where SQLite has them).
const (
	codeCorrupt    = sqlite3.SQLITE_CORRUPT
	codeNotADB     = sqlite3.SQLITE_NOTADB
	codeUnique     = sqlite3.SQLITE_CONSTRAINT_UNIQUE
	codePrimaryKey = sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	codeForeignKey = sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
)

// sqliteCode returns the (extended) result code of a driver error, or 0.
func sqliteCode(err error) int {
	var e interface{ Code() int }
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isUniqueViolation(err error) bool {
	c := sqliteCode(err)
	return c == codeUnique || c == codePrimaryKey
}

func isForeignKeyViolation(err error) bool { return sqliteCode(err) == codeForeignKey }

// internal wraps a database failure as EINTERNAL. The cause goes to the log
// only; the message tells the client nothing about the database.
func internal(what string, err error) error {
	return quire.WrapError(quire.EINTERNAL, "Internal error.", &opError{what, err})
}

// opError names the operation that failed, for logs.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return "sqlite: " + e.op + ": " + e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// decryptFailed reports a stored value that would not decrypt. The message
// says nothing about the value; the cause (a barrier error naming the table,
// row and field) is for the log.
func decryptFailed(table, id, field string, err error) error {
	return quire.WrapError(quire.EINTERNAL, "Stored data could not be decrypted.",
		&opError{"decrypt " + table + "." + field + " of " + id, err})
}

// encryptFailed reports that a value could not be encrypted.
func encryptFailed(err error) error {
	return quire.WrapError(quire.EINTERNAL, "Internal error.", &opError{"encrypt", err})
}

// keyStoreError maps a driver error from the key store: a duplicate key is
// barrier.ErrExists, which the barrier handles.
func keyStoreError(op string, err error) error {
	if isUniqueViolation(err) {
		return barrier.ErrExists
	}
	return &opError{op, err}
}
