import Foundation
import SAML
import Testing
import SAMLTestSupport

/// `--allow-http`, `--now`, `--max-bytes` and the output format mean the same in every subcommand that
/// takes them: each test runs one flag through every such subcommand on the same input.
@Suite("CLI: one meaning per flag in every subcommand")
struct CLIFlagTests {
    static let metadata = "Fixtures/generated/idp-metadata.xml"
    static let signing = ["--sign-key", "Fixtures/generated/keys/sp-rsa.key.pem", "--sign-cert", "Fixtures/generated/keys/sp-rsa.cert.pem"]
    static let now = "2026-01-15T10:01:00Z"

    /// Each subcommand that reads IdP metadata, run on `metadata`.
    static func commands(metadata: String) -> [(name: String, arguments: [String])] {
        [
            ("verify", ["verify", "--idp-metadata", metadata, "--sp-entity-id", Generated.acs, "--acs-url", Generated.acs,
                        "--request-id", Generated.requestID, "Fixtures/generated/responses/assertion-signed.xml"]),
            ("authn-request", ["authn-request", "--idp-metadata", metadata, "--acs-url", Generated.acs] + signing),
            ("logout-request", ["logout-request", "--idp-metadata", metadata, "--sp-entity-id", Generated.acs,
                                "--name-id", "alice@example.com"] + signing),
            ("verify-logout", ["verify-logout", "--idp-metadata", metadata, "--sp-entity-id", Generated.acs,
                               "--slo-url", "https://sp.example.com/saml/slo", "SAMLRequest=bm90IGEgbWVzc2FnZQ%3D%3D"]),
            ("metadata", ["metadata", metadata]),
        ]
    }

    /// The generated IdP metadata with every SSO and SLO location moved to `base`, and an optional root `validUntil`.
    static func metadata(locationsOn base: String? = nil, validUntil: String? = nil) throws -> String {
        var text = try Fixtures.text("generated/idp-metadata.xml")
        if let base {
            for host in ["https://idp.example.org", "https://idp-eu.example.org"] {
                text = text.replacingOccurrences(of: "Location=\"\(host)/", with: "Location=\"\(base)/")
            }
        }
        if let validUntil {
            text = text.replacingOccurrences(of: "entityID=\"\(Generated.idpEntityID)\"",
                                             with: "entityID=\"\(Generated.idpEntityID)\" validUntil=\"\(validUntil)\"")
        }
        return try CLI.temporaryFile(text, name: "idp.xml")
    }

