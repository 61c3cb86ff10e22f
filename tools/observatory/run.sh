#!/usr/bin/env bash
# Runs the Mozilla HTTP Observatory's tests against a fresh local Quire
# (claim HDR-1): installs the pinned scanner if needed, builds Quire, serves
# it from a temporary data directory on 127.0.0.1:443 (HTTPS) and
# 127.0.0.1:80 (the redirect), waits for /healthz and the first trust
# report, runs scan.mjs, then stops that Quire and removes the directory.
#
#   tools/observatory/run.sh [--no-self-test] [scan.mjs options]
#
# The package's scan() takes a host name and no port, so Quire must listen
# on ports 443 and 80: that needs root (as in CI) or
# net.ipv4.ip_unprivileged_port_start <= 80, and both ports free on
# 127.0.0.1. The script checks this first and stops at once, saying what to
# do, rather than stop or displace anything else.
#
# Then it runs the scanner's own tests (npm test, about 15s; needs
# openssl): local sites on the same ports with weak headers must fail, so
# a scanner that passes everything cannot go unnoticed. --no-self-test
# skips them. Options after it go to scan.mjs, e.g. --json FILE or
# --min-grade A. QUIRE_OBSERVATORY_BIN names a quire binary to use instead
# of building one. The exit status is scan.mjs's: 0 pass, 1 below A+ or a
# failed test, 2 an error.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

self_test=true
while [[ $# -gt 0 ]]; do
	case $1 in
	--no-self-test) self_test=false ;;
	*) break ;;
	esac
	shift
done

started=$SECONDS
phase_start=$SECONDS
timings=()
phase_done() {
	timings+=("$1 $((SECONDS - phase_start))s")
	phase_start=$SECONDS
}

if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
	echo "observatory: Node.js 20 or newer is required (found $(node --version))" >&2
	exit 2
fi

# The only ports the package's scan() reaches (see the header).
https_addr=127.0.0.1:443 http_addr=127.0.0.1:80
if [[ $EUID -ne 0 ]]; then
	unprivileged="$(sysctl -n net.ipv4.ip_unprivileged_port_start 2>/dev/null ||
		cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)"
	if ((unprivileged > 80)); then
		cat >&2 <<EOF
observatory: Quire must listen on $https_addr and $http_addr (the Observatory's
scan() takes no port), and on this machine ports below $unprivileged need root.
Run this script as root (CI does), e.g. sudo $0,
or let every user bind low ports: sudo sysctl -w net.ipv4.ip_unprivileged_port_start=80
EOF
		exit 2
	fi
fi
# port_problem tries to listen on 127.0.0.1:$1 and prints why it cannot
# (EADDRINUSE, EACCES, ...), or nothing when it can.
port_problem() {
	node -e '
		const srv = require("node:net").createServer();
		srv.once("error", (e) => console.log(e.code ?? e.message));
		srv.listen(Number(process.argv[1]), "127.0.0.1", () => srv.close());
	' "$1"
}
for addr in "$https_addr" "$http_addr"; do
	port="${addr##*:}"
	problem="$(port_problem "$port")"
	case $problem in
	"") ;;
	EADDRINUSE)
		cat >&2 <<EOF
observatory: $addr is already in use, and Quire must listen there (the
Observatory's scan() takes no port). Stop whatever listens on port $port
(ss -ltnp 'sport = :$port' names it), then run this script again; it does
not stop other processes.
EOF
		exit 2
		;;
	*)
		cat >&2 <<EOF
