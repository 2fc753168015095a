public import Foundation
import SAMLCore
import SAMLXMLSec

/// What a SAML message or metadata document *claims*, read without checking a single signature.
///
/// Made by ``SAMLMessageInspector`` for people debugging a login (`saml decode`). Nothing here is
/// trusted: anyone can write any of these values. A signature listed in ``signatures`` says only
/// that a `<ds:Signature>` element is present, with the algorithms and certificates it names —
/// not that it verifies, nor that the certificate belongs to anyone you trust. To act on a
/// response, verify it with `ResponseVerifier`.
public struct UnverifiedMessage: Sendable, Encodable {
    /// How the message was carried and unpacked.
    public struct Transport: Sendable, Encodable {
        /// `HTTP-Redirect` (base64 of raw DEFLATE in a query string), `HTTP-POST` (base64 in a
        /// form body), `base64` (a bare value) or `XML` (the document itself).
        public var encoding: String
        /// `SAMLRequest` or `SAMLResponse` when the input named its parameter.
        public var parameter: String? = nil
        /// The RelayState that travelled with the message.
        public var relayState: String? = nil
        /// The query-string signature algorithm URI (HTTP-Redirect).
        public var sigAlg: String? = nil
        /// Whether a query-string `Signature` parameter is present (HTTP-Redirect); unverified.
        public var hasQuerySignature: Bool = false
        /// Size of the XML after base64 decoding and inflating, in bytes.
        public var xmlBytes: Int
    }

    /// A `<samlp:Status>`.
    public struct Status: Sendable, Encodable {
        /// The top-level StatusCode value.
        public let code: String
        /// The second-level StatusCode value, if any.
        public let subCode: String?
        /// The StatusMessage text, if any.
        public let message: String?
        /// Whether the top-level code is `…:status:Success`.
        public let isSuccess: Bool

        init(code: String, subCode: String?, message: String?) {
            self.code = code
            self.subCode = subCode
            self.message = message
            isSuccess = code == "urn:oasis:names:tc:SAML:2.0:status:Success"
        }
    }

    /// A `<saml:NameID>`.
    public struct NameID: Sendable, Encodable {
        /// The identifier.
        public var value: String
        /// The Format URN, if any.
        public var format: String?
    }

    /// A `<saml:SubjectConfirmation>` with its data.
    public struct SubjectConfirmation: Sendable, Encodable {
        /// The Method URN (`…:cm:bearer` for browser logins).
        public var method: String?
        /// Where the assertion may be delivered.
        public var recipient: String?
        /// The request this confirmation answers.
        public var inResponseTo: String?
        /// The raw NotOnOrAfter text.
        public var notOnOrAfter: String?
    }

    /// A `<saml:Attribute>`.
    public struct Attribute: Sendable, Encodable {
        /// The Name.
        public var name: String
        /// The FriendlyName, if any.
        public var friendlyName: String?
        /// The text of each AttributeValue.
        public var values: [String]
    }

    /// A readable `<saml:Assertion>` (encrypted ones are only counted).
    public struct Assertion: Sendable, Encodable {
        /// The assertion's ID.
        public var id: String?
        /// The Issuer text.
        public var issuer: String?
        /// The raw IssueInstant text.
        public var issueInstant: String?
        /// The Subject's NameID, if it is not encrypted.
        public var nameID: NameID?
        /// The Subject's confirmations.
        public var subjectConfirmations: [SubjectConfirmation]
        /// Conditions NotBefore (raw text).
        public var notBefore: String?
        /// Conditions NotOnOrAfter (raw text).
        public var notOnOrAfter: String?
        /// Every Audience of every AudienceRestriction.
        public var audiences: [String]
        /// AuthnStatement AuthnInstant (raw text).
        public var authnInstant: String?
        /// AuthnStatement SessionIndex.
        public var sessionIndex: String?
        /// AuthnStatement SessionNotOnOrAfter (raw text).
        public var sessionNotOnOrAfter: String?
        /// AuthnContextClassRef.
        public var authnContextClassRef: String?
        /// Attributes in document order.
        public var attributes: [Attribute]
    }

