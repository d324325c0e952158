#!/usr/bin/env bash
# The CLI benchmark of docs/BENCHMARKS.md (issue 20): `oauth-debugger call`
# of a large JSON body (default 20 MB, the demo provider's /api/large)
# against `curl … | jq .` of the same URL with the same token, in one
# hyperfine run. Budget: call's whole-process time <= 1.5x curl | jq.
# Offline: the release build's own demo provider on 127.0.0.1:PORT, a
# client-credentials token from it. Output (table, JSON) in
# target/bench-results/cli-call-NAME.{md,json}.
#
#   benches/cli_call.sh [MB] [PORT]
#   CLI_CALL_APP=path/to/other/build CLI_CALL_NAME=before benches/cli_call.sh
#
# The token travels in the environment (TOKEN for curl,
# OAUTH_DEBUGGER_ACCESS_TOKEN for call), so the commands hyperfine prints
# do not show it.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-20}
port=${2:-7979}

. benches/lib.sh
need_packages hyperfine curl jq
# CLI_CALL_APP names another build to measure (the figures before a change).
release_app "${CLI_CALL_APP:-}"
app=$(realpath "$app")
name=${CLI_CALL_NAME:-$mb-mb}

work=$(mktemp -d)
cleanup() {
  [ -n "${demo:-}" ] && kill "$demo" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$app" demo-server --port "$port" >"$work/demo.log" 2>&1 &
demo=$!
# The provider's first line says it is listening.
for _ in $(seq 50); do
  grep -q '^listening on' "$work/demo.log" && break
  kill -0 "$demo" 2>/dev/null || { cat "$work/demo.log" >&2; exit 1; }
  sleep 0.1
done
grep -q '^listening on' "$work/demo.log" || { echo "the demo provider did not start" >&2; exit 1; }

# The client-credentials preset, pointed at this port.
profile=$work/demo-client-credentials.toml
sed "s/127\.0\.0\.1:7878/127.0.0.1:$port/g" assets/presets/demo-client-credentials.toml >"$profile"
TOKEN=$("$app" token --profile "$profile" --json | jq -r .access_token)
export TOKEN OAUTH_DEBUGGER_ACCESS_TOKEN=$TOKEN
url="http://127.0.0.1:$port/api/large?mb=$mb"
# Time the body, not an error answer: the call must succeed first.
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$url" \
  || { echo "GET $url did not answer 2xx with the demo token" >&2; exit 1; }
"$app" call --profile "$profile" "$url" >/dev/null

# Both print the pretty-printed body (call adds the status line and the
# headers above it); hyperfine sends stdout to /dev/null.
hyperfine --warmup 2 --runs 10 \
  --export-markdown "$out/cli-call-$name.md" --export-json "$out/cli-call-$name.json" \
  -n "curl -s URL | jq ." "curl -s -H \"Authorization: Bearer \$TOKEN\" '$url' | jq ." \
  -n "oauth-debugger call URL" "'$app' call --profile '$profile' '$url'"

echo
cat "$out/cli-call-$name.md"
jq -r '.results as $r
  | ($r[] | select(.command | startswith("oauth")) | .mean) / ($r[] | select(.command | startswith("curl")) | .mean)
  | "call / curl|jq = \(. * 100 | round / 100) (budget <= 1.5)"' "$out/cli-call-$name.json"
