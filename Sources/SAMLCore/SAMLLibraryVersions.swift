import SAMLXMLSec

/// The versions of the C libraries doing the XML and cryptographic work in this process, for
/// `--version` output, bug reports and start-up logs.
public struct SAMLLibraryVersions: Sendable, Hashable, CustomStringConvertible {
    /// libxml2, as loaded (e.g. `2.9.14`).
    public let libxml2: String
    /// xmlsec1 (e.g. `1.2.37`), checked against the loaded library.
    public let xmlsec1: String
    /// OpenSSL's own version text, as loaded (e.g. `OpenSSL 3.0.17 1 Jul 2025`).
    public let openSSL: String

    /// The versions loaded in this process.
    public static var current: SAMLLibraryVersions {
        SAMLLibraryVersions(libxml2: LibraryVersionProbe.libxml2, xmlsec1: LibraryVersionProbe.xmlsec,
                            openSSL: LibraryVersionProbe.openSSL)
    }

    /// `libxml2 2.9.14, xmlsec1 1.2.37, OpenSSL 3.0.17 …`.
    public var description: String { "libxml2 \(libxml2), xmlsec1 \(xmlsec1), \(openSSL)" }
}
