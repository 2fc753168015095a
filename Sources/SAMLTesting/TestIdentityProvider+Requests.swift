public import Foundation
public import SAMLCore
import SAMLXMLSec

extension TestIdentityProvider {
    /// Query-string signature algorithms accepted on HTTP-Redirect requests (SHA-1 is refused).
    static let redirectAlgorithms: [String: (digestBits: Int, keyType: Int)] = [
        Algorithms.rsaSHA256: (256, 1), Algorithms.rsaSHA384: (384, 1), Algorithms.rsaSHA512: (512, 1),
        Algorithms.ecdsaSHA256: (256, 2), Algorithms.ecdsaSHA384: (384, 2), Algorithms.ecdsaSHA512: (512, 2),
    ]

    /// Reads an HTTP-Redirect AuthnRequest from the query string exactly as received (the part
    /// after `?`, still percent-encoded). A `Signature` is checked over the received octets of
    /// `SAMLRequest`, `RelayState` and `SigAlg` with the registered SP's certificates.
    ///
    /// - Parameters:
    ///   - query: the raw query string (a full URL is accepted too: everything up to `?` is dropped).
    ///   - now: the time the request's IssueInstant is checked against.
    ///   - limits: size and depth limits for the inflated XML.
    /// - Throws: `SAMLError`: `.invalidRequest` (parameters missing or repeated, bad percent
    ///   encoding), `.invalidEncoding`, `.tooLarge`, parse errors, `.algorithmNotAllowed`,
    ///   `.signatureMissing`, `.signatureInvalid`, `.untrustedKey`, `.entityNotFound`,
    ///   `.destinationMismatch`, `.expired`, `.notYetValid`, `.invalidMessage`.
    public func receiveRedirect(query: String, now: Date = Date(), limits: XMLLimits = .default) throws -> ReceivedAuthnRequest {
        var raw = Substring(query)
        if let mark = raw.firstIndex(of: "?") { raw = raw[raw.index(after: mark)...] }
        if let hash = raw.firstIndex(of: "#") { raw = raw[..<hash] }
        var parameters: [String: Substring] = [:]
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try QueryDecoding.decode(parts[0])
            guard ["SAMLRequest", "RelayState", "SigAlg", "Signature", "SAMLEncoding"].contains(name) else { continue }
            guard parameters[name] == nil else {
                throw SAMLError(.invalidRequest, "The query string carries \(name) twice.")
            }
            parameters[name] = parts.count == 2 ? parts[1] : ""
        }
        guard let rawRequest = parameters["SAMLRequest"] else {
            throw SAMLError(.invalidRequest, "The query string has no SAMLRequest parameter.")
        }
        if let encoding = parameters["SAMLEncoding"] {
            let value = try QueryDecoding.decode(encoding)
            guard value == "urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE" else {
                throw SAMLError(.unsupported, "SAMLEncoding \"\(value)\" is not supported; only DEFLATE is.")
            }
        }
        let relayState = try parameters["RelayState"].map(QueryDecoding.decode)
        let encoded = try QueryDecoding.decode(rawRequest)
        guard encoded.utf8.count <= limits.maximumBytes else {
            throw SAMLError(.tooLarge, "The SAMLRequest parameter is \(encoded.utf8.count) bytes, beyond the limit.")
        }
        guard let compressed = Base64.decode(encoded) else {
            throw SAMLError(.invalidEncoding, "The SAMLRequest parameter is not valid base64.")
        }
        let xml = try Deflate.decompress(compressed, limit: limits.maximumBytes)
        let document = try XMLDocument.parse(xml, limits: limits)
        let request = try AuthnRequestReader(idp: self, document: document, binding: .httpRedirect, now: now)

