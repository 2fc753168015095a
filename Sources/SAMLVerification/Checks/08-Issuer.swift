import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Rule 8: the Response's Issuer (optional) and the Assertion's Issuer (required) are the
/// configured IdP's entity ID, with the entity Format when a Format is given.
enum IssuerCheck {
    static func run(_ run: VerificationRun, response: XMLElement, assertion: XMLElement) throws {
        try run.step(.issuer) { facts in
            facts.add("expected issuer", run.idp.entityID)
            if let issuer = response.child("Issuer", NS.assertion) {
                facts.add("Response issuer", issuer.text.trimmingXMLWhitespace)
                try check(issuer, what: "Response", idp: run.idp.entityID)
            } else {
                facts.add("Response issuer", "(none)")
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
            throw SAMLError(.issuerMismatch, "The \(what) Issuer is \"\(value)\", not the configured IdP \"\(idp)\".")
        }
        if let format = issuer.attribute("Format"), format != NameIDFormat.entity.rawValue {
            throw SAMLError(.issuerMismatch, "The \(what) Issuer has Format \"\(format)\"; an IdP issuer must be an entity identifier.")
        }
    }
}
