#!/usr/bin/env bash
# Refreshes the vendored bot signatures from the npm package
# crawler-user-agents (MIT) and runs this package's tests.
#
#   edge/bot/refresh.sh            # the latest published version
#   edge/bot/refresh.sh 1.60.0     # a given version
#
# It replaces data/crawler-user-agents.json, data/LICENSE and data/VERSION.
# A failing test after a refresh is the point: read it. A pattern that Go's
# RE2 cannot compile must be listed in knownIncompatible (data_test.go); a
# supplement entry that the data now covers must be removed (supplement.go);
# a category override or vendor claim whose bot left the data must go.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${1:-latest}"
if [[ ! "$version" =~ ^(latest|[0-9]+\.[0-9]+\.[0-9]+)$ ]]; then
	echo "refresh.sh: version must be x.y.z or latest, not '$version'" >&2
	exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "crawler-user-agents@$version" >/dev/null)
tarball=("$work"/crawler-user-agents-*.tgz)
if [[ ${#tarball[@]} -ne 1 || ! -f ${tarball[0]} ]]; then
	echo "refresh.sh: npm pack produced no single tarball" >&2
	exit 1
fi
tar -xzf "${tarball[0]}" -C "$work"

pkg="$work/package"
got="$(node -p 'require(process.argv[1]).version' "$pkg/package.json")"
license="$(node -p 'require(process.argv[1]).license' "$pkg/package.json")"
if [[ "$license" != "MIT" ]]; then
	echo "refresh.sh: crawler-user-agents $got is licensed '$license', not MIT; review before vendoring" >&2
	exit 1
fi
# The JSON must parse and hold a list of records with a pattern each.
node -e '
const d = require(process.argv[1]);
if (!Array.isArray(d) || d.length < 600 || !d.every(e => typeof e.pattern === "string" && Array.isArray(e.instances))) {
	console.error("refresh.sh: unexpected crawler-user-agents.json shape");
	process.exit(1);
}' "$pkg/crawler-user-agents.json"

old="$(cat "$here/data/VERSION" 2>/dev/null || echo none)"
cp "$pkg/crawler-user-agents.json" "$here/data/crawler-user-agents.json"
cp "$pkg/LICENSE" "$here/data/LICENSE"
printf '%s\n' "$got" >"$here/data/VERSION"
echo "crawler-user-agents: $old -> $got"

cd "$here"
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
go test -count=1 .
