import Foundation
package import Logging
package import SAMLVerification

/// Collects what a verification reports, for the tests below.
package final class DiagnosticsCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [VerificationDiagnostic] = []
    package init() {}
    package func record(_ d: VerificationDiagnostic) { lock.lock(); list.append(d); lock.unlock() }
    package var diagnostics: [VerificationDiagnostic] { lock.lock(); defer { lock.unlock() }; return list }
    package var names: [String] { diagnostics.map(\.check.name) }
    package func first(_ check: VerificationCheck) -> VerificationDiagnostic? { diagnostics.first { $0.check == check } }
}

/// A swift-log handler that keeps every record.
package struct CapturingLogHandler: LogHandler {
    package final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] = []
        package init() {}
        package func add(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) { lock.lock(); list.append((level, message, metadata)); lock.unlock() }
        package var records: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] { lock.lock(); defer { lock.unlock() }; return list }
    }
    package let store: Store
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .trace
    package init(store: Store) { self.store = store }
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    package func log(event: LogEvent) {
        store.add(event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 })
    }
}