    /// What an AuthnRequest asks for.
    public struct Request: Sendable, Encodable {
        /// AssertionConsumerServiceURL.
        public var assertionConsumerServiceURL: String?
        /// ProtocolBinding URN.
        public var protocolBinding: String?
        /// NameIDPolicy Format.
        public var nameIDPolicyFormat: String?
        /// ForceAuthn as written.
        public var forceAuthn: String?
        /// IsPassive as written.
        public var isPassive: String?
    }

    /// A certificate carried inside a message's KeyInfo — shown, never trusted.
    public struct CarriedCertificate: Sendable, Encodable {
        /// Subject DN.
        public var subject: String
        /// Issuer DN.
        public var issuer: String
        /// End of validity.
        public var notAfter: Date
        /// Whether the certificate is outside its validity period now.
        public var expired: Bool
        /// SHA-256 fingerprint of the DER, lower-case hex.
        public var sha256Fingerprint: String

        init(_ certificate: SAMLCertificate, now: Date) {
            subject = certificate.subject
            issuer = certificate.issuer
            notAfter = certificate.notAfter
            expired = certificate.isExpired(at: now)
            sha256Fingerprint = certificate.sha256Fingerprint
        }
    }

    /// One `<ds:Signature>` element as written: present does not mean valid.
    public struct Signature: Sendable, Encodable {
        /// Local name of the element that holds the signature (`Response`, `Assertion`, …).
        public var parentElement: String
        /// That element's ID, if any.
        public var parentID: String?
        /// The Reference URIs.
        public var referenceURIs: [String]
        /// Whether exactly one Reference points at the holding element's ID.
        public var referencesParent: Bool
        /// SignatureMethod Algorithm URI.
        public var signatureMethod: String?
        /// DigestMethod Algorithm URIs of the references.
        public var digestMethods: [String]
        /// CanonicalizationMethod Algorithm URI.
        public var canonicalizationMethod: String?
        /// Certificates in KeyInfo that could be read.
        public var certificates: [CarriedCertificate]
        /// How many X509Certificate elements could not be read.
        public var unreadableCertificates: Int
    }

    /// An endpoint in metadata.
    public struct MetadataEndpoint: Sendable, Encodable {
        /// Binding URN.
        public var binding: String
        /// Location URL.
        public var location: String
        /// `index`, for indexed endpoints.
        public var index: String?
    }

    /// A certificate published in a metadata KeyDescriptor.
    public struct MetadataKey: Sendable, Encodable {
        /// `signing`, `encryption`, or nil (both).
        public var use: String?
        /// The certificate.
        public var certificate: CarriedCertificate
        /// Its DER, for comparing with a configured certificate.
        public var der: [UInt8]

        private enum CodingKeys: String, CodingKey { case use, certificate }
    }

    /// One SSO role of a metadata entity.
    public struct MetadataRole: Sendable, Encodable {
        /// `IDPSSODescriptor` or `SPSSODescriptor`.
        public var kind: String
        /// WantAuthnRequestsSigned (IdP) as written.
        public var wantAuthnRequestsSigned: String?
        /// AuthnRequestsSigned (SP) as written.
        public var authnRequestsSigned: String?
        /// WantAssertionsSigned (SP) as written.
        public var wantAssertionsSigned: String?
        /// SingleSignOnService (IdP) or AssertionConsumerService (SP) endpoints.
        public var endpoints: [MetadataEndpoint]
        /// KeyDescriptor certificates.
        public var keys: [MetadataKey]
        /// Unreadable certificates in KeyDescriptors.
        public var unreadableCertificates: Int
    }

    /// One `<md:EntityDescriptor>`.
    public struct MetadataEntity: Sendable, Encodable {
        /// entityID.
        public var entityID: String
        /// validUntil as written (on the entity or the nearest ancestor that has one).
        public var validUntil: String?
        /// The SSO roles.
        public var roles: [MetadataRole]
        /// `alg:SigningMethod` Algorithm URIs (SAML metadata algorithm support profile).
        public var signingMethods: [String]
        /// `alg:DigestMethod` Algorithm URIs.
        public var digestMethods: [String]
    }

