#!/usr/bin/env bash
# generate-deployment.sh: regenerates aspire-manifest.json and docker-compose.yml from the AppHost's app model,
# then validates the compose files. Run it after every change to AioStorage.AppHost and commit both files
# (AioStorage.Tests/AppHost fails while they differ from what the model produces).
# Needs no container engine: publishing only builds the model (always in containers mode).
#   scripts/generate-deployment.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

build=(--no-build)
if [ "${1:-}" != "--no-build" ]; then
  dotnet build AioStorage.AppHost --nologo -v quiet
fi

# No launch profile: the output must not depend on a developer's environment. dotnet run starts in the
# AppHost's folder, so ../ is the repository root (the manifest's project paths are relative to it).
run_apphost() { dotnet run --project AioStorage.AppHost "${build[@]}" --no-launch-profile -- "$@"; }
run_apphost --publisher manifest --output-path ../aspire-manifest.json
run_apphost --publisher compose --output-path ../docker-compose.yml

if command -v docker-compose > /dev/null; then
  docker-compose --env-file .env.example -f docker-compose.yml -f docker-compose.prod.yml config -q
  echo "docker-compose accepts docker-compose.yml + docker-compose.prod.yml"
else
  echo "docker-compose not installed: files not validated (apt-get install --no-install-recommends docker-compose)" >&2
fi
