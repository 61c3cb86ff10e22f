//go:build ignore

// Command gen writes an offline Go vulnerability database (the v1 layout that
// `govulncheck -db file:///DIR` reads) from the OSV files shipped in the
// golang.org/x/vulndb module.
//
// It imports golang.org/x/vulndb/internal/database, so it cannot be compiled
// in the tools module: build.sh copies the downloaded vulndb module to a
// temporary directory, drops this file into it as cmd/quirevulndb/main.go and
// compiles it there. The build tag keeps it out of every other build.
//
// The module zip carries no git history, and the OSV files in data/osv leave
// their timestamps zero (upstream fills them from commit dates). A zero
// modified or published time is therefore set to the snapshot time of the
// vulndb pseudo-version: an upper bound for both, and what makes the written
// database pass the package's own validator (database.Load), which gen runs
// on its output before it reports success.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/vulndb/internal/database"
	"golang.org/x/vulndb/internal/osv"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("vulndb gen: ")
	osvDir := flag.String("osv", "", "directory of OSV files (data/osv of the vulndb module)")
	outDir := flag.String("out", "", "directory to write the v1 database to (must not exist)")
	version := flag.String("version", "", "pseudo-version of the vulndb module, for missing timestamps")
	flag.Parse()
	if *osvDir == "" || *outDir == "" || *version == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	n, err := run(*osvDir, *outDir, *version)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("vulndb gen: wrote %d entries to %s\n", n, *outDir)
}

// run reads every entry, writes the database and validates what it wrote.
func run(osvDir, outDir, version string) (int, error) {
	snapshot, err := module.PseudoVersionTime(version)
	if err != nil {
		return 0, fmt.Errorf("snapshot time of %q: %w", version, err)
	}
	entries, err := readEntries(osvDir, snapshot)
	if err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return 0, fmt.Errorf("no OSV entries in %s", osvDir)
	}
	db, err := database.New(entries...)
	if err != nil {
		return 0, fmt.Errorf("index entries: %w", err)
	}
	if _, err := os.Stat(outDir); err == nil {
		return 0, fmt.Errorf("output directory %s already exists", outDir)
	}
	if err := db.Write(outDir); err != nil {
		return 0, fmt.Errorf("write database: %w", err)
	}
	loaded, err := database.Load(outDir)
	if err != nil {
		return 0, fmt.Errorf("validate written database: %w", err)
	}
	if got := len(loaded.Entries); got != len(entries) {
		return 0, fmt.Errorf("validate written database: read back %d entries, wrote %d", got, len(entries))
	}
	return len(entries), nil
}

// readEntries decodes every *.json file in dir, in name order, filling zero
// timestamps with snapshot.
func readEntries(dir string, snapshot time.Time) ([]osv.Entry, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list OSV files: %w", err)
	}
	sort.Strings(paths)
	entries := make([]osv.Entry, 0, len(paths))
	for _, p := range paths {
		e, err := readEntry(p)
		if err != nil {
			return nil, err
		}
		if e.Modified.IsZero() {
			e.Modified = osv.Time{Time: snapshot}
		}
		if e.Published.IsZero() {
			e.Published = osv.Time{Time: snapshot}
		}
		if e.Published.After(e.Modified.Time) {
			e.Modified = e.Published
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// readEntry decodes one OSV file, rejecting unknown fields so that a schema
// change upstream fails loudly instead of dropping data.
func readEntry(path string) (osv.Entry, error) {
	var e osv.Entry
	f, err := os.Open(path)
	if err != nil {
		return e, fmt.Errorf("open OSV file: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Errorf("decode %s: %w", filepath.Base(path), err)
	}
	if e.ID == "" {
		return e, fmt.Errorf("decode %s: entry has no id", filepath.Base(path))
	}
	return e, nil
}
