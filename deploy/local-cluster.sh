#!/usr/bin/env bash
# Start a dask scheduler and N worker processes on this machine for llpscan, and print its address.
#
#   deploy/local-cluster.sh start [N] [DIR]   # N workers (default 2); DIR keeps scheduler.json, pids, logs
#   deploy/local-cluster.sh stop [DIR]
#
# Then: llpscan run PRESET --scheduler DIR/scheduler.json   (or --scheduler tcp://HOST:PORT)
#
# Everything listens on 127.0.0.1 by default: the scheduler, every worker and nanny, and the
# dashboards (plain HTTP, no authentication). A dask scheduler or worker runs whatever pickled code
# it is sent, so another interface is an explicit opt-in:
#   LLPSCAN_HOST=ADDR      scheduler, workers and nannies listen on ADDR (needs LLPSCAN_TLS_DIR, or
#                          LLPSCAN_ALLOW_PLAINTEXT=1 to accept an unauthenticated cluster; both warn)
#   LLPSCAN_TLS_DIR=DIR    ca.pem, node.pem, node.key from deploy/tls/make-certs.sh: the cluster speaks
#                          tls:// and accepts only peers with a certificate of that CA
#   LLPSCAN_DASHBOARD_HOST dashboards' interface (default 127.0.0.1: reach them through an ssh tunnel,
#                          see deploy/README.md#tls-and-authentication)
# Other environment: LLPSCAN_PORT (scheduler port, default 0: any free port), LLPSCAN_THREADS
# (threads per worker, default 1), PYTHON (interpreter, default python3).
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
    dash=${LLPSCAN_DASHBOARD_HOST:-127.0.0.1}
    loopback() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ] || [ "$1" = ::1 ]; }
    tls=()
    if [ -n "${LLPSCAN_TLS_DIR:-}" ]; then
        t=$LLPSCAN_TLS_DIR
        tls=(--tls-ca-file "$t/ca.pem" --tls-cert "$t/node.pem" --tls-key "$t/node.key")
    fi
    if ! loopback "$host"; then
        if [ ${#tls[@]} -eq 0 ] && [ "${LLPSCAN_ALLOW_PLAINTEXT:-0}" != 1 ]; then
            echo "local-cluster: LLPSCAN_HOST=$host without LLPSCAN_TLS_DIR: refusing an open cluster (anyone who reaches it can run code here; see deploy/README.md#tls-and-authentication, or set LLPSCAN_ALLOW_PLAINTEXT=1)" >&2
            exit 2
        fi
        echo "local-cluster: WARNING: the scheduler and workers listen on $host, not loopback." >&2
        if [ ${#tls[@]} -eq 0 ]; then
            echo "local-cluster: WARNING: WITHOUT TLS (LLPSCAN_ALLOW_PLAINTEXT=1): anyone who can reach $host runs arbitrary code as $(id -un). Use LLPSCAN_TLS_DIR (deploy/tls/make-certs.sh, deploy/README.md#tls-and-authentication)." >&2
        else
            echo "local-cluster: WARNING: every holder of $LLPSCAN_TLS_DIR/node.key can submit code: keep it as private as this account." >&2
        fi
    fi
    if ! loopback "$dash"; then
        echo "local-cluster: WARNING: dashboards on $dash: plain HTTP without authentication (an ssh tunnel to 127.0.0.1 is safer; deploy/README.md#tls-and-authentication)" >&2
    fi
    rm -f "$dir/scheduler.json"
    proto=()
    [ ${#tls[@]} -gt 0 ] && proto=(--protocol tls)
    setsid "$python" -m dask scheduler --host "$host" --port "${LLPSCAN_PORT:-0}" "${proto[@]}" "${tls[@]}" \
        --dashboard-address "$dash:0" --scheduler-file "$dir/scheduler.json" >"$dir/scheduler.log" 2>&1 &
    echo $! >"$dir/pids"
    for _ in $(seq 300); do [ -s "$dir/scheduler.json" ] && break; sleep 0.1; done
    [ -s "$dir/scheduler.json" ] || { echo "local-cluster: scheduler did not start (see $dir/scheduler.log)" >&2; exit 1; }
    for i in $(seq "$n"); do
        # --host: the worker and its nanny listen there (dask's default is every interface)
        setsid "$python" -m dask worker --scheduler-file "$dir/scheduler.json" --nthreads "${LLPSCAN_THREADS:-1}" "${tls[@]}" \
            --host "$host" --dashboard-address "$dash:0" \
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
