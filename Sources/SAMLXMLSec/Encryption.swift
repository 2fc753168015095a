import CSAMLShims

/// Content-encryption algorithms this package can produce (for issuing test responses).
package enum ContentEncryptionCode: Int32, Sendable {
    case aes128CBC = 1, aes256CBC = 2, aes128GCM = 3, aes256GCM = 4

    /// The session key length in bytes.
    package var keyLength: Int {
        switch self {
        case .aes128CBC, .aes128GCM: 16
        case .aes256CBC, .aes256GCM: 32
        }
    }
}

extension XMLElement {
    /// Encrypts this element for the RSA key of `certificateDER`: a fresh AES session key
    /// encrypts the element with xmlsec (Type=Element), RSA-OAEP (MGF1-SHA1) wraps the session key
    /// into `EncryptedData/ds:KeyInfo/xenc:EncryptedKey`, and the `EncryptedData` is wrapped in
    /// a new `{wrapperNamespace}wrapperName` element (its prefix must be declared on an ancestor).
    /// Returns the wrapper; this element is freed and must not be used afterwards.
    package func encrypt(algorithm: ContentEncryptionCode, certificateDER: [UInt8],
                 wrapperName: String, wrapperNamespace: String) throws(SAMLError) -> XMLElement {
        try Library.prepare()
        let sessionKey = try Crypto.randomBytes(algorithm.keyLength)
        var wrapped = [UInt8](repeating: 0, count: 1024)
        let wrappedLength = unsafe certificateDER.withUnsafeBufferPointer { cert in
            unsafe sessionKey.withUnsafeBufferPointer { key in
                unsafe saml_rsa_oaep_wrap(cert.baseAddress, Int32(cert.count), key.baseAddress, key.count, &wrapped, wrapped.count)
            }
        }
        guard wrappedLength > 0 else {
            throw Library.error(.invalidCertificate, "The session key could not be encrypted for the certificate; encryption needs an RSA certificate.")
        }
        changed()
        let result = unsafe sessionKey.withUnsafeBufferPointer { key in
            unsafe wrapped.withUnsafeBufferPointer { wrappedKey in
                unsafe saml_encrypt_element(node, algorithm.rawValue, key.baseAddress, Int32(key.count),
                                            wrappedKey.baseAddress, wrappedLength, wrapperName, wrapperNamespace)
            }
        }
        guard let wrapper = unsafe result else {
            throw Library.error(.libraryFailure, "Encrypting the <\(wrapperName)> content failed.")
        }
        return unsafe XMLElement(node: wrapper, document: document)
    }
}
