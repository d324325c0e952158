#!/usr/bin/env bash
# The soak benchmark of docs/BENCHMARKS.md (issue 20): the release app under
# Xvfb, driven as a user would, on the built-in demo provider with
# 1-second tokens ("Demo — password", Run all, the Tokens tab on screen,
# Auto-refresh on), for MINUTES minutes (default 10, about 1,200 refreshes).
# Every 10 s it samples the app's RSS, its CPU time and how many token
# requests it made; the summary gives RSS growth after the first minute, the
# trend of the second half, CPU per refresh and CPU with the Tokens tab on
# screen. Output in target/bench-results/soak.{tsv,md}.
#
#   benches/soak.sh [MINUTES] [TOKEN_SECONDS]
#   SOAK_APP=path/to/other/build SOAK_NAME=before benches/soak.sh 10 1
#
# TOKEN_SECONDS (default 1) is the tokens' lifetime: 7 is PingFederate's,
# the case issue 20 measured the Tokens tab's CPU with.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
ttl=${2:-1}

. benches/lib.sh
need_packages xvfb xauth xdotool python3
# SOAK_APP names another build to measure (the figures before a change).
release_app "${SOAK_APP:-}"
name=${SOAK_NAME:-$ttl}

display=":$((100 + $$ % 400))"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
home=$(mktemp -d)
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT
sleep 1
export DISPLAY=$display XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data
# The hook: the built-in demo provider issues short-lived tokens. Each
# exchange is logged (id, kind, status; never a secret) to count refreshes,
# and each frame the app draws (a line with no content) to count frames.
export OAUTH_DEBUGGER_DEMO_TOKEN_TTL=$ttl NO_COLOR=1
export RUST_LOG=oauth_debugger::engine::wire::http=debug,oauth_debugger::frames=trace
"$app" >/dev/null 2>"$home/exchanges.log" &
pid=$!
sleep 5
# The window sits at the top-left corner of the bare X server (1280x800):
# "Demo — password" in the list, Run all, the Tokens tab, Auto-refresh.
xdotool mousemove 70 59 click 1
sleep 1
xdotool mousemove 401 50 click 1
sleep 3
xdotool mousemove 454 18 click 1
sleep 1
xdotool mousemove 620 184 click 1
# The pointer leaves the window, as a person watching would.
xdotool mousemove 1390 890

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
refreshes() { grep -c 'kind="token"' "$home/exchanges.log" || true; }
frames() { grep -c 'oauth_debugger::frames' "$home/exchanges.log" || true; }

samples=$out/soak-$name.tsv
printf 'seconds\trss_kib\tcpu_ticks\ttoken_requests\tframes\n' >"$samples"
start=$(date +%s)
end=$((start + minutes * 60))
while [ "$(date +%s)" -le "$end" ]; do
  kill -0 "$pid" 2>/dev/null || { echo "the app exited" >&2; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\n' "$(($(date +%s) - start))" "$(rss_kib "$pid")" \
    "$(cpu_ticks "$pid")" "$(refreshes)" "$(frames)" >>"$samples"
  sleep 10
done

python3 - "$samples" "$(getconf CLK_TCK)" "$minutes" "$ttl" <<'PY' | tee "$out/soak-$name.md"
import sys
path, hz, minutes, ttl = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = [list(map(int, line.split("\t"))) for line in open(path).read().split("\n")[1:] if line]
first = next(r for r in rows if r[0] >= 60)
last = rows[-1]
growth = (last[1] - first[1]) / first[1] * 100
half = [r for r in rows if r[0] >= last[0] / 2]
# Least-squares slope of RSS over the second half, in KiB per minute.
n = len(half)
mx = sum(r[0] for r in half) / n
my = sum(r[1] for r in half) / n
slope = sum((r[0] - mx) * (r[1] - my) for r in half) / max(1e-9, sum((r[0] - mx) ** 2 for r in half)) * 60
refreshes = last[3] - first[3]
cpu = (last[2] - first[2]) / hz
elapsed = last[0] - first[0]
print(f"soak, {minutes} min, {ttl}-second tokens, Tokens tab on screen, auto-refresh:")
print(f"- refreshes after the first minute: {refreshes} ({refreshes / max(1, elapsed):.2f}/s)")
print(f"- RSS: {first[1] / 1024:.1f} MiB at 1 min, {last[1] / 1024:.1f} MiB at the end: {growth:+.1f} % (budget <= 10 %)")
print(f"- RSS trend over the second half: {slope:+.1f} KiB/min")
# Once the HTTP log holds its in-memory budget (2,000 exchanges; each token
# request is one), every new exchange pushes an older one to the session
# file: from then on only what every exchange keeps in memory (its row of
# the log) can grow.
full = [r for r in rows if r[3] >= 2000]
if len(full) >= 6:
    n = len(full)
    mx = sum(r[0] for r in full) / n
    my = sum(r[1] for r in full) / n
    slope = sum((r[0] - mx) * (r[1] - my) for r in full) / max(1e-9, sum((r[0] - mx) ** 2 for r in full)) * 60
    print(f"- RSS trend once the log held 2,000 exchanges ({(full[-1][0] - full[0][0]) / 60:.1f} min): {slope:+.1f} KiB/min, {full[0][1] / 1024:.1f} -> {full[-1][1] / 1024:.1f} MiB")
frames = last[4] - first[4]
print(f"- CPU: {cpu / elapsed * 100:.2f} % of one core, {cpu / max(1, refreshes) * 1000:.2f} ms per refresh")
print(f"- frames: {frames / max(1, elapsed):.2f}/s, {frames / max(1, refreshes):.2f} per refresh, {cpu / max(1, frames) * 1000:.1f} ms of CPU per frame")
# The last minute alone: the steady state, once the Tokens tab's timeline has
# its page of 50 entries and no new rows appear.
tail = next((r for r in rows if r[0] >= last[0] - 60), first)
t_cpu = (last[2] - tail[2]) / hz
t_elapsed = max(1, last[0] - tail[0])
t_frames = last[4] - tail[4]
t_refreshes = last[3] - tail[3]
print(f"- the last minute: CPU {t_cpu / t_elapsed * 100:.2f} % of one core, {t_frames / t_elapsed:.2f} frames/s, {t_frames / max(1, t_refreshes):.2f} frames per refresh")
PY
