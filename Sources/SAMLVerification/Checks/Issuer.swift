import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The Response's Issuer (optional on an unsigned Response, required on a signed one)
/// and the Assertion's Issuer (required) are the configured IdP's entity ID, with the entity
/// Format when a Format is given.
enum IssuerCheck {
    static func run(_ run: VerificationRun, response: XMLElement, assertion: XMLElement, responseSigned: Bool) throws {
        try run.step(.issuer) { facts in
            facts.add("expected issuer", run.idp.entityID)
            if let issuer = response.child("Issuer", NS.assertion) {
                facts.add("Response issuer", VerificationRun.shown(issuer.text.trimmingXMLWhitespace))
                try check(issuer, what: "Response", idp: run.idp.entityID)
            } else {
                facts.add("Response issuer", "(none)")
                if responseSigned {
                    throw SAMLError(.issuerMismatch, "The signed Response has no Issuer; a signed message must say who signed it.")
                }
            }
            guard let issuer = assertion.child("Issuer", NS.assertion) else {
                throw SAMLError(.issuerMismatch, "The Assertion has no Issuer.")
            }
            facts.add("Assertion issuer", issuer.text.trimmingXMLWhitespace)
            try check(issuer, what: "Assertion", idp: run.idp.entityID)
        }
    }

    static func check(_ issuer: XMLElement, what: String, idp: String) throws {
        let value = issuer.text.trimmingXMLWhitespace
        guard value == idp else {
            throw SAMLError(.issuerMismatch, "The \(what) Issuer is \"\(VerificationRun.shown(value))\", not the configured IdP \"\(idp)\".")
        }
        if let format = issuer.attribute("Format"), format != NameIDFormat.entity.rawValue {
            throw SAMLError(.issuerMismatch, "The \(what) Issuer has Format \"\(VerificationRun.shown(format))\"; an IdP issuer must be an entity identifier.")
        }
    }
}
