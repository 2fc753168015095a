public import Foundation
import SAMLCore
import SAMLXMLSec

extension TestIdentityProvider {
    /// Issues a Response answering `request` (its ID, ACS URL and RelayState) for `user`.
    ///
    /// - Parameters:
    ///   - user: who logs in.
    ///   - request: a request read by ``receiveRedirect(query:now:limits:)`` or ``receivePost(samlRequest:relayState:now:limits:)``.
    ///   - options: signing, encryption, lifetimes, and an optional ``BrokenVariant``.
    ///   - now: the issue instant (default: the real clock).
    /// - Throws: `SAMLError` when signing or encryption fails (e.g. a non-RSA encryption certificate).
    public func issueResponse(for user: TestUser, answering request: ReceivedAuthnRequest,
                              options: ResponseOptions = ResponseOptions(), now: Date = Date()) throws -> IssuedResponse {
        try issueResponse(for: user, serviceProviderEntityID: request.issuer, acsURL: request.acsURL,
                          inResponseTo: request.id, relayState: request.relayState, options: options, now: now)
    }

    /// Issues a Response for `user` to an SP, answering request `inResponseTo` (nil: IdP-initiated).
    ///
    /// The Response and its Assertion both declare `saml:` for the assertion namespace, so the
    /// assertion reads the same after an SP decrypts it in place. Signatures are enveloped,
    /// exclusive-c14n, RSA-SHA256 or ECDSA-SHA256 (by the key), with the certificate in KeyInfo,
    /// right after each Issuer. An encrypted assertion carries its RSA-OAEP `EncryptedKey`
    /// inside `EncryptedData/KeyInfo`.
    ///
    /// - Throws: `SAMLError` when signing or encryption fails.
    public func issueResponse(for user: TestUser, serviceProviderEntityID: String, acsURL: String, inResponseTo: String?,
                              relayState: String? = nil, options: ResponseOptions = ResponseOptions(),
                              now: Date = Date()) throws -> IssuedResponse {
        let broken = options.broken
        var instant = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        switch broken {
        case .expired: instant.addTimeInterval(-2 * 3600)
        case .notYetValid: instant.addTimeInterval(2 * 3600)
        default: break
        }
        let responseID = try Self.newID()
        let assertionID = try Self.newID()
        let sessionIndex = try options.sessionIndex ?? Self.newID()
        let issuer = broken == .wrongIssuer ? "https://wrong-issuer.example.net/metadata" : entityID
        let audience = broken == .wrongAudience ? "https://another-sp.example.net/metadata" : serviceProviderEntityID
        let recipient = broken == .wrongRecipient ? "https://another-sp.example.net/saml/acs" : acsURL
        let answered: String? = broken == .otherRequestInResponseTo ? try Self.newID() : inResponseTo
        let notOnOrAfter = instant.addingTimeInterval(options.lifetime)

        let assertion = Self.assertionXML(
            id: assertionID, issuer: issuer, instant: instant, user: user, recipient: recipient, audience: audience,
            inResponseTo: answered, notOnOrAfter: notOnOrAfter, sessionIndex: sessionIndex,
            sessionNotOnOrAfter: options.sessionLifetime.map { instant.addingTimeInterval($0) },
            authnContextClassRef: options.authnContextClassRef)
        var xml = #"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion""#
        xml += #" ID="\#(responseID)" Version="2.0" IssueInstant="\#(SAMLTime.format(instant))" Destination="\#(XMLText.attribute(acsURL))""#
        if let answered { xml += #" InResponseTo="\#(XMLText.attribute(answered))""# }
        xml += #"><saml:Issuer>\#(XMLText.content(issuer))</saml:Issuer>"#
        xml += #"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>"#
        xml += assertion
        xml += "</samlp:Response>"

        let document = try XMLDocument.parse(xml)
        guard let response = document.root, var assertionElement = response.child("Assertion", NS.assertion) else {
            throw SAMLError(.libraryFailure, "The response could not be built.")
        }
        let algorithm: SignatureAlgorithmCode = signingKey.privateKey.keyAlgorithm == .rsa ? .rsaSHA256 : .ecdsaSHA256
        let signsAssertion = broken != .unsigned && options.signing != .response
        let signsResponse = broken != .unsigned && options.signing != .assertion
        var tampered = broken != .tamperedAfterSigning

        if signsAssertion {
            try assertionElement.sign(id: assertionID, after: assertionElement.child("Issuer", NS.assertion),
                                      key: signingKey.privateKey.handle, algorithm: algorithm, certificateDER: signingKey.certificate.der)
        }
        if let certificate = options.encryptionCertificate {
            if !tampered && signsAssertion {
                Self.tamper(assertionElement)
                tampered = true
            }
            assertionElement = try assertionElement.encrypt(algorithm: options.contentEncryption.code, certificateDER: certificate.der,
                                                            wrapperName: "EncryptedAssertion", wrapperNamespace: NS.assertion)
        }
        if signsResponse {
            try response.sign(id: responseID, after: response.child("Issuer", NS.assertion),
                              key: signingKey.privateKey.handle, algorithm: algorithm, certificateDER: signingKey.certificate.der)
        }
        if !tampered {
            if options.encryptionCertificate == nil {
                Self.tamper(assertionElement)
            } else {
                // Only the Response signature covers anything readable here.
                response.setAttribute("IssueInstant", SAMLTime.format(instant.addingTimeInterval(1)))
            }
        }
        var text = String(decoding: document.serialized(declaration: true), as: UTF8.self)
        if broken == .wrapped {
            // A forged assertion, unsigned, before the genuine one.
            let forged = Self.assertionXML(
                id: try Self.newID(), issuer: issuer, instant: instant, user: TestUser(nameID: "mallory@example.com"),
                recipient: recipient, audience: audience, inResponseTo: answered, notOnOrAfter: notOnOrAfter,
                sessionIndex: sessionIndex, sessionNotOnOrAfter: nil, authnContextClassRef: options.authnContextClassRef)
            let marker = options.encryptionCertificate == nil ? "<saml:Assertion " : "<saml:EncryptedAssertion"
            guard let range = text.range(of: marker) else { throw SAMLError(.libraryFailure, "The wrapped variant could not be built.") }
            text.insert(contentsOf: forged, at: range.lowerBound)
        }
        return IssuedResponse(
            xml: text, base64: Base64.encode(Array(text.utf8)), responseID: responseID, assertionID: assertionID,
            inResponseTo: answered, destination: acsURL, relayState: relayState, user: user, issueInstant: instant,
            notOnOrAfter: notOnOrAfter, broken: broken)
    }

    /// The same response again, byte for byte: what an attacker who captured it would post.
    /// An SP must accept it once and refuse the second use (`replayed`).
    public func replay(_ response: IssuedResponse) -> IssuedResponse {
        response
    }

    /// Changes the NameID of a (signed) assertion.
    private static func tamper(_ assertion: XMLElement) {
        assertion.child("Subject", NS.assertion)?.child("NameID", NS.assertion)?.setText("mallory@example.com")
    }

    /// The Assertion, declaring its own `saml:` prefix (the same as the Response's).
    static func assertionXML(id: String, issuer: String, instant: Date, user: TestUser, recipient: String, audience: String,
                             inResponseTo: String?, notOnOrAfter: Date, sessionIndex: String, sessionNotOnOrAfter: Date?,
                             authnContextClassRef: String) -> String {
        let time = SAMLTime.format(instant)
        var xml = #"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="\#(id)" Version="2.0" IssueInstant="\#(time)">"#
        xml += "<saml:Issuer>\(XMLText.content(issuer))</saml:Issuer>"
        xml += #"<saml:Subject><saml:NameID Format="\#(XMLText.attribute(user.nameIDFormat.rawValue))">\#(XMLText.content(user.nameID))</saml:NameID>"#
        xml += #"<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData"#
        if let inResponseTo { xml += #" InResponseTo="\#(XMLText.attribute(inResponseTo))""# }
        xml += #" NotOnOrAfter="\#(SAMLTime.format(notOnOrAfter))" Recipient="\#(XMLText.attribute(recipient))"/></saml:SubjectConfirmation></saml:Subject>"#
        xml += #"<saml:Conditions NotBefore="\#(time)" NotOnOrAfter="\#(SAMLTime.format(notOnOrAfter))">"#
        xml += "<saml:AudienceRestriction><saml:Audience>\(XMLText.content(audience))</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
        xml += #"<saml:AuthnStatement AuthnInstant="\#(time)" SessionIndex="\#(XMLText.attribute(sessionIndex))""#
        if let sessionNotOnOrAfter { xml += #" SessionNotOnOrAfter="\#(SAMLTime.format(sessionNotOnOrAfter))""# }
        xml += "><saml:AuthnContext><saml:AuthnContextClassRef>\(XMLText.content(authnContextClassRef))</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
        if !user.attributes.isEmpty {
            xml += "<saml:AttributeStatement>"
            for attribute in user.attributes {
                let format = attribute.nameFormat ?? "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
                xml += #"<saml:Attribute Name="\#(XMLText.attribute(attribute.name))" NameFormat="\#(XMLText.attribute(format))">"#
                for value in attribute.values {
                    xml += "<saml:AttributeValue>\(XMLText.content(value))</saml:AttributeValue>"
                }
                xml += "</saml:Attribute>"
            }
            xml += "</saml:AttributeStatement>"
        }
        xml += "</saml:Assertion>"
        return xml
    }
}

extension ResponseOptions.ContentEncryption {
    var code: ContentEncryptionCode {
        switch self {
        case .aes256GCM: .aes256GCM
        case .aes128GCM: .aes128GCM
        case .aes256CBC: .aes256CBC
        case .aes128CBC: .aes128CBC
        }
    }
}
