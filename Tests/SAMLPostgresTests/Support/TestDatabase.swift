#if PostgreSQL
import Foundation
import PostgresNIO
import SAML
import SAMLPostgres
import Testing

/// The PostgreSQL cluster the tests run against, described by the environment that
/// `scripts/postgres.sh env` prints. Without it every test here fails: these tests never skip.
enum TestDatabase {
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "SAML_PG_HOST / SAML_PG_PORT are not set: start a cluster with scripts/postgres.sh start and "
                + "eval \"$(scripts/postgres.sh env)\" (`scripts/test.sh traits postgres` does both)."
        }
    }

    static let environment = ProcessInfo.processInfo.environment

    static func configuration() throws -> PostgresClient.Configuration {
        guard let host = environment["SAML_PG_HOST"], let port = environment["SAML_PG_PORT"].flatMap(Int.init) else {
            throw NotConfigured()
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: environment["SAML_PG_USER"] ?? "postgres",
            password: environment["SAML_PG_PASSWORD"], database: environment["SAML_PG_DATABASE"] ?? "postgres", tls: .disable)
        configuration.options.connectTimeout = .seconds(2)
        return configuration
    }

    /// A table prefix no other test uses.
    static func uniquePrefix(_ name: String) -> String {
        "t\(UInt32.random(in: .min ... .max))_\(name)_"
    }

    /// A store configuration on fresh tables named after `name`. Its query timeout is generous: the suites share
    /// one server with every other test of the run on a loaded machine, and a first query also opens the
    /// connection. `FailClosedTests` set short timeouts themselves to show what a timeout does.
    static func configuration(_ name: String, purgeBatchSize: Int = 1000) -> PostgresStoreConfiguration {
        PostgresStoreConfiguration(tablePrefix: uniquePrefix(name), queryTimeout: .seconds(30), purgeBatchSize: purgeBatchSize)
    }

    /// Runs `body` with a running client; the client is shut down afterwards.
    static func withClient<T: Sendable>(maximumConnections: Int = 20,
                                        _ body: (PostgresClient) async throws -> T) async throws -> T {
        var configuration = try configuration()
        configuration.options.maximumConnections = maximumConnections
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Runs `scripts/postgres.sh <command>` (start, stop or destroy) on the cluster whose directory
    /// is `state` (`SAML_PG_STATE`); nil: the shared cluster the test infrastructure set up.
    static func control(_ command: String, state: String? = nil) throws {
        let script = environment["SAML_PG_CONTROL"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/postgres.sh").path
        var variables = environment
        if let state { variables["SAML_PG_STATE"] = state }
        // Foundation's Process.waitUntilExit was seen not to return here once the script had
        // exited (its child left unreaped), so the script runs through posix_spawn and waitpid.
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/bash"), strdup(script), strdup(command), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, argv, envp)
        guard spawned == 0 else { throw SimpleFailure("could not run \(script): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            throw SimpleFailure("scripts/postgres.sh \(command) exited with status \(status)")
        }
    }

    /// Counts the rows of a table.
    static func count(_ table: String, on client: PostgresClient) async throws -> Int {
        var n: Int64 = -1
        for try await (value) in try await client.query("SELECT count(*)::int8 FROM \(unescaped: table)").decode(Int64.self) {
            n = value
        }
        return Int(n)
    }
}

/// A PostgreSQL cluster of one test's own (`scripts/postgres.sh` with its own directory and port), for
/// tests that stop the server: stopping the shared one would fail every test running beside them.
struct PrivateCluster {
    let state: String

    /// Creates and starts a cluster under a new temporary directory.
    static func start(_ name: String) throws -> PrivateCluster {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("swift-saml-pg-\(name)-\(UUID().uuidString)").path
        let cluster = PrivateCluster(state: state)
        try cluster.start()
        return cluster
    }

    /// Runs `body` on a started private cluster, destroyed afterwards whatever happens.
    static func with<T>(_ name: String, _ body: (PrivateCluster) async throws -> T) async throws -> T {
        let cluster = try start(name)
        do {
            let value = try await body(cluster)
            try cluster.destroy()
            return value
        } catch {
            try? cluster.destroy()
            throw error
        }
    }

    func start() throws { try TestDatabase.control("start", state: state) }
    func stop() throws { try TestDatabase.control("stop", state: state) }
    func destroy() throws { try TestDatabase.control("destroy", state: state) }

    /// The port it listens on (kept across restarts).
    func port() throws -> Int {
        let text = try String(contentsOfFile: state + "/port", encoding: .utf8)
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SimpleFailure("no port in \(state)/port")
        }
        return port
    }

    /// Runs `body` with a running client of this cluster; the client is shut down afterwards.
    func withClient<T: Sendable>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        var configuration = PostgresClient.Configuration(host: "127.0.0.1", port: try port(), username: "postgres",
                                                         password: nil, database: "postgres", tls: .disable)
        configuration.options.connectTimeout = .seconds(2)
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

/// A failure with a message.
struct SimpleFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The generated fixtures of the main test suite (Fixtures/generated), with their pinned clock.
enum GeneratedFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/generated")
    static let acs = "https://sp.example.com/saml/acs"
    static let requestID = "_req-7c1f2c5e9b0a4d6e8f10"
    static let assertionID = "_assert-8e4c61f09d2b4a7c93e5"
    /// The instant the fixtures are valid at (see Tests/SAMLTestSupport/TestSupport.swift).
    static let now: Date = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: "2026-01-15T10:01:00Z")!
    }()

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
    }
}

/// Asserts that `body` throws a `SAMLError` with the code `stateStoreUnavailable`.
func expectUnavailable<T>(_ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                          _ body: () async throws -> T) async {
    await expectRefusal(.stateStoreUnavailable, what, sourceLocation: sourceLocation, body)
}

/// Asserts that `body` throws a `SAMLError` with `code`; `what` names the call in the failure.
func expectRefusal<T>(_ code: SAMLError.Code, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () async throws -> T) async {
    do {
        let value = try await body()
        Issue.record("\(what) returned \(value) instead of failing with \(code)", sourceLocation: sourceLocation)
    } catch let error as SAMLError {
        #expect(error.code == code, "\(what): \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(what) threw \(error), not a SAMLError", sourceLocation: sourceLocation)
    }
}
#endif
