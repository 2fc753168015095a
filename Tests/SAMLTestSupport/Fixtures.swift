package import Foundation

/// Access to the repository's `Fixtures/` folder.
package enum Fixtures {
    package static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A peer script of `Tests/SAMLTestSupport/Peer/` (pysaml2, python3-saml), as a path.
    package static func peerScript(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peer/" + name).path
    }

    package static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    package static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(path))) }

    package static func text(_ path: String) throws -> String { try String(contentsOf: url(path), encoding: .utf8) }

    /// Parses `YYYY-MM-DDThh:mm:ssZ`.
    package static func date(_ text: String) -> Date {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)!
    }
}
