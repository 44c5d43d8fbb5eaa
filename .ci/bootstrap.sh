# Machine set-up shared by `.ci/run` and developers. Source it from the repository root:
#
#   source .ci/bootstrap.sh
#
# It puts Node >= 22.18 and pnpm on PATH (installing Node 24 from the npm registry when the system Node
# is older), installs the Debian packages the tests need when they are missing, and installs the
# workspace from the lockfile. Safe to source repeatedly: it only installs what is missing.
# shellcheck shell=bash

_parley_log() { printf '== %s\n' "$*"; }

_parley_node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=18)?0:1)'
}

_parley_bootstrap() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1

  # --- Node >= 22.18 -------------------------------------------------------------------------
  if ! _parley_node_ok; then
    local node_dir="${PARLEY_NODE_DIR:-$HOME/.cache/parley/node24}"
    if [ ! -x "$node_dir/node_modules/node/bin/node" ]; then
      _parley_log "installing Node 24 from the npm registry into $node_dir (system Node: $(node --version 2>/dev/null || echo none))"
      mkdir -p "$node_dir" &&
        npm install --prefix "$node_dir" --no-save --no-audit --no-fund node@24 >/dev/null || return 1
    fi
    export PATH="$node_dir/node_modules/node/bin:$PATH"
  fi
  _parley_log "node $(node --version)"

  # --- pnpm ----------------------------------------------------------------------------------
  local pnpm_version=10.34.9
  if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
    _parley_log "installing pnpm $pnpm_version"
    npm install -g --no-audit --no-fund "pnpm@$pnpm_version" >/dev/null || return 1
  fi
  _parley_log "pnpm $(pnpm --version)"

  # --- Debian packages the tests need -------------------------------------------------------
  # Each entry is "<command to look for>:<Debian package that provides it>".
  # chromium: browser tests (OpenTok.js, the Parley client, the docs site) and Experience Composer
  # renders; ffmpeg/ffprobe: recording, the Audio Connector, SIP and captions; espeak-ng: the speech the
  # captions tests publish; openssl: the SIP TLS test's certificate. PocketSphinx (live captions) has no
  # command: look for its Python module and its US English model instead. cc and the C library's headers:
  # the SFU's native datapath (reference-server/native), built by `pnpm install`.
  local needs=(chromium:chromium ffmpeg:ffmpeg ffprobe:ffmpeg espeak-ng:espeak-ng openssl:openssl cc:gcc) missing=() need
  for need in "${needs[@]}"; do
    command -v "${need%%:*}" >/dev/null 2>&1 || missing+=("${need##*:}")
  done
  /usr/bin/python3 -c 'import pocketsphinx' >/dev/null 2>&1 || missing+=(python3-pocketsphinx)
  [ -f /usr/share/pocketsphinx/model/en-us/en-us.lm.bin ] || missing+=(pocketsphinx-en-us)
  [ -f /usr/include/x86_64-linux-gnu/sys/socket.h ] || [ -f /usr/include/sys/socket.h ] || missing+=(libc6-dev)
  if [ "${#missing[@]}" -gt 0 ]; then
    # shellcheck disable=SC2207 # package names have no spaces
    missing=($(printf '%s\n' "${missing[@]}" | sort -u))
    _parley_log "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      return 1
  fi

  # --- workspace -----------------------------------------------------------------------------
  export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
  _parley_log "pnpm install"
  (cd "$root" && pnpm install --frozen-lockfile --reporter=append-only) || return 1
}

_parley_bootstrap
