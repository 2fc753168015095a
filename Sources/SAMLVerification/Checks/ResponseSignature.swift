import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// Rule 2: a signature on the Response verifies with a configured IdP key, uses allowed
/// algorithms, and covers the Response itself. Runs before anything inside is trusted or decrypted.
enum ResponseSignatureCheck {
    /// Returns whether the Response is signed (and verified). Reports nothing when unsigned.
    static func run(_ run: VerificationRun, response: XMLElement) throws -> Bool {
        try SignatureFacts.verify(run, response, check: .responseSignature, what: "Response")
    }
}

/// The shared signature step: verification by ``EnvelopedSignature`` plus the facts it compared.
enum SignatureFacts {
    static func verify(_ run: VerificationRun, _ element: XMLElement, check: VerificationCheck, what: String) throws -> Bool {
        let signatures = EnvelopedSignature.signatures(of: element)
        guard !signatures.isEmpty else {
            run.report(VerificationDiagnostic(check: check, passed: true, facts: [.init("signed", "no")], error: nil))
            return false
        }
        return try run.step(check) { facts in
            facts.add("signed", "yes")
            if let signedInfo = signatures[0].child("SignedInfo", NS.dsig) {
                facts.add("canonicalization", signedInfo.child("CanonicalizationMethod", NS.dsig)?.attribute("Algorithm") ?? "(none)")
                facts.add("signature method", signedInfo.child("SignatureMethod", NS.dsig)?.attribute("Algorithm") ?? "(none)")
                let reference = signedInfo.child("Reference", NS.dsig)
                facts.add("digest method", reference?.child("DigestMethod", NS.dsig)?.attribute("Algorithm") ?? "(none)")
                facts.add("reference", reference?.attribute("URI") ?? "(none)")
            }
            facts.add("signed element ID", element.attribute("ID") ?? "(none)")
            var work = EnvelopedSignature.Work()
            defer {
                facts.add("SignedInfo checks", "\(work.signedInfoChecks) of \(run.idp.signingCertificates.count) configured keys")
                facts.add("SignedInfo signed by a configured key", work.signedInfoMatched ? "yes" : "no")
                facts.add("content digests computed", "\(work.fullVerifications)")
            }
            let certificate = try EnvelopedSignature.verify(element, trusted: run.idp.signingCertificates,
                                                            allowSHA1: run.policy.allowSHA1, what: what,
                                                            allowInclusiveCanonicalization: run.policy.allowInclusiveCanonicalization,
                                                            work: &work)
            facts.add("verified with", certificate.description)
            return true
        }
    }
}
