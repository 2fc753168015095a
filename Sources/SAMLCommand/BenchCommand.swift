import ArgumentParser
import Dispatch
import Foundation
import SAML
@_spi(Tools) import SAMLVerification
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure how fast this machine verifies responses and signs requests.",
        subcommands: [BenchVerifyCommand.self, BenchAuthnRequestCommand.self, BenchLoginCommand.self]
    )

    /// CPU time this process has used so far (all threads), in seconds.
    static func processCPUTime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Runs `body` `iterations` times split over `threads` threads; returns the wall and CPU
    /// seconds taken and how many calls threw.
    static func measure(iterations: Int, threads: Int, _ body: @escaping @Sendable () throws -> Void) -> (total: Int, seconds: Double, cpuSeconds: Double, failures: Int) {
        let perThread = (iterations + threads - 1) / threads
        let failures = Counter()
        let cpuStart = processCPUTime()
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var failed = 0
            for _ in 0..<perThread {
                do { try body() } catch { failed += 1 }
            }
            failures.add(failed)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (perThread * threads, seconds, processCPUTime() - cpuStart, failures.value)
    }

    /// Measures `body` (see ``measure(iterations:threads:_:)``) and prints the result lines; exits 1
    /// when any call threw (`what` names the calls in the message).
    static func run(_ label: String, what: String, iterations: Int, threads: Int, _ body: @escaping @Sendable () throws -> Void) throws {
        let run = measure(iterations: iterations, threads: threads, body)
        guard run.failures == 0 else {
            Output.error("saml bench: \(run.failures) of \(run.total) \(what) failed")
            throw ExitCode(1)
        }
        report(label, total: run.total, threads: threads, seconds: run.seconds, cpuSeconds: run.cpuSeconds)
    }

    /// Prints the result lines; `label` starts the last one. `cpu:` is the process CPU time
    /// (all threads) per operation, which other processes on a loaded machine disturb less
    /// than wall time.
    static func report(_ label: String, total: Int, threads: Int, seconds: Double, cpuSeconds: Double) {
        let opsPerSecond = Double(total) / seconds
        let microsPerOp = seconds * 1e6 / Double(total) * Double(threads)
        print("iterations: \(total) threads: \(threads) seconds: \(String(format: "%.3f", seconds))")
        print("cpu: \(String(format: "%.1f", cpuSeconds * 1e6 / Double(total))) us/op")
        print("\(label): \(String(format: "%.0f", opsPerSecond)) ops/s \(String(format: "%.1f", microsPerOp)) us/op")
    }
}

struct BenchVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Run the full verification of one response N times (replay check off) and print the rate.",
        discussion: """
        Takes exactly the options and argument of `saml verify`. The input is timed in the form it is given: \
        raw XML (starts with `<`), a URL-encoded form body (contains `SAMLResponse=`; each iteration reads the \
        body, then decodes and verifies), or the base64 form value (each iteration decodes and verifies). \
        `--input` insists on one form. The response must be accepted, unless `--expect-rejection CODE` times \
        rejections instead (each iteration must fail with that code: for timing attack and denial-of-service \
        inputs). The last line is `verify: <ops/s> ops/s <us/op> us/op`.
        """
    )

    /// The forms a response can be given in.
    enum InputForm: String, ExpressibleByArgument, CaseIterable {
        case auto, xml, base64, form
    }

    @Option(help: "How many verifications in total.")
    var iterations: Int = 10_000

    @Option(help: "How many threads share the iterations.")
    var threads: Int = 1

    @Option(help: "The form of the input: auto (default), xml, base64 or form (a URL-encoded body).")
    var input: InputForm = .auto

    @Option(name: .customLong("expect-rejection"), help: "Time rejections: every iteration must fail with this error code (e.g. decryptionFailed).")
    var expectRejection: String?

    @OptionGroup var options: VerifyOptions

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive.") }
        if let code = expectRejection, code.isEmpty || !code.allSatisfy({ $0.isLetter || $0.isNumber }) {
            throw ValidationError("--expect-rejection takes an error code such as decryptionFailed.")
        }
        guard threads > 0 && threads <= 256 else { throw ValidationError("--threads must be between 1 and 256.") }
    }

    func run() async throws {
        // Surrounding whitespace is dropped as a file or paste adds it; a posted body has none.
        let text = try Output.readText(options.responseFile).trimmingCharacters(in: .whitespacesAndNewlines)
        let (verifier, _, now) = try options.prepare(text: text)
        let requestID = options.requestID
        var form = input
        if form == .auto {
            form = text.hasPrefix("<") ? .xml : text.contains("SAMLResponse=") ? .form : .base64
        }
        var once: @Sendable () throws -> Void
        switch form {
        case .xml:
            let bytes = Array(text.utf8)
            once = { _ = try verifier.verifyWithoutReplayCheck(responseXML: bytes, inResponseTo: requestID, now: now) }
        case .form:
            once = {
                guard let value = try SAMLFormBody(text).samlResponse else {
                    throw SAMLError(.invalidMessage, "The form body has no SAMLResponse field.")
                }
                _ = try verifier.verifyWithoutReplayCheck(samlResponse: value, inResponseTo: requestID, now: now)
            }
        case .base64, .auto:
            once = { _ = try verifier.verifyWithoutReplayCheck(samlResponse: text, inResponseTo: requestID, now: now) }
        }
        if let expected = expectRejection {
            let accept = once
            once = {
                do { try accept() } catch let error as SAMLError where error.code.rawValue == expected { return }
                throw SAMLError(.invalidMessage, "The input was not refused with \(expected).")
            }
        }
        do {
            try once()
        } catch let error as SAMLError {
            print(Output.json(RejectionJSON(error)))
            throw ExitCode(1)
        }
        print("input: \(form.rawValue), \(text.utf8.count) bytes")
        try BenchCommand.run("verify", what: "verifications", iterations: iterations, threads: threads, once)
    }
}

