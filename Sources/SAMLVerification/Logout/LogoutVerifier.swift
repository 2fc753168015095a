public import Foundation
public import SAMLCore
public import SAMLMetadata
import SAMLXMLSec

/// Verifies the single logout messages an IdP sends this SP — its `LogoutRequest`s (IdP-initiated
/// logout) and its `LogoutResponse`s to this SP's requests — by the same rules as the ACS: hardened
/// parsing, signatures only with the IdP's configured keys (the HTTP-Redirect signature over the
/// exact received query octets; the HTTP-POST enveloped signature with one Reference to the message's
/// own ID), no foreign elements in the message, Issuer, Destination, times, and replay.
public struct LogoutVerifier: Sendable {
    /// This SP.
    public var serviceProvider: ServiceProvider
    /// This SP's single logout URL: the Destination the messages must name.
    public var singleLogoutURL: String
    /// The IdP the messages must come from.
    public var identityProvider: IdentityProvider
    /// Clock skew, message age, SHA-1 and size limits are taken from here.
    public var policy: VerificationPolicy
    /// Where LogoutRequest IDs are remembered (in ``ReplayScope/logoutRequest``, apart from assertion
    /// IDs, each no longer than it could be accepted), so each is accepted once.
    public var replayStore: any ReplayStore
    /// Accept unsigned messages from this IdP. Default false; some IdPs send unsigned logout
    /// messages, and then anyone can end your users' sessions.
    public var allowsUnsignedMessages: Bool

    /// Creates a verifier.
    public init(serviceProvider: ServiceProvider, singleLogoutURL: String, identityProvider: IdentityProvider,
                policy: VerificationPolicy = .default, replayStore: any ReplayStore = InMemoryReplayStore.shared,
                allowsUnsignedMessages: Bool = false) {
        self.serviceProvider = serviceProvider
        self.singleLogoutURL = singleLogoutURL
        self.identityProvider = identityProvider
        self.policy = policy
        self.replayStore = replayStore
        self.allowsUnsignedMessages = allowsUnsignedMessages
    }

    // MARK: LogoutRequest

    /// Verifies a LogoutRequest received by HTTP-Redirect: `query` is the raw query string (or the
    /// full URL) exactly as received, never re-encoded.
    public func verifyLogoutRequest(redirectQuery query: String, now: Date = Date()) async throws -> VerifiedLogoutRequest {
        let message = try RedirectBindingMessage(query: query, expecting: "SAMLRequest", limits: policy.limits)
        let document = try XMLDocument.parse(message.xml, limits: policy.limits)
        let root = try LogoutShape.root(of: document, named: "LogoutRequest")
        let signed = try checkRedirectSignature(message, what: "LogoutRequest")
        return try await readRequest(root, relayState: message.relayState, binding: .httpRedirect, signed: signed, now: now)
    }

    /// Verifies a LogoutRequest received by HTTP-POST (the `SAMLRequest` form value).
    public func verifyLogoutRequest(samlRequest: String, relayState: String?, now: Date = Date()) async throws -> VerifiedLogoutRequest {
        let document = try XMLDocument.parse(try LogoutShape.decodePost(samlRequest, field: "SAMLRequest", limits: policy.limits), limits: policy.limits)
        let root = try LogoutShape.root(of: document, named: "LogoutRequest")
        let signed = try checkEnvelopedSignature(root, what: "LogoutRequest")
        return try await readRequest(root, relayState: relayState, binding: .httpPost, signed: signed, now: now)
    }

    // MARK: LogoutResponse

    /// Verifies a LogoutResponse received by HTTP-Redirect, answering `expectedRequestID`.
    public func verifyLogoutResponse(redirectQuery query: String, expectedRequestID: String, now: Date = Date()) throws -> VerifiedLogoutResponse {
        let message = try RedirectBindingMessage(query: query, expecting: "SAMLResponse", limits: policy.limits)
        let document = try XMLDocument.parse(message.xml, limits: policy.limits)
        let root = try LogoutShape.root(of: document, named: "LogoutResponse")
        let signed = try checkRedirectSignature(message, what: "LogoutResponse")
        return try readResponse(root, relayState: message.relayState, signed: signed, expectedRequestID: expectedRequestID, now: now)
    }

    /// Verifies a LogoutResponse received by HTTP-POST (the `SAMLResponse` form value).
    public func verifyLogoutResponse(samlResponse: String, relayState: String?, expectedRequestID: String,
                                     now: Date = Date()) throws -> VerifiedLogoutResponse {
        let document = try XMLDocument.parse(try LogoutShape.decodePost(samlResponse, field: "SAMLResponse", limits: policy.limits), limits: policy.limits)
        let root = try LogoutShape.root(of: document, named: "LogoutResponse")
        let signed = try checkEnvelopedSignature(root, what: "LogoutResponse")
        return try readResponse(root, relayState: relayState, signed: signed, expectedRequestID: expectedRequestID, now: now)
    }

