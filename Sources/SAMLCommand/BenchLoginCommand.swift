import ArgumentParser
import Foundation
import SAML
@_spi(Tools) import SAMLVerification

/// `saml bench login`: the façade's ACS step against the bare verifier, in one run.
struct BenchLoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Time SAMLServiceProvider.finishLogin against the bare verifier on the same posted response.",
        discussion: """
        Takes the options of `saml verify`; --request-id is the request the response answers. The login \
        state is sealed once (as `login` seals it) and each façade iteration runs finishLogin on the base64 \
        form value with that state cookie: opening the state, the directory snapshot, verification, recording \
        the request as answered in an in-memory tracker, the Login. Each iteration records into a fresh \
        in-memory tracker made before the round's clock starts (one response answers its request once). \
        Each bare iteration runs the verifier alone on the same value. Replay detection is off in both so \
        one response can be reused. The two are interleaved in rounds and timed in CPU time; the last line is \
        `overhead: <façade ÷ bare>`.
        """
    )

    @Option(help: "Iterations of each, in total.")
    var iterations: Int = 5_000

    @OptionGroup var options: VerifyOptions

    func validate() throws {
        guard iterations >= 10 else { throw ValidationError("--iterations must be at least 10.") }
    }

    func run() async throws {
        let text = try Output.readText(options.responseFile).trimmingCharacters(in: .whitespacesAndNewlines)
        let (verifier, _, now) = try options.prepare(text: text)
        let samlResponse = text.hasPrefix("<") ? Data(text.utf8).base64EncodedString() : text
        guard let requestID = options.requestID else {
            Output.error("saml bench login: --request-id is required (the façade only finishes logins it started)")
            throw ExitCode(2)
        }
        var policy = verifier.policy
        policy.detectReplay = false
        let facade: SAMLServiceProvider
        let trackers = TrackerPool()
        let state: String
        do {
            facade = try SAMLServiceProvider(configuration: .init(
                acsURL: verifier.serviceProvider.acsURL, entityID: verifier.serviceProvider.entityID,
                identityProviders: [.init(verifier.identityProvider)], policy: policy,
                stateSecrets: [try StateSecret(bytes: Array(repeating: 7, count: 32))]),
                requestTracker: trackers, replayStore: InMemoryReplayStore())
            state = try await facade.resumableState(requestID: requestID, idp: verifier.identityProvider.entityID, now: now)
            trackers.refill(1)
            _ = try await facade.finishLogin(samlResponse: samlResponse, relayState: nil, browserState: state, now: now)
            _ = try verifier.verifyWithoutReplayCheck(samlResponse: samlResponse, inResponseTo: requestID, now: now)
        } catch let error as SAMLError {
            print(Output.json(RejectionJSON(error)))
            throw ExitCode(1)
        }
        var bare = 0.0, full = 0.0
        let rounds = 10
        let perRound = iterations / rounds
        for _ in 0..<rounds {
            var start = BenchCommand.processCPUTime()
            for _ in 0..<perRound {
                _ = try verifier.verifyWithoutReplayCheck(samlResponse: samlResponse, inResponseTo: requestID, now: now)
            }
            bare += BenchCommand.processCPUTime() - start
            trackers.refill(perRound)
            start = BenchCommand.processCPUTime()
            for _ in 0..<perRound {
                _ = try await facade.finishLogin(samlResponse: samlResponse, relayState: nil, browserState: state, now: now)
            }
            full += BenchCommand.processCPUTime() - start
        }
        let total = Double(perRound * rounds)
        print("input: base64, \(samlResponse.utf8.count) bytes")
        print("bare verify: \(String(format: "%.1f", bare * 1e6 / total)) us/op cpu")
        print("finishLogin: \(String(format: "%.1f", full * 1e6 / total)) us/op cpu")
        print("overhead: \(String(format: "%.3f", full / bare))")
    }
}

/// A request tracker for the benchmark: each `consume` records into the next of a set of fresh
/// in-memory trackers made beforehand, so one recorded response can finish its login again.
private final class TrackerPool: RequestTracker, @unchecked Sendable {
    private let lock = NSLock()
    private var trackers: [InMemoryRequestTracker] = []

    /// Makes `count` fresh trackers, outside the timed loop.
    func refill(_ count: Int) {
        let fresh = (0..<count).map { _ in InMemoryRequestTracker() }
        lock.withLock { trackers = fresh.reversed() }
    }

    func consume(_ id: String, expiresAt: Date, now: Date) async throws -> Bool {
        guard let tracker = lock.withLock({ trackers.popLast() }) else {
            throw SAMLError(.stateStoreUnavailable, "The benchmark ran out of fresh request trackers.")
        }
        return try await tracker.consume(id, expiresAt: expiresAt, now: now)
    }
}
