#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The daemon's swift-log handler: one line per record on stderr (or an injected sink), with a
/// `<N>` journald priority prefix when stderr is the journal and plain timestamped text otherwise.
/// When stderr is the journal and journald's native socket is there, records go to that socket
/// instead, as entries with structured fields (`SGDYN_JOB=…`, `SGDYN_STATE=…`, see
/// `journalFields`), falling back to the `<N>` line whenever a send fails.
///
/// Bootstrap it once at start-up:
/// `LoggingSystem.bootstrap { JournalLogHandler(label: $0) }`.
public struct JournalLogHandler: LogHandler {
    /// Whether records also go to journald's native socket.
    public enum NativeJournal: Sendable {
        /// The native socket when the sink is stderr, stderr is the journal's stream and the
        /// socket exists (`JournalNativeSender.standardError`); a test's or a log file's sink is
        /// never bypassed.
        case automatic
        /// Lines to the sink only.
        case off
        /// This sender, whatever the sink (tests inject a stand-in journal socket this way).
        case sender(JournalNativeSender)
    }

    /// The value of the SYSLOG_IDENTIFIER field (what `journalctl -t` matches); the same name
    /// journald gives the stream lines of the `sgdyn` executable.
    public static let syslogIdentifier = "sgdyn"

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    public let formatter: LogLineFormatter
    /// Where records go as native journal entries; nil: lines to the sink only.
    public let journal: JournalNativeSender?
    private let sink: any LogSink
    private let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - style: the line shape; nil detects it: `.journal` when stderr is JOURNAL_STREAM.
    ///   - sink: where lines go; stderr unless a test or a per-job log file injects another.
    ///   - nativeJournal: whether records go to journald's native socket instead (see
    ///     `NativeJournal`); lines still go to the sink when that fails.
    ///   - clock: timestamps for plain lines; injectable for tests.
    public init(
        label: String,
        style: LogLineFormatter.Style? = nil,
        sink: any LogSink = FileDescriptorLogSink.standardError,
        nativeJournal: NativeJournal = .automatic,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.label = label
        self.formatter = LogLineFormatter(style: style ?? Self.detectStyle())
        self.sink = sink
        switch nativeJournal {
        case .automatic:
            let writesToStandardError = (sink as? FileDescriptorLogSink)?.fileDescriptor == STDERR_FILENO
            journal = writesToStandardError ? JournalNativeSender.standardError : nil
        case .off:
            journal = nil
        case let .sender(sender):
            journal = sender
        }
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
        let message = event.message.description
        if let journal {
            let fields = Self.journalFields(
                level: event.level, label: label, message: message, metadata: merged,
                file: event.file, line: event.line, function: event.function)
            if journal.send(fields) { return }
            // Not taken (journald restarting, queue full, entry too big): the line still reaches
            // the journal through stderr, only without the structured fields.
        }
        sink.write(line: formatter.format(
            level: event.level, label: label, message: message, metadata: merged, timestamp: clock()))
    }

    /// The fields of a native journal entry for one record: MESSAGE (the line as it would be on
    /// stderr, without the prefix), PRIORITY, SYSLOG_IDENTIFIER, the logger's label, where in the
    /// code it was logged, and every metadata key as `SGDYN_<KEY>` with its exact value — so the
    /// daemon's `job` and `state` keys become `SGDYN_JOB` and `SGDYN_STATE`.
    public static func journalFields(
        level: Logger.Level, label: String, message: String, metadata: Logger.Metadata,
        file: String, line: UInt, function: String
    ) -> [JournalField] {
        var fields = [
            JournalField("MESSAGE", LogLineFormatter.body(label: label, message: message, metadata: metadata)),
            JournalField("PRIORITY", String(LogLineFormatter.syslogPriority(level))),
            JournalField("SYSLOG_IDENTIFIER", syslogIdentifier),
            JournalField("SGDYN_LOGGER", label),
            JournalField("CODE_FILE", file),
            JournalField("CODE_LINE", String(line)),
            JournalField("CODE_FUNC", function),
        ]
        for (key, value) in LogLineFormatter.ordered(metadata) {
            // SGDYN_LOGGER is ours; a metadata key "logger" must not pose as it.
            guard let name = JournalField.name(forMetadataKey: key), name != "SGDYN_LOGGER" else { continue }
            fields.append(JournalField(name, LogLineFormatter.plainText(value)))
        }
        return fields
    }
}
