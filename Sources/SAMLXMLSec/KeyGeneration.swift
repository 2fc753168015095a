import CSAMLShims

/// New RSA key pairs with self-signed certificates (OpenSSL), as PEM text.
package enum KeyGeneration {
    /// An RSA key of `bits` bits and a self-signed certificate naming `commonName`, valid for
    /// `days` days from now: `(PKCS#8 PEM, certificate PEM)`.
    package static func rsa(bits: Int, commonName: String, days: Int) throws(SAMLError) -> (key: String, certificate: String) {
        try Library.prepare()
        guard (2048...8192).contains(bits), (1...36500).contains(days), !commonName.utf8.contains(0) else {
            throw SAMLError(.invalidKey, "A generated key has 2048 to 8192 bits and a validity of 1 to 36500 days.")
        }
        var keyPEM: UnsafeMutablePointer<CChar>?
        var certificatePEM: UnsafeMutablePointer<CChar>?
        guard unsafe saml_generate_key_pair(Int32(bits), commonName, Int32(days), &keyPEM, &certificatePEM) == 0,
              let keyPEM = unsafe keyPEM, let certificatePEM = unsafe certificatePEM else {
            throw Library.error(.libraryFailure, "OpenSSL could not generate an RSA key pair.")
        }
        defer {
            unsafe saml_key_generation_free(keyPEM)
            unsafe saml_key_generation_free(certificatePEM)
        }
        return unsafe (String(cString: keyPEM), String(cString: certificatePEM))
    }
}
