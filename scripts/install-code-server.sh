#!/usr/bin/env bash
# Installs code-server (VS Code in the browser, from the npm registry) into a cache folder for the VS Code
# end-to-end test (test/vscode/extension.test.ts). It is NOT a project dependency: it lives in
# .cache/code-server/<version>/ (git-ignored), or under $SYNTH_CODE_SERVER_CACHE.
#
# Idempotent: a finished install is marked with .complete and reused at once; an interrupted one is discarded.
# Concurrent callers wait on a lock. The last line of stdout is the path of the code-server executable; progress
# goes to stderr.
#
# Offline-safe: needs only the npm registry (and Debian packages when run as root). docs/editor.md
# ("Tests") describes the pitfalls this script works around.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}" # newest code-server that runs on Node 20 (4.103+ want Node 22)
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${SYNTH_CODE_SERVER_CACHE:-$ROOT/.cache/code-server}"
DEST="$CACHE/$VERSION"
BIN="$DEST/node_modules/.bin/code-server"

log() { printf 'install-code-server: %s\n' "$*" >&2; }

if [ -f "$DEST/.complete" ] && [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$CACHE"
# One installer at a time; whoever waited finds the finished install.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock 9
  if [ -f "$DEST/.complete" ] && [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
  fi
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != "20" ] && [ -z "${FORCE_NODE_VERSION:-}" ]; then
  log "code-server $VERSION requires Node 20 (found $(node --version)); set CODE_SERVER_VERSION for another Node"
  exit 1
fi

# System packages: kerberos builds from source (libkrb5-dev), native modules need a compiler, VS Code's search
# needs ripgrep, the test drives Chromium.
missing=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "apt-get install ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    log "missing system packages (install them as root): ${missing[*]}"
    exit 1
  fi
fi

WORK="$DEST.partial"
rm -rf "$WORK" "$DEST"
mkdir -p "$WORK/tmp"

# @vscode/ripgrep downloads its binary from GitHub at install time, which fails offline: seed its cache (it looks
# in $TMPDIR/vscode-ripgrep-cache-<package version>/) with Debian's rg.
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) rg_target=aarch64-unknown-linux-musl ;;
  *) rg_target="$(uname -m)-unknown-linux-musl" ;;
esac
# code-server 4.100.3 ships @vscode/ripgrep 1.15.11, which fetches ripgrep v13.0.0-10.
mkdir -p "$WORK/tmp/vscode-ripgrep-cache-1.15.11" "$WORK/tmp/rg-stage"
cp "$(command -v rg)" "$WORK/tmp/rg-stage/rg"
tar czf "$WORK/tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-$rg_target.tar.gz" -C "$WORK/tmp/rg-stage" rg

cat >"$WORK/package.json" <<'JSON'
{ "name": "synth-code-server-cache", "private": true, "description": "code-server for Synth's VS Code e2e test" }
JSON

log "npm install code-server@$VERSION into $DEST (about a minute, ~300 MB)"
# npm 11 skips dependency install scripts unless allowed; code-server's postinstall runs nested `npm install`s
# (lib/vscode, its extensions) whose native modules must build, so allow scripts for this isolated install only.
# `yes=false` in the machine's npm config would cancel node-pty's `npx node-gyp`.
(
  cd "$WORK"
  export TMPDIR="$WORK/tmp"
  export npm_config_yes=true
  export npm_config_dangerously_allow_all_scripts=true
  export npm_config_unsafe_perm=true
  export npm_config_update_notifier=false
  npm install --no-audit --no-fund --no-save --foreground-scripts "code-server@$VERSION" >&2
)

if [ ! -x "$WORK/node_modules/.bin/code-server" ] || [ ! -e "$WORK/node_modules/code-server/lib/vscode/node_modules" ]; then
  log "code-server did not install completely (see the npm output above)"
  exit 1
fi

rm -rf "$WORK/tmp"
mv "$WORK" "$DEST"
touch "$DEST/.complete"
log "installed $(cd "$DEST" && node -p 'require("./node_modules/code-server/package.json").version')"
echo "$BIN"
