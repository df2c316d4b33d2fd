#!/usr/bin/env bash
# Start a dask scheduler and N worker processes on this machine for llpscan, and print its address.
#
#   deploy/local-cluster.sh start [N] [DIR]   # N workers (default 2); DIR keeps scheduler.json, pids, logs
#   deploy/local-cluster.sh stop [DIR]
#
# Then: llpscan run PRESET --scheduler DIR/scheduler.json   (or --scheduler tcp://HOST:PORT)
# Environment: LLPSCAN_HOST (default 127.0.0.1; 0.0.0.0 to accept other machines, with TLS: see
# deploy/tls), LLPSCAN_PORT (default 0: any free port), LLPSCAN_THREADS (threads per worker, default 1).
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
    rm -f "$dir/scheduler.json"
    setsid "$python" -m dask scheduler --host "${LLPSCAN_HOST:-127.0.0.1}" --port "${LLPSCAN_PORT:-0}" \
        --dashboard-address :0 --scheduler-file "$dir/scheduler.json" >"$dir/scheduler.log" 2>&1 &
    echo $! >"$dir/pids"
    for _ in $(seq 300); do [ -s "$dir/scheduler.json" ] && break; sleep 0.1; done
    [ -s "$dir/scheduler.json" ] || { echo "local-cluster: scheduler did not start (see $dir/scheduler.log)" >&2; exit 1; }
    for i in $(seq "$n"); do
        setsid "$python" -m dask worker --scheduler-file "$dir/scheduler.json" --nthreads "${LLPSCAN_THREADS:-1}" \
            --name "worker-$i" --local-directory "$dir/worker-$i" >"$dir/worker-$i.log" 2>&1 &
        echo $! >>"$dir/pids"
    done
    "$python" - "$dir/scheduler.json" "$n" <<'PY'
import sys
from distributed import Client
with Client(scheduler_file=sys.argv[1], timeout="30s") as c:
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
        for pid in $group; do kill "$pid" 2>/dev/null || true; done
        for _ in $(seq 100); do
            alive=0
            for pid in $group; do
                if kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then alive=1; fi
            done
            [ "$alive" = 0 ] && break
            sleep 0.1
        done
        for pid in $group; do kill -9 "$pid" 2>/dev/null || true; done
    done
    rm -f "$dir/pids" "$dir/scheduler.json"
    ;;
*)
    echo "usage: $0 start [N] [DIR] | stop [DIR]" >&2
    exit 2
    ;;
esac
