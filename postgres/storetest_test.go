package postgres

import (
	"testing"

	"github.com/quirehq/quire/postgres/pgtest"
	"github.com/quirehq/quire/storetest"
)

// TestConformance runs the store conformance suite against PostgreSQL in
// the production layout: the services connect as a dedicated role, under
// row-level security, and the tables belong to another, non-superuser role.
func TestConformance(t *testing.T) {
	pgtest.AdminURL(t)
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		return newEnv(t).stores(t, newKey())
	})
}
