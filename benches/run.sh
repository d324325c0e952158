#!/usr/bin/env bash
# Runs the whole benchmark set of docs/BENCHMARKS.md and prints a summary
# (also written to target/bench-results/summary.md). Each figure is measured
# side by side with its reference in the same run; the ratio is what the
# budgets are about. Needs a Debian machine: missing tools are installed.
set -euo pipefail
cd "$(dirname "$0")/.."

. benches/lib.sh
need_packages xvfb xauth hyperfine curl time xdotool python3

out=target/bench-results
mkdir -p "$out"
cargo build --release --bins --example bare_window
app=target/release/oauth-debugger
bare=target/release/examples/bare_window

# A display of our own, and a config folder of our own (profiles written by
# a first launch before the timed runs).
display=":$((100 + $$ % 400))"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
home=$(mktemp -d)
cleanup() {
  kill "$xvfb" 2>/dev/null || true
  [ -n "${demo:-}" ] && kill "$demo" 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT
sleep 1
export DISPLAY=$display XDG_CONFIG_HOME=$home/.config

echo "== startup: process start to first frame (hyperfine), app vs bare window"
export OAUTH_DEBUGGER_EXIT_AFTER_FIRST_FRAME=1
"$app" >/dev/null 2>&1 || true
hyperfine -N --warmup 3 --runs 20 --export-json "$out/startup.json" "$app" "$bare"
echo "== startup: peak RSS (GNU time, 10 runs each)"
: >"$out/rss.txt"
for binary in "$app" "$bare"; do
  for _ in $(seq 10); do
    /usr/bin/time -f "$binary %M" "$binary" >/dev/null 2>>"$out/rss.txt" || true
  done
done
unset OAUTH_DEBUGGER_EXIT_AFTER_FIRST_FRAME

echo "== idle: CPU over 30 s, app with a token countdown on screen vs bare window repainting at 1 Hz"
cpu_seconds() { # utime + stime of a process, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}
idle() { # name, command...
  local name=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep 4
  if [ "$name" = app ]; then
    # Run all on the Demo client-credentials profile, then the Tokens tab
    # (window at the top-left corner of the bare X server).
    xdotool mousemove 597 50 click 1
    sleep 2
    xdotool mousemove 426 18 click 1
    sleep 2
  fi
  local before after
  before=$(cpu_seconds "$pid")
  sleep 30
  after=$(cpu_seconds "$pid")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$name $before $after" >>"$out/idle.txt"
}
: >"$out/idle.txt"
idle app "$app"
idle bare "$bare"

echo "== engine in-process vs bare reqwest; frame times (criterion)"
cargo bench --bench engine -- --noplot 2>&1 | tee "$out/engine.txt"
cargo bench --bench frames -- --noplot 2>&1 | tee "$out/frames.txt"

echo "== CLI vs curl, whole processes (hyperfine)"
"$app" demo-server --port 0 >"$out/demo.txt" &
demo=$!
sleep 3
base=$(sed -n 's/^listening on //p' "$out/demo.txt" | head -n 1)
profile="$home/client-credentials.toml"
sed "s#http://127.0.0.1:7878#$base#g" assets/presets/demo-client-credentials.toml >"$profile"
hyperfine -N --warmup 5 --runs 50 --export-json "$out/cli.json" \
  "$app token --profile $profile --json" \
  "curl -sS -u demo-client:demo-secret -d grant_type=client_credentials -d scope=read+write $base/token"

python3 - "$out" <<'PY'
import json, re, statistics, sys, pathlib
out = pathlib.Path(sys.argv[1])
lines = []
def hf(name):
    results = json.loads((out / name).read_text())["results"]
    return [statistics.median(r["times"]) for r in results]
app, bare = hf("startup.json")
lines.append(f"startup to first frame: app {app*1000:.1f} ms, bare window {bare*1000:.1f} ms, ratio {app/bare:.2f} (budget 1.3)")
rss = {}
for line in (out / "rss.txt").read_text().split("\n"):
    parts = line.split()
    if len(parts) == 2 and parts[1].isdigit():
        rss.setdefault(parts[0], []).append(int(parts[1]))
(app_rss, bare_rss) = [statistics.median(v) for v in rss.values()]
lines.append(f"peak RSS: app {app_rss/1024:.1f} MiB, bare window {bare_rss/1024:.1f} MiB, ratio {app_rss/bare_rss:.2f} (budget 1.5)")
for line in (out / "idle.txt").read_text().split("\n"):
    if line.strip():
        name, before, after = line.split()
        lines.append(f"idle CPU ({name}): {(float(after)-float(before))/30*100:.2f} % of one core over 30 s (budget 1 %)")
cli, curl = hf("cli.json")
lines.append(f"client_credentials round trip, whole processes: CLI {cli*1000:.2f} ms, curl {curl*1000:.2f} ms, ratio {cli/curl:.2f} (budget 1.5)")
def criterion(name):
    # "name  time: [low mid high]" on one line, or the name on the line before.
    found, previous = {}, ""
    unit_ms = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1000.0}
    for line in (out / name).read_text().replace("\r", "\n").split("\n"):
        m = re.match(r"^(.*?)\s*time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
        if m:
            key = m.group(1).strip() or previous.strip()
            found[key] = float(m.group(2)) * unit_ms[m.group(3)]
        elif line.strip():
            previous = line
    return found
engine = criterion("engine.txt")
e = engine.get("client_credentials_round_trip/engine")
b = engine.get("client_credentials_round_trip/bare_reqwest")
if e and b:
    lines.append(f"client_credentials round trip in-process: engine {e:.3f} ms, bare reqwest {b:.3f} ms, ratio {e/b:.2f} (budget 1.1)")
for key, value in criterion("frames.txt").items():
    lines.append(f"{key}: {value:.3f} ms (budget 16 ms per frame)" if "frame" in key else f"{key}: {value:.1f} ms")
text = "\n".join(lines)
print("\n== summary\n" + text)
(out / "summary.md").write_text(text + "\n")
PY