    // MARK: Checks

    private func checkRedirectSignature(_ message: RedirectBindingMessage, what: String) throws -> Bool {
        guard message.isSigned else {
            if allowsUnsignedMessages { return false }
            throw SAMLError(.signatureMissing, "The \(what) is not signed, and unsigned logout messages are not allowed for the IdP \(identityProvider.entityID).")
        }
        try message.verifySignature(trusted: identityProvider.signingCertificates, allowSHA1: policy.allowSHA1, what: what)
        return true
    }

    private func checkEnvelopedSignature(_ root: XMLElement, what: String) throws -> Bool {
        guard !EnvelopedSignature.signatures(of: root).isEmpty else {
            if allowsUnsignedMessages { return false }
            throw SAMLError(.signatureMissing, "The \(what) is not signed, and unsigned logout messages are not allowed for the IdP \(identityProvider.entityID).")
        }
        try EnvelopedSignature.verify(root, trusted: identityProvider.signingCertificates, allowSHA1: policy.allowSHA1, what: what)
        return true
    }

    private func checkCommon(_ root: XMLElement, what: String, signed: Bool, now: Date) throws -> (id: String, issueInstant: Date) {
        guard root.attribute("Version") == "2.0" else {
            throw SAMLError(.invalidMessage, "The \(what) is not SAML 2.0 (Version must be 2.0).")
        }
        guard let id = root.attribute("ID"), !id.isEmpty else {
            throw SAMLError(.invalidMessage, "The \(what) has no ID.")
        }
        let issuer = root.child("Issuer", NS.assertion)?.text.trimmingXMLWhitespace
        guard let issuer, !issuer.isEmpty else {
            throw SAMLError(.issuerMismatch, "The \(what) names no Issuer; it must be \(identityProvider.entityID).")
        }
        guard issuer == identityProvider.entityID else {
            throw SAMLError(.issuerMismatch, "The \(what) comes from \"\(SAMLError.shown(issuer))\", not the IdP \(identityProvider.entityID).")
        }
        let destination = root.attribute("Destination")
        if signed || destination != nil {
            guard destination == singleLogoutURL else {
                throw SAMLError(.destinationMismatch, destination == nil
                    ? "The signed \(what) names no Destination; it must be this SP's logout URL \(singleLogoutURL)."
                    : "The \(what) is addressed to \"\(SAMLError.shown(destination ?? ""))\", not this SP's logout URL \(singleLogoutURL).")
            }
        }
        guard let instantText = root.attribute("IssueInstant"), let issueInstant = SAMLTime.parse(instantText) else {
            throw SAMLError(.invalidMessage, "The \(what) has no valid IssueInstant.")
        }
        let skew = policy.clockSkew.timeInterval
        guard issueInstant.timeIntervalSince(now) <= skew else {
            throw SAMLError(.notYetValid, "The \(what) was issued at \(instantText), in the future (clock skew allowed: \(Int(skew)) s).")
        }
        guard now.timeIntervalSince(issueInstant) <= policy.maximumMessageAge.timeInterval + skew else {
            throw SAMLError(.expired, "The \(what) was issued at \(instantText), longer ago than the \(Int(policy.maximumMessageAge.timeInterval)) s allowed.")
        }
        return (id, issueInstant)
    }

