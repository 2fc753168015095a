import Foundation
import SAML
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// `saml logout-request`, `saml verify-logout` and `saml sp-metadata --slo-url` on real inputs:
/// messages built by pysaml2 (Debian) through the peer script and by the library with the
/// generated fixture keys.
@Suite("CLI: single logout commands")
struct LogoutCLITests {
    static let idpMetadata = "Fixtures/generated/idp-metadata.xml"
    static let signing = ["--sign-key", "Fixtures/generated/keys/sp-rsa.key.pem", "--sign-cert", "Fixtures/generated/keys/sp-rsa.cert.pem"]
    static let request = ["logout-request", "--idp-metadata", idpMetadata, "--sp-entity-id", Generated.acs,
                          "--name-id", "alice@example.com", "--name-id-format", NameIDFormat.emailAddress.rawValue,
                          "--session-index", "_session-5f2a9c"]
    static let verify = ["verify-logout", "--idp-metadata", idpMetadata, "--sp-entity-id", Generated.acs, "--slo-url", LogoutWorld.spSLO]

    /// The generated IdP metadata with a second, HTTP-POST single logout endpoint.
    static func metadataWithPostLogout() throws -> String {
        let text = try Fixtures.text("generated/idp-metadata.xml")
        let redirect = #"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/slo"/>"#
        #expect(text.contains(redirect))
        let post = #"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.org/slo"/>"#
        return try CLI.temporaryFile(text.replacingOccurrences(of: redirect, with: redirect + "\n    " + post), name: "idp-metadata.xml")
    }

    /// This SP's metadata as `saml sp-metadata --slo-url` prints it, in a file for pysaml2.
    static func spMetadataFile() throws -> String {
        let run = try CLI.run(["sp-metadata", "--acs-url", Generated.acs, "--slo-url", LogoutWorld.spSLO] + signing)
        #expect(run.status == 0, "\(run.summary)")
        return try CLI.temporaryFile(run.stdout, name: "sp-metadata.xml")
    }

    static func json(_ run: CLI.Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(run.status == 0, "\(run.summary)", sourceLocation: sourceLocation)
        return try run.json(sourceLocation: sourceLocation)
    }