    /// How the input was carried.
    public var transport: Transport
    /// The XML re-indented for reading (whitespace between elements changed: never verify this text).
    public var indentedXML: String
    /// The root element's local name (`Response`, `AuthnRequest`, `EntityDescriptor`, …).
    public var messageType: String
    /// The root element's namespace URI.
    public var namespace: String?
    /// The root's ID.
    public var id: String?
    /// The root's InResponseTo.
    public var inResponseTo: String?
    /// The root's IssueInstant (raw text).
    public var issueInstant: String?
    /// The root's Destination.
    public var destination: String?
    /// The root's Issuer text.
    public var issuer: String?
    /// The Status of a response.
    public var status: Status?
    /// AuthnRequest details.
    public var request: Request?
    /// Readable assertions, in document order.
    public var assertions: [Assertion]
    /// How many EncryptedAssertion elements there are (their content needs the SP key).
    public var encryptedAssertions: Int
    /// Every `<ds:Signature>` in the document, in document order.
    public var signatures: [Signature]
    /// Metadata entities, when the document is metadata.
    public var entities: [MetadataEntity]
    /// The instant the message was read at; ``times`` are relative to it.
    public var inspectedAt: Date

    /// Every time value with a label (`IssueInstant`, `Assertion NotOnOrAfter`, …), parsed;
    /// values that do not parse as `xs:dateTime` are left out.
    public var times: [(label: String, date: Date)] {
        var result: [(String, String?)] = [("IssueInstant", issueInstant)]
        for (n, a) in assertions.enumerated() {
            let prefix = assertions.count > 1 ? "Assertion \(n + 1) " : "Assertion "
            result += [(prefix + "IssueInstant", a.issueInstant), (prefix + "NotBefore", a.notBefore),
                       (prefix + "NotOnOrAfter", a.notOnOrAfter), (prefix + "AuthnInstant", a.authnInstant),
                       (prefix + "SessionNotOnOrAfter", a.sessionNotOnOrAfter)]
            for c in a.subjectConfirmations { result.append((prefix + "SubjectConfirmation NotOnOrAfter", c.notOnOrAfter)) }
        }
        for e in entities { result.append(("validUntil \(e.entityID)", e.validUntil)) }
        return result.compactMap { label, text in text.flatMap(SAMLTime.parse).map { (label, $0) } }
    }

    private enum CodingKeys: String, CodingKey {
        case verified, transport, messageType, namespace, id, inResponseTo, issueInstant, destination, issuer
        case status, request, assertions, encryptedAssertions, signatures, entities, times, inspectedAt, xml
    }

    private struct TimeJSON: Encodable {
        var label: String
        var at: Date
        var secondsFromNow: Int
    }

    /// Encodes every field plus `"verified": false`, so JSON consumers cannot miss it, and the
    /// parsed ``times`` with their distance from ``inspectedAt`` in seconds. The indented XML goes
    /// under `xml` unless it is empty.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(false, forKey: .verified)
        try c.encode(transport, forKey: .transport)
        try c.encode(messageType, forKey: .messageType)
        try c.encodeIfPresent(namespace, forKey: .namespace)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(inResponseTo, forKey: .inResponseTo)
        try c.encodeIfPresent(issueInstant, forKey: .issueInstant)
        try c.encodeIfPresent(destination, forKey: .destination)
        try c.encodeIfPresent(issuer, forKey: .issuer)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encodeIfPresent(request, forKey: .request)
        try c.encode(assertions, forKey: .assertions)
        try c.encode(encryptedAssertions, forKey: .encryptedAssertions)
        try c.encode(signatures, forKey: .signatures)
        if !entities.isEmpty { try c.encode(entities, forKey: .entities) }
        try c.encode(inspectedAt, forKey: .inspectedAt)
        try c.encode(times.map { TimeJSON(label: $0.label, at: $0.date, secondsFromNow: Int($0.date.timeIntervalSince(inspectedAt).rounded())) },
                     forKey: .times)
        if !indentedXML.isEmpty { try c.encode(indentedXML, forKey: .xml) }
    }
}

extension UnverifiedMessage {
    static let algorithmSupport = "urn:oasis:names:tc:SAML:metadata:algsupport"
    /// At most this many certificates are read per KeyInfo or KeyDescriptor.
    static let certificateLimit = 8

