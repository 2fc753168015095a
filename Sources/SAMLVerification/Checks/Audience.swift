import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The Assertion has Conditions, every condition is one this SP can evaluate, and
/// every AudienceRestriction (at least one) names this SP's entity ID.
enum AudienceCheck {
    static func run(_ run: VerificationRun, assertion: XMLElement) throws {
        try run.step(.audience) { facts in
            facts.add("expected audience", run.sp.entityID)
            guard let conditions = assertion.child("Conditions", NS.assertion) else {
                throw SAMLError(.audienceMismatch, "The Assertion has no Conditions, so no AudienceRestriction names this SP.")
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
                    facts.add("found audiences", audiences.joined(separator: ", "))
                    guard audiences.contains(run.sp.entityID) else {
                        throw SAMLError(.audienceMismatch, "The assertion is for \(audiences.map { "\"\($0)\"" }.joined(separator: ", ")), not this SP \"\(run.sp.entityID)\".")
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
        }
    }
}
