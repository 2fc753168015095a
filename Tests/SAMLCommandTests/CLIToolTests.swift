import Foundation
import SAML
import SAMLCore
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// `saml decode`, `saml doctor`, output modes, exit codes and `--version`, on fixtures and on
/// messages made by `saml authn-request` itself.
@Suite("CLI: decode, doctor, output modes and exit codes")
struct CLIToolTests {
    static let aws = CLITests.aws
    static let generatedIdP = CLI.idpMetadata
    static let signed = CLI.signed
    static let spKey = "Fixtures/generated/keys/sp-rsa.key.pem"
    static let spCert = "Fixtures/generated/keys/sp-rsa.cert.pem"
    static let passphrase = "correct horse battery staple"

    static func findings(_ result: CLI.Result) throws -> [String: String] {
        let list = try #require(try result.json()["findings"] as? [[String: Any]])
        var map: [String: String] = [:]
        for f in list {
            let check = try #require(f["check"] as? String)
            let severity = try #require(f["severity"] as? String)
            // the worst severity per check
            let order = ["ok": 0, "info": 1, "warning": 2, "error": 3]
            if (order[severity] ?? 0) >= (order[map[check] ?? "ok"] ?? 0) { map[check] = severity }
        }
        return map
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    // MARK: - decode

    @Test("decode: a recorded signed response file, JSON (stdout is not a terminal)")
    func decodeGeneratedResponse() throws {
        let result = try CLI.run(["decode", Self.signed])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        #expect(json["verified"] as? Bool == false)
        #expect(json["messageType"] as? String == "Response")
        #expect(json["id"] as? String == Generated.responseID)
        #expect(json["inResponseTo"] as? String == Generated.requestID)
        #expect(json["issuer"] as? String == Generated.idpEntityID)
        #expect(json["destination"] as? String == Generated.acs)
        #expect((json["transport"] as? [String: Any])?["encoding"] as? String == "XML")
        let assertions = try #require(json["assertions"] as? [[String: Any]])
        #expect(assertions.count == 1)
        #expect((assertions[0]["nameID"] as? [String: Any])?["value"] as? String == "alice@example.com")
        #expect((assertions[0]["attributes"] as? [Any])?.count == 7)
        #expect(assertions[0]["audiences"] as? [String] == [Generated.acs])
        let signatures = try #require(json["signatures"] as? [[String: Any]])
        #expect(signatures.count == 1)
        #expect(signatures[0]["parentElement"] as? String == "Assertion")
        #expect(signatures[0]["parentID"] as? String == Generated.assertionID)
        #expect(signatures[0]["referencesParent"] as? Bool == true)
        #expect(signatures[0]["signatureMethod"] as? String == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        let certificates = try #require(signatures[0]["certificates"] as? [[String: Any]])
        #expect(certificates.first?["sha256Fingerprint"] as? String == (try Generated.certificate("idp-rsa")).sha256Fingerprint)
        let times = try #require(json["times"] as? [[String: Any]])
        #expect(times.contains { $0["label"] as? String == "IssueInstant" && $0["at"] as? String == "2026-01-15T10:00:00Z" })
        let xml = try #require(json["xml"] as? String)
        #expect(xml.contains("\n  <saml:Issuer>https://idp.example.org/metadata</saml:Issuer>"), "the XML is re-indented")
    }

    @Test("decode: recorded IdP responses in base64 (ADFS, Google, Okta encrypted, OneLogin RSA-SHA1)", arguments: [
        ("adfs_assertion-signed.b64", "http://fs.spstest2.com/adfs/services/trust", "paul@spstest2.com", 0, "Assertion"),
        ("google-workspace_response-signed.b64", "https://accounts.google.com/o/saml2?idpid=C02dfl1r1", "ross@octolabs.io", 0, "Response"),
        ("okta_response-signed_assertion-encrypted.b64", "http://www.okta.com/exkppsa1qwuFV4D7z0h7", nil, 1, "Response"),
        ("onelogin_response.b64", "https://app.onelogin.com/saml/metadata/503983", "ross@kndr.org", 0, "Response"),
    ] as [(String, String, String?, Int, String)])
    func decodeRecorded(file: String, issuer: String, nameID: String?, encrypted: Int, signedElement: String) throws {
        let result = try CLI.run(["decode", "--json", "Fixtures/reference/responses/" + file])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        #expect((json["transport"] as? [String: Any])?["encoding"] as? String == "base64")
        #expect(json["issuer"] as? String == issuer)
        #expect(json["encryptedAssertions"] as? Int == encrypted)
        let assertions = try #require(json["assertions"] as? [[String: Any]])
        #expect(assertions.first.flatMap { ($0["nameID"] as? [String: Any])?["value"] as? String } == nameID)
        let signatures = try #require(json["signatures"] as? [[String: Any]])
        #expect(signatures.first?["parentElement"] as? String == signedElement)
        if file.hasPrefix("onelogin") {
            #expect(signatures.first?["signatureMethod"] as? String == "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
        }
    }

    @Test("decode: our own signed HTTP-Redirect URL — inflated, RelayState, SigAlg, Signature present")
    func decodeOwnRedirectURL() throws {
        let made = try CLI.run(["authn-request", "--json", "--relay-state", "/after"] + CLI.base + CLI.signing)
        #expect(made.status == 0, "\(made.summary)")
        let request = try made.json()
        let url = try #require(request["url"] as? String)
        let id = try #require(request["id"] as? String)

        let result = try CLI.run(["decode", url])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        let transport = try #require(json["transport"] as? [String: Any])
        #expect(transport["encoding"] as? String == "HTTP-Redirect")
        #expect(transport["parameter"] as? String == "SAMLRequest")
        #expect(transport["relayState"] as? String == "/after")
        #expect(transport["sigAlg"] as? String == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        #expect(transport["hasQuerySignature"] as? Bool == true)
        #expect(json["messageType"] as? String == "AuthnRequest")
        #expect(json["id"] as? String == id)
        #expect(json["issuer"] as? String == Generated.acs)
        #expect((json["request"] as? [String: Any])?["assertionConsumerServiceURL"] as? String == Generated.acs)

        // the query string alone, on standard input, in text mode
        let query = String(url[url.index(after: try #require(url.firstIndex(of: "?")))...])
        let text = try CLI.run(["decode", "--format", "text", "-"], stdin: Data(query.utf8))
        #expect(text.status == 0, "\(text.summary)")
        #expect(text.stdout.hasPrefix("UNVERIFIED"))
        #expect(text.stdout.contains("Carried as   HTTP-Redirect (SAMLRequest)"), "\(text.stdout)")
        #expect(text.stdout.contains("RelayState   /after"))
        #expect(text.stdout.contains("SigAlg       rsa-sha256"))
        #expect(text.stdout.contains("Signature    present in the query string (not checked)"))
        #expect(text.stdout.contains("ID           \(id)"))
        #expect(text.stdout.contains("<samlp:AuthnRequest "))
        #expect(!text.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
    }

    @Test("decode: a POST body with SAMLResponse and RelayState")
    func decodePostBody() throws {
        let base64 = Data(try Fixtures.bytes("generated/responses/assertion-signed.xml")).base64EncodedString()
        let body = "SAMLResponse=\(Self.percentEncoded(base64))&RelayState=%2Fhome+page"
        let result = try CLI.run(["decode", "-"], stdin: Data(body.utf8))
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        let transport = try #require(json["transport"] as? [String: Any])
        #expect(transport["encoding"] as? String == "HTTP-POST")
        #expect(transport["parameter"] as? String == "SAMLResponse")
        #expect(transport["relayState"] as? String == "/home page")
        #expect(json["id"] as? String == Generated.responseID)
    }

    @Test("decode: text mode marks everything UNVERIFIED and shows signatures with certificates")
    func decodeText() throws {
        let result = try CLI.run(["decode", Self.signed], environment: ["SAML_FORMAT": "text"])
        #expect(result.status == 0, "\(result.summary)")
        let out = result.stdout
        #expect(out.hasPrefix("UNVERIFIED — decoded only; no signature has been checked"))
        #expect(out.contains("Message       Response (urn:oasis:names:tc:SAML:2.0:protocol)"))
        #expect(out.contains("Status        ✓ Success"))
        #expect(out.contains("  NameID        alice@example.com (emailAddress)"))
        #expect(out.contains("Signatures (present, not verified)"))
        #expect(out.contains("rsa-sha256, digest sha256; covers its Assertion"))
        #expect(out.contains("SHA-256 \((try Generated.certificate("idp-rsa")).sha256Fingerprint)"))
        #expect(out.contains("2026-01-15T10:05:00Z ("), "times relative to now")
        #expect(out.contains("--- XML, re-indented for reading"))
        let summary = try CLI.run(["decode", "--no-xml", "--format", "text", Self.signed])
        #expect(!summary.stdout.contains("<samlp:Response"))
    }

    @Test("decode: truncated base64 is refused with a clear message (exit 1)")
    func decodeTruncated() throws {
        let base64 = Data(try Fixtures.bytes("generated/responses/assertion-signed.xml")).base64EncodedString()
        let cut = String(base64.dropLast(3))
        let result = try CLI.run(["decode", "--json", "-"], stdin: Data(cut.utf8))
        #expect(result.status == 1, "\(result.summary)")
        let json = try result.json()
        #expect(json["error"] as? String == "invalidEncoding")
        #expect((json["message"] as? String)?.contains("looks truncated") == true, "\(json)")

        // cut on a 4-character boundary: valid base64 of half a document
        let half = String(base64.prefix(base64.count / 8 * 4))
        let malformed = try CLI.run(["decode", "--json", "-"], stdin: Data(half.utf8))
        #expect(malformed.status == 1, "\(malformed.summary)")
        #expect(try malformed.json()["error"] as? String == "malformedXML")

        let text = try CLI.run(["decode", "--format", "text", "-"], stdin: Data(cut.utf8))
        #expect(text.status == 1)
        #expect(text.stdout.contains("✗ saml decode: invalidEncoding:"))
    }

    @Test("decode: a DEFLATE bomb in a Redirect URL is refused with bounded output")
    func decodeDeflateBomb() throws {
        // 64 MiB of "<" deflates to about 64 KB; the inspector stops inflating at 1 MiB
        let bomb = try Deflate.compress([UInt8](repeating: UInt8(ascii: "<"), count: 64 << 20))
        #expect(bomb.count < 200_000)
        let url = "https://idp.example.org/sso/redirect?SAMLRequest=\(Self.percentEncoded(Base64.encode(bomb)))&RelayState=x"
        let file = try CLI.temporaryFile(url, name: "bomb.txt")
        let result = try CLI.run(["decode", "--json", file])
        #expect(result.status == 1, "\(result.summary)")
        let json = try result.json()
        #expect(json["error"] as? String == "tooLarge")
        let message = try #require(json["message"] as? String)
        #expect(message.contains("inflates to more than 1048576 bytes"), "\(message)")
        #expect(message.contains("DEFLATE bomb"))
        #expect(result.stdout.utf8.count < 2000, "the output stays small")
    }

    @Test("decode: a DOCTYPE is refused, inline or base64 (exit 1)")
    func decodeDoctype() throws {
        let xml = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&x;</samlp:Response>"
        let inline = try CLI.run(["decode", "--json", xml])
        #expect(inline.status == 1, "\(inline.summary)")
        #expect(try inline.json()["error"] as? String == "doctypeForbidden")
        let encoded = try CLI.run(["decode", "--json", "-"], stdin: Data(Data(xml.utf8).base64EncodedString().utf8))
        #expect(encoded.status == 1, "\(encoded.summary)")
        #expect(try encoded.json()["error"] as? String == "doctypeForbidden")
        #expect(!encoded.stdout.contains("root:"), "no entity was expanded")
    }

    @Test("decode: usage errors and unreadable input exit 2; a URL without a SAML parameter exits 1")
    func decodeExitCodes() throws {
        let missing = try CLI.run(["decode", "no-such-file.xml"])
        #expect(missing.status == 2, "\(missing.summary)")
        #expect(missing.stderr.contains("neither a file nor a SAML message"))
        let badFormat = try CLI.run(["decode", "--format", "yaml", Self.signed])
        #expect(badFormat.status == 2, "\(badFormat.summary)")
        let noParameter = try CLI.run(["decode", "--json", "https://idp.example.org/sso?foo=bar"])
        #expect(noParameter.status == 1, "\(noParameter.summary)")
        #expect(try noParameter.json()["error"] as? String == "invalidMessage")
    }

    @Test("decode: IdP metadata shows its entity, roles and certificates")
    func decodeMetadata() throws {
        let result = try CLI.run(["decode", "--json", "--no-xml", Self.aws])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        #expect(json["messageType"] as? String == "EntityDescriptor")
        #expect(json["xml"] == nil)
        let entities = try #require(json["entities"] as? [[String: Any]])
        #expect(entities.count == 1)
        let roles = try #require(entities[0]["roles"] as? [[String: Any]])
        #expect(roles.first?["kind"] as? String == "IDPSSODescriptor")
        let keys = try #require(roles.first?["keys"] as? [[String: Any]])
        #expect((keys.first?["certificate"] as? [String: Any])?["sha256Fingerprint"] as? String == "c4944e400e77f3117625cd23823fbc5658893a70a924ccfc28dce804a882b03b")
    }

    // MARK: - demo

    @Test("demo: runs on the embedded data with the one demo SP key: a signed request, verified and decrypted responses, every attack refused")
    func demo() throws {
        let result = try CLI.run(["demo"])
        #expect(result.status == 0, "\(result.summary)")
        #expect(result.stdout.contains("4. Encrypted assertion (AES-256-GCM, RSA-OAEP), decrypted with the SP key and verified"), "\(result.stdout)")
        #expect(result.stdout.contains("NameID    alice@example.com, assertion signed: true"))
        #expect(!result.stdout.contains("ACCEPTED"))
        #expect(result.stdout.components(separatedBy: "   ✓ ").count - 1 == 7, "seven attacks, each refused")
    }

    // MARK: - doctor

    @Test("doctor: AWS IAM Identity Center metadata with an https ACS is clean (exit 0)")
    func doctorClean() throws {
        let result = try CLI.run(["doctor", "--idp-metadata", Self.aws, "--acs-url", Generated.acs, "--now", "2026-01-15T10:01:00Z"])
        #expect(result.status == 0, "\(result.summary)")
        let json = try result.json()
        #expect(json["ok"] as? Bool == true)
        #expect(json["sp"] as? String == Generated.acs, "the entity ID defaults to the ACS URL")
        let findings = try Self.findings(result)
        #expect(findings["idp.certificate.signing"] == "ok")
        #expect(findings["sp.acs.https"] == "ok")
        #expect(findings["sp.entityID"] == "info")
        #expect(!findings.values.contains("warning") && !findings.values.contains("error"))

        let text = try CLI.run(["doctor", "--format", "text", "--idp-metadata", Self.aws, "--acs-url", Generated.acs, "--now", "2026-01-15T10:01:00Z"])
        #expect(text.status == 0, "\(text.summary)")
        #expect(text.stdout.contains("  ✓ idp.certificate.signing  IdP signing certificate C=US,O=Amazon,OU=IDAS,CN=amazonaws.com"), "\(text.stdout)")
        #expect(text.stdout.hasSuffix("✓ No problems found.\n"))
    }

    @Test("doctor: certificates expiring within 30 days, then expired", arguments: [
        ("2028-12-20T00:00:00Z", "warning", "expires 2029-01-03T14:27:25Z (in 14 days)"),
        ("2029-02-01T00:00:00Z", "error", "expired 2029-01-03T14:27:25Z (28 days ago)"),
    ])
    func doctorExpiry(now: String, severity: String, text: String) throws {
        let result = try CLI.run(["doctor", "--idp-metadata", Self.aws, "--acs-url", Generated.acs, "--now", now])
        #expect(result.status == 1, "\(result.summary)")
        #expect(try Self.findings(result)["idp.certificate.signing"] == severity)
        #expect(result.stdout.contains(text), "\(result.stdout)")
    }

    @Test("doctor: recorded IdP metadata with known problems", arguments: [
        ("google-workspace_C02dfl1r1.xml", "idp.metadata.validUntil", "error"),
        ("onelogin_app-503983.xml", "idp.sha1", "warning"),
        ("adfs-2016_fs.msidlab11.com_signed.xml", "idp.certificate.signing", "error"),
        ("sambi-test-federation_aggregate_signed.xml", "idp.metadata", "error"),
    ])
    func doctorRecorded(file: String, check: String, severity: String) throws {
        let result = try CLI.run(["doctor", "--idp-metadata", "Fixtures/reference/idp-metadata/" + file, "--acs-url", Generated.acs,
                                  "--now", "2026-01-15T10:01:00Z"])
        #expect(result.status == 1, "\(result.summary)")
        #expect(try Self.findings(result)[check] == severity, "\(result.stdout)")
        let list = try #require(try result.json()["findings"] as? [[String: Any]])
        let finding = try #require(list.first { $0["check"] as? String == check && $0["severity"] as? String == severity })
        #expect((finding["fix"] as? String)?.isEmpty == false, "every problem comes with a fix")
    }

    @Test("doctor: an IdP listing only SHA-1 signing methods")
    func doctorSHA1SigningMethods() throws {
        let original = try Fixtures.text("reference/idp-metadata/aws-iam-identity-center_us-east-1.xml")
        let opening = "<md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
        #expect(original.contains(opening))
        let sha1Only = original.replacingOccurrences(of: opening, with: opening
            + "<md:Extensions><alg:SigningMethod xmlns:alg=\"urn:oasis:names:tc:SAML:metadata:algsupport\" Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\"/></md:Extensions>")
        let result = try CLI.run(["doctor", "--idp-metadata", try CLI.temporaryFile(sha1Only), "--acs-url", Generated.acs, "--now", "2026-01-15T10:01:00Z"])
        #expect(result.status == 1, "\(result.summary)")
        #expect(try Self.findings(result)["idp.sha1"] == "warning")
        #expect(result.stdout.contains("only SHA-1 signing methods (rsa-sha1)"))
    }

    @Test("doctor: signed requests wanted without a key; plain-http ACS; key and certificate not matching")
    func doctorSPProblems() throws {
        let noKey = try CLI.run(["doctor", "--idp-metadata", Self.generatedIdP, "--acs-url", "http://sp.example.com/saml/acs"])
        #expect(noKey.status == 1, "\(noKey.summary)")
        let findings = try Self.findings(noKey)
        #expect(findings["idp.wantsSignedRequests"] == "error")
        #expect(findings["sp.acs.https"] == "error")

        let local = try CLI.run(["doctor", "--idp-metadata", Self.aws, "--acs-url", "http://localhost:8080/saml/acs"])
        #expect(try Self.findings(local)["sp.acs.https"] == "warning")

        let mismatch = try CLI.run(["doctor", "--idp-metadata", Self.generatedIdP, "--acs-url", Generated.acs,
                                    "--sign-key", Self.spKey, "--sign-cert", "Fixtures/generated/keys/sp-rsa-next.cert.pem"])
        #expect(mismatch.status == 1, "\(mismatch.summary)")
        #expect(try Self.findings(mismatch)["sp.signingKey"] == "error")
        #expect(mismatch.stdout.contains("does not belong"))

        let good = try CLI.run(["doctor", "--idp-metadata", Self.generatedIdP, "--acs-url", Generated.acs, "--sign-key", Self.spKey, "--sign-cert", Self.spCert])
        #expect(good.status == 0, "\(good.summary)")
        #expect(try Self.findings(good)["idp.wantsSignedRequests"] == "ok")
    }

    @Test("doctor: entity ID and ACS URL compared with the SP metadata")
    func doctorSPMetadata() throws {
        let made = try CLI.run(["sp-metadata", "--sp-entity-id", "https://sp.example.com/saml/metadata", "--acs-url", Generated.acs,
                                "--sign-cert", Self.spCert, "--encrypt-cert", Self.spCert])
        #expect(made.status == 0, "\(made.summary)")
        let spMetadata = try CLI.temporaryFile(made.stdout, name: "sp.xml")
        let common = ["doctor", "--idp-metadata", Self.generatedIdP, "--sign-key", Self.spKey, "--sign-cert", Self.spCert, "--sp-metadata", spMetadata]

        let matching = try CLI.run(common + ["--sp-entity-id", "https://sp.example.com/saml/metadata", "--acs-url", Generated.acs, "--sp-key", Self.spKey])
        #expect(matching.status == 0, "\(matching.summary)")
        let ok = try Self.findings(matching)
        #expect(ok["sp.metadata.entityID"] == "ok")
        #expect(ok["sp.metadata.acs"] == "ok")
        #expect(ok["sp.metadata.encryption"] == "ok")

        let wrong = try CLI.run(common + ["--acs-url", "https://sp.example.com/other/acs"])
        #expect(wrong.status == 1, "\(wrong.summary)")
        let bad = try Self.findings(wrong)
        #expect(bad["sp.metadata.entityID"] == "error", "the entity ID defaults to the ACS URL, which the metadata does not use")
        #expect(bad["sp.metadata.acs"] == "error")
        #expect(bad["sp.metadata.encryption"] == "warning", "an encryption certificate is published and no --sp-key given")

        let otherKey = try CLI.run(common + ["--sp-entity-id", "https://sp.example.com/saml/metadata", "--acs-url", Generated.acs,
                                             "--sp-key", "Fixtures/generated/keys/sp-rsa-next.key.pem"])
        #expect(try Self.findings(otherKey)["sp.metadata.encryption"] == "error")
    }

    @Test("doctor --directory: every entry of a directory export checked by the same rules, each finding naming its entry")
    func doctorDirectory() throws {
        var aws = IdentityProviderRecord(id: "aws", name: "AWS", metadataXML: try Fixtures.text("reference/idp-metadata/aws-iam-identity-center_us-east-1.xml"))
        aws.metadataStatus = MetadataRefreshStatus(state: "failed", lastErrorCode: "metadataUnavailable", lastError: "connection refused")
        let google = IdentityProviderRecord(id: "google", name: "Google", metadataXML: try Fixtures.text("reference/idp-metadata/google-workspace_C02dfl1r1.xml"))
        let records = try [aws, google].map { try JSONSerialization.jsonObject(with: $0.storedJSON()) }
        let export = try CLI.temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: ["version": 1, "identity_providers": records]), as: UTF8.self),
                                           name: "export.json")
        let result = try CLI.run(["doctor", "--directory", export, "--json", "--now", "2026-01-15T10:01:00Z"])
        #expect(result.status == 1, "\(result.summary)")
        let json = try result.json()
        #expect(json["entries"] as? [String] == ["aws", "google"])
        let findings = try #require(json["findings"] as? [[String: Any]])
        func has(_ subject: String, _ check: String, _ severity: String) -> Bool {
            findings.contains { $0["subject"] as? String == subject && $0["check"] as? String == check && $0["severity"] as? String == severity }
        }
        #expect(has("aws", "idp.certificate.signing", "ok"))
        #expect(has("aws", "idp.metadata.refresh", "error"))
        #expect(has("google", "idp.settings", "error"), "expired metadata no longer loads: \(findings)")

        let text = try CLI.run(["doctor", "--directory", export, "--format", "text", "--now", "2026-01-15T10:01:00Z"])
        #expect(text.stdout.contains("aws idp.metadata.refresh"), "\(text.stdout)")
        let notExport = try CLI.run(["doctor", "--directory", Self.aws])
        #expect(notExport.status == 2, "\(notExport.summary)")
        #expect(notExport.stderr.contains("not a directory export"), "\(notExport.stderr)")
    }

    @Test("doctor: unreadable metadata exits 2; a bad --acs-url is a usage error")
    func doctorUsage() throws {
        let missing = try CLI.run(["doctor", "--idp-metadata", "Fixtures/nothing.xml", "--acs-url", Generated.acs])
        #expect(missing.status == 2, "\(missing.summary)")
        #expect(missing.stderr.contains("cannot read Fixtures/nothing.xml"))
        let notURL = try CLI.run(["doctor", "--idp-metadata", Self.aws, "--acs-url", "notaurl"])
        #expect(notURL.status == 2, "\(notURL.summary)")
        #expect(notURL.stderr.contains("--acs-url must be an absolute http(s) URL"))
    }

    // MARK: - passphrases, defaults, URL checks

    @Test("encrypted keys: --sign-key-passphrase-file and --sp-key-passphrase-file")
    func passphraseFiles() throws {
        let encrypted = "Fixtures/generated/keys/sp-rsa.encrypted.key.pem"
        let right = try CLI.temporaryFile(Self.passphrase + "\n", name: "passphrase")
        let wrong = try CLI.temporaryFile("tr0ub4dor\n", name: "passphrase")

        let signed = try CLI.run(["authn-request", "--json"] + CLI.base + ["--sign-key", encrypted, "--sign-cert", Self.spCert, "--sign-key-passphrase-file", right])
        #expect(signed.status == 0, "\(signed.summary)")
        #expect((try signed.json()["url"] as? String)?.contains("&Signature=") == true)
        let refused = try CLI.run(["authn-request", "--json"] + CLI.base + ["--sign-key", encrypted, "--sign-cert", Self.spCert, "--sign-key-passphrase-file", wrong])
        #expect(refused.status == 2, "\(refused.summary)")
        #expect(refused.stderr.contains("wrong passphrase"))
        let none = try CLI.run(["authn-request", "--json"] + CLI.base + ["--sign-key", encrypted, "--sign-cert", Self.spCert])
        #expect(none.status == 2, "\(none.summary)")
        #expect(none.stderr.contains("supply its passphrase"))

        let file = "Fixtures/generated/responses/encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml"
        let decrypted = try CLI.run(["verify"] + CLI.verifyOptions + ["--sp-key", encrypted, "--sp-key-passphrase-file", right, file])
        #expect(decrypted.status == 0, "\(decrypted.summary)")
        #expect(try decrypted.json()["encrypted"] as? Bool == true)
        let orphan = try CLI.run(["verify"] + CLI.verifyOptions + ["--sp-key-passphrase-file", right, file])
        #expect(orphan.status == 2, "\(orphan.summary)")
    }

    @Test("every subcommand: --sp-entity-id defaults to the ACS URL; --acs-url must be a URL")
    func spEntityIDAndURLs() throws {
        let verify = try CLI.run(["verify", "--idp-metadata", Self.generatedIdP, "--acs-url", Generated.acs,
                                  "--request-id", Generated.requestID, "--now", "2026-01-15T10:01:00Z", Self.signed])
        #expect(verify.status == 0, "\(verify.summary)")
        let metadata = try CLI.run(["sp-metadata", "--acs-url", Generated.acs])
        #expect(metadata.status == 0, "\(metadata.summary)")
        #expect(metadata.stdout.contains("entityID=\"\(Generated.acs)\""))
        let request = try CLI.run(["authn-request", "--json", "--idp-metadata", Self.aws, "--acs-url", Generated.acs])
        #expect(request.status == 0, "\(request.summary)")

        for command in [["verify", "--idp-metadata", Self.generatedIdP, Self.signed], ["sp-metadata"],
                        ["authn-request", "--idp-metadata", Self.aws], ["doctor", "--idp-metadata", Self.aws]] {
            let result = try CLI.run(command + ["--acs-url", "notaurl"])
            #expect(result.status == 2, "\(command[0]): \(result.summary)")
            #expect(result.stderr.contains("--acs-url must be an absolute http(s) URL"), "\(command[0])")
            #expect(result.stdout.isEmpty)
        }
    }

    // MARK: - output modes

    @Test("output: JSON without a terminal, text with --format text or SAML_FORMAT, --json wins")
    func outputModes() throws {
        let json = try CLI.run(["metadata", Self.aws])
        #expect(try json.json()["entityID"] != nil)
        let text = try CLI.run(["metadata", Self.aws], environment: ["SAML_FORMAT": "text"])
        #expect(text.status == 0, "\(text.summary)")
        #expect(text.stdout.hasPrefix("IdP https://portal.sso.us-east-1.amazonaws.com/saml/assertion/"))
        #expect(text.stdout.contains("  signed requests  not required"), "\(text.stdout)")
        #expect(text.stdout.contains("SHA-256 c4944e400e77f3117625cd23823fbc5658893a70a924ccfc28dce804a882b03b"))
        let forcedJSON = try CLI.run(["metadata", "--json", Self.aws], environment: ["SAML_FORMAT": "text"])
        #expect(try forcedJSON.json()["entityID"] != nil)
        let formatFlag = try CLI.run(["metadata", "--format", "text", Self.aws])
        #expect(formatFlag.stdout == text.stdout)
    }

    @Test("output: colour only when asked, and never with NO_COLOR")
    func colours() throws {
        let arguments = ["doctor", "--format", "text", "--idp-metadata", Self.aws, "--acs-url", Generated.acs, "--now", "2026-01-15T10:01:00Z"]
        let plain = try CLI.run(arguments)
        #expect(!plain.stdout.contains("\u{1B}["))
        let forced = try CLI.run(arguments, environment: ["CLICOLOR_FORCE": "1"])
        #expect(forced.stdout.contains("\u{1B}[32m✓\u{1B}[0m"))
        let noColor = try CLI.run(arguments, environment: ["CLICOLOR_FORCE": "1", "NO_COLOR": "1"])
        #expect(!noColor.stdout.contains("\u{1B}["))
        #expect(noColor.stdout == plain.stdout)
    }

    @Test("verify: text mode for an accepted and a rejected response; exit codes 0 and 1")
    func verifyText() throws {
        let accepted = try CLI.run(["verify", "--format", "text"] + CLI.verifyOptions + [Self.signed])
        #expect(accepted.status == 0, "\(accepted.summary)")
        #expect(accepted.stdout.hasPrefix("✓ Verified: alice@example.com"))
        #expect(accepted.stdout.contains("  issuer          https://idp.example.org/metadata"), "\(accepted.stdout)")
        let tampered = try Generated.response("assertion-signed.xml").replacingOnce("Alice Example", with: "Alice Exampla")
        let rejected = try CLI.run(["verify", "--format", "text"] + CLI.verifyOptions + [try CLI.temporaryFile(tampered)])
        #expect(rejected.status == 1, "\(rejected.summary)")
        #expect(rejected.stdout.hasPrefix("✗ Rejected: signatureInvalid"))
    }

    // MARK: - version and help

    @Test("--version prints the package and the loaded library versions")
    func version() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0, "\(result.summary)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(result.stdout)")
        #expect(lines.first?.wholeMatch(of: #/saml [0-9]+\.[0-9]+\.[0-9]+/#) != nil)
        let versions = SAMLLibraryVersions.loaded
        #expect(lines.contains("libxml2 \(versions.libxml2)"))
        #expect(lines.contains("xmlsec1 \(versions.xmlsec1)"))
        #expect(lines.contains(versions.openSSLText))
        #expect(versions.libxml2.description.wholeMatch(of: #/2\.[0-9]+\.[0-9]+/#) != nil)
        #expect(versions.xmlsec1.description.hasPrefix("1."))
        #expect(versions.openSSLText.hasPrefix("OpenSSL "))
    }

    @Test("help: defaults appear once; the exit statuses are documented", arguments: ["verify", "doctor", "decode", "metadata", "authn-request", "sp-metadata"])
    func help(command: String) throws {
        let result = try CLI.run([command, "--help"])
        #expect(result.status == 0, "\(result.summary)")
        #expect(!result.stdout.contains("(default 90)"))
        #expect(result.stdout.components(separatedBy: "(default: 90)").count <= 2)
        let words = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("2 usage error or unreadable input"), "\(command) help: \(result.stdout)")
    }
}

