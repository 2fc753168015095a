package import SAMLXMLSec

/// Checks one enveloped `<ds:Signature>` on an element against trusted keys only, and proves
/// that it covers exactly that element.
package enum EnvelopedSignature {
    /// The `<ds:Signature>` children of `element` (direct children only).
    package static func signatures(of element: XMLElement) -> [XMLElement] {
        element.children("Signature", NS.dsig)
    }

    /// Verifies the signature that is a direct child of `element` with one of `trusted`.
    /// Returns the certificate whose key verified it.
    ///
    /// `allowWholeDocument` also accepts `URI=""` when `element` is the document's root (signed
    /// metadata aggregates use it); SAML protocol messages always name their ID.
    /// `allowInclusiveCanonicalization` accepts c14n 1.0/1.1 besides exclusive c14n (the response
    /// verifier passes its policy, off by default).
    ///
    /// - Throws: `signatureMissing`, `algorithmNotAllowed`, `wrappedSignature`, `untrustedKey`,
    ///   `signatureInvalid`, `invalidMessage`.
    @discardableResult
    package static func verify(_ element: XMLElement, trusted: [SAMLCertificate], allowSHA1: Bool, what: String,
                               allowWholeDocument: Bool = false, allowInclusiveCanonicalization: Bool = true) throws -> SAMLCertificate {
        var work = Work()
        return try verify(element, trusted: trusted, allowSHA1: allowSHA1, what: what, allowWholeDocument: allowWholeDocument,
                          allowInclusiveCanonicalization: allowInclusiveCanonicalization, work: &work)
    }

    /// What a verification cost, for diagnostics.
    package struct Work: Sendable {
        /// Configured keys whose SignedInfo signature was checked.
        package var signedInfoChecks = 0
        /// Full verifications (each canonicalizes and digests the referenced element).
        package var fullVerifications = 0
        /// Whether a configured key's signature over SignedInfo was found.
        package var signedInfoMatched = false
        package init() {}
    }

    /// ``verify(_:trusted:allowSHA1:what:allowWholeDocument:allowInclusiveCanonicalization:)``,
    /// also counting the work done in `work`.
    @discardableResult
    package static func verify(_ element: XMLElement, trusted: [SAMLCertificate], allowSHA1: Bool, what: String,
                               allowWholeDocument: Bool = false, allowInclusiveCanonicalization: Bool = true,
                               work: inout Work) throws -> SAMLCertificate {
        let allowInclusive = allowInclusiveCanonicalization
        let signatures = signatures(of: element)
        guard let signature = signatures.first else {
            throw SAMLError(.signatureMissing, "The \(what) is not signed.")
        }
        guard signatures.count == 1 else {
            throw SAMLError(.wrappedSignature, "The \(what) carries \(signatures.count) signatures; exactly one is accepted.")
        }
        let isRoot = element.document.root.map { $0.isSameNode(as: element) } ?? false
        let wholeDocument = allowWholeDocument && isRoot
            && signature.child("SignedInfo", NS.dsig)?.children("Reference", NS.dsig).first?.attribute("URI") == ""
        let id = element.attribute("ID") ?? ""
        if !wholeDocument {
            guard !id.isEmpty else {
                throw SAMLError(.wrappedSignature, "The signed \(what) has no ID, so the signature cannot be tied to it.")
            }
            guard NCName.isValid(id) else {
                throw SAMLError(.wrappedSignature, "The ID \"\(id)\" of the signed \(what) is not an XML name (xs:NCName, as SAML requires), so a reference to it could resolve to another element; the IdP must issue IDs such as \"_\" followed by letters and digits.")
            }
            guard let resolved = element.document.element(withID: id), resolved.isSameNode(as: element) else {
                throw SAMLError(.wrappedSignature, "The ID \"\(id)\" of the signed \(what) does not resolve to it.")
            }
        }
        let expectedURI = wholeDocument ? "" : "#" + id

        // Read SignedInfo ourselves first, to give precise reasons; xmlsec enforces the same lists.
        guard let signedInfo = signature.child("SignedInfo", NS.dsig) else {
            throw SAMLError(.signatureInvalid, "The \(what)'s signature has no SignedInfo.")
        }
        let c14n = signedInfo.child("CanonicalizationMethod", NS.dsig)?.attribute("Algorithm") ?? ""
        guard Algorithms.canonicalizations(allowInclusive: allowInclusive).contains(c14n) else {
            throw SAMLError(.algorithmNotAllowed, "The canonicalization method \"\(c14n)\" is not allowed.\(inclusiveHint(c14n))")
        }
        let method = signedInfo.child("SignatureMethod", NS.dsig)?.attribute("Algorithm") ?? ""
        guard let keyType = Algorithms.signatureMethodKeyType(method, allowSHA1: allowSHA1) else {
            let hint = method == Algorithms.rsaSHA1
                ? " RSA-SHA1 is refused unless the policy allows SHA-1 (ask the IdP to sign with RSA-SHA256)."
                : " Allowed: RSA-SHA256/384/512 and ECDSA-SHA256/384/512."
            throw SAMLError(.algorithmNotAllowed, "The signature method \"\(method)\" is not allowed.\(hint)")
        }
        let references = signedInfo.children("Reference", NS.dsig)
        guard references.count == 1, let reference = references.first else {
            throw SAMLError(.wrappedSignature, "The \(what)'s signature has \(references.count) references; exactly one, to the \(what) itself, is accepted.")
        }
        let uri = reference.attribute("URI")
        guard uri == expectedURI else {
            throw SAMLError(.wrappedSignature, "The \(what)'s signature references \"\(uri ?? "(no URI)")\", not the \(what) itself (\"#\(id)\").")
        }
        if let transforms = reference.child("Transforms", NS.dsig) {
            for transform in transforms.children {
                let algorithm = transform.attribute("Algorithm") ?? ""
                guard transform.is("Transform", NS.dsig), Algorithms.referenceTransforms(allowInclusive: allowInclusive).contains(algorithm) else {
                    throw SAMLError(.algorithmNotAllowed, "The transform \"\(algorithm)\" is not allowed; only enveloped-signature and canonicalization are.\(inclusiveHint(algorithm))")
                }
            }
        }
        let digest = reference.child("DigestMethod", NS.dsig)?.attribute("Algorithm") ?? ""
        guard Algorithms.digestAllowed(digest, allowSHA1: allowSHA1) else {
            let hint = digest == Algorithms.sha1 ? " SHA-1 digests are refused unless the policy allows SHA-1." : ""
            throw SAMLError(.algorithmNotAllowed, "The digest method \"\(digest)\" is not allowed.\(hint)")
        }

        // Candidate keys: only trusted ones of the right type; a certificate named in KeyInfo
        // only chooses which trusted key goes first.
        func embeddedCertificates() -> [[UInt8]] {
            signature.child("KeyInfo", NS.dsig)?
                .children("X509Data", NS.dsig).flatMap { $0.children("X509Certificate", NS.dsig) }
                .compactMap { Base64.decode($0.text) } ?? []
        }
        var candidates = trusted.filter { certificate in
            switch certificate.keyAlgorithm {
            case .rsa: keyType == .rsa
            case .ec: keyType == .ec
            case .other: false
            }
        }
        if candidates.count > 1, let keyInfo = signature.child("KeyInfo", NS.dsig) {
            let texts = keyInfo.children("X509Data", NS.dsig).flatMap { $0.children("X509Certificate", NS.dsig) }.map(\.text)
            if let hinted = candidates.firstIndex(where: { candidate in texts.contains { candidate.probablyMatches(base64Text: $0) } }) {
                candidates.insert(candidates.remove(at: hinted), at: 0)
            }
        }
        guard !candidates.isEmpty else {
            throw SAMLError(.untrustedKey, "The \(what) is signed with \(keyType == .rsa ? "an RSA" : "an EC") key, and no trusted signing certificate of that type is configured.")
        }

        // The narrow path canonicalizes and digests the referenced content once and checks
        // SignedInfo with each candidate key until one verifies: one public-key operation when
        // the first candidate signed it. When it declines (shapes only xmlsec's generic path
        // takes), one candidate goes to xmlsec directly; with several, which one signed is first
        // settled on SignedInfo alone (a few hundred bytes), so the content is still digested
        // once, never once per configured key.
        func signatureValue() throws -> [UInt8] {
            guard let value = signature.child("SignatureValue", NS.dsig).flatMap({ Base64.decode($0.text) }), !value.isEmpty else {
                throw SAMLError(.signatureInvalid, "The \(what)'s SignatureValue is missing or not base64.")
            }
            return value
        }
        let allowlist = Algorithms.signatureAllowlist(allowSHA1: allowSHA1, allowInclusive: allowInclusive)
        var signer = candidates[0]
        var check: SignatureCheck
        if let decided = try signature.verifySignature(with: candidates.map(\.publicKey), allowed: allowlist, allowWholeDocument: wholeDocument) {
            check = decided
            work.signedInfoChecks += decided.signedInfoChecks > 0 ? decided.signedInfoChecks : 1
            if let index = decided.keyIndex { signer = candidates[index] }
            work.signedInfoMatched = decided.keyIndex != nil
        } else {
            guard let methodInfo = Algorithms.signatureMethod(method, allowSHA1: allowSHA1),
                  let canonicalizationMethod = signedInfo.child("CanonicalizationMethod", NS.dsig) else {
                throw SAMLError(.signatureInvalid, "The \(what)'s signature names no usable method.")
            }
            let signatureValue = try signatureValue()
            for candidate in candidates {
                work.signedInfoChecks += 1
                if signedInfo.signedInfoVerifies(canonicalization: canonicalizationMethod, key: candidate.publicKey,
                                                 digest: methodInfo.digest, signature: signatureValue) == true {
                    signer = candidate
                    work.signedInfoMatched = true
                    break
                }
            }
            guard let decided = try signature.verifySignature(with: [signer.publicKey], allowed: allowlist, allowWholeDocument: wholeDocument) else {
                throw SAMLError(.libraryFailure, "The signature check did not decide with one key.")
            }
            check = decided
        }
        work.fullVerifications += 1
        var lastMessage: String?
        var digestFailed = false
        if check.succeeded {
            // The element read must be the very node the verified reference digested.
            guard check.referenceCount == 1, check.referenceDigestMatched, check.referenceURI == expectedURI,
                  wholeDocument || check.covers(element) else {
                throw SAMLError(.wrappedSignature, "The signature verified but does not cover the \(what) being read.")
            }
            return signer
        }
        _ = try signatureValue()
        lastMessage = check.libraryMessage
        if check.referenceCount == 1, !check.referenceDigestMatched { digestFailed = true }
        if digestFailed {
            throw SAMLError(.signatureInvalid, "The \(what)'s digest does not match: its content was changed after it was signed.", libraryMessage: lastMessage)
        }
        let embedded = embeddedCertificates()
        if !embedded.isEmpty, !trusted.contains(where: { embedded.contains($0.der) }) {
            let subject = (try? SAMLCertificate(der: embedded[0]))?.description ?? "an unreadable certificate"
            throw SAMLError(.untrustedKey, "The \(what) is signed with a key the configuration does not trust (KeyInfo names \(subject)); update the IdP's certificates if it rolled its key.", libraryMessage: lastMessage)
        }
        throw SAMLError(.signatureInvalid, "The \(what)'s signature does not verify with any trusted IdP certificate.", libraryMessage: lastMessage)
    }

    private static func inclusiveHint(_ uri: String) -> String {
        Algorithms.isInclusiveCanonicalization(uri)
            ? " Inclusive canonicalization is refused for SAML messages unless the policy allows it (allowInclusiveCanonicalization); exclusive c14n is the SAML practice."
            : ""
    }
}
