#if canImport(Glibc)
import Glibc
#endif

/// Reads every bundle folder of an outbox for the index. Per folder it costs a few `lstat`s;
/// result.json is read (skimmed: `BundleSummary.projection`) only when the cache has no entry
/// under its current key. Hidden entries (temporary bundle folders, the cache) and plain files
/// (index.html) are not bundles; symbolic links are listed but never followed.
public enum OutboxScanner {
    /// result.json files larger than this are not read (the largest job allowed writes a few MB).
    static let maxResultBytes = 256 << 20

    /// A result.json changed less than this many seconds before `now` is read but not cached:
    /// file times are kept in coarse ticks, so a file rewritten in place with the same size
    /// within one tick of the read would keep its key. Once this old, any later change gives
    /// it a newer change time, so a cached entry can never hide a change.
    static let settleSeconds = 2.0

    /// The outbox's entries and the cache to keep for next time (entries of present folders only).
    public static func scan(outbox: String, cache: ReportCache, now: Double) -> (entries: [OutboxEntry], cache: ReportCache, read: Int) {
        var entries: [OutboxEntry] = []
        var kept = ReportCache()
        var read = 0
        for name in folderNames(outbox) {
            let path = outbox + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            if type == S_IFLNK {
                entries.append(OutboxEntry(folder: name, problem: "a symbolic link; not followed", time: seconds(info.st_mtim), isFolder: false))
                continue
            }
            guard type == S_IFDIR else { continue }
            var entry = OutboxEntry(folder: name, time: seconds(info.st_mtim), isFolder: true)
            var result = stat()
            if lstat(path + "/result.json", &result) != 0 {
                entry.problem = errno == ENOENT ? "no result.json: not a bundle, or not sgdyn's" : "cannot read result.json: \(SystemError.message(for: errno))"
            } else if (result.st_mode & S_IFMT) != S_IFREG {
                entry.problem = "result.json is not a regular file"
            } else {
                entry.time = seconds(result.st_mtim)
                entry.modified = entry.time
                var manifest = stat()
                let manifestKey = lstat(path + "/manifest.json", &manifest) == 0 ? key(manifest) : "-"
                let fullKey = key(result) + "|" + manifestKey
                let outcome: ReportCache.Entry
                if let cached = cache.entry(name, key: fullKey) {
                    outcome = cached
                } else {
                    read += 1
                    outcome = summarise(path + "/result.json", key: fullKey)
                }
                if seconds(result.st_ctim) < now - settleSeconds, manifestKey == "-" || seconds(manifest.st_ctim) < now - settleSeconds {
                    kept.entries[name] = outcome
                }
                entry.summary = outcome.summary
                entry.problem = outcome.problem
            }
            if let finished = entry.summary?.finishedAt { entry.time = finished }
            entry.page = ["index.html", "README.txt", "result.json"].first { isRegularFile(path + "/" + $0) }
            if let summary = entry.summary {
                let candidates = (summary.mainPlot.map { [$0] } ?? []) + ["sweep.svg", "eg.svg"]
                entry.thumbnail = candidates.first { HTML.isSafeRelativePath($0) && isRegularFile(path + "/" + $0) }
            }
            entries.append(entry)
        }
        entries.sort { ($0.time, $0.modified, $1.folder) > ($1.time, $1.modified, $0.folder) }
        return (entries, kept, read)
    }

    /// Reads and summarises one result.json: never throws, a failure is the entry's problem.
    static func summarise(_ path: String, key: String) -> ReportCache.Entry {
        let bytes: [UInt8]
        switch readFile(path, limit: maxResultBytes) {
        case .success(let data): bytes = data
        case .failure(let problem): return ReportCache.Entry(key: key, problem: problem.reason)
        }
        do {
            let document = try JSONSkimmer.read(bytes, keeping: BundleSummary.projection)
            return ReportCache.Entry(key: key, summary: try BundleSummary(result: document))
        } catch let error as JSONSkimError {
            return ReportCache.Entry(key: key, problem: "result.json is not valid JSON (\(error))")
        } catch let error as BundleSummary.Unreadable {
            return ReportCache.Entry(key: key, problem: error.reason)
        } catch {
            return ReportCache.Entry(key: key, problem: "result.json: \(error)")
        }
    }

    /// Names in `outbox` that may be bundles: everything but `.` entries.
    static func folderNames(_ outbox: String) -> [String] {
        guard let dir = opendir(outbox) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }

    /// A file's identity and version: device, inode, size, modification and change times (ns).
    static func key(_ info: stat) -> String {
        "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    static func seconds(_ time: timespec) -> Double { Double(time.tv_sec) + Double(time.tv_nsec) / 1e9 }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The whole of a regular file of at most `limit` bytes, opened without following a
    /// symbolic link and without blocking on a FIFO.
    static func readFile(_ path: String, limit: Int) -> Result<[UInt8], BundleSummary.Unreadable> {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.init(reason: "cannot open result.json: \(SystemError.message(for: errno))")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .failure(.init(reason: "result.json is not a regular file")) }
        guard Int(info.st_size) <= limit else { return .failure(.init(reason: "result.json is too large (\(info.st_size) bytes)")) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(fd, base + offset, buffer.count - offset)
            }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(.init(reason: "cannot read result.json: \(SystemError.message(for: errno))"))
            }
            if got == 0 { break }
            offset += got
        }
        return .success(Array(bytes.prefix(offset)))
    }
}

extension OutboxEntry {
    init(folder: String, problem: String? = nil, time: Double, isFolder: Bool) {
        self.init(folder: folder, summary: nil, problem: problem, time: time, modified: time, page: nil, thumbnail: nil, isFolder: isFolder)
    }
}
