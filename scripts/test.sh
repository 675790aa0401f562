#!/usr/bin/env bash
# The test command: installs what the tests need, starts a throwaway Redis and RabbitMQ, builds, runs every
# test, stops the services, and ends with one line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh test || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
export AIO_TEST_REDIS_PORT=${AIO_TEST_REDIS_PORT:-$(free_port)}
export AIO_TEST_RABBIT_PORT=${AIO_TEST_RABBIT_PORT:-$(free_port)}
export AIO_TEST_RABBIT_MGMT_PORT=${AIO_TEST_RABBIT_MGMT_PORT:-$(free_port)}
export AIO_TEST_RABBIT_DIST_PORT=${AIO_TEST_RABBIT_DIST_PORT:-$(free_port)}
export AIO_TEST_EPMD_PORT=${AIO_TEST_EPMD_PORT:-$(free_port)}

state=$(mktemp -d "${TMPDIR:-/tmp}/aio-test-services.XXXXXX")
results="$root/artifacts/test-results"
cleanup() { scripts/test-services-stop.sh "$state" >/dev/null 2>&1; rm -rf "$state"; }
trap cleanup EXIT

if ! services_env=$(scripts/test-services-start.sh "$state"); then
  echo "test services did not start" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
eval "$services_env"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! dotnet build AioStorage.sln -nologo -v:q -clp:ErrorsOnly; then
  echo "build failed" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

rm -rf "$results"
dotnet test AioStorage.sln --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1380000
test_rc=$?

trx=$(find "$results" -name '*.trx' | head -1)
if [ -z "$trx" ]; then
  echo "no test results were written" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx")
count() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
passed=$(count passed); failed=$(count failed); skipped=$(count notExecuted)
total=$(count total); executed=$(count executed)
# Anything neither passed, failed nor skipped (aborted, timed out, in error) counts as failed.
other=$(( total - passed - failed - skipped ))
[ "$other" -gt 0 ] && failed=$(( failed + other ))
[ "${executed:-0}" -eq 0 ] && failed=$(( failed + 1 ))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$test_rc" -eq 0 ]
