import CSAMLShims
import Foundation

/// Process-wide set-up of libxml2, xmlsec and its OpenSSL backend, and the funnel that turns the
/// libraries' error reports into ``SAMLError``.
package enum Library {
    private static let initialization: String? = {
        if saml_initialize() == 0 { return nil }
        return unsafe String(cString: saml_initialize_error())
    }()

    /// Initialises the libraries once (safe under concurrent first use) and starts a clean error
    /// record for this thread. Every operation that calls into C starts here.
    package static func prepare() throws {
        if let failure = initialization {
            throw SAMLError(.libraryFailure, "The XML security libraries could not be initialised: \(failure)")
        }
        saml_errors_reset()
    }

    /// What the libraries reported on this thread since ``prepare()``.
    package static var lastMessage: String? {
        let text = unsafe String(cString: saml_errors_last())
        return text.isEmpty ? nil : text
    }

    /// An error carrying the libraries' own message.
    package static func error(_ code: SAMLError.Code, _ reason: String) -> SAMLError {
        SAMLError(code, reason, libraryMessage: lastMessage)
    }
}

/// Size and shape limits applied to every XML document before and while it is parsed.
public struct XMLLimits: Sendable, Hashable {
    /// Largest accepted document, in bytes of XML (after base64 decoding). Default 1 MiB.
    public var maximumBytes: Int
    /// Deepest accepted element nesting. Default 64; SAML messages rarely pass 12.
    public var maximumDepth: Int

    /// Creates limits.
    public init(maximumBytes: Int = 1 << 20, maximumDepth: Int = 64) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
    }

    /// The defaults: 1 MiB, depth 64.
    public static let `default` = XMLLimits()
}
