#!/usr/bin/env bash
# LocalStack (SQS + S3) in host mode: no Docker, no `localstack` CLI, no auth token.
#
#   localstack/run-host.sh                 install if needed, then run in the foreground
#   localstack/run-host.sh --install-only  install if needed, then exit 0
#
# The server replaces this script (exec), so this script's PID is the server's PID:
# whoever started it stops it by PID with SIGTERM (SIGKILL after a grace period).
#
# Environment:
#   LOCALSTACK_PORT      port on 127.0.0.1 (default 4566)
#   LOCALSTACK_DATA_DIR  LocalStack's files (default localstack/.data next to this script)
#   PYTHON               interpreter that creates the virtualenv (default python3; 3.11)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV_DIR="$SCRIPT_DIR/.venv"
STAMP_FILE="$VENV_DIR/.graphnode-spec"
PYTHON="${PYTHON:-python3}"

# Only localstack-core 4.13.1 runs on Python 3.11 (later releases use 3.12-only syntax).
# The other pins keep its transitive dependencies at versions it works with.
INSTALL_SPEC=(
    'localstack-core[runtime]==4.13.1'
    'cbor2<6'
    'pyopenssl<24.3'
    'cryptography<44'
    'service_identity'
)

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

install_is_current() {
    [[ -x "$VENV_DIR/bin/python" && -f "$STAMP_FILE" ]] \
        && [[ "$(cat "$STAMP_FILE")" == "${INSTALL_SPEC[*]}" ]]
}

install_localstack() {
    # Two runs started together (parallel test sessions) must not both build the venv.
    # The lock is this script itself, opened read-only, so no lock file is left behind;
    # the descriptor is closed again before exec so the server never holds the lock.
    exec 9<"${BASH_SOURCE[0]}"
    if command -v flock >/dev/null; then
        flock 9
    fi
    if ! install_is_current; then
        echo "run-host.sh: installing ${INSTALL_SPEC[*]} into $VENV_DIR (about a minute)" >&2
        # --clear: a changed spec gets a fresh venv, not leftovers of the old one.
        "$PYTHON" -m venv --clear "$VENV_DIR"
        "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check \
            "${INSTALL_SPEC[@]}" >&2
        # Written last: an interrupted install leaves no stamp and is redone next time.
        printf '%s' "${INSTALL_SPEC[*]}" >"$STAMP_FILE"
    fi
    exec 9<&-
}

install_only=0
for arg in "$@"; do
    case "$arg" in
        --install-only) install_only=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "run-host.sh: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
    esac
done

install_is_current || install_localstack
if ((install_only)); then
    exit 0
fi

PORT="${LOCALSTACK_PORT:-4566}"
DATA_DIR="${LOCALSTACK_DATA_DIR:-$SCRIPT_DIR/.data}"
mkdir -p "$DATA_DIR/filesystem" "$DATA_DIR/tmp"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"

# Each setting below fixes a failure seen without it on a machine without Docker.
#
# Without it LocalStack sees /.dockerenv (we may run inside a container), switches to its
# container layout and writes to /var/lib/localstack, ignoring FILESYSTEM_ROOT, and its
# default listen address becomes 0.0.0.0.
export OVERRIDE_IN_DOCKER=0
# Without it host mode keeps state, certificates and caches in site-packages/.filesystem,
# inside the venv, shared by every instance that uses this venv.
export FILESYSTEM_ROOT="$DATA_DIR/filesystem"
# Python's tempfile (mkdtemp, spooled files) and child processes use TMPDIR; here their
# scratch files live and die with this instance's data dir instead of the shared /tmp.
# (LocalStack logs a harmless "TMPDIR is deprecated" warning about it.)
export TMPDIR="$DATA_DIR/tmp"
# The default (twisted) gateway ignores the host in GATEWAY_LISTEN and binds 0.0.0.0;
# hypercorn binds only 127.0.0.1 and also stops faster.
export GATEWAY_SERVER=hypercorn
# The default, 127.0.0.1:4566, ignores LOCALSTACK_PORT: a second instance would clash.
export GATEWAY_LISTEN="127.0.0.1:$PORT"
# Queue URLs are built from it; the default host localhost.localstack.cloud needs public
# DNS (unreachable offline) and its port stays 4566 whatever port we listen on.
export LOCALSTACK_HOST="127.0.0.1:$PORT"
# Without it LocalStack starts its own DNS server on port 53 (and logs an error when it
# finds no upstream resolver).
export DNS_ADDRESS=0
# Only what GraphNode uses: less memory, and the health check names exactly these two.
export SERVICES=sqs,s3
# The default strategy yields queue URLs such as http://sqs.us-east-1.127.0.0.1:4566/...,
# whose host does not resolve; `path` gives http://127.0.0.1:PORT/queue/REGION/ACCOUNT/NAME.
export SQS_ENDPOINT_STRATEGY=path
# Analytics shell out to `docker ps` (an ERROR line without Docker) and post to
# analytics.localstack.cloud, which cannot be reached from here.
export DISABLE_EVENTS=1

exec "$VENV_DIR/bin/python" -m localstack.runtime.main
