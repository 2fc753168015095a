// Store-call throughput and latency: the PostgreSQL request tracker and replay store against the
// in-memory ones, 1 and 8 concurrent callers, in one run.
//
//   eval "$(scripts/postgres.sh env)"
//   swift run -c release --traits PostgreSQL SAMLPostgresBenchmark [operations per scenario] [synchronous_commit]
//
// The optional second argument sets PostgreSQL's synchronous_commit for the benchmark's sessions
// (`on`, the server default, waits for the WAL flush of every commit; `off` does not, trading the
// last few hundred milliseconds of commits on a server crash for latency).
//
// Scenarios, each run for the memory and the PostgreSQL stores:
//   consume  RequestTracker.consume of a new request ID (recording it as answered)
//   insert   ReplayStore.insertIfAbsent of a new assertion key
//   login    what an ACS does per login: verify the generated signed response
//            (Fixtures/generated/responses/assertion-signed.xml, RSA-SHA256, at its pinned instant),
//            record its assertion key (made unique per login, as every real login brings a new one)
//            and consume the request — with the memory stores, with the PostgreSQL tracker and
//            replay store (two statements), and with PostgresLoginStateStore (`postgres-1`: verify,
//            then consume and record in one statement, as the façade does on a LoginStateStore)
#if PostgreSQL
import Foundation
import PostgresNIO
import SAML
@_spi(Tools) import SAMLVerification
import SAMLPostgres

let operations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 4000 : 4000
let environment = ProcessInfo.processInfo.environment
guard let host = environment["SAML_PG_HOST"], let port = environment["SAML_PG_PORT"].flatMap(Int.init) else {
    print("SAML_PG_HOST / SAML_PG_PORT are not set: eval \"$(scripts/postgres.sh env)\"")
    exit(2)
}

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/generated")
let response = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("responses/assertion-signed.xml")))
let idp = try IdentityProvider(metadata: [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("idp-metadata.xml"))))
let sp = ServiceProvider(entityID: "https://sp.example.com/saml/acs", acsURL: "https://sp.example.com/saml/acs")
let fixtureRequestID = "_req-7c1f2c5e9b0a4d6e8f10"
let fixtureNow = ISO8601DateFormatter().date(from: "2026-01-15T10:01:00Z")!
let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp)

struct Stores: Sendable {
    var name: String
    var tracker: any RequestTracker
    var replay: any ReplayStore
}

struct Measurement {
    var perSecond: Double
    var p50: Double
    var p99: Double
}

/// Runs `count` operations with `concurrency` callers; each caller takes the next index.
func measure(concurrency: Int, count: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> Measurement {
    let start = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Duration].self, returning: [Duration].self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var mine: [Duration] = []
                var index = worker
                while index < count {
                    let t0 = ContinuousClock.now
                    try await operation(index)
                    mine.append(ContinuousClock.now - t0)
                    index += concurrency
                }
                return mine
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
    let elapsed = ContinuousClock.now - start
    let micros = latencies.map { Double($0.components.seconds) * 1e6 + Double($0.components.attoseconds) / 1e12 }.sorted()
    func percentile(_ p: Double) -> Double { micros[min(micros.count - 1, Int(Double(micros.count) * p))] }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Measurement(perSecond: Double(count) / seconds, p50: percentile(0.50), p99: percentile(0.99))
}

var clientConfiguration = PostgresClient.Configuration(host: host, port: port, username: environment["SAML_PG_USER"] ?? "postgres",
                                                       password: environment["SAML_PG_PASSWORD"],
                                                       database: environment["SAML_PG_DATABASE"] ?? "postgres", tls: .disable)
clientConfiguration.options.maximumConnections = 8
clientConfiguration.options.minimumConnections = 8
let synchronousCommit = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "on"
clientConfiguration.options.additionalStartupParameters = [("synchronous_commit", synchronousCommit)]
let client = PostgresClient(configuration: clientConfiguration)

