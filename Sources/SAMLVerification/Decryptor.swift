import SAMLCore
import SAMLXMLSec

/// Decrypts `EncryptedAssertion`, `EncryptedID` and `EncryptedAttribute` with the SP's keys.
///
/// The key transport (RSA-OAEP; RSA 1.5 only when allowed) is unwrapped with OpenSSL directly,
/// trying every configured key so failures look alike; the content is decrypted with that session
/// key by OpenSSL directly: AES-GCM with its tag verified before the plaintext is read, AES-CBC so
/// that a padding failure does the same work as a parse failure. Keys named in the message are
/// never used.
struct Decryptor {
    let keys: [SAMLPrivateKey]
    let allowRSA15: Bool
    /// The shape limits the plaintext must keep, as every parsed document does.
    var limits: XMLLimits = .default

    static let contentAlgorithms: [String: Int] = Dictionary(uniqueKeysWithValues: Algorithms.contentEncryption.map { ($0.uri, $0.keyLength) })
    static let oaepMGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
    static let oaep11 = "http://www.w3.org/2009/xmlenc11#rsa-oaep"
    static let rsa15 = "http://www.w3.org/2001/04/xmlenc#rsa-1_5"

    /// Decrypts the `EncryptedData` inside `container` and puts the result in the container's
    /// place; returns the decrypted element, which must be `{assertion}expecting`.
    func decrypt(_ container: XMLElement, expecting name: String) throws -> XMLElement {
        try decryptReportingKey(container, expecting: name).element
    }

    /// ``decrypt(_:expecting:)``, also telling which configured key (0-based, in configuration
    /// order) unwrapped the session key. `detail` hears the precise reason behind the uniform
    /// failure (for diagnostics and debug logs, never for the caller's answer).
    func decryptReportingKey(_ container: XMLElement, expecting name: String,
                             detail: (SAMLError) -> Void = { _ in }) throws -> (element: XMLElement, keyIndex: Int) {
        guard let data = container.child("EncryptedData", NS.xenc) else {
            throw SAMLError(.decryptionFailed, "<\(container.localName)> holds no xenc:EncryptedData.")
        }
        guard !keys.isEmpty else {
            throw SAMLError(.decryptionFailed, "The \(name) is encrypted and no SP decryption key is configured.")
        }
        let contentAlgorithm = data.child("EncryptionMethod", NS.xenc)?.attribute("Algorithm") ?? ""
        guard let keyLength = Self.contentAlgorithms[contentAlgorithm] else {
            throw SAMLError(.algorithmNotAllowed, "The content encryption \"\(contentAlgorithm)\" is not supported; AES-GCM and AES-CBC are.")
        }
        let encryptedKey = try findEncryptedKey(data: data, container: container)
        let transport = encryptedKey.child("EncryptionMethod", NS.xenc)
        let transportAlgorithm = transport?.attribute("Algorithm") ?? ""
        let padding: RSAPadding
        var oaepDigest = DigestAlgorithm.sha1
        var mgfDigest = DigestAlgorithm.sha1
        var label: [UInt8] = []
        switch transportAlgorithm {
        case Self.oaepMGF1P, Self.oaep11:
            if let digest = transport?.child("DigestMethod", NS.dsig)?.attribute("Algorithm") {
                oaepDigest = try Self.digest(digest)
            }
            if transportAlgorithm == Self.oaep11, let mgf = transport?.child("MGF", NS.xenc11)?.attribute("Algorithm") {
                switch mgf {
                case "http://www.w3.org/2009/xmlenc11#mgf1sha1": mgfDigest = .sha1
                case "http://www.w3.org/2009/xmlenc11#mgf1sha256": mgfDigest = .sha256
                case "http://www.w3.org/2009/xmlenc11#mgf1sha384": mgfDigest = .sha384
                case "http://www.w3.org/2009/xmlenc11#mgf1sha512": mgfDigest = .sha512
                default: throw SAMLError(.algorithmNotAllowed, "The OAEP mask generation function \"\(mgf)\" is not supported.")
                }
            }
            if let params = transport?.child("OAEPparams", NS.xenc)?.text {
                guard let decoded = Base64.decode(params) else {
                    throw SAMLError(.decryptionFailed, "OAEPparams is not valid base64.")
                }
                label = decoded
            }
            padding = .oaep(digest: oaepDigest, mgf: mgfDigest, label: label)
        case Self.rsa15:
            guard allowRSA15 else {
                throw SAMLError(.algorithmNotAllowed, "The key is wrapped with RSA PKCS#1 v1.5, which is refused (padding-oracle risk); ask the IdP for RSA-OAEP, or allow it explicitly in the policy.")
            }
            padding = .pkcs1v15
        default:
            throw SAMLError(.algorithmNotAllowed, "The key transport \"\(transportAlgorithm)\" is not supported; RSA-OAEP is.")
        }
        guard let cipherText = encryptedKey.child("CipherData", NS.xenc)?.child("CipherValue", NS.xenc)?.text,
              let wrapped = Base64.decode(cipherText) else {
            throw SAMLError(.decryptionFailed, "The EncryptedKey has no readable CipherValue.")
        }
        // Try every key, always, and keep the first that yields a key of the right size.
        var sessionKey: [UInt8]?
        var keyIndex = -1
        for (index, key) in keys.enumerated() {
            let candidate = key.handle.rsaDecrypt(wrapped, padding: padding)
            if sessionKey == nil, let candidate, candidate.count == keyLength {
                sessionKey = candidate
                keyIndex = index
            }
        }
        // When no key unwraps, decrypt with a random key anyway: the failure then costs the same
        // work and reads the same as a damaged ciphertext, giving a padding oracle nothing to time.
        let failure = Self.failure(name, keyCount: keys.count)
        do {
            let key = try sessionKey ?? Crypto.randomBytes(keyLength)
            guard let value = data.child("CipherData", NS.xenc)?.child("CipherValue", NS.xenc)?.text,
                  let cipher = Base64.decode(value) else {
                throw SAMLError(.decryptionFailed, "The EncryptedData has no readable CipherValue.")
            }
            if contentAlgorithm.hasSuffix("-cbc") {
                // CBC is not authenticated: a padding failure costs what a parse failure costs
                // (see `decryptCBCData`).
                try data.decryptCBCData(key: key, cipher: cipher, limits: limits)
            } else {
                // GCM: the tag is verified before the plaintext is read.
                try data.decryptGCMData(key: key, cipher: cipher, limits: limits)
            }
        } catch let error as SAMLError where sessionKey != nil && error.code != .decryptionFailed {
            throw error  // decrypted with a configured key, then refused by the shape limits
        } catch {
            detail(sessionKey == nil ? SAMLError(.decryptionFailed, "No configured SP key unwraps the session key.") : (error as? SAMLError) ?? failure)
            throw failure
        }
        guard sessionKey != nil else {
            detail(SAMLError(.decryptionFailed, "No configured SP key unwraps the session key."))
            throw failure
        }
        let produced = container.children
        guard produced.count == 1 || produced.filter({ !$0.is("EncryptedKey", NS.xenc) }).count == 1,
              let result = produced.first(where: { !$0.is("EncryptedKey", NS.xenc) }), result.is(name, NS.assertion) else {
            throw SAMLError(.invalidMessage, "The decrypted content is not exactly one \(name).")
        }
        result.replace(container)
        return (result, keyIndex)
    }

