public import Foundation
public import SAMLCore
import SAMLXMLSec

extension TestIdentityProvider {
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
        let message = try RedirectBindingMessage(query: query, expecting: "SAMLRequest", limits: limits)
        let document = try XMLDocument.parse(message.xml, limits: limits)
        let request = try AuthnRequestReader(idp: self, document: document, binding: .httpRedirect, now: now)
        var algorithm: String?
        if message.isSigned {
            try message.verifySignature(trusted: try request.trustedCertificates(), allowSHA1: false,
                                        what: "AuthnRequest from \"\(request.issuer)\"")
            algorithm = message.signatureAlgorithm
        }
        if wantAuthnRequestsSigned && !message.isSigned {
            throw SAMLError(.signatureMissing, "This IdP wants signed AuthnRequests (WantAuthnRequestsSigned) and the request is not signed.")
        }
        return request.result(relayState: message.relayState, verified: message.isSigned, algorithm: algorithm, xml: message.xml)
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
