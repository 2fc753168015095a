// Single logout, from the bytes an IdP (or anyone) sends to the SP's logout URL.
//
// Input: one byte choosing the entry (its value modulo 4), then the message.
//   0  LogoutVerifier.verifyLogoutRequest(redirectQuery:)          the rest is the query string
//   1  LogoutVerifier.verifyLogoutRequest(samlRequest:relayState:)  the rest is the XML; base64 here
//   2  LogoutVerifier.verifyLogoutResponse(redirectQuery:...)       the rest is the query string
//   3  LogoutVerifier.verifyLogoutResponse(samlResponse:...)        the rest is the XML; base64 here
// The POST entries take raw XML so the fuzzer mutates XML, not base64.
//
// The IdP (Fixtures/generated/idp-metadata.xml), the SP, the clock and the expected request ID are
// fixed, and each input gets a fresh replay store, so inputs are independent. Oracle beyond
// crashes: every refusal is a SAMLError, and every accepted message is exactly one of the signed
// seeds (`Corpus/logout/signed-*`, verified at start-up): any other accepted ID, NameID,
// SessionIndex, InResponseTo or status is a signature bypass and stops the run.
//
// `FUZZ_LOGOUT_WRITE_CORPUS=1 scripts/fuzz.sh logout 0` rewrites Corpus/logout instead of fuzzing
// (and empties the scratch corpus, Fuzz/.build-corpus/logout).
import Dispatch
import Foundation
import SAML
import SAMLTesting

private let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let corpusDirectory = root.appendingPathComponent("Fuzz/Corpus/logout")

private func fixture(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: root.appendingPathComponent("Fixtures/generated/\(path)").path) else {
        fatalError("missing fixture \(path)")
    }
    return [UInt8](data)
}

private let spEntityID = "https://sp.example.com/saml/acs"
private let spLogoutURL = "https://sp.example.com/saml/slo"
private let idpLogoutURL = "https://idp.example.org/slo"
/// The LogoutRequest this SP sent, which the LogoutResponses answer.
private let expectedRequestID = "_sp-logout-4b7e0c92d1a6f35e8c20"
/// The RelayState form field sent along with the POST entries.
private let postRelayState = "/after-logout"
private let now = ISO8601DateFormatter().date(from: "2026-01-15T10:01:00Z")!

private let verifier: LogoutVerifier = {
    do {
        let idp = try IdentityProvider(metadata: fixture("idp-metadata.xml"))
        let sp = ServiceProvider(entityID: spEntityID, acsURL: spEntityID)
        return LogoutVerifier(serviceProvider: sp, singleLogoutURL: spLogoutURL, identityProvider: idp, policy: .default,
                              replayStore: InMemoryReplayStore())
    } catch {
        fatalError("fuzz set-up: \(error)")
    }
}()

/// What an accepted input yielded.
private enum Accepted: Hashable {
    case request(VerifiedLogoutRequest)
    case response(VerifiedLogoutResponse)
}

private final class ResultBox: @unchecked Sendable {
    var result: Result<Accepted, any Error>?
}

/// Runs an async verification to completion on the calling (libFuzzer) thread.
private func blocking(_ body: @escaping @Sendable () async throws -> Accepted) -> Result<Accepted, any Error> {
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return box.result!
}

/// Verifies one input by the entry its first byte chooses; nil for the empty input.
private func verify(_ input: [UInt8]) -> Result<Accepted, any Error>? {
    guard let first = input.first else { return nil }
    let payload = input.dropFirst()
    var logout = verifier
    logout.replayStore = InMemoryReplayStore()
    let checker = logout
    switch first % 4 {
    case 0:
        let query = String(decoding: payload, as: UTF8.self)
        return blocking { .request(try await checker.verifyLogoutRequest(redirectQuery: query, now: now)) }
    case 1:
        let value = Data(payload).base64EncodedString()
        return blocking { .request(try await checker.verifyLogoutRequest(samlRequest: value, relayState: postRelayState, now: now)) }
    case 2:
        let query = String(decoding: payload, as: UTF8.self)
        return Result { .response(try checker.verifyLogoutResponse(redirectQuery: query, expectedRequestID: expectedRequestID, now: now)) }
    default:
        let value = Data(payload).base64EncodedString()
        return Result {
            .response(try checker.verifyLogoutResponse(samlResponse: value, relayState: postRelayState,
                                                       expectedRequestID: expectedRequestID, now: now))
        }
    }
}

