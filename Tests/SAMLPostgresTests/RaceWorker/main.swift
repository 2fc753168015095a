// One of the processes racing in the exactly-once test of SAMLPostgresTests.
//
//   SAMLPostgresRace tracker|replay|login <table prefix> <ids> <consumers> <start, ms since 1970>
//
// Connects with SAML_PG_HOST / SAML_PG_PORT / SAML_PG_USER / SAML_PG_DATABASE, opens its pool, waits
// for the start instant shared with the other process, then runs <consumers> concurrent calls on
// the IDs race-0 … race-<ids-1> (call i uses ID i % ids): `consume` on the request tracker or
// `insertIfAbsent` on the replay store, or `finishLogin` (record the answered request and the
// assertion key assertion-<i % ids> in one statement) on the login state store. Prints `won <id>` for each call that got the ID, then
// `window <first call ms> <last answer ms>` and `attempts <n> errors <m>`; exits 1 when any call threw.
#if PostgreSQL
import Foundation
import PostgresNIO
import SAMLLogin
import SAMLPostgres
import SAMLVerification

let arguments = CommandLine.arguments
guard arguments.count == 6, let ids = Int(arguments[3]), let consumers = Int(arguments[4]),
      let startMillis = Double(arguments[5]) else {
    FileHandle.standardError.write(Data("usage: SAMLPostgresRace tracker|replay|login <prefix> <ids> <consumers> <start-ms>\n".utf8))
    exit(2)
}
let mode = arguments[1]
let environment = ProcessInfo.processInfo.environment
guard let host = environment["SAML_PG_HOST"], let port = environment["SAML_PG_PORT"].flatMap(Int.init) else {
    FileHandle.standardError.write(Data("SAML_PG_HOST and SAML_PG_PORT are not set\n".utf8))
    exit(2)
}
var configuration = PostgresClient.Configuration(host: host, port: port, username: environment["SAML_PG_USER"] ?? "postgres",
                                                 password: environment["SAML_PG_PASSWORD"],
                                                 database: environment["SAML_PG_DATABASE"] ?? "postgres", tls: .disable)
configuration.options.maximumConnections = 20
let client = PostgresClient(configuration: configuration)
let storeConfiguration = PostgresStoreConfiguration(tablePrefix: arguments[2], queryTimeout: .seconds(60))

enum Outcome: Sendable { case won(String), lost, failed(String) }

let code: Int32 = await withTaskGroup(of: Void.self) { group in
    group.addTask { await client.run() }
    defer { group.cancelAll() }
    do {
        let tracker = try PostgresRequestTracker(client: client, configuration: storeConfiguration)
        let replay = try PostgresReplayStore(client: client, configuration: storeConfiguration)
        let loginStore = try PostgresLoginStateStore(client: client, configuration: storeConfiguration)
        // Open the pool's connections before the start instant, so both processes race on queries.
        try await withThrowingTaskGroup(of: Void.self) { warm in
            for _ in 0..<20 { warm.addTask { try await client.query("SELECT pg_sleep(0.05)").drain() } }
            try await warm.waitForAll()
        }
        let wait = startMillis / 1000 - Date().timeIntervalSince1970
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        let began = Date().timeIntervalSince1970 * 1000
        let outcomes = await withTaskGroup(of: Outcome.self, returning: [Outcome].self) { race in
            for i in 0..<consumers {
                let id = "race-\(i % ids)"
                race.addTask {
                    do {
                        let won: Bool
                        if mode == "tracker" {
                            let now = Date()
                            won = try await tracker.consume(id, expiresAt: now.addingTimeInterval(3600), now: now)
                        } else if mode == "login" {
                            let now = Date()
                            won = try await loginStore.finishLogin(request: id, until: now.addingTimeInterval(3600),
                                                                   recording: "assertion-\(i % ids)",
                                                                   until: now.addingTimeInterval(3600), now: now) == .recorded
                        } else {
                            let now = Date()
                            won = try await replay.insertIfAbsent(id, expiresAt: now.addingTimeInterval(3600), now: now)
                        }
                        return won ? .won(id) : .lost
                    } catch {
                        return .failed("\(error)")
                    }
                }
            }
            var all: [Outcome] = []
            for await outcome in race { all.append(outcome) }
            return all
        }
        let ended = Date().timeIntervalSince1970 * 1000
        var errors = 0
        for outcome in outcomes {
            switch outcome {
            case .won(let id): print("won \(id)")
            case .lost: break
            case .failed(let message):
                errors += 1
                FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            }
        }
        print("window \(Int(began)) \(Int(ended))")
        print("attempts \(outcomes.count) errors \(errors)")
        return errors == 0 ? 0 : 1
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        return 1
    }
}
exit(code)

extension PostgresRowSequence {
    func drain() async throws { for try await _ in self {} }
}
#else
print("SAMLPostgresRace needs the PostgreSQL trait: swift build --traits PostgreSQL")
#endif
