package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire/barrier"
)

// encrypted describes the encrypted columns of one table: the fields they
// hold (for the associated data), the columns themselves and the column
// that identifies a row (its AD row; "id" if empty).
type encrypted struct {
	table  string
	fields []string
	cols   []string
	key    string
}

// pagedEnc lists the tables of a workspace's many records, rewrapped a page
// at a time. A migration that adds one must add it here.
var pagedEnc = []encrypted{notesEnc, versionsEnc, filesEnc, foldersEnc, ideasEnc, conversationsEnc, chatMessagesEnc, embeddingsEnc, sharesEnc}

var (
	usersEnc         = encrypted{"users", []string{"email", "name"}, []string{"email_enc", "name_enc"}, ""}
	workspacesEnc    = encrypted{"workspaces", []string{"name"}, []string{"name_enc"}, ""}
	conversationsEnc = encrypted{"conversations", []string{"title"}, []string{"title_enc"}, ""}
	chatMessagesEnc  = encrypted{"chat_messages", []string{"content", "sources"}, []string{"content_enc", "sources_enc"}, ""}
	notesEnc         = encrypted{"notes", []string{"title", "content"}, []string{"title_enc", "content_enc"}, ""}
	versionsEnc      = encrypted{"note_versions", []string{"title", "content"}, []string{"title_enc", "content_enc"}, ""}
	aiPoliciesEnc    = encrypted{"ai_policies", []string{"policy"}, []string{"policy_enc"}, "workspace_id"}
	foldersEnc       = encrypted{"folders", []string{"name"}, []string{"name_enc"}, ""}
	ideasEnc         = encrypted{"ideas", []string{"text"}, []string{"text_enc"}, ""}
	filesEnc         = encrypted{"files", []string{"name"}, []string{"name_enc"}, ""}
	embeddingsEnc    = encrypted{"embeddings", []string{"vector"}, []string{"vector_enc"}, ""}
)

// keyCol is the column that identifies a row of e.
func (e encrypted) keyCol() string {
	if e.key == "" {
		return "id"
	}
	return e.key
}

// load reads the encrypted columns of row id; nil if the row is gone.
func (e encrypted) load(ctx context.Context, db *DB, b binding, id string) ([][]byte, error) {
	cts := make([][]byte, len(e.cols))
	dst := make([]any, len(cts))
	for i := range cts {
		dst[i] = &cts[i]
	}
	err := db.inTx(ctx, b, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT "+strings.Join(e.cols, ", ")+" FROM "+e.table+" WHERE "+e.keyCol()+" = $1", id).Scan(dst...)
	})
	if notFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("postgres: rewrap: read %s: %w", e.table, err)
	}
	return cts, nil
}

// store writes nw over row id if its columns still hold old.
func (e encrypted) store(ctx context.Context, db *DB, b binding, id string, old, nw [][]byte) (bool, error) {
	var set, where []string
	args := []any{id}
	for i, c := range e.cols {
		args = append(args, nw[i])
		set = append(set, c+" = $"+strconv.Itoa(len(args)))
	}
	for i, c := range e.cols {
		args = append(args, old[i])
		where = append(where, c+" = $"+strconv.Itoa(len(args)))
	}
	var n int64
	err := db.inTx(ctx, b, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE "+e.table+" SET "+strings.Join(set, ", ")+" WHERE "+e.keyCol()+" = $1 AND "+strings.Join(where, " AND "), args...)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("postgres: rewrap: write %s: %w", e.table, err)
	}
	return n == 1, nil
}

// record brings one record under its scope's newest key. cts are its
// ciphertexts as last read (nil: the record is gone). A record changed by
// someone else between read and write is read again.
func (r *rewrapper) record(ctx context.Context, e encrypted, b binding, scope barrier.Scope, id string, cts [][]byte) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if cts == nil || !r.stale(scope, cts...) {
			break
		}
		fs := make([]field, len(cts))
		for i := range cts {
			fs[i] = field{e.fields[i], cts[i]}
		}
		nw, changed, err := r.reencrypt(ctx, scope, e.table, id, fs)
		if err != nil {
			return err
		}
		if !changed {
			break
		}
		ok, err := e.store(ctx, r.db, b, id, cts, nw)
		if err != nil {
			return err
		} else if ok {
			break
		} else if attempt == maxRetries {
			return fmt.Errorf("postgres: rewrap: a %s record kept changing; run rewrap again", e.table)
		}
		if cts, err = e.load(ctx, r.db, b, id); err != nil {
			return err
		}
	}
	r.step()
	return nil
}

// user rewraps one user and then the account records under its scope.
func (r *rewrapper) user(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cts, err := usersEnc.load(ctx, r.db, binding{}, id)
	if err != nil {
		return err
	}
	if err := r.record(ctx, usersEnc, binding{}, barrier.UserScope(id), id, cts); err != nil {
		return err
	}
	return r.userRecords(ctx, id)
}

// workspace rewraps a workspace's name, its AI policy if it has one, and
// then its notes, a page at a time, every transaction bound to the
// workspace.
func (r *rewrapper) workspace(ctx context.Context, ws string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, scope := tenant(ws), barrier.WorkspaceScope(ws)
	cts, err := workspacesEnc.load(ctx, r.db, b, ws)
	if err != nil {
		return err
	}
	if err := r.record(ctx, workspacesEnc, b, scope, ws, cts); err != nil {
		return err
	}
	policy, err := aiPoliciesEnc.load(ctx, r.db, b, ws)
	if err != nil {
		return err
	}
	if policy != nil { // a workspace that never set a policy has no row
		if err := r.record(ctx, aiPoliciesEnc, b, scope, ws, policy); err != nil {
			return err
		}
	}
	for _, e := range pagedEnc {
		if err := r.pages(ctx, ws, e); err != nil {
			return err
		}
	}
	return nil
}

// pages rewraps the rows of table e in workspace ws, a page at a time.
func (r *rewrapper) pages(ctx context.Context, ws string, e encrypted) error {
	b, scope := tenant(ws), barrier.WorkspaceScope(ws)
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := r.page(ctx, ws, e, after)
		if err != nil {
			return err
		}
		for _, row := range page {
			if err := r.record(ctx, e, b, scope, row.id, row.cts); err != nil {
				return err
			}
			after = row.id
		}
		if len(page) < rewrapPage {
			return nil
		}
	}
}

// pagedRow is one row's ID and ciphertexts, in the table's column order.
type pagedRow struct {
	id  string
	cts [][]byte
}

// page reads the next page of table e's rows in workspace ws by ID.
func (r *rewrapper) page(ctx context.Context, ws string, e encrypted, after string) ([]pagedRow, error) {
	var page []pagedRow
	err := r.db.inTx(ctx, tenant(ws), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, "+strings.Join(e.cols, ", ")+" FROM "+e.table+
			" WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3", ws, after, rewrapPage)
		if err != nil {
			return err
		}
		page, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (pagedRow, error) {
			p := pagedRow{cts: make([][]byte, len(e.cols))}
			dst := []any{&p.id}
			for i := range p.cts {
				dst = append(dst, &p.cts[i])
			}
			return p, row.Scan(dst...)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: rewrap: read %s: %w", e.table, err)
	}
	return page, nil
}
