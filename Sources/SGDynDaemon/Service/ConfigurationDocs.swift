/// The tables of docs/configuration.md, rendered from the config keys (`DaemonConfiguration.keys`,
/// `SlurmConfiguration.keys`): the page states each key's meaning, range and default exactly as
/// the code checks them (`ConfigDocsTests` fails when the page is stale).
public enum ConfigurationDocs {
    /// The top-level keys of the config file.
    public static var daemonTable: String { table(DaemonConfiguration.keys) }

    /// The keys of its `"slurm"` object.
    public static var slurmTable: String { table(SlurmConfiguration.keys) }

    static func table<Target>(_ keys: [ConfigKey<Target>]) -> String {
        var lines = ["| key | meaning | range | default |", "|---|---|---|---|"]
        for key in keys {
            var range = key.range?.documented ?? "—"
            if let option = key.commandLine { range += " (also `\(option)`, same range)" }
            lines.append("| `\(key.name)` | \(key.help) | \(range) | \(key.defaultText) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
