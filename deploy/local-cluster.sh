#!/usr/bin/env bash
# Start a dask scheduler and N worker processes on this machine for llpscan, and print its address.
#
#   deploy/local-cluster.sh start [N] [DIR]   # N workers (default 2); DIR keeps scheduler.json, pids, logs
#   deploy/local-cluster.sh stop [DIR]
#
# Then: llpscan run PRESET --scheduler DIR/scheduler.json   (or --scheduler tcp://HOST:PORT)
# Environment: LLPSCAN_HOST (default 127.0.0.1), LLPSCAN_PORT (default 0: any free port),
# LLPSCAN_THREADS (threads per worker, default 1), LLPSCAN_TLS_DIR (ca.pem, node.pem, node.key from
# deploy/tls/make-certs.sh: the cluster then speaks tls://). A host other than loopback needs TLS:
# a dask scheduler runs whatever code it is sent.
set -euo pipefail
cmd=${1:-start}
case "$cmd" in
start)
    n=${2:-2}
    dir=${3:-.llpscan-cluster}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -s "$dir/pids" ]; then
        echo "local-cluster: $dir/pids exists: a cluster may be running (stop it first)" >&2
        exit 2
    fi
    python=${PYTHON:-python3}
    host=${LLPSCAN_HOST:-127.0.0.1}
    tls=()
    if [ -n "${LLPSCAN_TLS_DIR:-}" ]; then
        t=$LLPSCAN_TLS_DIR
        tls=(--tls-ca-file "$t/ca.pem" --tls-cert "$t/node.pem" --tls-key "$t/node.key")
    elif [ "$host" != 127.0.0.1 ] && [ "$host" != localhost ]; then
        echo "local-cluster: LLPSCAN_HOST=$host without LLPSCAN_TLS_DIR: refusing an open cluster (see deploy/tls)" >&2
        exit 2
    fi
    rm -f "$dir/scheduler.json"
    proto=()
    [ ${#tls[@]} -gt 0 ] && proto=(--protocol tls)
    setsid "$python" -m dask scheduler --host "$host" --port "${LLPSCAN_PORT:-0}" "${proto[@]}" "${tls[@]}" \
        --dashboard-address :0 --scheduler-file "$dir/scheduler.json" >"$dir/scheduler.log" 2>&1 &
    echo $! >"$dir/pids"
    for _ in $(seq 300); do [ -s "$dir/scheduler.json" ] && break; sleep 0.1; done
    [ -s "$dir/scheduler.json" ] || { echo "local-cluster: scheduler did not start (see $dir/scheduler.log)" >&2; exit 1; }
    for i in $(seq "$n"); do
        setsid "$python" -m dask worker --scheduler-file "$dir/scheduler.json" --nthreads "${LLPSCAN_THREADS:-1}" "${tls[@]}" \
            --name "worker-$i" --local-directory "$dir/worker-$i" >"$dir/worker-$i.log" 2>&1 &
        echo $! >>"$dir/pids"
    done
    "$python" - "$dir/scheduler.json" "$n" "${LLPSCAN_TLS_DIR:-}" <<'PY'
import sys
from distributed import Client
from distributed.security import Security
t = sys.argv[3]
sec = Security(tls_ca_file=f"{t}/ca.pem", tls_client_cert=f"{t}/node.pem", tls_client_key=f"{t}/node.key",
               require_encryption=True) if t else None
with Client(scheduler_file=sys.argv[1], timeout="30s", security=sec) as c:
    c.wait_for_workers(int(sys.argv[2]), timeout=120)
    print(c.scheduler.address)
PY
    ;;
stop)
    dir=${2:-.llpscan-cluster}
    [ -f "$dir/pids" ] || { echo "local-cluster: no $dir/pids" >&2; exit 2; }
    # workers first (they say goodbye to the scheduler), then the scheduler (the first pid)
    scheduler=$(head -n 1 "$dir/pids")
    workers=$(tail -n +2 "$dir/pids")
    for group in "$workers" "$scheduler"; do
        # each pid leads its own process group (setsid): signal the group, children included
        for pid in $group; do kill -TERM -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
        for _ in $(seq 100); do
            alive=0
            for pid in $group; do
                if kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then alive=1; fi
            done
            [ "$alive" = 0 ] && break
            sleep 0.1
        done
        for pid in $group; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    done
    rm -f "$dir/pids" "$dir/scheduler.json"
    ;;
*)
    echo "usage: $0 start [N] [DIR] | stop [DIR]" >&2
    exit 2
    ;;
esac