    private func readRequest(_ root: XMLElement, relayState: String?, binding: SAMLBinding, signed: Bool, now: Date) async throws -> VerifiedLogoutRequest {
        try LogoutShape.onlyChildren(of: root, allowed: ["Issuer", "Signature", "Extensions", "NameID", "BaseID", "EncryptedID", "SessionIndex"],
                                     what: "LogoutRequest")
        let (id, issueInstant) = try checkCommon(root, what: "LogoutRequest", signed: signed, now: now)
        let skew = policy.clockSkew.timeInterval
        // The last instant this request could be accepted: its IssueInstant plus the maximum age
        // (checkCommon), or its NotOnOrAfter when earlier; plus the skew. A far NotOnOrAfter
        // (which an unsigned request can carry) never keeps the entry longer.
        var expiry = issueInstant.addingTimeInterval(policy.maximumMessageAge.timeInterval)
        if let text = root.attribute("NotOnOrAfter") {
            guard let notOnOrAfter = SAMLTime.parse(text) else {
                throw SAMLError(.invalidMessage, "The LogoutRequest's NotOnOrAfter is not a valid time.")
            }
            guard now.timeIntervalSince(notOnOrAfter) < skew else {
                throw SAMLError(.expired, "The LogoutRequest expired at \(text).")
            }
            expiry = min(expiry, notOnOrAfter)
        }
        let identifiers = root.children.filter { ["NameID", "BaseID", "EncryptedID"].contains($0.localName) }
        guard identifiers.count == 1, let identifier = identifiers.first else {
            throw SAMLError(.invalidMessage, "The LogoutRequest must name exactly one user (NameID); it names \(identifiers.count).")
        }
        guard identifier.is("NameID", NS.assertion) else {
            throw SAMLError(.unsupported, "The LogoutRequest identifies the user with \(identifier.localName); only a plain NameID is supported.")
        }
        let nameID = NameID(value: identifier.text, format: identifier.attribute("Format").map(NameIDFormat.init(rawValue:)),
                            nameQualifier: identifier.attribute("NameQualifier"), spNameQualifier: identifier.attribute("SPNameQualifier"))
        guard !nameID.value.isEmpty else { throw SAMLError(.invalidMessage, "The LogoutRequest's NameID is empty.") }
        let sessionIndexes = root.children("SessionIndex", NS.protocol_).map { $0.text.trimmingXMLWhitespace }
        if policy.detectReplay {
            let fresh = try await replayStore.insertIfAbsent(identityProvider.entityID + "\u{0}" + id, scope: .logoutRequest,
                                                             expiresAt: expiry.addingTimeInterval(skew), now: now)
            guard fresh else {
                throw SAMLError(.replayed, "The LogoutRequest \(SAMLError.shown(id)) was already received; each is accepted once.")
            }
        }
        return VerifiedLogoutRequest(id: id, issuer: identityProvider.entityID, nameID: nameID, sessionIndexes: sessionIndexes,
                                     relayState: relayState, binding: binding, wasSigned: signed)
    }

    private func readResponse(_ root: XMLElement, relayState: String?, signed: Bool, expectedRequestID: String,
                              now: Date) throws -> VerifiedLogoutResponse {
        try LogoutShape.onlyChildren(of: root, allowed: ["Issuer", "Signature", "Extensions", "Status"], what: "LogoutResponse")
        let (id, _) = try checkCommon(root, what: "LogoutResponse", signed: signed, now: now)
        guard let inResponseTo = root.attribute("InResponseTo"), inResponseTo == expectedRequestID else {
            throw SAMLError(.inResponseToMismatch, "The LogoutResponse does not answer the logout request this SP sent (\(expectedRequestID)).")
        }
        guard let code = root.child("Status", NS.protocol_)?.child("StatusCode", NS.protocol_), let value = code.attribute("Value") else {
            throw SAMLError(.invalidMessage, "The LogoutResponse has no StatusCode.")
        }
        let second = code.child("StatusCode", NS.protocol_)?.attribute("Value")
        guard value == StatusURN.success else {
            throw SAMLError(.statusNotSuccess, "The IdP did not log the user out: status \(SAMLError.shown(value))\(second.map { " / " + SAMLError.shown($0) } ?? "").")
        }
        return VerifiedLogoutResponse(id: id, issuer: identityProvider.entityID, inResponseTo: inResponseTo,
                                      isPartial: second == StatusURN.partialLogout, relayState: relayState)
    }
}

/// The status codes a LogoutResponse carries.
enum StatusURN {
    static let success = "urn:oasis:names:tc:SAML:2.0:status:Success"
    static let partialLogout = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout"
}

/// Shape rules shared by both logout messages.
enum LogoutShape {
    static func decodePost(_ value: String, field: String, limits: XMLLimits) throws -> [UInt8] {
        guard value.utf8.count <= limits.maximumBytes / 3 * 4 + limits.maximumBytes / 16 + 1024 else {
            throw SAMLError(.tooLarge, "The \(field) value is \(value.utf8.count) bytes, beyond the \(limits.maximumBytes)-byte XML limit.")
        }
        guard let bytes = Base64.decode(value) else {
            throw SAMLError(.invalidEncoding, "The \(field) value is not valid base64.")
        }
        return bytes
    }

    static func root(of document: XMLDocument, named name: String) throws -> XMLElement {
        guard let root = document.root, root.is(name, NS.protocol_) else {
            throw SAMLError(.invalidMessage, "The message is not a SAML 2.0 \(name).")
        }
        return root
    }

    /// Refuses any child element outside the schema's list (a wrapped assertion, a second message…).
    static func onlyChildren(of root: XMLElement, allowed: Set<String>, what: String) throws {
        for child in root.children {
            let namespace = child.namespaceURI ?? ""
            guard allowed.contains(child.localName), [NS.assertion, NS.protocol_, NS.dsig].contains(namespace) else {
                throw SAMLError(.invalidMessage, "The \(what) carries an unexpected <\(SAMLError.shown(child.localName))> element; it is refused rather than ignored.")
            }
        }
    }

}
