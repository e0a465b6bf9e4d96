"""The single-node Slurm test cluster (scripts/slurm-cluster.sh) and a daemon configuration that
uses it: shared by slurm_tests.py and slurm_bench.py."""

import os
import re
import subprocess
import tempfile

CLUSTER_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "slurm-cluster.sh")


class Cluster:
    """The test cluster in a short, world-searchable folder (munged insists)."""

    # Small limits, so that splitting a sweep into several arrays and keeping within the
    # controller's room are exercised by a sweep of modest size (the defaults are 1001 and 10000).
    MAX_ARRAY_SIZE = 40
    MAX_JOB_COUNT = 120

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sgdyn-sl-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        os.environ["SLURM_CLUSTER_MAX_ARRAY_SIZE"] = str(self.MAX_ARRAY_SIZE)
        os.environ["SLURM_CLUSTER_MAX_JOB_COUNT"] = str(self.MAX_JOB_COUNT)

    def run(self, *args, timeout=300):
        return subprocess.run([CLUSTER_SCRIPT, *args], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def start(self):
        result = self.run("start", self.dir)
        if result.returncode == 0:
            for line in self.run("env", self.dir).stdout.decode().splitlines():
                match = re.match(r"export (\w+)=(.*)", line)
                if match:
                    os.environ[match.group(1)] = match.group(2)
        return result

    def pid(self, name):
        result = self.run("pid", self.dir, name, timeout=30)
        text = result.stdout.decode().strip()
        return int(text) if text.isdigit() else None

    def slurm(self, *args, timeout=60):
        return subprocess.run(list(args), capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def arrays(self, prefix):
        """Job ids of the arrays in the queue whose name starts with `prefix` (sgdyn-NAME)."""
        out = self.slurm("squeue", "-h", "-r", "-o", "%F|%j").stdout.decode()
        return sorted({line.split("|")[0] for line in out.splitlines() if "|" in line and line.split("|", 1)[1].startswith(prefix)})

    def stop(self):
        result = self.run("stop", self.dir, timeout=120)
        subprocess.run(["rm", "-rf", self.dir])
        return result


def slurm_config(s, **overrides):
    slurm = {"spool": os.path.join(s.path, "spool"), "partition": "debug", "partitions": ["debug", "short"],
             "poll_interval": 1, "signal_seconds": 30, "units_per_task": 1}
    slurm.update(overrides)
    slurm = {key: value for key, value in slurm.items() if value is not None}
    return s.config(executor="slurm", slurm=slurm, quiet_period=0.5)
