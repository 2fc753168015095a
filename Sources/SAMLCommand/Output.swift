import ArgumentParser
import Foundation
import SAML

/// Shared helpers for the subcommands.
enum Output {
    /// Writes a line to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Pretty, stable JSON.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(ISO8601DateFormatter().string(from: date))
        }
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Reads a file, or standard input for "-"; exits 2 when unreadable.
    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            error("saml: cannot read \(path)")
            throw ExitCode(2)
        }
        return [UInt8](data)
    }

    static func readText(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }
}

/// The JSON shape of a certificate in command output.
struct CertificateJSON: Encodable {
    var subject: String
    var issuer: String
    var notBefore: Date
    var notAfter: Date
    var expired: Bool
    var keyAlgorithm: String
    var keySize: Int
    var sha256Fingerprint: String

    init(_ c: SAMLCertificate, now: Date = Date()) {
        subject = c.subject
        issuer = c.issuer
        notBefore = c.notBefore
        notAfter = c.notAfter
        expired = c.isExpired(at: now)
        keyAlgorithm = c.keyAlgorithm.description
        keySize = c.keySize
        sha256Fingerprint = c.sha256Fingerprint
    }
}