    @Test("--allow-http: http: on loopback needs no flag, http: elsewhere is refused without it, in every subcommand")
    func allowHTTP() throws {
        for base in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"] {
            let loopback = try Self.metadata(locationsOn: base)
            for (name, arguments) in Self.commands(metadata: loopback) {
                let run = try CLI.run(arguments + ["--now", Self.now])
                #expect(!run.stderr.contains("unsafeEndpoint"), "\(name) on \(base): \(run.summary)")
            }
        }
        let remote = try Self.metadata(locationsOn: "http://idp.example.org")
        for (name, arguments) in Self.commands(metadata: remote) {
            let refused = try CLI.run(arguments + ["--now", Self.now])
            #expect(refused.status != 0, "\(name): \(refused.summary)")
            #expect(refused.stderr.contains("unsafeEndpoint") && refused.stderr.contains("--allow-http"), "\(name): \(refused.summary)")
            let allowed = try CLI.run(arguments + ["--now", Self.now, "--allow-http"])
            #expect(!allowed.stderr.contains("unsafeEndpoint"), "\(name): \(allowed.summary)")
        }
    }

    @Test("--allow-http: an http: metadata URL off loopback is refused before any connection, in every subcommand")
    func allowHTTPForURLs() throws {
        for (name, arguments) in Self.commands(metadata: "http://192.0.2.1:9/idp.xml") where name != "metadata" {
            let refused = try CLI.run(arguments)
            #expect(refused.status == 2, "\(name): \(refused.summary)")
            #expect(refused.stderr.contains("pass --allow-http"), "\(name): \(refused.summary)")
        }
    }

    @Test("--now: the one instant for the message and the metadata's validUntil, in every subcommand")
    func now() throws {
        // Valid on the day the generated response was issued; long expired by the clock.
        let dated = try Self.metadata(validUntil: "2026-02-01T00:00:00Z")
        for (name, arguments) in Self.commands(metadata: dated) {
            let byClock = try CLI.run(arguments)
            #expect(byClock.stderr.contains("metadataExpired"), "\(name): \(byClock.summary)")
            let then = try CLI.run(arguments + ["--now", Self.now])
            #expect(!then.stderr.contains("metadataExpired"), "\(name): \(then.summary)")
            if name != "verify-logout" { #expect(then.status == 0, "\(name): \(then.summary)") }
        }
        // doctor reports it as a finding, judged at the same instant
        for (instant, severity) in [(Self.now, "ok"), ("2026-02-02T00:00:00Z", "error")] {
            let doctor = try CLI.run(["doctor", "--idp-metadata", dated, "--acs-url", Generated.acs, "--now", instant] + Self.signing)
            #expect(try CLIToolTests.findings(doctor)["idp.metadata.validUntil"] == severity, "\(instant): \(doctor.summary)")
        }
        // the request is issued at --now too
        let request = try CLI.run(["authn-request", "--binding", "post", "--idp-metadata", Self.metadata, "--acs-url", Generated.acs,
                                   "--now", Self.now] + Self.signing)
        let value = try #require(try request.json()["base64"] as? String, "\(request.summary)")
        let xml = String(decoding: try #require(Data(base64Encoded: value)), as: UTF8.self)
        #expect(xml.contains("IssueInstant=\"\(Self.now)\""), "\(xml)")
    }

    @Test("--max-bytes: one bound for files, standard input and URLs, in every subcommand; the default is the one --help names")
    func maxBytes() throws {
        let small = ["--max-bytes", "100"]
        var runs = Self.commands(metadata: Self.metadata).map { ($0.name, $0.arguments + small) }
        runs.append(("doctor", ["doctor", "--idp-metadata", Self.metadata, "--acs-url", Generated.acs] + small))
        runs.append(("decode", ["decode", "Fixtures/generated/responses/assertion-signed.xml"] + small))
        for (name, arguments) in runs {
            let run = try CLI.run(arguments)
            #expect(run.status == 2, "\(name): \(run.summary)")
            #expect(run.stderr.contains("holds more than 100 bytes (--max-bytes)"), "\(name): \(run.summary)")
            let help = try CLI.run([name, "--help"])
            // ArgumentParser states the default once; the help's lines are joined, as it wraps them
            let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(words.contains("in bytes. (default: 104857600)"), "\(name): \(help.summary)")
        }
        let stdin = try CLI.run(["metadata", "--max-bytes", "100", "-"], stdin: Data(try Fixtures.bytes("generated/idp-metadata.xml")))
        #expect(stdin.status == 2 && stdin.stderr.contains("standard input holds more than 100 bytes"), "\(stdin.summary)")

        // Without the flag, a file over the old 16 MiB bound is read (a large aggregate's size), by every subcommand.
        var text = try Fixtures.text("generated/idp-metadata.xml")
        let padding = String(repeating: "<!--" + String(repeating: "x", count: 1 << 20) + "-->\n", count: 17)
        text = text.replacingOccurrences(of: "<md:IDPSSODescriptor", with: padding + "<md:IDPSSODescriptor")
        let large = try CLI.temporaryFile(text, name: "large.xml")
        for (name, arguments) in Self.commands(metadata: large) where name != "verify-logout" {
            let run = try CLI.run(arguments + ["--now", Self.now])
            #expect(run.status == 0, "\(name): \(run.summary)")
        }
    }

    @Test("Output: JSON when standard output is not a terminal, in every reporting subcommand, and every --help says so")
    func outputFormat() throws {
        for (name, arguments) in Self.commands(metadata: Self.metadata) where name != "verify-logout" {
            let run = try CLI.run(arguments + ["--now", Self.now])
            #expect(run.status == 0, "\(name): \(run.summary)")
            #expect((try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) is [String: Any], "\(name): \(run.summary)")
            let text = try CLI.run(arguments + ["--now", Self.now, "--format", "text"])
            #expect((try? JSONSerialization.jsonObject(with: Data(text.stdout.utf8))) == nil, "\(name): \(text.summary)")
        }
        for name in ["verify", "authn-request", "logout-request", "verify-logout", "metadata", "doctor", "decode"] {
            let help = try CLI.run([name, "--help"])
            let flat = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flat.contains("JSON when it is not (a pipe, a file, URL=$(saml …))"), "\(name): \(help.summary)")
        }
    }
}
