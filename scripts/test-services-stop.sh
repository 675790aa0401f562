#!/usr/bin/env bash
# test-services-stop.sh [STATE_DIR]   (default: $SVC_STATE_DIR)
# Stops exactly the processes test-services-start.sh recorded in STATE_DIR/pids, by PID,
# after checking each PID still runs the expected program (guards against PID reuse).
# RabbitMQ is SIGKILLed by default (throwaway data; a graceful stop takes 7-11 s here);
# GRACEFUL=1 sends SIGTERM to its wrapper instead. RM_STATE=1 deletes STATE_DIR afterwards.
set -uo pipefail
STATE=${1:-${SVC_STATE_DIR:-}}
[ -n "$STATE" ] && [ -f "$STATE/pids" ] || { echo "usage: $0 STATE_DIR (no pids file)" >&2; exit 2; }
log() { printf '[test-services %s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
T0=$(date +%s%N)

alive_as() {  # pid expected-comm -> true if pid is alive (not a zombie) and runs that program
  local c st; c=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1   # comm has no spaces here
  [ "$st" = Z ] || [ "$st" = X ] && return 1                         # exited, waiting to be reaped
  [ "$c" = "$2" ] || { [ "$2" = rabbitmq-server ] && [ "$c" = sh ]; }
}
stop_pid() {  # name pid comm signal timeout_s
  local name=$1 pid=$2 comm=$3 sig=$4 t=$5 i
  if ! alive_as "$pid" "$comm"; then log "$name ($pid) already gone"; return 0; fi
  kill -s "$sig" "$pid" 2>/dev/null
  for ((i = 0; i < t * 20; i++)); do alive_as "$pid" "$comm" || { log "$name ($pid) stopped by $sig"; return 0; }; sleep 0.05; done
  log "$name ($pid) still alive after ${t}s; SIGKILL"; kill -KILL "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do alive_as "$pid" "$comm" || return 0; sleep 0.05; done
  log "$name ($pid) would not die"; return 1
}
pid_of() { awk -v n="$1" '$1 == n { print $2 }' "$STATE/pids" | tail -1; }
rc=0
if [ "${GRACEFUL:-0}" = 1 ]; then
  W=$(pid_of rabbitmq-wrapper); [ -n "$W" ] && { stop_pid rabbitmq-wrapper "$W" rabbitmq-server TERM 30 || rc=1; }
fi
B=$(pid_of rabbitmq-beam);    [ -n "$B" ] && { stop_pid rabbitmq-beam "$B" beam.smp KILL 10 || rc=1; }
W=$(pid_of rabbitmq-wrapper); [ -n "$W" ] && { stop_pid rabbitmq-wrapper "$W" rabbitmq-server TERM 10 || rc=1; }
E=$(pid_of epmd);             [ -n "$E" ] && { stop_pid epmd "$E" epmd TERM 5 || rc=1; }
P=$(pid_of redis);            [ -n "$P" ] && { stop_pid redis "$P" redis-server TERM 10 || rc=1; }

left=$(ps -eo pid=,args= | grep -F -- "$STATE" | grep -v -e grep -e test-services-stop -e test-services-start || true)
[ -n "$left" ] && { log "WARNING: processes still mention $STATE:"; echo "$left" >&2; rc=1; }
[ "${RM_STATE:-0}" = 1 ] && rm -rf -- "$STATE"
log "done in $(( ($(date +%s%N) - T0) / 1000000 )) ms (rc=$rc)"
exit $rc
