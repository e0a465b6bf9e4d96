import Foundation

/// Daemon config files: the installed one (systemd/sgdyn.json), every key, and a Slurm section
/// with every key.
enum ConfigSeeds {
    static func write(into corpus: inout SeedCorpus, repository: String) {
        if let installed = FileManager.default.contents(atPath: repository + "/systemd/sgdyn.json") {
            corpus.add("daemon-config", "installed.json", [UInt8](installed))
        }
        corpus.add("daemon-config", "every-key.json", Array(#"""
            {"inbox": "in", "outbox": "out", "state": "st", "workers": 2, "checkpoint_interval": 30, "min_free_mb": 64,
             "quiet_period": 1.5, "incomplete_wait": 90, "stall_warning": 300, "stall_kill": 900, "rescan_interval": 30,
             "executor": "local"}
            """#.utf8))
        corpus.add("daemon-config", "slurm.json", Array(#"""
            {"executor": "slurm", "slurm": {"spool": "/shared/spool", "partition": "debug", "partitions": ["debug", "long"],
             "account": "lab", "qos": "normal", "time_limit": "1:00:00", "max_time_limit": "2-00:00:00", "cpus_per_task": 2,
             "mem_per_cpu": 2048, "max_running": 8, "worker": "/opt/sgdyn/bin/sgdyn", "extra_sbatch_args": ["--constraint=avx2"],
             "units_per_task": 4, "signal_seconds": 90, "poll_interval": 5, "commands": "/usr/bin"}}
            """#.utf8))
        corpus.add("daemon-config", "slurm-minutes.json", Array(#"{"executor": "slurm", "slurm": {"spool": "/s", "time_limit": 90}}"#.utf8))
    }
}
