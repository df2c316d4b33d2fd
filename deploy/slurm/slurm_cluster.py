"""Run an llpscan preset on a SLURM (or PBS) cluster through dask-jobqueue.

    pip install "llpscan[hpc]"
    python deploy/slurm/slurm_cluster.py belle2-alp-hnl --jobs 4 --out /shared/scans/belle2-alp-hnl.zarr

Each SLURM job runs one dask worker process with one core; the store path must be on a file system
every node sees (the workers write their own blocks). Edit QUEUE/ACCOUNT/WALLTIME for your site; for
PBS use dask_jobqueue.PBSCluster with the same arguments (and `resource_spec`).

The scheduler runs here (a login node other users share) and must listen where the compute nodes
reach it: it speaks TLS with a temporary certificate that only this run's jobs receive
(``Security.temporary()``, needs the ``cryptography`` package; dask-jobqueue passes it to the jobs
through files in ``shared_temp_directory``, here the store's directory: keep that directory private
to you), so nobody else can submit code to it. The dashboard
listens on 127.0.0.1: ``ssh -L 8787:127.0.0.1:8787 login-node``. (Not run in the test suite: no
SLURM there; it is compiled only.)
"""

from __future__ import annotations

import argparse

QUEUE = "regular"  # partition
ACCOUNT = None  # project to charge, if your site needs one
WALLTIME = "02:00:00"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("preset")
    ap.add_argument("--jobs", type=int, default=4, help="SLURM jobs = dask workers")
    ap.add_argument("--out", required=True, help="store on a shared file system")
    args = ap.parse_args()

    import os

    from dask_jobqueue import SLURMCluster
    from distributed import Client
    from distributed.security import Security

    from llpscan import scanner
    # workers retire a few minutes before the job's walltime (staggered), and adapt() submits new
    # jobs in their place: a long scan never waits on workers SLURM has killed
    shared = os.path.dirname(os.path.abspath(args.out))  # seen by every node, like the store
    with SLURMCluster(queue=QUEUE, account=ACCOUNT, cores=1, processes=1, memory="2GB", walltime=WALLTIME,
                      security=Security.temporary(), shared_temp_directory=shared, protocol="tls://",
                      scheduler_options={"dashboard_address": "127.0.0.1:8787"},
                      job_extra_directives=["--output=llpscan-worker-%j.log"],
                      worker_extra_args=["--lifetime", "110m", "--lifetime-stagger", "5m"]) as cluster:
        cluster.adapt(minimum_jobs=1, maximum_jobs=args.jobs)
        with Client(cluster) as client:
            client.wait_for_workers(1, timeout=3600)  # the queue may be long
            print("dashboard:", client.dashboard_link)
            report = scanner.run(args.preset, args.out)  # runs on the active client
            print(f"{report.blocks_run} blocks in {report.wall_seconds:.0f} s -> {report.store}")


if __name__ == "__main__":
    main()
