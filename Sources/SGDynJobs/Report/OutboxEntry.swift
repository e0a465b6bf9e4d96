/// One row of the outbox index: a bundle folder and what could be read of it. A folder whose
/// result.json is missing or unreadable is still a row, with `problem` saying why — the index
/// never leaves a bundle out and never fails because of one.
public struct OutboxEntry: Sendable, Equatable {
    /// The folder's name in the outbox (links are built from it, not from result.json).
    public var folder: String
    public var summary: BundleSummary?
    public var problem: String?
    /// When it finished (result.json's timing), else when result.json or the folder last
    /// changed; seconds since 1970. Newest first on the index.
    public var time: Double
    /// When result.json (or the folder) last changed, to order bundles that finished within the
    /// same second (result.json's times are whole seconds).
    public var modified: Double
    /// The file a click on the row opens, relative to the folder: index.html, else README.txt,
    /// else result.json; nil when none exists (the folder itself is linked when it is one).
    public var page: String?
    /// The thumbnail's SVG, relative to the folder; only set when the file exists.
    public var thumbnail: String?
    /// False for entries that are not folders (a symbolic link): nothing to link to.
    public var isFolder: Bool

    /// The status group used for colours and filters: a `BundleSummary.group`, or "unreadable".
    public var group: String { summary?.group ?? "unreadable" }
}
