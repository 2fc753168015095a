import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// An `EncryptedAssertion` decrypts with this SP's keys only (RSA-OAEP key transport
/// unless the policy allows RSA 1.5; AES-CBC/GCM content), into exactly one Assertion within the
/// depth limit; then the Assertion's own signature is checked (`AssertionSignatureCheck`, part of
/// this step).
///
/// Decryption must not be an oracle. In an unsigned Response an attacker can alter the
/// ciphertext at will and watch how it fails, so there every failure after the algorithms are
/// chosen — key transport, content decryption, padding, parsing, the shape of the plaintext, and
/// the decrypted Assertion's signature — is reported as the same `decryptionFailed` with the
/// same message, and the diagnostics and debug logs of the steps involved are withheld too
/// (unless ``VerificationPolicy/unsafeRevealDecryptionFailures`` is on). AES-CBC there is refused
/// by default (``VerificationPolicy/refuseCBCInUnsignedResponse``): a plaintext that parses goes
/// on to the signature check, which shows in the time taken. Inside a signed Response the
/// ciphertext is covered by the signature, so the precise reasons are given.
enum DecryptionCheck {
    /// Returns the assertion to read, whether it was encrypted, and whether it is signed.
    static func run(_ run: VerificationRun, document: XMLDocument, response: XMLElement, assertion: XMLElement,
                    responseSigned: Bool) throws -> (XMLElement, Bool, Bool) {
        guard assertion.is("EncryptedAssertion", NS.assertion) else {
            run.report(VerificationDiagnostic(check: .decryption, passed: true, facts: [.init("encrypted", "no")], error: nil))
            return (assertion, false, try AssertionSignatureCheck.run(run, assertion: assertion))
        }
        // Facts any poster knows already: what the message says and how this SP is configured.
        var facts: [VerificationDiagnostic.Fact] = []
        facts.add("encrypted", "yes")
        let algorithm = assertion.child("EncryptedData", NS.xenc)?.child("EncryptionMethod", NS.xenc)?.attribute("Algorithm") ?? "(none)"
        facts.add("content algorithm", VerificationRun.shown(algorithm))
        facts.add("SP keys", "\(run.sp.decryptionKeys.count)")
        facts.add("Response signed", responseSigned ? "yes" : "no (every failure after the algorithms are chosen reads the same)")
        if !responseSigned, run.policy.refuseCBCInUnsignedResponse, algorithm.hasSuffix("-cbc") {
            let error = SAMLError(.algorithmNotAllowed, cbcRefusal(run))
            run.report(VerificationDiagnostic(check: .decryption, passed: false, facts: facts, error: error))
            throw error
        }
        if responseSigned {
            let decrypted = try run.step(.decryption) { stepFacts in
                if stepFacts.recorded { stepFacts.list = facts }
                do {
                    return try decrypt(run, document: document, response: response, assertion: assertion, facts: &stepFacts)
                } catch let visible as Visible {
                    throw visible.error
                }
            }
            return (decrypted, true, try AssertionSignatureCheck.run(run, assertion: decrypted))
        }
        // Unsigned Response: the decrypted Assertion must carry a signature that verifies, and every
        // failure — of decryption or of that signature — reads as one.
        do {
            return try run.withholdingReports {
                let decrypted = try run.step(.decryption) { stepFacts in
                    if stepFacts.recorded { stepFacts.list = facts }
                    return try decrypt(run, document: document, response: response, assertion: assertion, facts: &stepFacts)
                }
                guard try AssertionSignatureCheck.run(run, assertion: decrypted) else {
                    throw SAMLError(.signatureMissing, "Neither the Response nor the decrypted Assertion is signed.")
                }
                return (decrypted, true, true)
            }
        } catch let visible as Visible {
            // decided from the message's own text before any key was used: nothing to learn
            run.report(VerificationDiagnostic(check: .decryption, passed: false, facts: facts, error: visible.error))
            throw visible.error
        } catch {
            let shown = Decryptor.failure("Assertion", keyCount: run.sp.decryptionKeys.count)
            var reported = facts
            if run.policy.unsafeRevealDecryptionFailures, let precise = error as? SAMLError {
                // debugging only: the withheld steps were reported; this names the reason
                if precise.code == .signatureMissing {
                    run.report(VerificationDiagnostic(check: .assertionSignature, passed: false, facts: [.init("detail", precise.description)], error: precise))
                }
                reported.add("detail", precise.description)
            }
            run.report(VerificationDiagnostic(check: .decryption, passed: false, facts: reported, error: shown))
            throw shown
        }
    }

    /// An error decided before any key touched the ciphertext (an algorithm refused, no key
    /// configured), which may be shown as it is.
    private struct Visible: Error { let error: SAMLError }

    /// Decrypts in place and checks what came out; the precise error on failure.
    private static func decrypt(_ run: VerificationRun, document: XMLDocument, response: XMLElement, assertion: XMLElement,
                                facts: inout VerificationRun.Facts) throws -> XMLElement {
        guard !run.sp.decryptionKeys.isEmpty else {
            throw Visible(error: SAMLError(.decryptionFailed, "The Assertion is encrypted and no SP decryption key is configured."))
        }
        let decryptor = Decryptor(keys: run.sp.decryptionKeys, allowRSA15: run.policy.allowRSA15KeyTransport, limits: run.policy.limits)
        var details: [SAMLError] = []
        let element: XMLElement
        let keyIndex: Int
        do {
            (element, keyIndex) = try decryptor.decryptReportingKey(assertion, expecting: "Assertion") { details.append($0) }
        } catch let error as SAMLError where error.code == .algorithmNotAllowed {
            // the Decryptor refuses algorithms before unwrapping anything
            throw Visible(error: error)
        } catch {
            for detail in details { facts.add("detail", detail.description) }
            throw error
        }
        facts.add("unwrapped with SP key", "\(keyIndex + 1) of \(run.sp.decryptionKeys.count)")
        let depth = element.ancestorCount + element.subtreeDepth
        guard depth <= run.policy.limits.maximumDepth else {
            throw SAMLError(.malformedXML, "The decrypted Assertion nests \(depth) elements deep; the limit is \(run.policy.limits.maximumDepth).")
        }
        try document.registerIDs()
        guard response.assertionDescendantCount == 1 else {
            throw SAMLError(.wrappedSignature, "The decrypted content holds more than one Assertion.")
        }
        return element
    }

    /// Why AES-CBC in an unsigned Response is refused, and what the administrator can change.
    static func cbcRefusal(_ run: VerificationRun) -> String {
        "The IdP \(run.idp.entityID) encrypts the assertion with AES-CBC inside an unsigned Response, which is refused: "
            + "an attacker could alter the ciphertext and learn from how it fails. Have the IdP sign the Response "
            + "(Entra ID: SAML signing option \"Sign SAML response and assertion\"; AD FS: "
            + "Set-AdfsRelyingPartyTrust -TargetName <this SP> -SamlResponseSignature MessageAndAssertion) or encrypt with "
            + "AES-GCM. Only if it can do neither, allow it for this IdP (TrustedIdentityProvider.allowsCBCInUnsignedResponse, "
            + "or VerificationPolicy.refuseCBCInUnsignedResponse = false)."
    }
}