struct BenchAuthnRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authn-request",
        abstract: "Build and sign an AuthnRequest N times and print the rate.",
        discussion: """
        redirect: build, DEFLATE, base64, URL-encode and sign the query string (RSA-SHA256 with an RSA key). \
        post: build, sign enveloped (exclusive c14n, SHA-256), serialize, base64 and make the HTML form. \
        With --template FILE, one signed request's XML is written there with its DigestValue, SignatureValue and \
        X509Certificate emptied (an xmlsec signing template for a peer). The last line is `sign: <ops/s> ops/s <us/op> us/op`.
        """
    )

    @Option(name: .customLong("idp-metadata"), help: "The IdP metadata file.")
    var idpMetadata: String

    @Option(name: .customLong("sp-entity-id"), help: "This SP's entity ID (the request's Issuer).")
    var spEntityID: String

    @Option(name: .customLong("acs-url"), help: "This SP's Assertion Consumer Service URL.")
    var acsURL: String

    @Option(help: "redirect (default) or post.")
    var binding: String = "redirect"

    @Option(name: .customLong("relay-state"), help: "RelayState to send along.")
    var relayState: String?

    @Option(name: .customLong("sign-key"), help: "PEM private key to sign with.")
    var signKey: String

    @Option(name: .customLong("sign-cert"), help: "PEM certificate of the signing key.")
    var signCert: String

    @Option(help: "Write the signed XML of one request, DigestValue, SignatureValue and X509Certificate emptied, to this file.")
    var template: String?

    @Option(help: "How many requests in total.")
    var iterations: Int = 10_000

    @Option(help: "How many threads share the iterations.")
    var threads: Int = 1

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive.") }
        guard threads > 0 && threads <= 256 else { throw ValidationError("--threads must be between 1 and 256.") }
        guard binding == "redirect" || binding == "post" else { throw ValidationError("--binding must be redirect or post.") }
    }

    func run() throws {
        let builder: AuthnRequest
        do {
            let idp = try IdentityProvider(metadata: try Output.read(idpMetadata))
            let key = try SAMLKeyPair(privateKeyPEM: try Output.readText(signKey), certificatePEM: try Output.readText(signCert))
            let sp = ServiceProvider(entityID: spEntityID, acsURL: acsURL, signingKey: key)
            builder = AuthnRequest(serviceProvider: sp, identityProvider: idp, options: AuthnRequestOptions(relayState: relayState))
        } catch let error as SAMLError {
            Output.error("saml bench: \(error)")
            throw ExitCode(2)
        }
        let post = binding == "post"
        let once: @Sendable () throws -> Void
        if post {
            once = { _ = try builder.post(to: nil, now: Date()) }
        } else {
            once = { _ = try builder.redirect(to: nil, now: Date()) }
        }
        do {
            try once()
            if let template {
                let xml = try builder.post().xml
                let emptied = xml
                    .replacingOccurrences(of: #"<ds:DigestValue>[^<]*</ds:DigestValue>"#, with: "<ds:DigestValue></ds:DigestValue>", options: .regularExpression)
                    .replacingOccurrences(of: #"<ds:SignatureValue>[^<]*</ds:SignatureValue>"#, with: "<ds:SignatureValue></ds:SignatureValue>", options: .regularExpression)
                    .replacingOccurrences(of: #"<ds:X509Certificate>[^<]*</ds:X509Certificate>"#, with: "<ds:X509Certificate></ds:X509Certificate>", options: .regularExpression)
                guard emptied != xml else {
                    Output.error("saml bench: the signed request has no ds:DigestValue/ds:SignatureValue to empty")
                    throw ExitCode(1)
                }
                try Data(emptied.utf8).write(to: URL(fileURLWithPath: template))
            }
        } catch let error as SAMLError {
            Output.error("saml bench: \(error)")
            throw ExitCode(1)
        }
        print("binding: \(binding)")
        try BenchCommand.run("sign", what: "requests", iterations: iterations, threads: threads, once)
    }
}

/// A thread-safe failure count.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
