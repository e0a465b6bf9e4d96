import CLibFuzzer

#if canImport(Glibc)
import Glibc
#endif

/// Runs libFuzzer with the process's command line (`-max_total_time=…`, corpus folders, …) and
/// `callback` as the target, then exits with libFuzzer's status. A target's `main.swift` is one
/// call of this with a closure that captures nothing (it must be a C function pointer).
public func runFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}

/// The input libFuzzer hands the callback, as the byte array every decoder takes.
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// A property every accepted input must have (a decoded value encodes and decodes back to
/// itself, …). A violation is a finding: the trap makes libFuzzer save the input as a crash.
public func fuzzRequire(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("fuzz property violated: \(message())") }
}