    /// The one error every failure after the key transport reads as: unwrap, content
    /// decryption and parsing fail alike, so the answer says nothing about the plaintext.
    static func failure(_ name: String, keyCount: Int) -> SAMLError {
        SAMLError(.decryptionFailed, "The \(name) cannot be decrypted with the configured SP key\(keyCount == 1 ? "" : "s") (encrypted for another key, or damaged).")
    }

    static func digest(_ uri: String) throws -> DigestAlgorithm {
        switch uri {
        case Algorithms.sha1: .sha1
        case Algorithms.sha256: .sha256
        case Algorithms.sha384: .sha384
        case Algorithms.sha512: .sha512
        default: throw SAMLError(.algorithmNotAllowed, "The OAEP digest \"\(uri)\" is not supported.")
        }
    }

    /// The EncryptedKey inside EncryptedData's KeyInfo, referenced by RetrievalMethod, or beside it.
    func findEncryptedKey(data: XMLElement, container: XMLElement) throws -> XMLElement {
        let keyInfo = data.child("KeyInfo", NS.dsig)
        if let inside = keyInfo?.child("EncryptedKey", NS.xenc) { return inside }
        let siblings = container.children("EncryptedKey", NS.xenc)
        if let retrieval = keyInfo?.child("RetrievalMethod", NS.dsig), let uri = retrieval.attribute("URI") {
            guard uri.hasPrefix("#"), let match = siblings.first(where: { $0.attribute("Id") == String(uri.dropFirst()) }) else {
                throw SAMLError(.decryptionFailed, "The RetrievalMethod \"\(uri)\" does not name an EncryptedKey beside the EncryptedData.")
            }
            return match
        }
        guard siblings.count == 1 else {
            throw SAMLError(.decryptionFailed, siblings.isEmpty ? "No EncryptedKey accompanies the EncryptedData." : "Several EncryptedKeys and no RetrievalMethod to choose among them.")
        }
        return siblings[0]
    }
}
