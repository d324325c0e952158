# Shared by the benchmark scripts (sourced, not run).

# Installs the Debian packages named that this machine lacks.
need_packages() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# Sets `target`, `out` (the results folder, created) and `app`: the build
# named by $1 when given (the figures before a change), else the release
# build of this checkout.
release_app() {
  target=${CARGO_TARGET_DIR:-target}
  out=$target/bench-results
  mkdir -p "$out"
  app=${1:-}
  if [ -z "$app" ]; then
    cargo build --release --bin oauth-debugger
    app=$target/release/oauth-debugger
  fi
}
