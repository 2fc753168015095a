import Foundation
import SAMLCore
import SAMLMetadata
import SAMLXMLSec

/// An `EncryptedAssertion` decrypts with this SP's keys only (RSA-OAEP key transport
/// unless the policy allows RSA 1.5; AES-CBC/GCM content), into exactly one Assertion within the
/// depth limit; then the Assertion's own signature is checked (`AssertionSignatureCheck`, part of this step).
///
/// Decryption must not be an oracle. In an unsigned Response an attacker can alter the
/// ciphertext at will and watch how it fails, so there every failure after the key transport —
/// content decryption, padding, parsing, the shape of the plaintext, and the decrypted
/// Assertion's signature — is reported as the same `decryptionFailed` with the same message; the
/// detail goes only to diagnostics (and debug logs). The policy can refuse AES-CBC there outright
/// (``VerificationPolicy/refuseCBCInUnsignedResponse``). Inside a signed Response the ciphertext
/// is covered by the signature, so the precise reasons are given.
enum DecryptionCheck {
    /// Returns the assertion to read, whether it was encrypted, and whether it is signed.
    static func run(_ run: VerificationRun, document: XMLDocument, response: XMLElement, assertion: XMLElement,
                    responseSigned: Bool) throws -> (XMLElement, Bool, Bool) {
        guard assertion.is("EncryptedAssertion", NS.assertion) else {
            run.report(VerificationDiagnostic(check: .decryption, passed: true, facts: [.init("encrypted", "no")], error: nil))
            return (assertion, false, try AssertionSignatureCheck.run(run, assertion: assertion))
        }
        let uniform = !responseSigned
        var facts: [VerificationDiagnostic.Fact] = []
        facts.add("encrypted", "yes")
        let data = assertion.child("EncryptedData", NS.xenc)
        let algorithm = data?.child("EncryptionMethod", NS.xenc)?.attribute("Algorithm") ?? "(none)"
        facts.add("content algorithm", algorithm)
        facts.add("SP keys", "\(run.sp.decryptionKeys.count)")
        facts.add("Response signed", responseSigned ? "yes" : "no (every failure after key transport reads the same)")
        let decrypted: XMLElement
        do {
            if uniform, run.policy.refuseCBCInUnsignedResponse, algorithm.hasSuffix("-cbc") {
                throw SAMLError(.algorithmNotAllowed, "The assertion is encrypted with AES-CBC in an unsigned Response, which the policy refuses (refuseCBCInUnsignedResponse); ask the IdP for AES-GCM or a signed Response.")
            }
            let decryptor = Decryptor(keys: run.sp.decryptionKeys, allowRSA15: run.policy.allowRSA15KeyTransport, limits: run.policy.limits)
            let (element, keyIndex) = try decryptor.decryptReportingKey(assertion, expecting: "Assertion") { facts.add("detail", $0.description) }
            facts.add("unwrapped with SP key", "\(keyIndex + 1) of \(run.sp.decryptionKeys.count)")
            do {
                let depth = element.ancestorCount + element.subtreeDepth
                guard depth <= run.policy.limits.maximumDepth else {
                    throw SAMLError(.malformedXML, "The decrypted Assertion nests \(depth) elements deep; the limit is \(run.policy.limits.maximumDepth).")
                }
                try document.registerIDs()
                guard response.countDescendants(named: ["Assertion", "EncryptedAssertion"], NS.assertion) == 1 else {
                    throw SAMLError(.wrappedSignature, "The decrypted content holds more than one Assertion.")
                }
            } catch let error as SAMLError {
                throw Staged.afterKeyTransport(error)
            }
            decrypted = element
        } catch let staged as Staged {
            guard case .afterKeyTransport(let error) = staged else { throw staged }
            let shown = uniform ? Decryptor.failure("Assertion", keyCount: run.sp.decryptionKeys.count) : error
            if uniform { facts.add("detail", error.description) }
            run.report(VerificationDiagnostic(check: .decryption, passed: false, facts: facts, error: shown))
            throw shown
        } catch let error as SAMLError {
            // Before the key transport (algorithm, missing parts) or the transport itself; the
            // Decryptor already makes unwrap, content and parse failures one error.
            if uniform, error.code != .algorithmNotAllowed, error.code != .decryptionFailed {
                facts.add("detail", error.description)
                let shown = Decryptor.failure("Assertion", keyCount: run.sp.decryptionKeys.count)
                run.report(VerificationDiagnostic(check: .decryption, passed: false, facts: facts, error: shown))
                throw shown
            }
            run.report(VerificationDiagnostic(check: .decryption, passed: false, facts: facts, error: error))
            throw error
        }
        run.report(VerificationDiagnostic(check: .decryption, passed: true, facts: facts, error: nil))
        guard uniform else {
            return (decrypted, true, try AssertionSignatureCheck.run(run, assertion: decrypted))
        }
        // Unsigned Response: the decrypted Assertion must carry a signature that verifies, and any
        // failure reads as the decryption failure.
        let signed: Bool
        do {
            signed = try AssertionSignatureCheck.run(run, assertion: decrypted)
        } catch let error as SAMLError {
            throw uniformFailure(run, error)
        }
        guard signed else {
            throw uniformFailure(run, SAMLError(.signatureMissing, "Neither the Response nor the decrypted Assertion is signed."))
        }
        return (decrypted, true, true)
    }

    private enum Staged: Error { case afterKeyTransport(SAMLError) }

    /// The detail was reported by the assertion signature step (diagnostics and debug logs);
    /// the caller and the notice log see only the uniform failure.
    private static func uniformFailure(_ run: VerificationRun, _ detail: SAMLError) -> SAMLError {
        if detail.code == .signatureMissing {
            run.report(VerificationDiagnostic(check: .assertionSignature, passed: false,
                                              facts: [.init("detail", detail.description)], error: detail))
        }
        return Decryptor.failure("Assertion", keyCount: run.sp.decryptionKeys.count)
    }
}
