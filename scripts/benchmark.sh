#!/usr/bin/env bash
# benchmark.sh [SIZE_MIB]   (default 1024)
# Upload and download of one SIZE_MIB file through the api, next to Debian's nginx accepting (WebDAV PUT) and
# serving (sendfile) the same bytes on this machine in the same run; then 64 parallel 1 MiB downloads through each.
# Prints MiB/s for each, the api/nginx ratios and the api's peak RSS. Not a test: figures go in the README.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/aio-bench.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -n "${services_state:-}" ] && scripts/test-services-stop.sh "$services_state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { printf '[bench] %s\n' "$*" >&2; }

need=()
for c in nginx hey curl redis-server; do command -v "$c" >/dev/null || need+=("$c"); done
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
export AIO_TEST_REDIS_PORT=$(free_port) AIO_TEST_RABBIT_PORT=$(free_port) AIO_TEST_RABBIT_MGMT_PORT=$(free_port) \
       AIO_TEST_RABBIT_DIST_PORT=$(free_port) AIO_TEST_EPMD_PORT=$(free_port)
services_state="$work/services"
eval "$(scripts/test-services-start.sh "$services_state" 2>/dev/null)"

log "building the api (Release)"
dotnet publish AioStorage.Api -c Release -o "$work/api" -nologo -v:q >/dev/null

log "making a ${size_mib} MiB file"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/big.bin"
head -c $((1024 * 1024)) /dev/urandom > "$work/small.bin"

