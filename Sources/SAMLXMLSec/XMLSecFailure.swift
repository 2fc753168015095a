/// A failure inside the wrapper over libxml2, xmlsec and OpenSSL: its kind, a sentence an
/// operator can act on, and what the libraries themselves reported.
///
/// It never leaves the wrapper as it is. Every operation that can fail is reached from other
/// modules only through an entry point in `Boundary.swift`, which takes the error type the
/// failure is mapped into (`failuresAs:`); the implementations that throw `XMLSecFailure` are
/// internal. SAMLCore maps into `SAMLError` and offers the same operations without the
/// parameter, so the modules above see `SAMLError` only, and a call that skips the mapping does
/// not compile.
package struct XMLSecFailure: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure the wrapper produces (named for the `SAMLError` code each maps to).
    package enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The input passes a size or shape limit (bytes, attributes, namespaces, elements,
        /// attribute value length, inflated DEFLATE size).
        case tooLarge
        /// The XML is not well-formed, is empty, has no root, or nests too deeply.
        case malformedXML
        /// The XML carries a DOCTYPE declaration.
        case doctypeForbidden
        /// The XML is not in UTF-8.
        case unsupported
        /// Two elements carry the same ID.
        case duplicateID
        /// The data is not valid raw DEFLATE.
        case invalidEncoding
        /// A certificate or its public key could not be read or used.
        case invalidCertificate
        /// A private key could not be read, is of an unsupported type, or could not sign.
        case invalidKey
        /// Encrypted content could not be decrypted or did not decrypt to XML.
        case decryptionFailed
        /// The libraries could not be initialised, ran out of memory, or refused an operation
        /// that should not fail.
        case libraryFailure
    }

    /// What kind of failure this is.
    package let kind: Kind
    /// A sentence an operator can act on.
    package let message: String
    /// What libxml2, xmlsec or OpenSSL reported, if anything.
    package let libraryMessage: String?

    /// Creates a failure.
    package init(_ kind: Kind, _ message: String, libraryMessage: String? = nil) {
        self.kind = kind
        self.message = message
        self.libraryMessage = libraryMessage
    }

    /// `kind: message (library: …)`.
    package var description: String {
        if let libraryMessage { return "\(kind.rawValue): \(message) (library: \(libraryMessage))" }
        return "\(kind.rawValue): \(message)"
    }

    /// Runs `body` and maps its failure into `Failure`.
    static func mapped<Value, Failure: XMLSecFailureMapping>(
        _: Failure.Type, _ body: () throws(XMLSecFailure) -> Value
    ) throws(Failure) -> Value {
        do throws(XMLSecFailure) { return try body() } catch { throw Failure(error) }
    }
}

/// An error type the wrapper's failures are mapped into at its boundary: `SAMLError`, whose
/// conformance lives in SAMLCore.
package protocol XMLSecFailureMapping: Error {
    /// The error for a wrapper failure.
    init(_ failure: XMLSecFailure)
}