    /// Reads what a parsed document claims.
    init(document: XMLDocument, transport: Transport, now: Date) throws {
        guard let root = document.root else { throw SAMLError(.malformedXML, "The XML has no root element.") }
        self.transport = transport
        inspectedAt = now
        indentedXML = document.indentedForDisplay() ?? String(decoding: document.serialized(), as: UTF8.self)
        messageType = root.localName
        namespace = root.namespaceURI
        id = root.attribute("ID")
        inResponseTo = root.attribute("InResponseTo")
        issueInstant = root.attribute("IssueInstant")
        destination = root.attribute("Destination")
        issuer = root.child("Issuer", NS.assertion).map { $0.text.trimmingXMLWhitespace }
        if let status = root.child("Status", NS.protocol_) {
            let code = status.child("StatusCode", NS.protocol_)
            self.status = Status(code: code?.attribute("Value") ?? "",
                                 subCode: code?.child("StatusCode", NS.protocol_)?.attribute("Value"),
                                 message: status.child("StatusMessage", NS.protocol_)?.text.trimmingXMLWhitespace)
        }
        if root.is("AuthnRequest", NS.protocol_) {
            request = Request(assertionConsumerServiceURL: root.attribute("AssertionConsumerServiceURL"),
                              protocolBinding: root.attribute("ProtocolBinding"),
                              nameIDPolicyFormat: root.child("NameIDPolicy", NS.protocol_)?.attribute("Format"),
                              forceAuthn: root.attribute("ForceAuthn"), isPassive: root.attribute("IsPassive"))
        }
        var assertionElements = root.is("Assertion", NS.assertion) ? [root] : []
        assertionElements += root.descendants("Assertion", NS.assertion)
        assertions = assertionElements.map(Self.assertion)
        encryptedAssertions = root.descendants("EncryptedAssertion", NS.assertion).count
        signatures = root.descendants("Signature", NS.dsig).map { Self.signature($0, now: now) }
        var entityElements: [(XMLElement, String?)] = []
        func collect(_ element: XMLElement, validUntil: String?) {
            let until = element.attribute("validUntil") ?? validUntil
            if element.is("EntityDescriptor", NS.metadata) {
                entityElements.append((element, until))
            } else if element.is("EntitiesDescriptor", NS.metadata) {
                for child in element.children { collect(child, validUntil: until) }
            }
        }
        collect(root, validUntil: nil)
        entities = entityElements.map { Self.entity($0.0, validUntil: $0.1, now: now) }
    }

    static func assertion(_ a: XMLElement) -> Assertion {
        let subject = a.child("Subject", NS.assertion)
        let conditions = a.child("Conditions", NS.assertion)
        let authn = a.child("AuthnStatement", NS.assertion)
        let nameID = subject?.child("NameID", NS.assertion).map { NameID(value: $0.text.trimmingXMLWhitespace, format: $0.attribute("Format")) }
        let confirmations = (subject?.children("SubjectConfirmation", NS.assertion) ?? []).map { c in
            let data = c.child("SubjectConfirmationData", NS.assertion)
            return SubjectConfirmation(method: c.attribute("Method"), recipient: data?.attribute("Recipient"),
                                       inResponseTo: data?.attribute("InResponseTo"), notOnOrAfter: data?.attribute("NotOnOrAfter"))
        }
        let audiences = (conditions?.children("AudienceRestriction", NS.assertion) ?? [])
            .flatMap { $0.children("Audience", NS.assertion) }.map { $0.text.trimmingXMLWhitespace }
        let attributes = a.children("AttributeStatement", NS.assertion).flatMap { $0.children("Attribute", NS.assertion) }.map {
            Attribute(name: $0.attribute("Name") ?? "", friendlyName: $0.attribute("FriendlyName"),
                      values: $0.children("AttributeValue", NS.assertion).map { $0.text.trimmingXMLWhitespace })
        }
        return Assertion(
            id: a.attribute("ID"), issuer: a.child("Issuer", NS.assertion).map { $0.text.trimmingXMLWhitespace },
            issueInstant: a.attribute("IssueInstant"), nameID: nameID, subjectConfirmations: confirmations,
            notBefore: conditions?.attribute("NotBefore"), notOnOrAfter: conditions?.attribute("NotOnOrAfter"),
            audiences: audiences, authnInstant: authn?.attribute("AuthnInstant"), sessionIndex: authn?.attribute("SessionIndex"),
            sessionNotOnOrAfter: authn?.attribute("SessionNotOnOrAfter"),
            authnContextClassRef: authn?.child("AuthnContext", NS.assertion)?.child("AuthnContextClassRef", NS.assertion)?.text.trimmingXMLWhitespace,
            attributes: attributes)
    }