# ---------- nginx: PUT to disk, GET with sendfile ----------
nginx_port=$(free_port)
mkdir -p "$work/nginx/root" "$work/nginx/tmp"
cp "$work/small.bin" "$work/nginx/root/small.bin"
cat > "$work/nginx.conf" <<CONF
user root;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  client_max_body_size 0;
  client_body_temp_path $work/nginx/tmp;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/nginx/root;
    location / { dav_methods PUT; create_full_put_path on; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work/nginx"

# ---------- the api ----------
# Run as the AppHost and docker-compose.yml run it (the same gen0 budget).
api_port=$(free_port)
STORAGE_PATH="$work/storage" SQLITE_PATH="$work/metadata/aio.db" METADATA_PROVIDER=sqlite \
REDIS_URL="redis://$AIO_TEST_REDIS" RABBITMQ_URL="$AIO_TEST_RABBITMQ_URL" JWT_SECRET="benchmark-only-$(head -c 24 /dev/urandom | base64)" \
DOTNET_GCgen0size=0x1000000 MAX_FILE_SIZE=$((size_mib * 1024 * 1024 + 1)) DEFAULT_STORAGE_QUOTA=$((size_mib * 1024 * 1024 * 16)) API_PORT=$api_port ASPNETCORE_ENVIRONMENT=Production RateLimiting__PermitsPerMinute=100000 \
  dotnet "$work/api/AioStorage.Api.dll" > "$work/api.log" 2>&1 &
api_pid=$!; pids+=("$api_pid")
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$api_port/alive" >/dev/null && break; sleep 0.2; done
token=$(curl -fs -H 'content-type: application/json' -d '{"username":"bench","email":"bench@example.test","password":"benchmark password"}' \
  "http://127.0.0.1:$api_port/api/v1/auth/register" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth="Authorization: Bearer $token"

speed() { python3 -c "print(f'{$1/1048576:.0f}')"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
bytes=$((size_mib * 1024 * 1024))

log "warming the api's upload paths up (8 uploads of 16 MiB, not timed)"
# A server that has been running a while has its code compiled (nginx's is compiled ahead of time).
head -c $((16 * 1024 * 1024)) /dev/urandom > "$work/warm.bin"
tus_upload() { # tus_upload FILE NAME -> "MiB/s" of one PATCH carrying the whole file
  local location
  location=$(curl -fs -D - -o /dev/null -X POST -H "$auth" -H "Tus-Resumable: 1.0.0" -H "Upload-Length: $(stat -c %s "$1")" \
    -H "Upload-Metadata: filename $(printf %s "$2" | base64)" "http://127.0.0.1:$api_port/api/v1/uploads" | awk -F': ' 'tolower($1)=="location" {print $2}' | tr -d '\r')
  curl -fs -o /dev/null -w '%{speed_upload}' -X PATCH -H "$auth" -H "Tus-Resumable: 1.0.0" -H "Upload-Offset: 0" \
    -H "Content-Type: application/offset+octet-stream" -T "$1" "http://127.0.0.1:$api_port${location#http://127.0.0.1:$api_port}"
}
for i in 1 2 3 4; do
  curl -fs -o /dev/null -H "$auth" -F "file=@$work/warm.bin;filename=warm-$i.bin" "http://127.0.0.1:$api_port/api/v1/files/upload"
  tus_upload "$work/warm.bin" "warm-tus-$i.bin" >/dev/null
done

# This machine's disk and CPU share a host: one transfer can run at half the speed of the next. Three rounds, each
# nginx then the api's two upload paths back to back, and the medians reported.
rounds=${BENCH_ROUNDS:-3}
# Every upload starts after the previous one's bytes are flushed and the disk has had a moment (BENCH_SETTLE_SECONDS).
settle() { sync; sleep "${BENCH_SETTLE_SECONDS:-5}"; }
n_ups=(); n_durables=(); a_mps=(); a_tuss=()
for round in $(seq "$rounds"); do
  log "upload round $round: nginx PUT, api multipart, api tus"
  rm -f "$work/nginx/root/big.bin"; settle
  n_put=$(curl -fs -o /dev/null -w '%{time_total}' -T "$work/big.bin" "http://127.0.0.1:$nginx_port/big.bin")
  # nginx answers before its bytes are on disk; the api answers after an fsync (an upload it confirmed survives a power
  # cut). Timing the fsync of nginx's file right after its PUT gives the like-for-like figure next to the plain one.
  n_fsync=$(python3 -c 'import os,sys,time; f=os.open(sys.argv[1], os.O_RDONLY); t=time.monotonic(); os.fsync(f); print(time.monotonic()-t)' "$work/nginx/root/big.bin")
  n_ups+=("$(python3 -c "print($bytes/$n_put)")"); n_durables+=("$(python3 -c "print($bytes/($n_put+$n_fsync))")")
  settle
  a_mps+=("$(curl -fs -o "$work/upload.json" -w '%{speed_upload}' -H "$auth" -F "file=@$work/big.bin" "http://127.0.0.1:$api_port/api/v1/files/upload")")
  settle
  a_tuss+=("$(tus_upload "$work/big.bin" "big-tus.bin")")
  log "  MiB/s: nginx $(speed "${n_ups[-1]}"), api multipart $(speed "${a_mps[-1]}"), api tus $(speed "${a_tuss[-1]}")"
done
n_up=$(median "${n_ups[@]}"); n_up_durable=$(median "${n_durables[@]}"); a_up=$(median "${a_mps[@]}"); a_tus=$(median "${a_tuss[@]}")
file_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/upload.json")
small_id=$(curl -fs -H "$auth" -F "file=@$work/small.bin" "http://127.0.0.1:$api_port/api/v1/files/upload" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# The api writes uploads straight to the disk (O_DIRECT), so its copy is not in the page cache, while nginx's PUT left its
# copy there. One untimed read of each first, so both are served from the page cache. (Read from the disk, the two ran at
# the same speed, 340-450 MiB/s; this VM's disk is itself cached by its host, so such figures do not repeat.)
curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/big.bin"
curl -fs -o /dev/null -H "$auth" "http://127.0.0.1:$api_port/api/v1/files/$file_id/download"
n_downs=(); a_downs=()
for round in $(seq "$rounds"); do
  n_downs+=("$(curl -fs -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$nginx_port/big.bin")")
  a_downs+=("$(curl -fs -o /dev/null -w '%{speed_download}' -H "$auth" "http://127.0.0.1:$api_port/api/v1/files/$file_id/download")")
  log "download round $round MiB/s: nginx $(speed "${n_downs[-1]}"), api $(speed "${a_downs[-1]}")"
done
n_down=$(median "${n_downs[@]}"); a_down=$(median "${a_downs[@]}")
log "checking the downloaded bytes (not timed)"
[ "$(curl -fs -H "$auth" "http://127.0.0.1:$api_port/api/v1/files/$file_id/download" | sha256sum | cut -d' ' -f1)" = "$(sha256sum < "$work/big.bin" | cut -d' ' -f1)" ] \
  || { echo "the api returned different bytes" >&2; exit 1; }

log "64 parallel 1 MiB downloads (a warm-up of 640 requests, then 2560 timed, each server)"
# A server that has been running a while has its code compiled and its pools filled: warm both up before timing.
hey -n 640 -c 64 "http://127.0.0.1:$nginx_port/small.bin" >/dev/null
hey -n 640 -c 64 -H "$auth" "http://127.0.0.1:$api_port/api/v1/files/$small_id/download" >/dev/null
n_par=$(hey -n 2560 -c 64 "http://127.0.0.1:$nginx_port/small.bin" | awk '/Requests\/sec/ {print $2}')
a_par=$(hey -n 2560 -c 64 -H "$auth" "http://127.0.0.1:$api_port/api/v1/files/$small_id/download" | awk '/Requests\/sec/ {print $2}')
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$api_pid/status")

cat <<REPORT
| ${size_mib} MiB, one machine, loopback | nginx | api | api / nginx |
|---|---|---|---|
| upload, multipart (MiB/s) | $(speed "$n_up") | $(speed "$a_up") | $(ratio "$a_up" "$n_up") |
| upload, tus: one PATCH (MiB/s) | $(speed "$n_up") | $(speed "$a_tus") | $(ratio "$a_tus" "$n_up") |
| upload, multipart, each until its bytes are on disk (MiB/s) | $(speed "$n_up_durable") | $(speed "$a_up") | $(ratio "$a_up" "$n_up_durable") |
| download (MiB/s) | $(speed "$n_down") | $(speed "$a_down") | $(ratio "$a_down" "$n_down") |
| 64 parallel 1 MiB downloads (MiB/s) | $(printf '%.0f' "$n_par") | $(printf '%.0f' "$a_par") | $(ratio "$a_par" "$n_par") |
| api peak RSS | | $((rss_kib / 1024)) MB | |
REPORT
