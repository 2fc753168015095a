import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// The Response's Destination is this SP's ACS URL; a signed Response must state one.
enum DestinationCheck {
    static func run(_ run: VerificationRun, response: XMLElement, responseSigned: Bool) throws {
        try run.step(.destination) { facts in
            facts.add("expected destination", run.sp.acsURL)
            let destination = response.attribute("Destination")
            facts.add("found destination", destination.map(VerificationRun.shown) ?? "(none)")
            if let destination {
                guard destination == run.sp.acsURL else {
                    throw SAMLError(.destinationMismatch, "The Response is addressed to \"\(VerificationRun.shown(destination))\", not this SP's ACS URL \"\(run.sp.acsURL)\".")
                }
            } else if responseSigned {
                throw SAMLError(.destinationMismatch, "The signed Response has no Destination; it could have been meant for another SP.")
            }
        }
    }
}
