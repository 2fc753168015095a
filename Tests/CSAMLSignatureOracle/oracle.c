/* The differential test's oracle; see CSAMLSignatureOracle.h. */
#include "CSAMLSignatureOracle.h"

/* Appends what xmlsec digested for the first reference to the buffer passed as `context`. */
static void saml_oracle_collect(xmlSecDSigCtxPtr ctx, void *context) {
    xmlBufferPtr predigest = (xmlBufferPtr)context;
    if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) < 1) return;
    xmlSecDSigReferenceCtxPtr ref = (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
    xmlSecBufferPtr buffer = ref != NULL ? xmlSecDSigReferenceCtxGetPreDigestBuffer(ref) : NULL;
    if (buffer != NULL && xmlSecBufferGetSize(buffer) > 0) {
        xmlBufferAdd(predigest, xmlSecBufferGetData(buffer), (int)xmlSecBufferGetSize(buffer));
    }
}

int saml_generic_signature_verify_predigest(xmlNodePtr signature, xmlSecKeyPtr key, int flags,
                                            const saml_allowlist *allowed, saml_verification *result,
                                            xmlBufferPtr predigest) {
    return saml_signature_verify_observed(signature, key, flags | SAML_VERIFY_GENERIC_ONLY, allowed, result,
                                          saml_oracle_collect, predigest);
}
