"""Run an llpscan preset on a SLURM (or PBS) cluster through dask-jobqueue.

    pip install "llpscan[hpc]"
    python deploy/slurm/slurm_cluster.py belle2-alp-hnl --jobs 4 --out /shared/scans/belle2-alp-hnl.zarr

Each SLURM job runs one dask worker process with one core; the store path must be on a file system
every node sees (the workers write their own blocks). Edit QUEUE/ACCOUNT/WALLTIME for your site; for
PBS use dask_jobqueue.PBSCluster with the same arguments (and `resource_spec`).
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

    from dask_jobqueue import SLURMCluster
    from distributed import Client

    from llpscan import scanner
    # workers retire a few minutes before the job's walltime (staggered), and adapt() submits new
    # jobs in their place: a long scan never waits on workers SLURM has killed
    with SLURMCluster(queue=QUEUE, account=ACCOUNT, cores=1, processes=1, memory="2GB", walltime=WALLTIME,
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
