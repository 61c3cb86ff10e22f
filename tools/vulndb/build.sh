#!/usr/bin/env bash
# Builds (or finds in the cache) an offline Go vulnerability database from the
# golang.org/x/vulndb module, for `govulncheck -db file://DIR`. Prints DIR as
# the last line of standard output; progress goes to standard error.
#
#   tools/vulndb/build.sh VULNDB_VERSION CACHE_DIR GOVULNCHECK
#
# The database is cached under CACHE_DIR keyed by the vulndb version and a
# hash of gen.go, so a second run is instant. A database reaches the cache
# only after two checks: gen.go validates what it wrote with vulndb's own
# loader, and govulncheck must report GO-2022-1059 as reachable in the
# testdata/vulnerable fixture (an empty or unreadable database would report
# nothing, and CI would pass without scanning anything).
set -euo pipefail
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"

if [[ $# -ne 3 ]]; then
	echo "usage: $0 VULNDB_VERSION CACHE_DIR GOVULNCHECK" >&2
	exit 2
fi
version=$1 cache=$2 govulncheck=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

key=$(sha256sum "$here/gen.go" | cut -c1-12)
db="$cache/vulndb/$version-$key"
if [[ -s "$db/index/db.json" && -s "$db/index/modules.json" ]]; then
	echo "vulndb: cached $db" >&2
	echo "$db"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/quire-vulndb.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
start=$SECONDS

# Download outside any module so nothing records the vulndb module.
src=$(cd "$work" && GOWORK=off go mod download -json "golang.org/x/vulndb@$version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
if [[ -z "$src" || ! -d "$src/data/osv" ]]; then
	echo "vulndb: golang.org/x/vulndb@$version has no data/osv" >&2
	exit 1
fi

# A copy of the module (without its 60 MB of data) to compile gen.go inside,
# since it imports the module's internal/database package.
mkdir "$work/src"
for f in "$src"/*; do
	[[ "$(basename "$f")" == data ]] || cp -R "$f" "$work/src/"
done
chmod -R u+w "$work/src"
mkdir -p "$work/src/cmd/quirevulndb"
cp "$here/gen.go" "$work/src/cmd/quirevulndb/main.go"
echo "vulndb: compiling the generator inside golang.org/x/vulndb@$version" >&2
(cd "$work/src" && GOFLAGS=-mod=readonly GOWORK=off CGO_ENABLED=0 \
	go build -o "$work/gen" ./cmd/quirevulndb/main.go)

"$work/gen" -osv "$src/data/osv" -out "$work/db" -version "$version" >&2

echo "vulndb: self-check on the vulnerable fixture" >&2
set +e
out=$(cd "$here/testdata/vulnerable" && GOFLAGS=-mod=readonly GOWORK=off \
	"$govulncheck" -db "file://$work/db" ./... 2>&1)
rc=$?
set -e
if [[ $rc -ne 3 || "$out" != *GO-2022-1059* ]]; then
	printf '%s\n' "$out" >&2
	echo "vulndb: self-check failed: want exit 3 reporting GO-2022-1059, got exit $rc" >&2
	exit 1
fi

mkdir -p "$cache/vulndb"
# A concurrent build may have won the race; either copy is equally good.
if ! mv -T "$work/db" "$db" 2>/dev/null && [[ ! -s "$db/index/db.json" ]]; then
	echo "vulndb: cannot move the database into $db" >&2
	exit 1
fi
echo "vulndb: built $db in $((SECONDS - start))s" >&2
echo "$db"
