import Foundation
import Logging
import SAMLVerification

/// Collects what a verification reports, for the tests below.
final class DiagnosticsCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [VerificationDiagnostic] = []
    func record(_ d: VerificationDiagnostic) { lock.lock(); list.append(d); lock.unlock() }
    var diagnostics: [VerificationDiagnostic] { lock.lock(); defer { lock.unlock() }; return list }
    var names: [String] { diagnostics.map(\.check.name) }
    func first(_ check: VerificationCheck) -> VerificationDiagnostic? { diagnostics.first { $0.check == check } }
}

/// A swift-log handler that keeps every record.
struct CapturingLogHandler: LogHandler {
    final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] = []
        func add(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) { lock.lock(); list.append((level, message, metadata)); lock.unlock() }
        var records: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] { lock.lock(); defer { lock.unlock() }; return list }
    }
    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        store.add(event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 })
    }
}