private func seeds(named prefix: String) -> [(name: String, bytes: [UInt8])] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path)) ?? []
    return names.filter { $0.hasPrefix(prefix) }.sorted().map { name in
        guard let data = FileManager.default.contents(atPath: corpusDirectory.appendingPathComponent(name).path) else {
            fatalError("cannot read seed \(name)")
        }
        return (name, [UInt8](data))
    }
}

/// What the signed seeds yield: the only results an accepted input may have.
private let signedMessages: Set<Accepted> = {
    var set: Set<Accepted> = []
    var entries: Set<UInt8> = []
    for seed in seeds(named: "signed-") {
        switch verify(seed.bytes) {
        case .success(let accepted)?:
            set.insert(accepted)
            entries.insert(seed.bytes[0] % 4)
        case .failure(let error)?:
            fatalError("seed \(seed.name) does not verify: \(error)")
        case nil:
            fatalError("seed \(seed.name) is empty")
        }
    }
    guard entries == [0, 1, 2, 3] else {
        fatalError("Corpus/logout must hold a signed seed for each entry; found entries \(entries.sorted())")
    }
    return set
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogout(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = signedMessages
    switch verify([UInt8](UnsafeBufferPointer(start: data, count: size))) {
    case .success(let accepted)?:
        if !signedMessages.contains(accepted) {
            fatalError("accepted a logout message the IdP did not sign: \(accepted)")
        }
    case .failure(let error)?:
        if !(error is SAMLError) { fatalError("an error other than SAMLError: \(error)") }
    case nil:
        break
    }
    return 0
}

// MARK: Corpus

/// Raw DEFLATE (one block with the fixed Huffman codes) of `prefix` followed by `repeats` × 258
/// more copies of its last byte: a small input that inflates far beyond the XML limit.
private func deflateBomb(prefix: [UInt8], repeats: Int) -> [UInt8] {
    var out: [UInt8] = []
    var bitBuffer: UInt32 = 0
    var bitCount = 0
    func bits(_ value: UInt32, _ count: Int) {  // least significant bit first
        bitBuffer |= value << bitCount
        bitCount += count
        while bitCount >= 8 {
            out.append(UInt8(bitBuffer & 0xFF))
            bitBuffer >>= 8
            bitCount -= 8
        }
    }
    func huffman(_ code: UInt32, _ length: Int) {  // Huffman codes go most significant bit first
        for shift in stride(from: length - 1, through: 0, by: -1) { bits((code >> UInt32(shift)) & 1, 1) }
    }
    func literal(_ byte: UInt8) {
        if byte < 144 { huffman(0x30 + UInt32(byte), 8) } else { huffman(0x190 + UInt32(byte) - 144, 9) }
    }
    bits(1, 1)  // BFINAL
    bits(1, 2)  // BTYPE = fixed Huffman
    prefix.forEach(literal)
    for _ in 0..<repeats {
        huffman(0xC5, 8)  // length code 285: 258 bytes
        huffman(0, 5)  // distance code 0: distance 1
    }
    huffman(0, 7)  // end of block
    if bitCount > 0 { bits(0, 8 - bitCount) }
    return out
}

private func queryPart(_ url: String) -> String {
    guard let mark = url.firstIndex(of: "?") else { return url }
    return String(url[url.index(after: mark)...])
}

private func formValue(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"))!
}

/// The XML inside a POST form value.
private func decoded(_ base64: String) -> String {
    guard let data = Data(base64Encoded: base64) else { fatalError("the issued form value is not base64") }
    return String(decoding: data, as: UTF8.self)
}

/// The text of the first `<ds:Signature>...</ds:Signature>` element of `xml`.
private func signatureElement(_ xml: String) -> Range<String.Index> {
    guard let start = xml.range(of: "<ds:Signature"), let end = xml.range(of: "</ds:Signature>", range: start.upperBound..<xml.endIndex) else {
        fatalError("the issued message has no ds:Signature element")
    }
    return start.lowerBound..<end.upperBound
}

private func withoutDeclaration(_ xml: String) -> String {
    guard xml.hasPrefix("<?xml"), let end = xml.range(of: "?>") else { return xml }
    return String(xml[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Issues the seeds with the test IdP (fixture key `idp-rsa`, the fixed clock) and writes them
/// to Corpus/logout, replacing the old ones; prints what the target makes of each. Empties the
/// scratch corpus too: inputs accepted there carry the old IDs and would now stop the run.
private func writeCorpus() throws {
    let text = { (path: String) in String(decoding: fixture(path), as: UTF8.self) }
    let metadata = try IdentityProvider(metadata: fixture("idp-metadata.xml"))
    let key = try SAMLKeyPair(privateKeyPEM: text("keys/idp-rsa.key.pem"), certificatePEM: text("keys/idp-rsa.cert.pem"))
    var idp = TestIdentityProvider(entityID: metadata.entityID, singleSignOnURL: "https://idp.example.org/sso", signingKey: key,
                                   serviceProviders: [.init(ServiceProvider(entityID: spEntityID, acsURL: spEntityID),
                                                            singleLogoutURL: spLogoutURL)])
    idp.singleLogoutURL = idpLogoutURL

    // LogoutResponses answer a request of this SP with a fixed ID: the builder the test IdP answers
    // with, in the same roles (the IdP sends, the SP receives), signed with the same key.
    let idpAsSender = ServiceProvider(entityID: idp.entityID, acsURL: idpLogoutURL, signingKey: key)
    var spAsReceiver = IdentityProvider(entityID: spEntityID, singleSignOnURL: nil, certificates: [])
    spAsReceiver.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: spLogoutURL),
                                         Endpoint(binding: .httpPost, location: spLogoutURL)]
    func answer(_ outcome: LogoutResponse.Outcome, inResponseTo: String = expectedRequestID, relayState: String? = nil) -> LogoutResponse {
        LogoutResponse(serviceProvider: idpAsSender, identityProvider: spAsReceiver, inResponseTo: inResponseTo,
                       outcome: outcome, relayState: relayState)
    }

    var files: [(String, String)] = []
    func add(_ name: String, _ entry: Character, _ payload: String) { files.append((name, String(entry) + payload)) }

    // Signed, accepted: every entry, with and without session indexes and RelayState.
    let requestRedirect = try idp.issueLogoutRequest(for: .alice, serviceProviderEntityID: spEntityID, sessionIndexes: ["_session-5f2a9c"],
                                                     binding: .httpRedirect, relayState: "/after-logout", now: now)
    let requestQuery = queryPart(requestRedirect.url!)
    add("signed-request-redirect.txt", "0", requestQuery)
    let bare = try idp.issueLogoutRequest(for: .bob, serviceProviderEntityID: spEntityID, binding: .httpRedirect, now: now)
    add("signed-request-redirect-all-sessions.txt", "0", queryPart(bare.url!))
    let requestPost = try idp.issueLogoutRequest(for: .chloe, serviceProviderEntityID: spEntityID,
                                                 sessionIndexes: ["_session-1", "_session-2"], binding: .httpPost, now: now)
    let requestXML = decoded(requestPost.samlValue!)
    add("signed-request-post.xml", "1", requestXML)
    add("signed-response-redirect.txt", "2", try answer(.success, relayState: "/after-logout").redirect(now: now).query)
    add("signed-response-redirect-partial.txt", "2", try answer(.partialLogout).redirect(now: now).query)
    let responsePost = try answer(.success).post(now: now)
    add("signed-response-post.xml", "3", decoded(responsePost.base64))

    // Signed but refused: a failure status, an answer to another request.
    add("refused-response-post-requester.xml", "3", decoded(try answer(.requesterError).post(now: now).base64))
    add("refused-response-redirect-other-request.txt", "2", try answer(.success, inResponseTo: "_another-request").redirect(now: now).query)

    // Attack shapes.
    let unsignedQuery = requestQuery.split(separator: "&").filter { !$0.hasPrefix("SigAlg=") && !$0.hasPrefix("Signature=") }.joined(separator: "&")
    add("attack-request-redirect-unsigned.txt", "0", unsignedQuery)
    let signature = signatureElement(requestXML)
    var unsigned = requestXML
    unsigned.removeSubrange(signature)
    add("attack-request-post-unsigned.xml", "1", unsigned)
    var unsignedResponse = decoded(responsePost.base64)
    unsignedResponse.removeSubrange(signatureElement(unsignedResponse))
    add("attack-response-post-unsigned.xml", "3", unsignedResponse)
    add("attack-request-post-other-id.xml", "1",
        requestXML.replacingOccurrences(of: "ID=\"\(requestPost.id)\"", with: "ID=\"_forged-7f00a1\""))
    let wrapped = """
        <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
        ID="_wrapper-0c4d" Version="2.0" IssueInstant="2026-01-15T10:01:00Z" Destination="\(spLogoutURL)">\
        <saml:Issuer>\(idp.entityID)</saml:Issuer>\(requestXML[signature])<samlp:Extensions>\(withoutDeclaration(requestXML))</samlp:Extensions>\
        <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">mallory@example.com</saml:NameID>\
        <samlp:SessionIndex>_session-1</samlp:SessionIndex></samlp:LogoutRequest>
        """
    add("attack-request-post-wrapped.xml", "1", wrapped)
    add("attack-request-post-doctype.xml", "1",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE samlp:LogoutRequest [<!ENTITY who \"chloe@example.com\">]>\n"
            + withoutDeclaration(requestXML).replacingOccurrences(of: "chloe@example.com", with: "&who;"))
    let bomb = deflateBomb(prefix: Array("<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ".utf8),
                           repeats: (2 << 20) / 258)
    let signedTail = requestQuery.split(separator: "&").filter { $0.hasPrefix("SigAlg=") || $0.hasPrefix("Signature=") }.joined(separator: "&")
    add("attack-request-redirect-deflate-bomb.txt", "0", "SAMLRequest=" + formValue(Data(bomb).base64EncodedString()) + "&" + signedTail)

    let fileManager = FileManager.default
    try fileManager.createDirectory(at: corpusDirectory, withIntermediateDirectories: true)
    for old in try fileManager.contentsOfDirectory(atPath: corpusDirectory.path) {
        try fileManager.removeItem(at: corpusDirectory.appendingPathComponent(old))
    }
    let scratch = root.appendingPathComponent("Fuzz/.build-corpus/logout")
    if fileManager.fileExists(atPath: scratch.path) { try fileManager.removeItem(at: scratch) }
    for (name, content) in files {
        try Data(content.utf8).write(to: corpusDirectory.appendingPathComponent(name))
        let outcome: String
        switch verify(Array(content.utf8)) {
        case .success(let accepted)?: outcome = "accepted \(accepted)"
        case .failure(let error as SAMLError)?: outcome = "refused: \(error)"
        case .failure(let error)?: outcome = "FAILED: \(error)"
        case nil: outcome = "empty"
        }
        print("\(name) (\(content.utf8.count) bytes): \(outcome)")
    }
}

// SwiftPM links an executable's entry point as `FuzzLogout_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzLogout_main")
public func fuzzLogoutMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    if ProcessInfo.processInfo.environment["FUZZ_LOGOUT_WRITE_CORPUS"] == "1" {
        do {
            try writeCorpus()
            return 0
        } catch {
            print("writing the corpus failed: \(error)")
            return 1
        }
    }
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzzLogout)
}