    static func refusal(_ run: CLI.Result, _ code: SAMLError.Code, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(run.status == 1, "\(run.summary)", sourceLocation: sourceLocation)
        let json = try run.json(sourceLocation: sourceLocation)
        #expect(json["error"] as? String == code.rawValue, "\(run.summary)", sourceLocation: sourceLocation)
        #expect((json["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    }

    static func query(_ url: String) -> String { LogoutWorld.query(of: url) }

    // MARK: - sp-metadata --slo-url

    @Test("sp-metadata --slo-url lists SingleLogoutService for HTTP-Redirect and HTTP-POST")
    func spMetadataListsLogout() throws {
        let run = try CLI.run(["sp-metadata", "--acs-url", Generated.acs, "--slo-url", LogoutWorld.spSLO] + Self.signing)
        #expect(run.status == 0, "\(run.summary)")
        let document = try XMLDocument.parse(run.stdout)
        let descriptor = try #require(document.root?.child("SPSSODescriptor", "urn:oasis:names:tc:SAML:2.0:metadata"))
        let logout = descriptor.children("SingleLogoutService", "urn:oasis:names:tc:SAML:2.0:metadata")
        #expect(logout.map { $0.attribute("Binding") } == [SAMLBinding.httpRedirect.rawValue, SAMLBinding.httpPost.rawValue])
        #expect(logout.allSatisfy { $0.attribute("Location") == LogoutWorld.spSLO })

        let without = try CLI.run(["sp-metadata", "--acs-url", Generated.acs] + Self.signing)
        #expect(without.status == 0)
        #expect(!without.stdout.contains("SingleLogoutService"))

        let bad = try CLI.run(["sp-metadata", "--acs-url", Generated.acs, "--slo-url", "/relative/slo"])
        #expect(bad.status == 2, "\(bad.summary)")
        #expect(bad.stderr.contains("--slo-url"))
    }

    // MARK: - logout-request

    @Test("logout-request, Redirect: JSON and text; pysaml2 accepts the signed request")
    func logoutRequestRedirect() throws {
        let run = try CLI.run(Self.request + Self.signing + ["--relay-state", "cli-relay", "--json"])
        let json = try Self.json(run)
        let id = try #require(json["id"] as? String)
        let url = try #require(json["url"] as? String)
        #expect(json["binding"] as? String == "redirect")
        #expect(json["destination"] as? String == LogoutWorld.idpSLO)
        #expect(json["relayState"] as? String == "cli-relay")
        #expect(url.hasPrefix(LogoutWorld.idpSLO + "?SAMLRequest="))
        #expect(url.contains("&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature="))

        let metadata = try Self.spMetadataFile()
        let parsed = try LogoutWorld.json(try LogoutWorld.peer(["parse-request", metadata, "redirect", Self.query(url)]))
        #expect(parsed["id"] as? String == id)
        #expect(parsed["issuer"] as? String == Generated.acs)
        #expect(parsed["nameID"] as? String == "alice@example.com")
        #expect(parsed["nameIDFormat"] as? String == NameIDFormat.emailAddress.rawValue)
        #expect(parsed["sessionIndexes"] as? [String] == ["_session-5f2a9c"])
        #expect(parsed["destination"] as? String == LogoutWorld.idpSLO)

        // text: the URL alone on stdout, the ID on stderr
        let text = try CLI.run(Self.request + Self.signing + ["--format", "text"])
        #expect(text.status == 0, "\(text.summary)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix(LogoutWorld.idpSLO + "?SAMLRequest=") == true)
        #expect(text.stderr.hasPrefix("request-id: _"))
    }

    @Test("logout-request, POST: JSON and text; pysaml2 accepts the enveloped signature")
    func logoutRequestPost() throws {
        let metadata = try Self.metadataWithPostLogout()
        var arguments = Self.request + Self.signing + ["--binding", "post"]
        arguments[2] = metadata
        let json = try Self.json(try CLI.run(arguments + ["--json"]))
        let id = try #require(json["id"] as? String)
        let base64 = try #require(json["base64"] as? String)
        #expect(json["binding"] as? String == "post")
        #expect((json["form"] as? String)?.contains(#"action="https://idp.example.org/slo""#) == true)
        let xml = String(decoding: try #require(Data(base64Encoded: base64)), as: UTF8.self)
        #expect(xml.contains("<ds:Signature"))
        #expect(xml.contains(#"Destination="https://idp.example.org/slo""#))

        let spMetadata = try Self.spMetadataFile()
        let parsed = try LogoutWorld.json(try LogoutWorld.peer(["parse-request", spMetadata, "post", base64]))
        #expect(parsed["id"] as? String == id)
        #expect(parsed["sessionIndexes"] as? [String] == ["_session-5f2a9c"])

        let text = try CLI.run(arguments + ["--format", "text"])
        #expect(text.status == 0, "\(text.summary)")
        #expect(text.stdout.contains(#"name="SAMLRequest""#))
        #expect(text.stderr.hasPrefix("request-id: _"))
    }

    @Test("logout-request: usage errors exit 2")
    func logoutRequestUsage() throws {
        let unsigned = try CLI.run(Self.request)
        #expect(unsigned.status == 2, "\(unsigned.summary)")
        #expect(unsigned.stderr.contains("A LogoutRequest must be signed"))
        #expect(unsigned.stdout.isEmpty)

        let noName = try CLI.run(["logout-request", "--idp-metadata", Self.idpMetadata, "--sp-entity-id", Generated.acs] + Self.signing)
        #expect(noName.status == 2, "\(noName.summary)")

        // the generated IdP offers logout by HTTP-Redirect only
        let noPost = try CLI.run(Self.request + Self.signing + ["--binding", "post"])
        #expect(noPost.status == 2, "\(noPost.summary)")
        #expect(noPost.stderr.contains("no single logout endpoint for HTTP-POST"))

        let wrongKey = try CLI.run(Self.request + ["--sign-key", "Fixtures/generated/keys/sp-rsa.key.pem",
                                                   "--sign-cert", "Fixtures/generated/keys/idp-rsa.cert.pem"])
        #expect(wrongKey.status == 2, "\(wrongKey.summary)")

        var missing = Self.request + Self.signing
        missing[2] = "Fixtures/no-such-metadata.xml"
        #expect(try CLI.run(missing).status == 2)
    }

    // MARK: - verify-logout: LogoutRequests

    @Test("verify-logout: the library's LogoutRequest, Redirect URL and query, JSON and text, from an argument and stdin")
    func verifyLibraryRequestRedirect() throws {
        let made = try LogoutWorld.idpLogoutRequest().redirect()
        for message in [made.url, made.query] {
            let json = try Self.json(try CLI.run(Self.verify + [message, "--json"]))
            #expect(json["kind"] as? String == "LogoutRequest")
            #expect(json["id"] as? String == made.id)
            #expect(json["issuer"] as? String == Generated.idpEntityID)
            let nameID = try #require(json["nameID"] as? [String: Any])
            #expect(nameID["value"] as? String == "alice@example.com")
            #expect(nameID["format"] as? String == NameIDFormat.emailAddress.rawValue)
            #expect(json["sessionIndexes"] as? [String] == ["_session-5f2a9c"])
            #expect(json["relayState"] as? String == "idp-relay")
            #expect(json["binding"] as? String == "redirect")
            #expect(json["signed"] as? Bool == true)
        }
        let stdin = try CLI.run(Self.verify + ["-"], stdin: Data((made.url + "\n").utf8))
        #expect(try Self.json(stdin)["id"] as? String == made.id)

        let text = try CLI.run(Self.verify + [made.url], environment: ["SAML_FORMAT": "text"])
        #expect(text.status == 0, "\(text.summary)")
        #expect(text.stdout.contains("Verified LogoutRequest"))
        #expect(text.stdout.contains("alice@example.com"))
        #expect(text.stdout.contains("_session-5f2a9c"))
        #expect(text.stdout.contains("emailAddress"))
    }

    @Test("verify-logout: the library's LogoutRequest by POST, as the form value and as a URL-encoded body")
    func verifyLibraryRequestPost() throws {
        let made = try LogoutWorld.idpLogoutRequest().post()
        let bare = try Self.json(try CLI.run(Self.verify + ["--relay-state", "given", made.base64]))
        #expect(bare["id"] as? String == made.id)
        #expect(bare["binding"] as? String == "post")
        #expect(bare["relayState"] as? String == "given")

        let encoded = made.base64.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let body = "SAMLRequest=\(encoded)&RelayState=idp-relay"
        let json = try Self.json(try CLI.run(Self.verify + [body]))
        #expect(json["id"] as? String == made.id)
        #expect(json["relayState"] as? String == "idp-relay")
        #expect(json["signed"] as? Bool == true)
        #expect(json["binding"] as? String == "post")
    }

    @Test("verify-logout: pysaml2's IdP-initiated LogoutRequests", arguments: ["redirect", "post"])
    func verifyPysaml2Request(_ binding: String) throws {
        let made = try LogoutWorld.json(try LogoutWorld.peer(["make-request", try Self.spMetadataFile(), binding, "_session-5f2a9c"]))
        let id = try #require(made["id"] as? String)
        let message: String
        if binding == "redirect" {
            message = try #require(made["url"] as? String)
        } else {
            let fields = try #require(made["fields"] as? [String: String])
            let value = try #require(fields["SAMLRequest"]).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            message = "SAMLRequest=\(value)&RelayState=\(try #require(fields["RelayState"]))"
        }
        let json = try Self.json(try CLI.run(Self.verify + [message]))
        #expect(json["id"] as? String == id)
        #expect(json["issuer"] as? String == Generated.idpEntityID)
        #expect((json["nameID"] as? [String: Any])?["value"] as? String == "alice@example.com")
        #expect(json["sessionIndexes"] as? [String] == ["_session-5f2a9c"])
        #expect(json["relayState"] as? String == "peer-relay")
        #expect(json["binding"] as? String == binding)
    }

    // MARK: - verify-logout: LogoutResponses

    @Test("verify-logout: pysaml2's LogoutResponses need --request-id", arguments: ["redirect", "post"])
    func verifyPysaml2Response(_ binding: String) throws {
        let metadata = try Self.spMetadataFile()
        for partial in [false, true] {
            let made = try LogoutWorld.json(try LogoutWorld.peer(["make-response", metadata, binding, "_req-cli-1", "relay-1"]
                + (partial ? ["partial"] : [])))
            let message: String
            if binding == "redirect" {
                message = try #require(made["url"] as? String)
            } else {
                let fields = try #require(made["fields"] as? [String: String])
                message = try #require(fields["SAMLResponse"])
            }
            let json = try Self.json(try CLI.run(Self.verify + ["--request-id", "_req-cli-1", "--relay-state", "relay-1", message]))
            #expect(json["kind"] as? String == "LogoutResponse")
            #expect(json["issuer"] as? String == Generated.idpEntityID)
            #expect(json["inResponseTo"] as? String == "_req-cli-1")
            #expect(json["partial"] as? Bool == partial)
            #expect(json["relayState"] as? String == "relay-1")
            #expect(json["binding"] as? String == binding)

            let text = try CLI.run(Self.verify + ["--request-id", "_req-cli-1", message, "--format", "text"])
            #expect(text.status == 0, "\(text.summary)")
            #expect(text.stdout.contains("Verified LogoutResponse"))
            #expect(text.stdout.contains(partial ? "partial logout" : "logged out"))

            // without --request-id: a usage error; with another ID: refused
            let missing = try CLI.run(Self.verify + [message])
            #expect(missing.status == 2, "\(missing.summary)")
            #expect(missing.stderr.contains("--request-id"))
            try Self.refusal(try CLI.run(Self.verify + ["--request-id", "_req-other", message]), .inResponseToMismatch)
        }
    }

    @Test("verify-logout: the library's LogoutResponse, Redirect and POST body")
    func verifyLibraryResponse() throws {
        let builder = LogoutResponse(serviceProvider: try LogoutWorld.idpAsSender(), identityProvider: try LogoutWorld.spAsReceiver(),
                                     inResponseTo: "_req-cli-2", outcome: .partialLogout, relayState: "r2")
        let redirect = try builder.redirect()
        let json = try Self.json(try CLI.run(Self.verify + ["--request-id", "_req-cli-2", redirect.url]))
        #expect(json["id"] as? String == redirect.id)
        #expect(json["partial"] as? Bool == true)
        #expect(json["relayState"] as? String == "r2")

        let post = try builder.post()
        let body = "SAMLResponse=\(post.base64.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&RelayState=r2"
        let fromBody = try Self.json(try CLI.run(Self.verify + ["--request-id", "_req-cli-2", body]))
        #expect(fromBody["id"] as? String == post.id)
        #expect(fromBody["binding"] as? String == "post")
    }

    // MARK: - verify-logout: refusals and usage

    @Test("verify-logout refuses tampered, re-signed-algorithm, misaddressed and stale messages with exit 1")
    func verifyRefusals() throws {
        let made = try LogoutWorld.idpLogoutRequest().redirect()

        // a changed octet of the signed query
        try Self.refusal(try CLI.run(Self.verify + [made.url.replacingOccurrences(of: "RelayState=idp-relay", with: "RelayState=idp-relaz")]),
                         .signatureInvalid)
        // the same query re-encoded (%2F → %2f) is not the octets that were signed
        let reencoded = made.url.replacingOccurrences(of: "%2F", with: "%2f")
        #expect(reencoded != made.url)
        try Self.refusal(try CLI.run(Self.verify + [reencoded]), .signatureInvalid)
        // SigAlg swapped to SHA-1 and to an unknown algorithm
        let sha256 = "SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"
        #expect(made.url.contains(sha256))
        try Self.refusal(try CLI.run(Self.verify + [made.url.replacingOccurrences(of: sha256, with: "SigAlg=http%3A%2F%2Fwww.w3.org%2F2000%2F09%2Fxmldsig%23rsa-sha1")]),
                         .algorithmNotAllowed)
        try Self.refusal(try CLI.run(Self.verify + [made.url.replacingOccurrences(of: sha256, with: "SigAlg=urn%3Aexample%3Anone")]),
                         .algorithmNotAllowed)
        // the signature removed
        let unsigned = String(made.url[..<made.url.range(of: "&SigAlg=")!.lowerBound])
        try Self.refusal(try CLI.run(Self.verify + [unsigned]), .signatureMissing)
        // addressed to another logout URL
        var elsewhere = Self.verify
        elsewhere[6] = "https://other.example.com/slo"
        try Self.refusal(try CLI.run(elsewhere + [made.url]), .destinationMismatch)
        // an hour later
        try Self.refusal(try CLI.run(Self.verify + ["--now", SAMLTime.format(Date().addingTimeInterval(3600)), made.url]), .expired)
        // signed by a key the metadata does not list
        let attacker = try LogoutWorld.idpLogoutRequest(key: "attacker-rsa").redirect()
        try Self.refusal(try CLI.run(Self.verify + [attacker.url]), .signatureInvalid)

        // text output of a refusal
        let text = try CLI.run(Self.verify + [unsigned, "--format", "text"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("Rejected: signatureMissing"))
    }

    @Test("verify-logout: usage errors and unreadable input exit 2")
    func verifyUsage() throws {
        let made = try LogoutWorld.idpLogoutRequest().redirect()
        #expect(try CLI.run(Self.verify + ["not a SAML message"]).status == 2)
        #expect(try CLI.run(Self.verify + ["SAMLRequest=a&SAMLResponse=b"]).status == 2)
        #expect(try CLI.run(Self.verify + ["--now", "yesterday", made.url]).status == 2)
        #expect(try CLI.run(Self.verify).status == 2)
        let noSLO = try CLI.run(["verify-logout", "--idp-metadata", Self.idpMetadata, "--sp-entity-id", Generated.acs, made.url])
        #expect(noSLO.status == 2)
        var missing = Self.verify
        missing[2] = "Fixtures/no-such-metadata.xml"
        #expect(try CLI.run(missing + [made.url]).status == 2)
        let help = try CLI.run(["verify-logout", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Replay detection"))
    }

    @Test("help: both commands are listed and document their exit statuses", arguments: ["logout-request", "verify-logout"])
    func help(_ command: String) throws {
        let help = try CLI.run([command, "--help"])
        #expect(help.status == 0, "\(help.summary)")
        #expect(help.stdout.contains("Exit status: 0 success; 1 the document was refused"))
        #expect(help.stdout.contains("--idp-metadata"))
        let root = try CLI.run(["--help"])
        #expect(root.stdout.contains(command))
    }

    @Test("verify-logout reads a URL-encoded POST body from standard input")
    func verifyPostBodyFromStdin() throws {
        let made = try LogoutWorld.idpLogoutRequest().post()
        let body = "SAMLRequest=\(made.base64.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&RelayState=idp-relay\n"
        let json = try Self.json(try CLI.run(Self.verify + ["-"], stdin: Data(body.utf8)))
        #expect(json["id"] as? String == made.id)
        #expect(json["relayState"] as? String == "idp-relay")
        // the same body with a byte of the signed XML changed is refused
        var xml = made.xml
        xml = xml.replacingOnce("alice@example.com", with: "mallory@example.com")
        let tampered = Data(xml.utf8).base64EncodedString()
        try Self.refusal(try CLI.run(Self.verify + [tampered]), .signatureInvalid)
    }
}
