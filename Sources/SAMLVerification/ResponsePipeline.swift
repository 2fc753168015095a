import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// One verification run. Each step either passes or throws the error that names it.
struct ResponsePipeline {
    let sp: ServiceProvider
    let idp: IdentityProvider
    let policy: VerificationPolicy
    let expectedRequestID: String?
    let now: Date

    private var responseSigned = false
    private var assertionSigned = false
    private var wasEncrypted = false

    init(sp: ServiceProvider, idp: IdentityProvider, policy: VerificationPolicy, expectedRequestID: String?, now: Date) {
        self.sp = sp
        self.idp = idp
        self.policy = policy
        self.expectedRequestID = expectedRequestID
        self.now = now
    }

    static let bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
    static let success = "urn:oasis:names:tc:SAML:2.0:status:Success"

    mutating func run(_ xml: [UInt8]) throws -> VerifiedAssertion {
        guard !idp.signingCertificates.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The IdP \"\(idp.entityID)\" has no signing certificate configured; nothing can be verified.")
        }
        // 1. safe parse (size, DOCTYPE, depth, IDs)
        let document = try XMLDocument.parse(xml, limits: policy.limits)
        guard let response = document.root, response.is("Response", NS.protocol_) else {
            let root = document.root
            throw SAMLError(.invalidMessage, "The message is <\(root?.localName ?? "?")> in \(root?.namespaceURI.map { "\"\($0)\"" } ?? "no namespace"), not a SAML 2.0 protocol Response.")
        }
        guard response.attribute("Version") == "2.0" else {
            throw SAMLError(.invalidMessage, "The Response has Version \"\(response.attribute("Version") ?? "")\"; only SAML 2.0 is accepted.")
        }
        guard let responseID = response.attribute("ID"), !responseID.isEmpty else {
            throw SAMLError(.invalidMessage, "The Response has no ID.")
        }

        // 2. status first: a failure response usually carries no assertion at all
        try checkStatus(response)

        // 3. exactly one assertion, as a direct child, and none hidden anywhere else
        let direct = response.children.filter { $0.is("Assertion", NS.assertion) || $0.is("EncryptedAssertion", NS.assertion) }
        let everywhere = response.countDescendants(named: ["Assertion", "EncryptedAssertion"], NS.assertion)
        guard direct.count == 1, var assertion = direct.first else {
            if direct.isEmpty && everywhere == 0 {
                throw SAMLError(.invalidMessage, "The Response carries no Assertion.")
            }
            throw SAMLError(.wrappedSignature, "The Response carries \(direct.count) assertions as children; exactly one is accepted.")
        }
        guard everywhere == 1 else {
            throw SAMLError(.wrappedSignature, "The Response holds \(everywhere) assertions; extra copies are how signature-wrapping attacks hide the signed one.")
        }

        // 4. Response signature (before anything inside it is trusted or decrypted)
        if !EnvelopedSignature.signatures(of: response).isEmpty {
            try EnvelopedSignature.verify(response, trusted: idp.signingCertificates, allowSHA1: policy.allowSHA1, what: "Response")
            responseSigned = true
        }

        // 5. decryption
        if assertion.is("EncryptedAssertion", NS.assertion) {
            assertion = try Decryptor(keys: sp.decryptionKeys, allowRSA15: policy.allowRSA15KeyTransport)
                .decrypt(assertion, expecting: "Assertion")
            wasEncrypted = true
            try document.registerIDs()
            guard response.countDescendants(named: ["Assertion", "EncryptedAssertion"], NS.assertion) == 1 else {
                throw SAMLError(.wrappedSignature, "The decrypted content holds more than one Assertion.")
            }
        }

        // 6. Assertion signature
        if !EnvelopedSignature.signatures(of: assertion).isEmpty {
            try EnvelopedSignature.verify(assertion, trusted: idp.signingCertificates, allowSHA1: policy.allowSHA1, what: "Assertion")
            assertionSigned = true
        }
        guard responseSigned || assertionSigned else {
            throw SAMLError(.signatureMissing, "Neither the Response nor the Assertion is signed; unsigned assertions are never accepted.")
        }
        if policy.requireSignedAssertion && !assertionSigned {
            throw SAMLError(.signatureMissing, "The policy requires the Assertion itself to be signed; only the Response is.")
        }

        // 7. Response-level checks
        if let issuer = response.child("Issuer", NS.assertion) {
            try checkIssuer(issuer, what: "Response")
        }
        if let destination = response.attribute("Destination") {
            guard destination == sp.acsURL else {
                throw SAMLError(.destinationMismatch, "The Response is addressed to \"\(destination)\", not this SP's ACS URL \"\(sp.acsURL)\".")
            }
        } else if responseSigned {
            throw SAMLError(.destinationMismatch, "The signed Response has no Destination; it could have been meant for another SP.")
        }
        let responseInResponseTo = response.attribute("InResponseTo")
        try checkInResponseTo(responseInResponseTo, what: "Response")
        try checkIssueInstant(response, what: "Response")

        // 8. Assertion checks
        return try read(assertion, responseID: responseID, responseInResponseTo: responseInResponseTo)
    }

    // MARK: Steps

    func checkStatus(_ response: XMLElement) throws {
        guard let status = response.child("Status", NS.protocol_), let code = status.child("StatusCode", NS.protocol_) else {
            throw SAMLError(.invalidMessage, "The Response has no Status.")
        }
        let top = code.attribute("Value") ?? ""
        guard top == Self.success else {
            let second = code.child("StatusCode", NS.protocol_)?.attribute("Value")
            let message = status.child("StatusMessage", NS.protocol_)?.text.trimmingXMLWhitespace
            var reason = "The IdP answered with status \(top)"
            if let second { reason += " / \(second)" }
            if let message, !message.isEmpty { reason += ": \(message)" }
            throw SAMLError(.statusNotSuccess, reason + ".")
        }
    }

    func checkIssuer(_ issuer: XMLElement, what: String) throws {
        let value = issuer.text.trimmingXMLWhitespace
        guard value == idp.entityID else {
            throw SAMLError(.issuerMismatch, "The \(what) Issuer is \"\(value)\", not the configured IdP \"\(idp.entityID)\".")
        }
        if let format = issuer.attribute("Format"), format != NameIDFormat.entity.rawValue {
            throw SAMLError(.issuerMismatch, "The \(what) Issuer has Format \"\(format)\"; an IdP issuer must be an entity identifier.")
        }
    }

    func checkInResponseTo(_ value: String?, what: String) throws {
        if let expectedRequestID {
            if let value, value != expectedRequestID {
                throw SAMLError(.inResponseToMismatch, "The \(what) answers request \"\(value)\", not \"\(expectedRequestID)\" which this SP sent.")
            }
        } else {
            guard policy.allowUnsolicited else {
                throw SAMLError(.unsolicitedResponse, "No request was expected (IdP-initiated login) and the policy refuses unsolicited responses.")
            }
            if let value {
                throw SAMLError(.inResponseToMismatch, "The \(what) answers request \"\(value)\", but this SP is not waiting for any request.")
            }
        }
    }

    func time(_ element: XMLElement, _ attribute: String) throws -> Date? {
        guard let text = element.attribute(attribute) else { return nil }
        guard let date = SAMLTime.parse(text) else {
            throw SAMLError(.invalidMessage, "\(element.localName) \(attribute) \"\(text)\" is not an xs:dateTime.")
        }
        return date
    }

    func checkIssueInstant(_ element: XMLElement, what: String) throws {
        guard let instant = try time(element, "IssueInstant") else {
            throw SAMLError(.invalidMessage, "The \(what) has no IssueInstant.")
        }
        if instant > now.addingTimeInterval(policy.clockSkew) {
            throw SAMLError(.notYetValid, "The \(what) was issued at \(SAMLTime.format(instant)), in the future (now \(SAMLTime.format(now)), skew \(Int(policy.clockSkew)) s); check the clocks.")
        }
        if now.timeIntervalSince(instant) > policy.maximumMessageAge + policy.clockSkew {
            throw SAMLError(.expired, "The \(what) was issued at \(SAMLTime.format(instant)), more than \(Int(policy.maximumMessageAge)) s ago (now \(SAMLTime.format(now))).")
        }
    }

    mutating func read(_ assertion: XMLElement, responseID: String, responseInResponseTo: String?) throws -> VerifiedAssertion {
        guard assertion.attribute("Version") == "2.0" else {
            throw SAMLError(.invalidMessage, "The Assertion has Version \"\(assertion.attribute("Version") ?? "")\"; only 2.0 is accepted.")
        }
        guard let assertionID = assertion.attribute("ID"), !assertionID.isEmpty else {
            throw SAMLError(.invalidMessage, "The Assertion has no ID.")
        }
        guard let issuer = assertion.child("Issuer", NS.assertion) else {
            throw SAMLError(.issuerMismatch, "The Assertion has no Issuer.")
        }
        try checkIssuer(issuer, what: "Assertion")
        try checkIssueInstant(assertion, what: "Assertion")

        // Subject
        guard let subject = assertion.child("Subject", NS.assertion) else {
            throw SAMLError(.subjectConfirmationFailed, "The Assertion has no Subject.")
        }
        var nameIDElement = subject.child("NameID", NS.assertion)
        if nameIDElement == nil, let encrypted = subject.child("EncryptedID", NS.assertion) {
            nameIDElement = try Decryptor(keys: sp.decryptionKeys, allowRSA15: policy.allowRSA15KeyTransport)
                .decrypt(encrypted, expecting: "NameID")
        }
        guard let nameIDElement else {
            throw SAMLError(.subjectConfirmationFailed, "The Subject has no NameID.")
        }
        let nameID = NameID(value: nameIDElement.text, format: nameIDElement.attribute("Format"),
                            nameQualifier: nameIDElement.attribute("NameQualifier"),
                            spNameQualifier: nameIDElement.attribute("SPNameQualifier"))
        let confirmationInResponseTo = try checkSubjectConfirmation(subject)
        if expectedRequestID != nil, responseInResponseTo == nil, confirmationInResponseTo == nil {
            throw SAMLError(.inResponseToMismatch, "A response to request \"\(expectedRequestID!)\" was expected, but this one names no request (InResponseTo missing).")
        }

        // Conditions
        var notOnOrAfter: Date?
        guard let conditions = assertion.child("Conditions", NS.assertion) else {
            throw SAMLError(.audienceMismatch, "The Assertion has no Conditions, so no AudienceRestriction names this SP.")
        }
        let notBefore = try time(conditions, "NotBefore")
        notOnOrAfter = try time(conditions, "NotOnOrAfter")
        if let notBefore, let notOnOrAfter, notOnOrAfter <= notBefore {
            throw SAMLError(.expired, "The Conditions window is empty (NotBefore \(SAMLTime.format(notBefore)) is not before NotOnOrAfter \(SAMLTime.format(notOnOrAfter))); the assertion is never valid.")
        }
        if let notBefore, now.addingTimeInterval(policy.clockSkew) < notBefore {
            throw SAMLError(.notYetValid, "The assertion is valid from \(SAMLTime.format(notBefore)); now is \(SAMLTime.format(now)) (skew \(Int(policy.clockSkew)) s). Check the clocks.")
        }
        if let notOnOrAfter, now.addingTimeInterval(-policy.clockSkew) >= notOnOrAfter {
            throw SAMLError(.expired, "The assertion expired at \(SAMLTime.format(notOnOrAfter)); now is \(SAMLTime.format(now)).")
        }
        var audienceRestrictions = 0
        for condition in conditions.children {
            guard condition.namespaceURI == NS.assertion else {
                throw SAMLError(.invalidMessage, "Unknown condition <\(condition.localName)>; an assertion with conditions this SP cannot evaluate is invalid.")
            }
            switch condition.localName {
            case "AudienceRestriction":
                audienceRestrictions += 1
                let audiences = condition.children("Audience", NS.assertion).map { $0.text.trimmingXMLWhitespace }
                guard audiences.contains(sp.entityID) else {
                    throw SAMLError(.audienceMismatch, "The assertion is for \(audiences.map { "\"\($0)\"" }.joined(separator: ", ")), not this SP \"\(sp.entityID)\".")
                }
            case "OneTimeUse", "ProxyRestriction":
                continue  // the replay store enforces one use for every assertion
            default:
                throw SAMLError(.invalidMessage, "Unknown condition <\(condition.localName)>; an assertion with conditions this SP cannot evaluate is invalid.")
            }
        }
        guard audienceRestrictions > 0 else {
            throw SAMLError(.audienceMismatch, "The Assertion has no AudienceRestriction naming this SP.")
        }

        // AuthnStatement
        let authn = assertion.child("AuthnStatement", NS.assertion)
        let sessionNotOnOrAfter = try authn.flatMap { try time($0, "SessionNotOnOrAfter") }
        if let sessionNotOnOrAfter, now.addingTimeInterval(-policy.clockSkew) >= sessionNotOnOrAfter {
            throw SAMLError(.expired, "The IdP session ended at \(SAMLTime.format(sessionNotOnOrAfter)) (SessionNotOnOrAfter).")
        }
        let classRef = authn?.child("AuthnContext", NS.assertion)?.child("AuthnContextClassRef", NS.assertion)?.text
            .trimmingXMLWhitespace

        // Attributes
        var attributes: [SAMLAttribute] = []
        for statement in assertion.children("AttributeStatement", NS.assertion) {
            for child in statement.children {
                var element = child
                if child.is("EncryptedAttribute", NS.assertion) {
                    element = try Decryptor(keys: sp.decryptionKeys, allowRSA15: policy.allowRSA15KeyTransport)
                        .decrypt(child, expecting: "Attribute")
                }
                guard element.is("Attribute", NS.assertion), let name = element.attribute("Name") else { continue }
                let values = element.children("AttributeValue", NS.assertion).compactMap { value -> String? in
                    if value.attribute("nil", namespace: NS.xsi) == "true" { return nil }
                    return value.text
                }
                attributes.append(SAMLAttribute(name: name, friendlyName: element.attribute("FriendlyName"),
                                                nameFormat: element.attribute("NameFormat"), values: values))
            }
        }

        return VerifiedAssertion(
            issuer: idp.entityID, nameID: nameID, sessionIndex: authn?.attribute("SessionIndex"),
            authnInstant: try authn.flatMap { try time($0, "AuthnInstant") }, authnContextClassRef: classRef,
            sessionNotOnOrAfter: sessionNotOnOrAfter, attributes: attributes, assertionID: assertionID,
            responseID: responseID, inResponseTo: responseInResponseTo ?? confirmationInResponseTo,
            notOnOrAfter: notOnOrAfter, responseSigned: responseSigned, assertionSigned: assertionSigned,
            wasEncrypted: wasEncrypted, emailAttributeName: idp.emailAttributeName
        )
    }

    /// Finds a bearer confirmation that holds; returns its InResponseTo. Throws the first
    /// confirmation's failure when none holds.
    func checkSubjectConfirmation(_ subject: XMLElement) throws -> String? {
        let bearers = subject.children("SubjectConfirmation", NS.assertion).filter { $0.attribute("Method") == Self.bearer }
        guard !bearers.isEmpty else {
            throw SAMLError(.subjectConfirmationFailed, "The Subject has no bearer SubjectConfirmation.")
        }
        var firstFailure: SAMLError?
        for confirmation in bearers {
            do {
                guard let data = confirmation.child("SubjectConfirmationData", NS.assertion) else {
                    throw SAMLError(.subjectConfirmationFailed, "The bearer SubjectConfirmation has no SubjectConfirmationData.")
                }
                guard let recipient = data.attribute("Recipient") else {
                    throw SAMLError(.recipientMismatch, "The bearer SubjectConfirmationData has no Recipient.")
                }
                guard recipient == sp.acsURL else {
                    throw SAMLError(.recipientMismatch, "The bearer confirmation is for \"\(recipient)\", not this SP's ACS URL \"\(sp.acsURL)\".")
                }
                if data.attribute("NotBefore") != nil {
                    throw SAMLError(.subjectConfirmationFailed, "A bearer SubjectConfirmationData must not carry NotBefore.")
                }
                guard let notOnOrAfter = try time(data, "NotOnOrAfter") else {
                    throw SAMLError(.subjectConfirmationFailed, "The bearer SubjectConfirmationData has no NotOnOrAfter.")
                }
                if now.addingTimeInterval(-policy.clockSkew) >= notOnOrAfter {
                    throw SAMLError(.expired, "The bearer confirmation expired at \(SAMLTime.format(notOnOrAfter)); now is \(SAMLTime.format(now)).")
                }
                let inResponseTo = data.attribute("InResponseTo")
                try checkInResponseTo(inResponseTo, what: "SubjectConfirmationData")
                return inResponseTo
            } catch let error as SAMLError {
                if firstFailure == nil { firstFailure = error }
            }
        }
        throw firstFailure!
    }
}
