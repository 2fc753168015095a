// Response verification, from the bytes an attacker posts to the ACS.
//
// Input: a SAMLResponse as raw XML or as the base64 form value. Oracle beyond crashes: the IdP key,
// SP key and clock are fixed, and every accepted input must yield exactly one of the identities
// the committed signed fixtures carry (NameID, attributes, assertion ID, issuer, session). Any
// other accepted identity is a signature bypass and stops the run.
import Foundation
import SAML
@_spi(Tools) import SAMLVerification

private let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func fixture(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: root.appendingPathComponent("Fixtures/generated/\(path)").path) else {
        fatalError("missing fixture \(path)")
    }
    return [UInt8](data)
}

private let requestID = "_req-7c1f2c5e9b0a4d6e8f10"
private let now = ISO8601DateFormatter().date(from: "2026-01-15T10:01:00Z")!

private struct Identity: Hashable {
    let nameID: String
    let format: String?
    let attributes: String
    let assertionID: String
    let issuer: String
    let sessionIndex: String?

    init(_ a: VerifiedAssertion) {
        nameID = a.nameID.value
        format = a.nameID.format?.rawValue
        attributes = String(describing: a.attributes)
        assertionID = a.assertionID
        issuer = a.issuer
        sessionIndex = a.sessionIndex
    }
}

private let verifier: ResponseVerifier = {
    do {
        let idp = try IdentityProvider(metadata: fixture("idp-metadata.xml"))
        let key = try SAMLPrivateKey(pem: String(decoding: fixture("keys/sp-rsa.key.pem"), as: UTF8.self))
        let sp = ServiceProvider(entityID: "https://sp.example.com/saml/acs", acsURL: "https://sp.example.com/saml/acs", decryptionKeys: [key])
        return ResponseVerifier(serviceProvider: sp, identityProvider: idp, policy: VerificationPolicy(detectReplay: false))
    } catch {
        fatalError("fuzz set-up: \(error)")
    }
}()

/// The identities of the signed fixtures: the only ones an accepted input may produce.
private let signedIdentities: Set<Identity> = {
    let names = ["responses/assertion-signed.xml", "responses/both-signed.xml", "responses/response-signed.xml",
                 "responses/assertion-signed-ec256.xml", "responses/assertion-signed-next-key.xml",
                 "responses/encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml"]
    var set: Set<Identity> = []
    for name in names {
        do {
            set.insert(Identity(try verifier.verifyWithoutReplayCheck(responseXML: fixture(name), inResponseTo: requestID, now: now)))
        } catch {
            fatalError("fixture \(name) does not verify: \(error)")
        }
    }
    return set
}()

private func check(_ outcome: () throws -> VerifiedAssertion) {
    do {
        let identity = Identity(try outcome())
        if !signedIdentities.contains(identity) {
            fatalError("accepted an identity no signed fixture carries: \(identity)")
        }
    } catch is SAMLError {
        // refused: fine
    } catch {
        fatalError("an error other than SAMLError: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVerify(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = signedIdentities
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    check { try verifier.verifyWithoutReplayCheck(responseXML: bytes, inResponseTo: requestID, now: now) }
    if bytes.first != UInt8(ascii: "<") {
        let text = String(decoding: bytes, as: UTF8.self)
        check { try verifier.verifyWithoutReplayCheck(samlResponse: text, inResponseTo: requestID, now: now) }
    }
    return 0
}

// SwiftPM links an executable's entry point as `FuzzVerify_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzVerify_main")
public func fuzzVerifyMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzzVerify)
}
