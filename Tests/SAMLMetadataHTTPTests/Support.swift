#if HTTPMetadata
import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import SAML
import SAMLCore
import SAMLXMLSec
import Testing

/// Paths into the repository's `Fixtures/`.
enum Files {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func text(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent("Fixtures/" + path), encoding: .utf8)
    }
    static func key(_ name: String) throws -> SAMLPrivateKey { try SAMLPrivateKey(pem: text("generated/keys/\(name).key.pem")) }
    static func certificate(_ name: String) throws -> SAMLCertificate { try SAMLCertificate(pem: text("generated/keys/\(name).cert.pem")) }
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)!
    }
    /// The instant the generated responses are valid at (Fixtures/generated/README.md).
    static let now = date("2026-01-15T10:01:00Z")
}

/// A clock the tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date = Files.now) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    var function: @Sendable () -> Date { { self.now } }
}

/// Metadata documents built for the tests and signed in-process with the fixture keys.
enum MetadataBuilder {
    static let md = "urn:oasis:names:tc:SAML:2.0:metadata"

    static func entity(_ entityID: String, certificates: [String] = ["idp-rsa"], sso: String = "https://idp.example.org/sso",
                       validUntil: Date? = nil, cacheDuration: String? = nil, root: Bool = true, id: String = "_md1") throws -> String {
        var keys = ""
        for name in certificates {
            let base64 = Data(try Files.certificate(name).der).base64EncodedString()
            keys += """
            <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>\(base64)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
            """
        }
        let attributes = (root ? " xmlns:md=\"\(md)\" ID=\"\(id)\"" : "")
            + (validUntil.map { " validUntil=\"\(SAMLTime.format($0))\"" } ?? "")
            + (cacheDuration.map { " cacheDuration=\"\($0)\"" } ?? "")
        return """
        <md:EntityDescriptor\(attributes) entityID="\(entityID)"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\(keys)<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="\(sso)"/></md:IDPSSODescriptor></md:EntityDescriptor>
        """
    }

    static func aggregate(_ entities: [String], validUntil: Date?, cacheDuration: String? = nil) -> String {
        "<md:EntitiesDescriptor xmlns:md=\"\(md)\" ID=\"_agg\"" + (validUntil.map { " validUntil=\"\(SAMLTime.format($0))\"" } ?? "")
            + (cacheDuration.map { " cacheDuration=\"\($0)\"" } ?? "") + ">" + entities.joined() + "</md:EntitiesDescriptor>"
    }

    /// Signs the root (enveloped, RSA-SHA256, certificate in KeyInfo) with a fixture key.
    static func signed(_ xml: String, by signer: String = "idp-rsa") throws -> [UInt8] {
        let document = try XMLDocument.parse(xml, limits: XMLLimits(maximumBytes: 100 << 20))
        let root = document.root!
        try root.sign(id: root.attribute("ID")!, after: nil, key: Files.key(signer).handle, algorithm: .rsaSHA256,
                      certificateDER: Files.certificate(signer).der)
        return document.serialized()
    }

    /// The generated unsigned Response with its Assertion signed by `signer`.
    static func response(signedBy signer: String) throws -> [UInt8] {
        let document = try XMLDocument.parse(try Files.text("generated/responses/unsigned.xml"))
        let assertion = document.root!.child("Assertion", NS.assertion)!
        try assertion.sign(id: assertion.attribute("ID")!, after: assertion.child("Issuer", NS.assertion),
                           key: Files.key(signer).handle, algorithm: .rsaSHA256, certificateDER: Files.certificate(signer).der)
        return document.serialized()
    }
}

/// The Python server of `metadata_server.py`, started on a free loopback port for one test.
/// It exits when told to (``stop()``) or when this process ends (its standard input closes).
final class MetadataServer: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server; blocking waits run on a Dispatch queue, not on the test's executor.
    static func start() async throws -> MetadataServer {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try MetadataServer() })
            }
        }
    }

    private init() throws {
        let script = Files.repository.appendingPathComponent("Tests/SAMLMetadataHTTPTests/metadata_server.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line: [UInt8] = []
        while true {
            let byte = try output.fileHandleForReading.read(upToCount: 1) ?? Data()
            guard let first = byte.first else { break }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw SAMLError(.metadataUnavailable, "The test server did not start (python3 \(script)).")
        }
        self.port = port
    }

    /// Stops the server and waits until it has exited (the "server gone" case).
    func stop() async {
        let process = self.process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                // the child may inherit a blocked SIGTERM; SIGKILL always ends it
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
                continuation.resume()
            }
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Sets what `path` answers.
    func set(_ path: String, body: [UInt8] = [], mode: String = "normal", status: Int? = nil, etag: String? = nil,
             lastModified: String? = nil, delay: Double? = nil, location: String? = nil, file: String? = nil, chunk: Int? = nil) async throws {
        var spec: [String: Any] = ["body": Data(body).base64EncodedString(), "mode": mode]
        if let chunk { spec["chunk"] = chunk }
        if let file { spec["file"] = file }
        if let status { spec["status"] = status }
        if let etag { spec["etag"] = etag }
        if let lastModified { spec["last_modified"] = lastModified }
        if let delay { spec["delay"] = delay }
        if let location { spec["location"] = location }
        var request = HTTPClientRequest(url: base + "/_control" + path)
        request.method = .PUT
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: spec)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status.code == 204)
    }

    /// How many requests `path` received.
    func count(_ path: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/_count" + path), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1024)
        return Int(String(buffer: body))!
    }

    /// The request headers of the last request to `path` (names lower-cased).
    func lastHeaders(_ path: String) async throws -> [String: String] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/_requests" + path), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 65536)
        return try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: String] ?? [:]
    }
}

/// Runs `body` and checks it fails with `code`.
func expectFailure(_ code: SAMLError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("accepted, expected \(code)", sourceLocation: sourceLocation)
    } catch let error as SAMLError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
#endif
