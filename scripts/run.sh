#!/usr/bin/env bash
# The run command: the whole system under the Aspire AppHost. Containers mode where Docker or Podman answers,
# local mode otherwise (Redis and RabbitMQ as host processes, SQLite metadata), installing what local mode needs.
set -euo pipefail
cd "$(dirname "$0")/.."

if (command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1) \
   || (command -v podman >/dev/null 2>&1 && timeout 5 podman info >/dev/null 2>&1); then
  echo "[run] a container runtime answers: containers mode" >&2
else
  echo "[run] no container runtime answers: local mode (installing host packages if missing)" >&2
  scripts/install-deps.sh run
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The AppHost probes the runtime again itself and logs which mode it chose and why; AIO_MODE overrides.
args=()
[ -n "${AIO_MODE:-}" ] && args+=("Infrastructure:Mode=$AIO_MODE")
exec dotnet run --project AioStorage.AppHost --launch-profile http -- "${args[@]}" "$@"
