#if PostgreSQL
import Foundation
import PostgresNIO
import SAML
import SAMLPostgres
import Testing

extension PostgresStoreTests {
    /// Two processes with 500 concurrent callers each race on the same 100 IDs; across both,
    /// each ID must have exactly one winner.
    @Suite struct ExactlyOnce {
        static let ids = 100
        static let consumersPerProcess = 500

        @Test func trackerHandsEachRequestToOneCallerAcrossProcesses() async throws {
            let configuration = TestDatabase.configuration("rt")
            try await TestDatabase.withClient { client in
                try await PostgresStateSchema.migrate(client: client, configuration: configuration)
                let winners = try await Self.race(mode: "tracker", prefix: configuration.tablePrefix)
                #expect(winners.count == Self.ids)
                #expect(Set(winners).count == winners.count, "a request was recorded as answered twice")
                #expect(Set(winners) == Set((0..<Self.ids).map { "race-\($0)" }))
                #expect(try await TestDatabase.count(configuration.requestsTable, on: client) == Self.ids)
            }
        }

        @Test func replayStoreAcceptsEachAssertionOnceAcrossProcesses() async throws {
            let configuration = TestDatabase.configuration("rr")
            try await TestDatabase.withClient { client in
                try await PostgresStateSchema.migrate(client: client, configuration: configuration)
                let winners = try await Self.race(mode: "replay", prefix: configuration.tablePrefix)
                #expect(winners.count == Self.ids)
                #expect(Set(winners).count == winners.count, "an assertion ID was accepted twice")
                #expect(Set(winners) == Set((0..<Self.ids).map { "race-\($0)" }))
                #expect(try await TestDatabase.count(configuration.assertionsTable, on: client) == Self.ids)
            }
        }

        @Test func loginStateStoreFinishesEachLoginOnceAcrossProcesses() async throws {
            let configuration = TestDatabase.configuration("rl")
            try await TestDatabase.withClient { client in
                try await PostgresStateSchema.migrate(client: client, configuration: configuration)
                let winners = try await Self.race(mode: "login", prefix: configuration.tablePrefix)
                #expect(winners.count == Self.ids)
                #expect(Set(winners).count == winners.count, "a login was finished twice")
                #expect(Set(winners) == Set((0..<Self.ids).map { "race-\($0)" }))
                #expect(try await TestDatabase.count(configuration.requestsTable, on: client) == Self.ids)
                #expect(try await TestDatabase.count(configuration.assertionsTable, on: client) == Self.ids)
            }
        }

        /// Runs two race processes that start at the same instant; returns every ID either won.
        static func race(mode: String, prefix: String) async throws -> [String] {
            let worker = try workerExecutable()
            let start = Int((Date().timeIntervalSince1970 + 5) * 1000)
            let processes = try (0..<2).map { _ in
                try RunningProcess(worker, [mode, prefix, "\(ids)", "\(consumersPerProcess)", "\(start)"])
            }
            var winners: [String] = []
            var windows: [(Int, Int)] = []
            for (index, process) in processes.enumerated() {
                let (status, output, errors) = await process.finish()
                #expect(status == 0, "race process \(index) failed: \(errors)")
                let lines = output.split(separator: "\n")
                #expect(lines.last == "attempts \(consumersPerProcess) errors 0", "race process \(index): \(lines.last ?? "no output")")
                let won = lines.filter { $0.hasPrefix("won ") }.map { String($0.dropFirst(4)) }
                let window = lines.first { $0.hasPrefix("window ") }.map { $0.split(separator: " ").compactMap { Int($0) } } ?? []
                #expect(window.count == 2, "race process \(index) reported no window")
                if window.count == 2 { windows.append((window[0], window[1])) }
                let offsets = window.map { "\($0 - start)" }.joined(separator: " to ")
                print("race \(mode): process \(index) won \(won.count) of \(ids) IDs; its calls ran from \(offsets) ms after the start instant")
                winners += won
            }
            // The processes raced only if their calls overlapped in time.
            if windows.count == 2 {
                #expect(windows[0].0 < windows[1].1 && windows[1].0 < windows[0].1,
                        "the two processes did not run at the same time: \(windows)")
            }
            return winners
        }

        /// The race executable, built next to this test bundle.
        static func workerExecutable() throws -> URL {
            if let path = TestDatabase.environment["SAML_PG_RACE_WORKER"] { return URL(fileURLWithPath: path) }
            let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            var directory = me.deletingLastPathComponent()
            // On macOS the test binary sits inside a .xctest bundle.
            while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
            let worker = directory.appendingPathComponent("SAMLPostgresRace")
            guard FileManager.default.isExecutableFile(atPath: worker.path) else {
                throw SimpleFailure("the race executable is missing at \(worker.path): build with swift build --traits PostgreSQL --build-tests")
            }
            return worker
        }
    }
}

/// A child process whose output is collected while it runs.
final class RunningProcess: @unchecked Sendable {
    private let process = Process()
    private let out = Pipe()
    private let err = Pipe()

    init(_ executable: URL, _ arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        try process.run()
    }

    /// Waits for the exit; returns the status, standard output and standard error.
    func finish() async -> (Int32, String, String) {
        let out = self.out, err = self.err, process = self.process
        let errors = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }
        let output = await Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        let errorText = await errors.value
        await Task.detached { process.waitUntilExit() }.value
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errorText, as: UTF8.self))
    }
}
#endif
