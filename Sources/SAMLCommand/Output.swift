import ArgumentParser
import Foundation
import SAML
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The exit statuses every subcommand uses.
enum Exit {
    /// A document was refused, or a check found problems.
    static let refused = ExitCode(1)
    /// A usage error, or an input that could not be read at all.
    static let usage = ExitCode(2)

    /// What every subcommand that prints a report says about its format.
    static let outputHelp = "Output is text when standard output is a terminal and JSON when it is not (a pipe, a file, URL=$(saml …)); --json, --format text|json or SAML_FORMAT choose."

    /// The text every subcommand's help ends with.
    static let help = "Exit status: 0 success; 1 the document was refused or a check found problems; 2 usage error or unreadable input."
}

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
            try c.encode(SAMLTime.format(date))
        }
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Largest input read from a file, standard input or a URL unless `--max-bytes` says otherwise
    /// (100 MiB, enough for a federation aggregate; each kind of document has its own limits after that).
    static let defaultMaximumInput = 100 << 20

    /// Reads a file, standard input for "-", or (when `allowURL`) an http(s) URL, at most
    /// `maximumBytes`; exits 2 when unreadable or larger. `http:` URLs are fetched on loopback hosts,
    /// elsewhere only with `allowHTTP`.
    static func read(_ path: String, allowURL: Bool = false, maximumBytes: Int = defaultMaximumInput,
                     allowHTTP: Bool = false) throws -> [UInt8] {
        if allowURL, let url = URL(string: path), let scheme = url.scheme?.lowercased(), ["https", "http"].contains(scheme) {
            if scheme == "http", !allowHTTP, !LoopbackHost.contains(url.host ?? "") {
                error("saml: \(path) is an http: URL on a host other than loopback; use https:, or pass --allow-http")
                throw Exit.usage
            }
            return try fetch(url, maximumBytes: maximumBytes)
        }
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let file = FileHandle(forReadingAtPath: path) else {
                error("saml: cannot read \(path)")
                throw Exit.usage
            }
            handle = file
        }
        defer { if path != "-" { try? handle.close() } }
        // read in pieces, never more than the limit
        var data = Data()
        while data.count <= maximumBytes {
            let piece = handle.readData(ofLength: min(1 << 20, maximumBytes + 1 - data.count))
            if piece.isEmpty { break }
            data.append(piece)
        }
        guard data.count <= maximumBytes else {
            error("saml: \(path == "-" ? "standard input" : path) holds more than \(maximumBytes) bytes (--max-bytes); refused")
            throw Exit.usage
        }
        return [UInt8](data)
    }

    static func readText(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }

    /// The first line of a passphrase file (a trailing newline is not part of the passphrase).
    static func readPassphrase(_ path: String) throws -> String {
        let text = try readText(path)
        return String(text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first ?? "")
    }

    /// GETs a URL with a 20-second timeout and a size cap; exits 2 when that fails.
    static func fetch(_ url: URL, maximumBytes: Int) throws -> [UInt8] {
        final class Box: @unchecked Sendable {
            var data: Data?
            var failure: String?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url, timeoutInterval: 20)
        request.setValue("application/samlmetadata+xml, application/xml;q=0.9, */*;q=0.5", forHTTPHeaderField: "Accept")
        URLSession.shared.dataTask(with: request) { data, response, failure in
            if let failure {
                box.failure = failure.localizedDescription
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                box.failure = "HTTP status \(http.statusCode)"
            } else {
                box.data = data
            }
            done.signal()
        }.resume()
        done.wait()
        guard let data = box.data else {
            error("saml: cannot fetch \(url.absoluteString): \(box.failure ?? "no data")")
            throw Exit.usage
        }
        guard data.count <= maximumBytes else {
            error("saml: \(url.absoluteString) sent more than \(maximumBytes) bytes (--max-bytes); refused")
            throw Exit.usage
        }
        return [UInt8](data)
    }
}

/// The JSON shape of a certificate in command output: its fields, each named once here, and
/// whether it has expired at the instant given.
struct CertificateJSON: Encodable {
    private enum Field: String, CodingKey {
        case subject, issuer, notBefore, notAfter, expired, keyAlgorithm, keySize, signatureAlgorithm, sha256Fingerprint
    }

    let certificate: SAMLCertificate
    let now: Date

    init(_ certificate: SAMLCertificate, now: Date = Date()) {
        self.certificate = certificate
        self.now = now
    }

    func encode(to encoder: any Encoder) throws {
        let c = certificate
        var json = encoder.container(keyedBy: Field.self)
        try json.encode(c.subject, forKey: .subject)
        try json.encode(c.issuer, forKey: .issuer)
        try json.encode(c.notBefore, forKey: .notBefore)
        try json.encode(c.notAfter, forKey: .notAfter)
        try json.encode(c.isExpired(at: now), forKey: .expired)
        try json.encode(c.keyAlgorithm.description, forKey: .keyAlgorithm)
        try json.encode(c.keySize, forKey: .keySize)
        try json.encode(c.signatureAlgorithm, forKey: .signatureAlgorithm)
        try json.encode(c.sha256Fingerprint, forKey: .sha256Fingerprint)
    }
}
