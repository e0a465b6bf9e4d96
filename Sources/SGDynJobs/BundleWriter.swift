import CFileSystem
import Foundation
import SGDynCore
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// One file of a result bundle, by its path relative to the bundle folder.
public struct BundleFile: Sendable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// Writes result bundles so that a bundle folder, once visible, is whole (jobs.md): every file is
/// written into a hidden temporary folder in the outbox and fsynced, `manifest.json` (sizes and
/// SHA-256 of every other file) last; then the folder is renamed into place without replacing
/// anything (`NAME`, else `NAME-2`, `NAME-3`, …, or `NAME~USER` when `NAME` is another
/// submitter's: `BundleNaming`) and the outbox directory is fsynced. The manifest's `bundle` is the
/// folder's name.
public enum BundleWriter {
    /// Prefix of temporary bundle folders; `removeStaleTemporaryFolders` deletes leftovers.
    public static let temporaryPrefix = ".sgdyn-partial-"

    /// Writes `files` plus `manifest.json` as the bundle `name` in `outbox`; returns the folder.
    /// `source` (recorded in the manifest) identifies what the bundle is for, so that
    /// `existingBundle` can tell after a crash whether it was already published.
    @discardableResult
    public static func write(_ files: [BundleFile], name: String, outbox: URL, source: String? = nil, submitter: String? = nil) throws -> URL {
        try makeDirectoryTree(outbox.path)
        let temporary = outbox.appendingPathComponent(temporaryPrefix + name + "-" + String(UInt64.random(in: 0...UInt64.max), radix: 36))
        try makeDirectory(temporary.path)
        do {
            var manifest: [JSONValue] = []
            for file in files {
                let url = temporary.appendingPathComponent(file.path)
                try makeDirectories(from: temporary, to: url.deletingLastPathComponent())
                try writeFile(url.path, file.bytes)
                manifest.append(.object([("path", .string(file.path)), ("size", .int(file.bytes.count)),
                                         ("sha256", .string(SHA256.hexDigest(file.bytes)))]))
            }
            let manifestPath = temporary.appendingPathComponent("manifest.json").path
            var manifestFor: String?
            // Another writer may take a name between the listing and the rename: list again then.
            while true {
                let candidate = BundleNaming.folderName(for: name, submitter: submitter, entries: outboxEntries(outbox)) { folder in
                    owner(of: outbox.appendingPathComponent(folder))
                }
                // The manifest names the folder the bundle is published as, so it is written for
                // each candidate (the temporary folder is invisible until the rename).
                if manifestFor != candidate {
                    var manifestMembers: [(key: String, value: JSONValue)] = [("bundle", .string(candidate))]
                    if let source { manifestMembers.append(("source", .string(source))) }
                    if let submitter { manifestMembers.append(("submitter", .string(submitter))) }
                    manifestMembers.append(("files", .array(manifest)))
                    let manifestText = JSONWriter.string(.object(manifestMembers))
                    if manifestFor != nil { unlink(manifestPath) }
                    try writeFile(manifestPath, Array(manifestText.utf8))
                    try syncDirectory(temporary.path)
                    manifestFor = candidate
                }
                let final = outbox.appendingPathComponent(candidate)
                if renameNoReplace(temporary.path, final.path) == 0 {
                    try syncDirectory(outbox.path)
                    return final
                }
                guard errno == EEXIST || errno == ENOTEMPTY else { throw SystemError("renaming the bundle to \(final.path)") }
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// The published bundle whose manifest names `source`, among `name`, `name-2`, `name-3`, … and
    /// the submitter's own `name~USER`, `name~USER-2`, …: how a daemon that crashed between
    /// publishing a bundle and recording it avoids publishing it twice.
    public static func existingBundle(name: String, source: String, outbox: URL, submitter: String? = nil) -> URL? {
        let entries = outboxEntries(outbox)
        let bases = [name] + (submitter.map { [BundleNaming.personalName(name, submitter: $0)] } ?? [])
        for base in bases {
            for candidate in BundleNaming.takenNames(base, in: entries)
                .sorted(by: { (BundleNaming.suffixNumber($0, of: base) ?? 0) < (BundleNaming.suffixNumber($1, of: base) ?? 0) }) {
                let folder = outbox.appendingPathComponent(candidate)
                guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("manifest.json").path) else { continue }
                if let manifest = try? JSONParser.parse([UInt8](data)), manifest["source"] == .string(source) { return folder }
            }
        }
        return nil
    }

    /// The submitter a published bundle's manifest names; nil for a bundle without one (written
    /// by `sgdyn run` or by a daemon before submitters were recorded) or one that cannot be read.
    public static func owner(of folder: URL) -> String? {
        let path = folder.appendingPathComponent("manifest.json").path
        guard let bytes = try? AtomicFile.read(path, limit: 64 << 20), let manifest = try? JSONParser.parse(bytes),
              case .string(let submitter)? = manifest["submitter"] else { return nil }
        return submitter
    }

    static func outboxEntries(_ outbox: URL) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? [])
    }

    /// Removes temporary bundle folders left by a crash; returns their names.
    @discardableResult
    public static func removeStaleTemporaryFolders(in outbox: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []
        let stale = names.filter { $0.hasPrefix(temporaryPrefix) }
        for name in stale { try? FileManager.default.removeItem(at: outbox.appendingPathComponent(name)) }
        return stale
    }

    /// rename(2) that fails with EEXIST instead of replacing an existing file or (empty) folder.
    /// Returns 0, or -1 with errno set.
    public static func renameNoReplace(_ from: String, _ to: String) -> Int32 {
        sgdyn_rename_noreplace(from, to)
    }

    private static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw SystemError("creating the folder \(path)")
        }
    }

    /// mkdir -p, reporting failures as `SystemError`.
    static func makeDirectoryTree(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectoryTree(parent) }
        try makeDirectory(path)
    }

    private static func makeDirectories(from root: URL, to folder: URL) throws {
        guard folder.path != root.path else { return }
        let relative = folder.path.dropFirst(root.path.count + 1).split(separator: "/")
        var current = root
        for component in relative {
            current = current.appendingPathComponent(String(component))
            try makeDirectory(current.path)
        }
    }

    /// Writes and fsyncs one file; reports ENOSPC and friends as `SystemError`.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("creating \(path)") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError("writing \(path)")
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw SystemError("fsync of \(path)") }
    }

    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("opening the folder \(path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SystemError("fsync of the folder \(path)") }
    }
}