    static func certificates(in keyInfo: XMLElement?, now: Date) -> (readable: [(SAMLCertificate, CarriedCertificate)], unreadable: Int) {
        var readable: [(SAMLCertificate, CarriedCertificate)] = []
        var unreadable = 0
        let elements = (keyInfo?.children("X509Data", NS.dsig) ?? []).flatMap { $0.children("X509Certificate", NS.dsig) }
        for element in elements.prefix(certificateLimit) {
            if let certificate = try? SAMLCertificate(base64: element.text) {
                readable.append((certificate, CarriedCertificate(certificate, now: now)))
            } else {
                unreadable += 1
            }
        }
        return (readable, unreadable + max(0, elements.count - certificateLimit))
    }

    static func signature(_ s: XMLElement, now: Date) -> Signature {
        let parent = s.parent
        let signedInfo = s.child("SignedInfo", NS.dsig)
        let references = signedInfo?.children("Reference", NS.dsig) ?? []
        let uris = references.map { $0.attribute("URI") ?? "" }
        let parentID = parent?.attribute("ID")
        let carried = certificates(in: s.child("KeyInfo", NS.dsig), now: now)
        return Signature(
            parentElement: parent?.localName ?? "(document)", parentID: parentID, referenceURIs: uris,
            referencesParent: uris.count == 1 && parentID.map { uris[0] == "#" + $0 } == true,
            signatureMethod: signedInfo?.child("SignatureMethod", NS.dsig)?.attribute("Algorithm"),
            digestMethods: references.compactMap { $0.child("DigestMethod", NS.dsig)?.attribute("Algorithm") },
            canonicalizationMethod: signedInfo?.child("CanonicalizationMethod", NS.dsig)?.attribute("Algorithm"),
            certificates: carried.readable.map(\.1), unreadableCertificates: carried.unreadable)
    }

    static func entity(_ e: XMLElement, validUntil: String?, now: Date) -> MetadataEntity {
        var signing: [String] = [], digests: [String] = []
        func algorithms(in element: XMLElement) {
            guard let extensions = element.child("Extensions", NS.metadata) else { return }
            signing += extensions.children("SigningMethod", algorithmSupport).compactMap { $0.attribute("Algorithm") }
            digests += extensions.children("DigestMethod", algorithmSupport).compactMap { $0.attribute("Algorithm") }
        }
        algorithms(in: e)
        var roles: [MetadataRole] = []
        for role in e.children where role.is("IDPSSODescriptor", NS.metadata) || role.is("SPSSODescriptor", NS.metadata) {
            algorithms(in: role)
            let isIdP = role.localName == "IDPSSODescriptor"
            let endpoints = role.children(isIdP ? "SingleSignOnService" : "AssertionConsumerService", NS.metadata).map {
                MetadataEndpoint(binding: $0.attribute("Binding") ?? "", location: $0.attribute("Location") ?? "", index: $0.attribute("index"))
            }
            var keys: [MetadataKey] = []
            var unreadable = 0
            for descriptor in role.children("KeyDescriptor", NS.metadata) {
                let found = certificates(in: descriptor.child("KeyInfo", NS.dsig), now: now)
                keys += found.readable.map { MetadataKey(use: descriptor.attribute("use"), certificate: $0.1, der: $0.0.der) }
                unreadable += found.unreadable
            }
            roles.append(MetadataRole(
                kind: role.localName, wantAuthnRequestsSigned: role.attribute("WantAuthnRequestsSigned"),
                authnRequestsSigned: role.attribute("AuthnRequestsSigned"), wantAssertionsSigned: role.attribute("WantAssertionsSigned"),
                endpoints: endpoints, keys: keys, unreadableCertificates: unreadable))
        }
        return MetadataEntity(entityID: e.attribute("entityID") ?? "", validUntil: e.attribute("validUntil") ?? validUntil,
                              roles: roles, signingMethods: signing, digestMethods: digests)
    }
}
