import Foundation
import Logging

/// The daemon's swift-log handler: one line per record on stderr (or an injected sink), with a
/// `<N>` journald priority prefix when stderr is the journal and plain timestamped text otherwise.
///
/// Bootstrap it once at start-up:
/// `LoggingSystem.bootstrap { JournalLogHandler(label: $0) }`.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    public let formatter: LogLineFormatter
    private let sink: any LogSink
    private let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - style: the line shape; nil detects it: `.journal` when stderr is JOURNAL_STREAM.
    ///   - sink: where lines go; stderr unless a test or a per-job log file injects another.
    ///   - clock: timestamps for plain lines; injectable for tests.
    public init(
        label: String,
        style: LogLineFormatter.Style? = nil,
        sink: any LogSink = FileDescriptorLogSink.standardError,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.label = label
        self.formatter = LogLineFormatter(style: style ?? Self.detectStyle())
        self.sink = sink
        self.metadataProvider = metadataProvider
        self.clock = clock
    }

    /// `.journal` when `fileDescriptor` is the journal stream named by JOURNAL_STREAM, else `.plain`.
    public static func detectStyle(
        fileDescriptor: Int32 = STDERR_FILENO,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> LogLineFormatter.Style {
        JournalStream.isJournal(fileDescriptor: fileDescriptor, environment: environment) ? .journal : .plain
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Later sources win: the handler's own metadata, then the provider's, then the call's.
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = .string("\(error)") }
        sink.write(line: formatter.format(
            level: event.level, label: label, message: event.message.description, metadata: merged,
            timestamp: clock()))
    }
}