observatory: cannot listen on $addr ($problem), where Quire must listen (the
Observatory's scan() takes no port). Run this script as root, with the
capability to bind low ports (CAP_NET_BIND_SERVICE), as CI does.
EOF
		exit 2
		;;
	esac
done
phase_done ports

# The lock file is newer than the installed tree when a pin changed.
if [[ ! -f $here/node_modules/.package-lock.json || $here/package-lock.json -nt $here/node_modules/.package-lock.json ]]; then
	echo "==> npm ci"
	(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund)
fi
phase_done npm

if $self_test; then
	echo "==> npm test (the scanner's own tests)"
	# The ports were free just above, so the tests that listen on them must
	# run: QUIRE_OBSERVATORY_REQUIRE_PORTS makes a skip a failure.
	if ! out="$(cd "$here" && QUIRE_OBSERVATORY_REQUIRE_PORTS=1 npm test --silent 2>&1)"; then
		printf '%s\n' "$out" >&2
		echo "observatory: the scanner's own tests failed" >&2
		exit 2
	fi
	phase_done self-test
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/quire-observatory.XXXXXX")"
pid=""
# stop_quire ends the Quire this script started, and only it: SIGTERM for
# a graceful shutdown (Quire waits for its startup self-checks to clean up
# their canary data), SIGKILL after 30s.
stop_quire() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "observatory: quire (pid $pid) still running 30s after SIGTERM; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	fi
	pid=""
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	stop_quire
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# quire_failed explains a Quire that did not come up, with its last log lines.
quire_failed() {
	echo "observatory: $1; quire's last output:" >&2
	tail -n 20 "$tmp/stdout" "$tmp/stderr" >&2 || true
	exit 2
}

bin="${QUIRE_OBSERVATORY_BIN:-}"
if [[ -z $bin ]]; then
	echo "==> go build ./cmd/quire"
	(cd "$root" && go build -o "$tmp/quire" ./cmd/quire)
	bin="$tmp/quire"
fi
phase_done build

# Development mode with the zero-config self-signed certificate; the
# online breach check is off so that the run makes no outbound request.
cat >"$tmp/quire.yaml" <<EOF
mode: development
server:
  addr: $https_addr
  http_addr: $http_addr
auth:
  breach:
    range_url: ""
EOF
mkdir -m 700 "$tmp/data"

echo "==> quire serve"
"$bin" serve --config "$tmp/quire.yaml" --data "$tmp/data" >"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!

# Quire prints its URLs once both listeners are bound.
https_url="" http_url=""
for _ in $(seq 1 600); do
	kill -0 "$pid" 2>/dev/null || quire_failed "quire exited"
	line="$(grep -m1 '^Quire is ready at ' "$tmp/stdout" || true)"
	if [[ -n $line ]]; then
		https_url="$(grep -oE 'https://127\.0\.0\.1(:[0-9]+)?' <<<"$line" | head -n1)"
		http_url="$(grep -oE 'http://127\.0\.0\.1(:[0-9]+)?' <<<"$line" | head -n1)"
		break
	fi
	sleep 0.1
done
[[ -n $https_url && -n $http_url ]] || quire_failed "no 'Quire is ready at https://… (plain HTTP on http://…)' line within 60s"
# The scan reaches only these two addresses.
if [[ $https_url != "https://$https_addr" || $http_url != "http://$http_addr" ]]; then
	quire_failed "quire listens on $https_url and $http_url, not https://$https_addr and http://$http_addr"
fi

# The zero-config certificate; trusting it is what a browser user does
# when they accept it, and without it HSTS counts as unset.
cert="$tmp/data/tls/cert.pem"
healthy=false
for _ in $(seq 1 100); do
	if curl -fsS --max-time 2 --cacert "$cert" -o /dev/null "$https_url/healthz" 2>/dev/null; then
		healthy=true
		break
	fi
	sleep 0.1
done
$healthy || quire_failed "$https_url/healthz did not answer 200 within 10s"
phase_done start

# At start Quire runs its trust self-checks against itself, from
# 127.0.0.1 like the scanner: the DOS-1 and RL-1 checks fill the
# per-address connection cap and drain the per-address rate budget on
# purpose, which would refuse the scanner's requests. Wait until the first
# report is published (/trust.json answers 200 instead of 503), then one
# second more for the rate budget to refill (10 requests a second by
# default; the scan makes 6). A 404 means there are no self-checks to wait
# for.
trust_ready=false
for _ in $(seq 1 360); do
	code="$(curl -sS --max-time 2 --cacert "$cert" -o /dev/null -w '%{http_code}' "$https_url/trust.json" 2>/dev/null || true)"
	if [[ $code == 200 || $code == 404 ]]; then
		trust_ready=true
		break
	fi
	sleep 0.5
done
$trust_ready || quire_failed "$https_url/trust.json did not answer 200 within 180s"
sleep 1
phase_done trust-checks

echo "==> scan $https_url (plain HTTP on $http_url)"
status=0
node "$here/scan.mjs" --host 127.0.0.1 --ca "$cert" "$@" || status=$?
phase_done scan
stop_quire
phase_done stop

echo "observatory: ${timings[*]}; total $((SECONDS - started))s"
exit "$status"