        var verified = false
        var algorithm: String?
        if let rawSignature = parameters["Signature"] {
            guard let rawAlgorithm = parameters["SigAlg"] else {
                throw SAMLError(.signatureInvalid, "The query string has a Signature but no SigAlg.")
            }
            let sigAlg = try QueryDecoding.decode(rawAlgorithm)
            guard let (digestBits, keyType) = Self.redirectAlgorithms[sigAlg] else {
                throw SAMLError(.algorithmNotAllowed, "The query-string signature algorithm \"\(sigAlg)\" is not allowed; RSA-SHA256/384/512 and ECDSA-SHA256/384/512 are.")
            }
            guard let signature = Base64.decode(try QueryDecoding.decode(rawSignature)) else {
                throw SAMLError(.invalidEncoding, "The Signature parameter is not valid base64.")
            }
            // The signed octets are the parameters exactly as received, in the binding's order.
            var signed = "SAMLRequest=" + rawRequest
            if let rawRelayState = parameters["RelayState"] { signed += "&RelayState=" + rawRelayState }
            signed += "&SigAlg=" + rawAlgorithm
            let certificates = try request.trustedCertificates()
            let candidates = certificates.filter { certificate in
                switch certificate.keyAlgorithm {
                case .rsa: keyType == 1
                case .ec: keyType == 2
                case .other: false
                }
            }
            guard !candidates.isEmpty else {
                throw SAMLError(.untrustedKey, "The request is signed with \(keyType == 1 ? "an RSA" : "an EC") algorithm and the SP \"\(request.issuer)\" has no registered certificate of that type.")
            }
            let bytes = Array(signed.utf8)
            guard candidates.contains(where: { CertificateFacts.verify(signature: signature, of: bytes, digestBits: digestBits, certificateDER: $0.der) }) else {
                throw SAMLError(.signatureInvalid, "The query-string signature does not verify with the certificates registered for \"\(request.issuer)\" (the parameters were changed, or another key signed them).")
            }
            verified = true
            algorithm = sigAlg
        } else if parameters["SigAlg"] != nil {
            throw SAMLError(.signatureMissing, "The query string has a SigAlg but no Signature.")
        }
        if wantAuthnRequestsSigned && !verified {
            throw SAMLError(.signatureMissing, "This IdP wants signed AuthnRequests (WantAuthnRequestsSigned) and the request is not signed.")
        }
        return request.result(relayState: relayState, verified: verified, algorithm: algorithm, xml: xml)
    }

    /// Reads an HTTP-Redirect AuthnRequest from the full URL the browser requested.
    public func receiveRedirect(url: String, now: Date = Date(), limits: XMLLimits = .default) throws -> ReceivedAuthnRequest {
        guard url.contains("?") else {
            throw SAMLError(.invalidRequest, "The URL has no query string, so no SAMLRequest.")
        }
        return try receiveRedirect(query: url, now: now, limits: limits)
    }

    /// Reads an HTTP-POST AuthnRequest from the `SAMLRequest` form value (base64). An enveloped
    /// signature is checked against the registered SP's certificates only, and must cover the
    /// request element itself.
    ///
    /// - Throws: as ``receiveRedirect(query:now:limits:)``, plus `.wrappedSignature`.
    public func receivePost(samlRequest: String, relayState: String?, now: Date = Date(), limits: XMLLimits = .default) throws -> ReceivedAuthnRequest {
        guard samlRequest.utf8.count <= limits.maximumBytes / 3 * 4 + 1024 else {
            throw SAMLError(.tooLarge, "The SAMLRequest value is beyond the size limit.")
        }
        guard let xml = Base64.decode(samlRequest) else {
            throw SAMLError(.invalidEncoding, "The SAMLRequest value is not valid base64.")
        }
        let document = try XMLDocument.parse(xml, limits: limits)
        let request = try AuthnRequestReader(idp: self, document: document, binding: .httpPost, now: now)
        var verified = false
        var algorithm: String?
        if !EnvelopedSignature.signatures(of: request.root).isEmpty {
            try EnvelopedSignature.verify(request.root, trusted: try request.trustedCertificates(), allowSHA1: false, what: "AuthnRequest")
            verified = true
            algorithm = request.root.child("Signature", NS.dsig)?.child("SignedInfo", NS.dsig)?
                .child("SignatureMethod", NS.dsig)?.attribute("Algorithm")
        }
        if wantAuthnRequestsSigned && !verified {
            throw SAMLError(.signatureMissing, "This IdP wants signed AuthnRequests (WantAuthnRequestsSigned) and the request is not signed.")
        }
        return request.result(relayState: relayState, verified: verified, algorithm: algorithm, xml: xml)
    }
}

/// The checks shared by both bindings.
struct AuthnRequestReader {
    let idp: TestIdentityProvider
    let root: XMLElement
    let binding: SAMLBinding
    let id: String
    let issuer: String
    let registration: TestIdentityProvider.ServiceProviderRegistration?
    let acsURL: String
    let destination: String?
    let issueInstant: Date

    /// How far a request's IssueInstant may lie from now.
    static let maximumAge: TimeInterval = 600
    static let clockSkew: TimeInterval = 90

