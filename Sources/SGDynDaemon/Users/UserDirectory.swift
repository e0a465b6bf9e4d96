#if canImport(Glibc)
import Glibc
#endif
import SGDynStore

/// Turns the owner of a job or cancel file into a `Submitter` (uid → user name) and answers
/// whether a uid is an administrator: root, the daemon's own user, or a member of the config's
/// `admin_group` (as its primary group or a supplementary one). Answers are kept for a minute,
/// so a busy inbox costs one lookup per user and minute, and a change of group membership is
/// seen within a minute.
struct UserDirectory {
    /// How long a looked-up answer is reused.
    static let lifetime: Duration = .seconds(60)

    private var names: [UInt32: (name: String, primaryGroup: UInt32?, at: ContinuousClock.Instant)] = [:]
    private var groups: [String: (gid: UInt32, members: Set<String>, at: ContinuousClock.Instant)?] = [:]
    private var groupTimes: [String: ContinuousClock.Instant] = [:]

    /// The daemon's own user: whoever runs it administers it.
    let daemonUID: UInt32 = geteuid()

    /// The owner `uid` as a submitter: its user name, or `uid<N>` when it has none.
    mutating func submitter(uid: UInt32) -> Submitter {
        Submitter(uid: uid, name: entry(uid).name)
    }

    /// Root, the daemon's user, or a member of `adminGroup`.
    mutating func isAdmin(_ uid: UInt32, adminGroup: String?) -> Bool {
        if uid == 0 || uid == daemonUID { return true }
        guard let adminGroup, let group = lookUpGroup(adminGroup) else { return false }
        let user = entry(uid)
        return user.primaryGroup == group.gid || group.members.contains(user.name)
    }

    private mutating func entry(_ uid: UInt32) -> (name: String, primaryGroup: UInt32?) {
        if let cached = names[uid], ContinuousClock.now - cached.at < Self.lifetime { return (cached.name, cached.primaryGroup) }
        var found: (String, UInt32?) = ("uid\(uid)", nil)
        var record = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        if getpwuid_r(uid, &record, &buffer, buffer.count, &result) == 0, result != nil, let name = record.pw_name {
            found = (String(cString: name), record.pw_gid)
        }
        names[uid] = (found.0, found.1, .now)
        return found
    }

    private mutating func lookUpGroup(_ name: String) -> (gid: UInt32, members: Set<String>)? {
        if let at = groupTimes[name], ContinuousClock.now - at < Self.lifetime, let cached = groups[name] {
            return cached.map { ($0.gid, $0.members) }
        }
        var record = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 64 * 1024)
        var found: (gid: UInt32, members: Set<String>, at: ContinuousClock.Instant)?
        if getgrnam_r(name, &record, &buffer, buffer.count, &result) == 0, result != nil {
            var members: Set<String> = []
            if var member = record.gr_mem {
                while let pointer = member.pointee {
                    members.insert(String(cString: pointer))
                    member += 1
                }
            }
            found = (record.gr_gid, members, .now)
        }
        groups[name] = found
        groupTimes[name] = .now
        return found.map { ($0.gid, $0.members) }
    }
}
