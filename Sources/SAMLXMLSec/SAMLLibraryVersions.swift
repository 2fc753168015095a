import CSAMLShims

/// The versions of libxml2, xmlsec1 and OpenSSL loaded into this process, and the oldest
/// versions this package is tested with.
///
/// The first operation of the package checks the loaded libraries against ``minimumLibxml2``,
/// ``minimumXMLSec1`` and ``minimumOpenSSL`` and fails with `libraryFailure` when one is older,
/// so a system library downgraded under a deployed binary is noticed before any message is
/// verified. Print ``loaded`` in a `--version` output or a start-up log line; ``check()`` throws
/// that failure as a ``SAMLError``.
public struct SAMLLibraryVersions: Sendable, Hashable, CustomStringConvertible {
    /// A library version.
    public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Major version.
        public let major: Int
        /// Minor version.
        public let minor: Int
        /// Patch level (xmlsec1 calls it subminor).
        public let patch: Int

        /// Creates a version.
        public init(_ major: Int, _ minor: Int, _ patch: Int) {
            self.major = major
            self.minor = minor
            self.patch = patch
        }

        init(number: Int) { self.init(number / 10000, number / 100 % 100, number % 100) }

        /// Orders by major, minor, then patch.
        public static func < (a: Version, b: Version) -> Bool {
            (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
        }

        /// `major.minor.patch`.
        public var description: String { "\(major).\(minor).\(patch)" }
    }

    /// The loaded libxml2.
    public let libxml2: Version
    /// The loaded xmlsec1.
    public let xmlsec1: Version
    /// The loaded OpenSSL (libcrypto).
    public let openSSL: Version
    /// The libxml2 headers this package was compiled with.
    public let libxml2Compiled: Version
    /// The xmlsec1 headers this package was compiled with.
    public let xmlsec1Compiled: Version
    /// The OpenSSL headers this package was compiled with.
    public let openSSLCompiled: Version
    /// OpenSSL's own version line, e.g. `OpenSSL 3.0.19 27 Jan 2026`.
    public let openSSLText: String

    /// The oldest libxml2 this package is tested with.
    public static let minimumLibxml2 = Version(number: Int(SAML_MINIMUM_LIBXML2))
    /// The oldest xmlsec1 this package is tested with.
    public static let minimumXMLSec1 = Version(number: Int(SAML_MINIMUM_XMLSEC))
    /// The oldest OpenSSL this package is tested with.
    public static let minimumOpenSSL = Version(number: Int(SAML_MINIMUM_OPENSSL))

    /// The versions loaded into this process (initialising the libraries if needed).
    public static var loaded: SAMLLibraryVersions {
        _ = saml_initialize()
        var raw = saml_library_versions()
        unsafe saml_library_versions_read(&raw)
        return SAMLLibraryVersions(raw)
    }

    private init(_ raw: saml_library_versions) {
        libxml2 = Version(number: raw.libxml2)
        xmlsec1 = Version(number: raw.xmlsec)
        openSSL = Version(number: raw.openssl)
        libxml2Compiled = Version(number: raw.libxml2_compiled)
        xmlsec1Compiled = Version(number: raw.xmlsec_compiled)
        openSSLCompiled = Version(number: raw.openssl_compiled)
        var text = raw.openssl_text
        openSSLText = unsafe withUnsafeBytes(of: &text) { bytes in
            unsafe String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Whether every loaded library is at least the tested minimum.
    public var meetsMinimums: Bool {
        libxml2 >= Self.minimumLibxml2 && xmlsec1 >= Self.minimumXMLSec1 && openSSL >= Self.minimumOpenSSL
    }

    /// `libxml2 2.9.14, xmlsec1 1.2.37, OpenSSL 3.0.19`.
    public var description: String {
        "libxml2 \(libxml2), xmlsec1 \(xmlsec1), OpenSSL \(openSSL)"
    }

    /// Run once from the library's initialisation: nil, or why the loaded libraries are refused.
    static func belowMinimum() -> String? {
        var raw = saml_library_versions()
        unsafe saml_library_versions_read(&raw)
        var message = [CChar](repeating: 0, count: 256)
        let status = unsafe saml_library_versions_check(&raw, &message, Int32(message.count))
        return status == 0 ? nil : String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension SAMLLibraryVersions {
    /// Checks the loaded libraries (and their initialisation).
    /// - Throws: ``SAMLError`` `libraryFailure` naming the library that is too old.
    public static func check() throws(SAMLError) {
        try Library.prepare()
    }
}
