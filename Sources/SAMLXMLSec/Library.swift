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