await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { await client.run() }
    defer { group.cancelAll() }
    do {
        let configuration = PostgresStoreConfiguration(tablePrefix: "bench\(UInt16.random(in: .min ... .max))_", queryTimeout: .seconds(10))
        try await PostgresStateSchema.migrate(client: client, configuration: configuration)
        let pg = Stores(name: "postgres", tracker: try PostgresRequestTracker(client: client, configuration: configuration),
                        replay: try PostgresReplayStore(client: client, configuration: configuration))
        let oneStatement = try PostgresLoginStateStore(client: client, configuration: configuration)
        // Warm the pool and the server's caches.
        _ = try await measure(concurrency: 8, count: 400) { i in
            _ = try await pg.replay.insertIfAbsent("warm-\(i)", expiresAt: Date().addingTimeInterval(60), now: Date())
        }
        print("operations per scenario: \(operations); PostgreSQL \(host):\(port), pool of 8 connections, synchronous_commit=\(synchronousCommit)")
        print("scenario  callers  store        ops/s     p50 µs     p99 µs   postgres/memory")
        var round = 0
        for scenario in ["consume", "insert", "login"] {
            for concurrency in [1, 8] {
                var memoryRate = 0.0
                for kind in scenario == "login" ? ["memory", "postgres", "postgres-1"] : ["memory", "postgres"] {
                    round += 1
                    let stores = kind.hasPrefix("postgres") ? pg
                        : Stores(name: "memory", tracker: InMemoryRequestTracker(capacity: operations + 1),
                                 replay: InMemoryReplayStore(capacity: operations + 1))
                    let tag = "r\(round)-"
                    let count = operations
                    let m: Measurement
                    switch scenario {
                    case "consume":
                        m = try await measure(concurrency: concurrency, count: count) { i in
                            let now = Date()
                            guard try await stores.tracker.consume(tag + "\(i)", expiresAt: now.addingTimeInterval(600), now: now) else {
                                fatalError("request \(i) refused")
                            }
                        }
                    case "insert":
                        m = try await measure(concurrency: concurrency, count: count) { i in
                            let now = Date()
                            guard try await stores.replay.insertIfAbsent(tag + "\(i)", expiresAt: now.addingTimeInterval(600), now: now) else {
                                fatalError("insert \(i) refused")
                            }
                        }
                    case "login" where kind == "postgres-1":
                        m = try await measure(concurrency: concurrency, count: count) { i in
                            let assertion = try verifier.verifyWithoutReplayCheck(responseXML: response, inResponseTo: fixtureRequestID, now: fixtureNow)
                            let now = Date()
                            guard try await oneStatement.finishLogin(request: tag + "\(i)", until: now.addingTimeInterval(600),
                                                                     recording: assertion.issuer + "\u{0}" + assertion.assertionID + tag + "\(i)",
                                                                     until: now.addingTimeInterval(600), now: now) == .recorded else {
                                fatalError("login \(i) refused")
                            }
                        }
                    default:
                        m = try await measure(concurrency: concurrency, count: count) { i in
                            let assertion = try verifier.verifyWithoutReplayCheck(responseXML: response, inResponseTo: fixtureRequestID, now: fixtureNow)
                            let now = Date()
                            guard try await stores.replay.insertIfAbsent(assertion.issuer + "\u{0}" + assertion.assertionID + tag + "\(i)",
                                                                         expiresAt: now.addingTimeInterval(600), now: now),
                                  try await stores.tracker.consume(tag + "\(i)", expiresAt: now.addingTimeInterval(600), now: now) else {
                                fatalError("login \(i) refused")
                            }
                        }
                    }
                    if kind == "memory" { memoryRate = m.perSecond }
                    let ratio = kind.hasPrefix("postgres") ? String(format: "%.2f", m.perSecond / memoryRate) : ""
                    print(pad(scenario, 9) + " " + pad("\(concurrency)", 7, right: true) + "  " + pad(kind, 10)
                          + String(format: " %9.0f %10.1f %10.1f   ", m.perSecond, m.p50, m.p99) + ratio)
                }
            }
        }
        let purged = try await PostgresStatePurger(requestTracker: pg.tracker as? PostgresRequestTracker, replayStore: pg.replay as? PostgresReplayStore)
            .purgeOnce(now: Date().addingTimeInterval(7200 + 300))
        print("purged afterwards: \(purged.requests) requests, \(purged.assertions) assertion IDs")
        try await client.query("DROP TABLE \(unescaped: configuration.requestsTable), \(unescaped: configuration.assertionsTable)").drain()
    } catch {
        print("benchmark failed: \(error)")
    }
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}

extension PostgresRowSequence {
    func drain() async throws { for try await _ in self {} }
}
#else
print("SAMLPostgresBenchmark needs the PostgreSQL trait: swift run -c release --traits PostgreSQL SAMLPostgresBenchmark")
#endif
