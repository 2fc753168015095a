import ArgumentParser
import Dispatch
import Foundation
import SAML
@_spi(Tools) import SAMLVerification

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure how fast this machine verifies responses.",
        subcommands: [BenchVerifyCommand.self]
    )
}

struct BenchVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Run the full verification of one response N times (replay check off) and print the rate.",
        discussion: "Takes exactly the options and argument of `saml verify`. The response must be accepted first: a benchmark of rejections measures nothing. The last line is `verify: <ops/s> ops/s <us/op> us/op`."
    )

    @Option(help: "How many verifications in total.")
    var iterations: Int = 10_000

    @Option(help: "How many threads share the iterations.")
    var threads: Int = 1

    @OptionGroup var options: VerifyOptions

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive.") }
        guard threads > 0 && threads <= 256 else { throw ValidationError("--threads must be between 1 and 256.") }
    }

    func run() async throws {
        let (verifier, response, now) = try options.prepare()
        let requestID = options.requestID
        do {
            _ = try verifier.verifyWithoutReplayCheck(samlResponse: response, inResponseTo: requestID, now: now)
        } catch let error as SAMLError {
            print(Output.json(RejectionJSON(error)))
            throw ExitCode(1)
        }
        let threads = self.threads
        let perThread = (iterations + threads - 1) / threads
        let total = perThread * threads
        let failures = Counter()
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var failed = 0
            for _ in 0..<perThread {
                do {
                    _ = try verifier.verifyWithoutReplayCheck(samlResponse: response, inResponseTo: requestID, now: now)
                } catch {
                    failed += 1
                }
            }
            failures.add(failed)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard failures.value == 0 else {
            Output.error("saml bench: \(failures.value) of \(total) verifications failed")
            throw ExitCode(1)
        }
        let opsPerSecond = Double(total) / seconds
        let microsPerOp = seconds * 1e6 / Double(total) * Double(threads)
        print("iterations: \(total) threads: \(threads) seconds: \(String(format: "%.3f", seconds))")
        print("verify: \(String(format: "%.0f", opsPerSecond)) ops/s \(String(format: "%.1f", microsPerOp)) us/op")
    }
}

/// A thread-safe failure count.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