/// `--idp-metadata URL`, served by a local `python3 -m http.server` (no outside network).
@Suite("CLI: metadata fetched over http")
struct CLIFetchTests {
    @Test("doctor: metadata from an http URL on loopback is read and its transport is fine; a 404 exits 2")
    func doctorOverHTTP() throws {
        // One shell runs the server, waits until it answers, runs saml twice and stops the server,
        // so no server process outlives the test. The server closes the descriptors it inherits
        // (Foundation watches one to see the shell exit) and is stopped with SIGKILL, as the test
        // process may hand down an ignored SIGTERM.
        let port = Int.random(in: 20_000..<60_000)
        let base = "http://127.0.0.1:\(port)"
        let script = """
            python3 -c 'import os, runpy, sys; os.closerange(3, 4096); sys.argv = ["http.server", sys.argv[1], "--bind", "127.0.0.1", "--directory", "Fixtures"]; runpy.run_module("http.server", run_name="__main__")' \(port) >/dev/null 2>&1 &
            server=$!
            trap 'kill -9 $server 2>/dev/null' EXIT
            for i in $(seq 100); do
              "$SAML" doctor --json --idp-metadata \(base)/reference/idp-metadata/aws-iam-identity-center_us-east-1.xml \\
                --acs-url \(Generated.acs) --now 2026-01-15T10:01:00Z > "$OUT/found.json" 2> "$OUT/found.err"
              status=$?
              grep -q "cannot fetch" "$OUT/found.err" || break
              sleep 0.1
            done
            echo "$status" > "$OUT/found.status"
            "$SAML" doctor --json --idp-metadata \(base)/no-such.xml --acs-url \(Generated.acs) > /dev/null 2> "$OUT/missing.err"
            echo $? > "$OUT/missing.status"
            """
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("saml-fetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", script]
        shell.currentDirectoryURL = CLI.repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["SAML"] = try CLI.executable().path
        environment["OUT"] = out.path
        shell.environment = environment
        try shell.run()
        shell.waitUntilExit()
        func read(_ name: String) throws -> String { try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8) }

        let found = CLI.Result(status: Int32(try read("found.status").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1,
                               stdout: try read("found.json"), stderr: try read("found.err"))
        #expect(found.status == 0, "\(found.summary)")
        let findings = try CLIToolTests.findings(found)
        #expect(findings["idp.metadata"] == "ok")
        #expect(findings["idp.certificate.signing"] == "ok")
        #expect(findings["idp.metadata.transport"] == "ok")
        #expect(try read("missing.status").trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        #expect(try read("missing.err").contains("HTTP status 404"))
    }

    @Test("input limits: a directory is unreadable (2); more than --max-bytes on standard input is refused (2)")
    func inputLimits() throws {
        let directory = try CLI.run(["decode", "Fixtures"])
        #expect(directory.status == 2, "\(directory.summary)")
        let huge = try CLI.run(["decode", "--max-bytes", "\(1 << 20)", "-"], stdin: Data(repeating: 0x41, count: (1 << 20) + 10))
        #expect(huge.status == 2, "\(huge.summary)")
        #expect(huge.stderr.contains("more than 1048576 bytes (--max-bytes)"))
    }
}
