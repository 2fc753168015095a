/// The algorithm URIs this package knows, and which of them it accepts.
package enum Algorithms {
    package static let excC14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
    package static let excC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
    package static let c14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    package static let c14nWithComments = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
    package static let c14n11 = "http://www.w3.org/2006/12/xml-c14n11"
    package static let c14n11WithComments = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
    package static let enveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

    package static let rsaSHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    package static let rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    package static let rsaSHA384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
    package static let rsaSHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
    package static let ecdsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    package static let ecdsaSHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
    package static let ecdsaSHA512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

    package static let sha1 = "http://www.w3.org/2000/09/xmldsig#sha1"
    package static let sha256 = "http://www.w3.org/2001/04/xmlenc#sha256"
    package static let sha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
    package static let sha512 = "http://www.w3.org/2001/04/xmlenc#sha512"

    package static let canonicalizations: Set<String> = [excC14N, excC14NWithComments, c14n, c14nWithComments, c14n11, c14n11WithComments]
    package static let referenceTransforms: Set<String> = canonicalizations.union([enveloped])

    /// Signature methods accepted, and the key type each needs (1 RSA, 2 EC).
    package static func signatureMethodKeyType(_ uri: String, allowSHA1: Bool) -> Int? {
        switch uri {
        case rsaSHA256, rsaSHA384, rsaSHA512: 1
        case ecdsaSHA256, ecdsaSHA384, ecdsaSHA512: 2
        case rsaSHA1 where allowSHA1: 1
        default: nil
        }
    }

    package static func digestAllowed(_ uri: String, allowSHA1: Bool) -> Bool {
        switch uri {
        case sha256, sha384, sha512: true
        case sha1: allowSHA1
        default: false
        }
    }
}
