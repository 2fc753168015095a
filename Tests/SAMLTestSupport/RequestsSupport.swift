package import Foundation
package import SAMLCore
package import SAMLMetadata
package import SAMLRequests
import Testing

/// Shared set-up for the request and SP-metadata tests: fixture keys, the fixture IdP, and
/// running the external tools (xmllint, xmlsec1, openssl, pysaml2) that check our output.
package enum RequestsSupport {
    package static let spEntityID = "https://sp.example.com/metadata"
    package static let acsURL = "https://sp.example.com/acs"
    package static let fixedID = "_00112233445566778899aabbccddeeff00112233"
    package static let fixedNow = Fixtures.date("2025-06-01T12:00:00Z")
    package static let passphrase = "correct horse battery staple"

    package static func keyPair(_ name: String = "sp-rsa", keyFile: String? = nil, passphrase: String? = nil) throws -> SAMLKeyPair {
        try SAMLKeyPair(
            privateKeyPEM: Fixtures.text("generated/keys/\(keyFile ?? name + ".key.pem")"),
            certificatePEM: Fixtures.text("generated/keys/\(name).cert.pem"),
            passphrase: passphrase
        )
    }

    package static func certificate(_ name: String) throws -> SAMLCertificate {
        try SAMLCertificate(pem: Fixtures.text("generated/keys/\(name).cert.pem"))
    }

    package static func identityProvider(wantsSigned: Bool? = nil) throws -> IdentityProvider {
        var idp = try IdentityProvider(metadata: Fixtures.bytes("generated/idp-metadata.xml"))
        if let wantsSigned { idp.wantsAuthnRequestsSigned = wantsSigned }
        return idp
    }

    package static func builder(key: SAMLKeyPair? = nil, options: AuthnRequestOptions = AuthnRequestOptions(),
                        wantsSigned: Bool? = nil) throws -> AuthnRequest {
        AuthnRequest(serviceProvider: ServiceProvider(entityID: spEntityID, acsURL: acsURL, signingKey: key),
                     identityProvider: try identityProvider(wantsSigned: wantsSigned ?? (key != nil)),
                     options: options)
    }

    // MARK: External tools

    package struct Run {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// Finds a tool on PATH or in the usual places; a missing tool fails the test (never skips).
    package static func tool(_ name: String) throws -> String {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        directories += ["/usr/bin", "/usr/local/bin", "/bin"]
        let found = directories.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(found, "\(name) is required for this test and was not found")
    }

    /// Debian's python3, which carries pysaml2 (a pyenv python on PATH may not).
    package static func systemPython() throws -> String {
        let path = "/usr/bin/python3"
        try #require(FileManager.default.isExecutableFile(atPath: path), "/usr/bin/python3 (with python3-pysaml2) is required")
        return path
    }

    package static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting so a chatty tool cannot block on a full pipe.
        let errData = LockedData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    package final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        package func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
        package func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
    }

    /// A fresh temporary directory.
    package static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("saml-requests-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    package static func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    package static func write(_ bytes: [UInt8], _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Validates a file against one of the OASIS schemas in Fixtures/schemas, offline.
    package static func xmllintSchema(_ file: String, schema: String) throws -> Run {
        let xmllint = try tool("xmllint")
        return try run(xmllint, ["--nonet", "--noout", "--schema", Fixtures.url("schemas/\(schema)").path, file],
                       environment: ["XML_CATALOG_FILES": Fixtures.url("schemas/catalog.xml").path])
    }

    /// Runs the pysaml2 IdP-side script.
    package static func peer(_ arguments: [String]) throws -> Run {
        let script = Fixtures.peerScript("pysaml2_idp.py")
        return try run(try systemPython(), [script] + arguments)
    }

    /// Splits a query string into raw (still URL-encoded) name/value pairs, in order.
    package static func rawQuery(_ query: String) -> [(String, String)] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// Percent-decoding (the values we produce never use `+` for space).
    package static func percentDecode(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }
}
