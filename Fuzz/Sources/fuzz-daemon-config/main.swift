import FuzzSupport
import SGDynDaemon

// The daemon's config file, read at start and again on every SIGHUP by the running daemon: a bad
// value is a `ConfigurationError` naming the key, never a trap.
runFuzzer { data, size in
    _ = try? DaemonConfiguration().applying(configJSON: fuzzInput(data, size), path: "fuzz.json")
    return 0
}
