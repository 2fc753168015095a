import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Reads the identity out of an assertion every check has passed: the NameID (decrypting an
/// EncryptedID), the AuthnStatement's session data and the attributes (decrypting
/// EncryptedAttributes). The only place that creates a ``VerifiedAssertion``.
enum AssertionReader {
    /// What the checks established, handed to the reader.
    struct Established {
        var responseID: String
        var assertionID: String
        var inResponseTo: String?
        var window: TimeWindowCheck.Window
        var responseSigned: Bool
        var assertionSigned: Bool
        var wasEncrypted: Bool
    }

    static func read(_ run: VerificationRun, assertion: XMLElement, established: Established) throws -> VerifiedAssertion {
        try run.step(.identity) { facts in
            let decryptor = Decryptor(keys: run.sp.decryptionKeys, allowRSA15: run.policy.allowRSA15KeyTransport, limits: run.policy.limits)
            guard let subject = assertion.child("Subject", NS.assertion) else {
                throw SAMLError(.subjectConfirmationFailed, "The Assertion has no Subject.")
            }
            var nameIDElement = subject.child("NameID", NS.assertion)
            if nameIDElement == nil, let encrypted = subject.child("EncryptedID", NS.assertion) {
                nameIDElement = try decryptor.decrypt(encrypted, expecting: "NameID")
                facts.add("NameID", "encrypted")
            }
            guard let nameIDElement else {
                throw SAMLError(.subjectConfirmationFailed, "The Subject has no NameID.")
            }
            let nameID = NameID(value: nameIDElement.text, format: nameIDElement.attribute("Format").map(NameIDFormat.init(rawValue:)),
                                nameQualifier: nameIDElement.attribute("NameQualifier"),
                                spNameQualifier: nameIDElement.attribute("SPNameQualifier"))
            facts.add("NameID format", nameID.format?.rawValue ?? "(none)")

            let authn = assertion.child("AuthnStatement", NS.assertion)
            let classRef = authn?.child("AuthnContext", NS.assertion)?.child("AuthnContextClassRef", NS.assertion)?.text
                .trimmingXMLWhitespace

            var attributes: [SAMLAttribute] = []
            for statement in assertion.children("AttributeStatement", NS.assertion) {
                for child in statement.children {
                    var element = child
                    if child.is("EncryptedAttribute", NS.assertion) {
                        element = try decryptor.decrypt(child, expecting: "Attribute")
                    }
                    guard element.is("Attribute", NS.assertion), let name = element.attribute("Name") else { continue }
                    let values = element.children("AttributeValue", NS.assertion).compactMap { value -> String? in
                        // xs:boolean: "true" and "1" (whitespace collapsed) both mean nil
                        if let isNil = value.attribute("nil", namespace: NS.xsi)?.trimmingXMLWhitespace, isNil == "true" || isNil == "1" {
                            return nil
                        }
                        return value.text
                    }
                    attributes.append(SAMLAttribute(name: name, friendlyName: element.attribute("FriendlyName"),
                                                    nameFormat: element.attribute("NameFormat"), values: values))
                }
            }
            // Names only: attribute values never enter diagnostics or logs.
            facts.add("attributes", attributes.map(\.name).joined(separator: ", "))

            return VerifiedAssertion(
                issuer: run.idp.entityID, nameID: nameID, sessionIndex: authn?.attribute("SessionIndex"),
                authnInstant: try authn.flatMap { try run.time($0, "AuthnInstant") }, authnContextClassRef: classRef,
                sessionNotOnOrAfter: established.window.sessionNotOnOrAfter, attributes: attributes,
                assertionID: established.assertionID, responseID: established.responseID,
                inResponseTo: established.inResponseTo, notOnOrAfter: established.window.notOnOrAfter,
                responseSigned: established.responseSigned, assertionSigned: established.assertionSigned,
                wasEncrypted: established.wasEncrypted, emailAttributeName: run.idp.emailAttributeName,
                acceptableUntil: established.window.acceptableUntil
            )
        }
    }
}
