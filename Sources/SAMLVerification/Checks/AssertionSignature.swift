import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Rule 6: a signature on the (decrypted) Assertion verifies with a configured IdP key, uses
/// allowed algorithms, and covers the Assertion itself.
enum AssertionSignatureCheck {
    /// Returns whether the Assertion is signed (and verified). Reports "not signed" when unsigned.
    static func run(_ run: VerificationRun, assertion: XMLElement) throws -> Bool {
        try SignatureFacts.verify(run, assertion, check: .assertionSignature, what: "Assertion")
    }
}
