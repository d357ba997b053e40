#!/usr/bin/env bash
# Development servers on their default ports, the ones the settings' defaults name:
# LocalStack (SQS, S3) on 127.0.0.1:4566, nx-27017 (MongoDB wire protocol) on 127.0.0.1:27017,
# Chroma on 127.0.0.1:8000. Data and logs live under .services/. Usage: start|stop|status.
set -euo pipefail
cd "$(dirname "$0")/.."
state=.services
venv=.venv/bin
mkdir -p "$state"

running() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

launch() { # name, command...
  local name=$1; shift
  if running "$name"; then echo "$name already running (pid $(cat "$state/$name.pid"))"; return; fi
  setsid "$@" >"$state/$name.log" 2>&1 < /dev/null &
  echo $! >"$state/$name.pid"
  echo "$name started (pid $!, log $state/$name.log)"
}

wait_for() { # name, check command...
  local name=$1; shift
  for _ in $(seq 1 600); do
    if "$@" >/dev/null 2>&1; then echo "$name ready"; return 0; fi
    running "$name" || { echo "$name exited; see $state/$name.log" >&2; tail -20 "$state/$name.log" >&2; return 1; }
    sleep 0.2
  done
  echo "$name not ready after 120 s; see $state/$name.log" >&2; return 1
}

start() {
  LOCALSTACK_PORT=4566 LOCALSTACK_DATA_DIR="$PWD/$state/localstack" \
    launch localstack bash localstack/run-host.sh
  mkdir -p "$state/mongo"
  launch mongo "$venv/nx-27017" --host 127.0.0.1 -p 27017 --data-dir "$PWD/$state/mongo" \
    --pid-file "$PWD/$state/mongo/nx.pid" --log-file "$PWD/$state/mongo/nx.log"
  ANONYMIZED_TELEMETRY=False launch chroma "$venv/chroma" run --path "$PWD/$state/chroma" \
    --host 127.0.0.1 --port 8000
  wait_for localstack "$venv/python" -c "
import json, urllib.request
s = json.load(urllib.request.urlopen('http://127.0.0.1:4566/_localstack/health'))['services']
assert s['sqs'] in ('available', 'running') and s['s3'] in ('available', 'running')"
  wait_for mongo "$venv/python" -c "
import pymongo; pymongo.MongoClient('mongodb://127.0.0.1:27017', serverSelectionTimeoutMS=500).admin.command('ping')"
  wait_for chroma "$venv/python" -c "
import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v2/heartbeat')"
  AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:4566} "$venv/python" localstack/init_aws.py
}

stop() {
  for name in chroma mongo localstack; do
    if running "$name"; then
      pid=$(cat "$state/$name.pid")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      echo "$name stopped"
    fi
    rm -f "$state/$name.pid"
  done
}

status() {
  for name in localstack mongo chroma; do
    if running "$name"; then echo "$name running (pid $(cat "$state/$name.pid"))"; else echo "$name stopped"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
