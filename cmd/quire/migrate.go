package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// runMigrate applies the embedded migrations. Opening a store migrates it;
// with PostgreSQL in production the owner role (database.owner_url) does.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath, dataDir := commonFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitCode(2)
	}
	cfg, err := loadConfig(*configPath, *dataDir)
	if err != nil {
		return err
	}
	st, err := openStores(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.close()
	fmt.Fprintf(stdout, "The %s database is at the newest schema.\n", st.backend)
	return nil
}
