#!/usr/bin/env bash
# install-deps.sh run|test
# Installs the Debian packages AIO Storage needs on this machine, only those that are missing.
#   run:  what local mode runs (redis-server, rabbitmq-server, ffmpeg)
#   test: that plus what the tests drive (Chromium, the MongoDB wire-protocol emulator, docker-compose
#         for validating the compose files, Node.js and npm for the tus client test, curl)
set -euo pipefail
what=${1:-run}

need=()
want() { # want <package> <file or command that proves it is installed>
  if ! command -v "$2" >/dev/null 2>&1 && [ ! -e "$2" ]; then need+=("$1"); fi
}
want redis-server redis-server
want rabbitmq-server /usr/lib/rabbitmq/bin/rabbitmq-server
want ffmpeg ffmpeg
want curl curl
if [ "$what" = test ]; then
  want chromium /usr/bin/chromium
  want fonts-liberation /usr/share/fonts/truetype/liberation
  want python3-mockupdb /usr/lib/python3/dist-packages/mockupdb
  want python3-mongomock /usr/lib/python3/dist-packages/mongomock
  want docker-compose docker-compose
  want nodejs node
  want npm npm
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "[install-deps] installing: ${need[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Only what each package needs: no recommended extras (docker-compose would otherwise pull a whole Docker engine).
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
