package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire/barrier"
)

// countSecurityReports counts the vulnerability reports, for Rewrap's total.
func (db *DB) countSecurityReports(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM security_reports").Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count security reports: %w", err)
	}
	return n, nil
}

// securityReports rewraps the vulnerability reports, sealed under the
// system scope, a page at a time; the table has no tenant to bind.
func (r *rewrapper) securityReports(ctx context.Context) error {
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := r.securityReportPage(ctx, after)
		if err != nil {
			return err
		}
		for _, row := range page {
			if err := r.record(ctx, securityReportsEnc, binding{}, barrier.SystemScope, row.id, row.cts); err != nil {
				return err
			}
			after = row.id
		}
		if len(page) < rewrapPage {
			return nil
		}
	}
}

// securityReportPage reads the next page of reports by ID after after.
func (r *rewrapper) securityReportPage(ctx context.Context, after string) ([]pagedRow, error) {
	rows, err := r.db.pool.Query(ctx, "SELECT id, email_enc, title_enc, details_enc FROM security_reports WHERE id > $1 ORDER BY id LIMIT $2",
		after, rewrapPage)
	if err != nil {
		return nil, fmt.Errorf("postgres: rewrap: read security_reports: %w", err)
	}
	page, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pagedRow, error) {
		p := pagedRow{cts: make([][]byte, 3)}
		return p, row.Scan(&p.id, &p.cts[0], &p.cts[1], &p.cts[2])
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: rewrap: read security_reports: %w", err)
	}
	return page, nil
}
