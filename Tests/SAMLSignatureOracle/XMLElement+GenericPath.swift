import CSAMLShims
import CSAMLSignatureOracle
package import SAMLXMLSec

// The oracle side of the narrow path's differential test, kept out of every product.
extension XMLElement {
    /// Runs only xmlsec's generic path, exactly as verification runs it when the narrow path
    /// declines (same allowlists and flags).
    package func verifySignatureGenericPath(with key: PublicKeyHandle, allowed: SignatureAllowlist) throws(SAMLError) -> SignaturePathOutcome {
        try Library.prepare()
        var result = unsafe saml_verification()
        guard let buffer = unsafe saml_c14n_buffer_create() else { throw Library.error(.libraryFailure, "Out of memory.") }
        defer { unsafe saml_c14n_buffer_free(buffer) }
        let rc = unsafe allowed.signature.withPointers { signature, signatureCount in
            unsafe allowed.reference.withPointers { reference, referenceCount in
                var list = unsafe saml_allowlist(signature_transforms: signature, signature_count: signatureCount,
                                                 reference_transforms: reference, reference_count: referenceCount)
                return unsafe saml_generic_signature_verify_predigest(node, key.pointer, 0, &list, &result, buffer)
            }
        }
        return unsafe Self.outcome(result, rc: rc, buffer: buffer)
    }
}