    init(idp: TestIdentityProvider, document: XMLDocument, binding: SAMLBinding, now: Date) throws {
        self.idp = idp
        self.binding = binding
        guard let root = document.root, root.is("AuthnRequest", NS.protocol_) else {
            throw SAMLError(.invalidMessage, "The message is <\(document.root?.localName ?? "?")>, not a SAML 2.0 AuthnRequest.")
        }
        self.root = root
        guard root.attribute("Version") == "2.0" else {
            throw SAMLError(.invalidMessage, "The AuthnRequest has Version \"\(root.attribute("Version") ?? "")\"; only 2.0 is accepted.")
        }
        guard let id = root.attribute("ID"), !id.isEmpty else {
            throw SAMLError(.invalidMessage, "The AuthnRequest has no ID.")
        }
        self.id = id
        guard let issuerText = root.child("Issuer", NS.assertion)?.text.trimmingXMLWhitespace, !issuerText.isEmpty else {
            throw SAMLError(.invalidMessage, "The AuthnRequest has no Issuer, so the SP cannot be told.")
        }
        issuer = issuerText
        guard let instantText = root.attribute("IssueInstant"), let instant = SAMLTime.parse(instantText) else {
            throw SAMLError(.invalidMessage, "The AuthnRequest has no valid IssueInstant.")
        }
        issueInstant = instant
        if instant > now.addingTimeInterval(Self.clockSkew) {
            throw SAMLError(.notYetValid, "The AuthnRequest was issued at \(SAMLTime.format(instant)), in the future (now \(SAMLTime.format(now))).")
        }
        if now.timeIntervalSince(instant) > Self.maximumAge + Self.clockSkew {
            throw SAMLError(.expired, "The AuthnRequest was issued at \(SAMLTime.format(instant)), more than \(Int(Self.maximumAge)) s ago.")
        }
        destination = root.attribute("Destination")
        if let destination, destination != idp.redirectURL, destination != idp.postURL {
            throw SAMLError(.destinationMismatch, "The AuthnRequest is addressed to \"\(destination)\", not this IdP's single sign-on URL.")
        }
        if let protocolBinding = root.attribute("ProtocolBinding"), protocolBinding != SAMLBinding.httpPost.rawValue {
            throw SAMLError(.unsupported, "The AuthnRequest asks for the response by \(protocolBinding); this IdP answers with HTTP-POST only.")
        }
        if root.attribute("AssertionConsumerServiceIndex") != nil && root.attribute("AssertionConsumerServiceURL") == nil {
            throw SAMLError(.unsupported, "AssertionConsumerServiceIndex is not supported; send AssertionConsumerServiceURL.")
        }
        let requestedACS = root.attribute("AssertionConsumerServiceURL")
        if idp.serviceProviders.isEmpty {
            registration = nil
            guard let requestedACS, !requestedACS.isEmpty else {
                throw SAMLError(.invalidRequest, "The AuthnRequest names no AssertionConsumerServiceURL and the SP \"\(issuerText)\" is not registered.")
            }
            acsURL = requestedACS
        } else {
            guard let found = idp.serviceProviders.first(where: { $0.entityID == issuerText }) else {
                throw SAMLError(.entityNotFound, "The SP \"\(issuerText)\" is not registered with this IdP (registered: \(idp.serviceProviders.map(\.entityID).joined(separator: ", "))).")
            }
            registration = found
            if let requestedACS {
                guard found.acsURLs.contains(requestedACS) else {
                    throw SAMLError(.invalidRequest, "The ACS URL \"\(requestedACS)\" is not registered for \"\(issuerText)\"; a response is never sent to an unregistered address.")
                }
                acsURL = requestedACS
            } else {
                guard let first = found.acsURLs.first else {
                    throw SAMLError(.invalidConfiguration, "The SP \"\(issuerText)\" is registered without an ACS URL.")
                }
                acsURL = first
            }
        }
    }

    /// The certificates that may sign this SP's requests; none registered is an error.
    func trustedCertificates() throws -> [SAMLCertificate] {
        let certificates = registration?.signingCertificates ?? []
        guard !certificates.isEmpty else {
            throw SAMLError(.untrustedKey, "The AuthnRequest is signed, and no signing certificate is registered for the SP \"\(issuer)\"; register it to check the signature.")
        }
        return certificates
    }

    func result(relayState: String?, verified: Bool, algorithm: String?, xml: [UInt8]) -> ReceivedAuthnRequest {
        let policy = root.child("NameIDPolicy", NS.protocol_)
        return ReceivedAuthnRequest(
            id: id, issuer: issuer, binding: binding, acsURL: acsURL, destination: destination, issueInstant: issueInstant,
            relayState: relayState, nameIDFormat: policy?.attribute("Format").map(NameIDFormat.init(rawValue:)),
            forceAuthn: Self.boolean(root.attribute("ForceAuthn")), isPassive: Self.boolean(root.attribute("IsPassive")),
            signatureVerified: verified, signatureAlgorithm: algorithm, xml: String(decoding: xml, as: UTF8.self))
    }

    static func boolean(_ text: String?) -> Bool {
        text == "true" || text == "1"
    }
}

/// Percent-decoding of query-string components (`+` is a space, as in form encoding).
enum QueryDecoding {
    static func decode(_ text: Substring) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        func hex(_ c: UInt8?) -> UInt8? {
            guard let c else { return nil }
            switch c {
            case 48...57: return c - 48
            case 65...70: return c - 55
            case 97...102: return c - 87
            default: return nil
            }
        }
        while let c = iterator.next() {
            switch c {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = hex(iterator.next()), let low = hex(iterator.next()) else {
                    throw SAMLError(.invalidRequest, "The query string has a malformed percent escape.")
                }
                bytes.append(high << 4 | low)
            default: bytes.append(c)
            }
        }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw SAMLError(.invalidRequest, "A query-string parameter is not UTF-8.")
        }
        return string
    }
}
