"""The end-to-end scripts' shared harness library (see core.py): processes, folders, checks and
counts (core), the store as an outside `sqlite3` sees it (store), the Slurm test cluster (slurm).
It imports nothing from the scripts that use it but result_fields.py."""

from .core import (ACTIVE_STATES, Checks, Daemon, Deadline, Harness, Scenario, bundle_differences, bundles, children_of,
                   clean_environment, drop, expect_exact_bundles, files_under, indent, job_bytes, manifest_problems,
                   no_core_dumps, partial_folders, pid_alive, read_json, result_of, run_scenarios, statuses_of,
                   wait_for_bundles, wait_until, without_timing)
from .slurm import Cluster, slurm_config
from .store import StoreLockHolder, store_write_locked

__all__ = ["ACTIVE_STATES", "Checks", "Cluster", "Daemon", "Deadline", "Harness", "Scenario", "StoreLockHolder",
           "bundle_differences", "bundles", "children_of", "clean_environment", "drop", "expect_exact_bundles",
           "files_under", "indent", "job_bytes", "manifest_problems", "no_core_dumps", "partial_folders", "pid_alive",
           "read_json", "result_of", "run_scenarios", "slurm_config", "statuses_of", "store_write_locked",
           "wait_for_bundles", "wait_until", "without_timing"]
