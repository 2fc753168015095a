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
    package static func prepare() throws(SAMLError) {
        if let failure = initialization {
            throw SAMLError(.libraryFailure, "The XML security libraries could not be initialised: \(failure)")
        }
        saml_errors_reset()
    }

    /// What the libraries reported on this thread since ``prepare()``.
    static var lastMessage: String? {
        let text = unsafe String(cString: saml_errors_last())
        return text.isEmpty ? nil : text
    }

    /// A failure carrying the libraries' own message.
    package static func error(_ kind: SAMLError.Code, _ reason: String) -> SAMLError {
        SAMLError(kind, reason, libraryMessage: lastMessage)
    }
}
