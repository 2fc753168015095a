package import SAMLXMLSec

extension SAMLError: XMLSecFailureMapping {
    /// The error for a failure of the libxml2/xmlsec/OpenSSL wrapper: each kind has its code,
    /// and the wrapper's sentence and library message are kept as they are.
    package init(_ failure: XMLSecFailure) {
        let code: Code = switch failure.kind {
        case .tooLarge: .tooLarge
        case .malformedXML: .malformedXML
        case .doctypeForbidden: .doctypeForbidden
        case .unsupported: .unsupported
        case .duplicateID: .duplicateID
        case .invalidEncoding: .invalidEncoding
        case .invalidCertificate: .invalidCertificate
        case .invalidKey: .invalidKey
        case .decryptionFailed: .decryptionFailed
        case .libraryFailure: .libraryFailure
        }
        self.init(code, failure.message, libraryMessage: failure.libraryMessage)
    }
}

extension SAMLLibraryVersions {
    /// Checks the loaded libraries (and their initialisation).
    /// - Throws: ``SAMLError`` `libraryFailure` naming the library that is too old.
    public static func check() throws {
        try Library.prepare(failuresAs: SAMLError.self)
    }
}
