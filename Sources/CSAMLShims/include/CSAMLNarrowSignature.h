/*
 * The narrow verification path for the SAML signature profile, beside xmlsec's generic one.
 *
 * SAML signatures are almost always the same shape: exactly one Reference to the ID of the
 * Signature's parent, the enveloped-signature transform then exclusive c14n (with or without an
 * InclusiveNamespaces PrefixList), SHA-256/384/512, RSA-SHA256/384/512 or ECDSA-SHA256/384/512,
 * exclusive c14n of SignedInfo, and pinned keys.
 * For that shape this path does the work itself — libxml2's exclusive c14n with a visibility
 * callback that leaves out the Signature subtree, digest and RSA check through OpenSSL EVP —
 * instead of xmlsec's keys manager, transform chain and XPath node sets. Anything else is
 * declined and left to xmlsec, which stays the oracle (a differential test runs both).
 */
#ifndef CSAML_NARROW_SIGNATURE_H
#define CSAML_NARROW_SIGNATURE_H

#include "CSAMLShims.h"

/* A flag for saml_signature_verify: use xmlsec's generic path only (never the narrow one). */
#define SAML_VERIFY_GENERIC_ONLY 0x100

/* Verifies `signature` on the narrow path when it has exactly the SAML profile's shape and one
   of `keys` is of its method's type. Returns 1 when it decided (`result` filled as
   saml_signature_verify fills it: call_result 0; status 1 succeeded or 2 invalid; one
   reference, its status, URI and node; which key verified), 0 when it declined (the caller must
   use the generic path). With `predigest` non-NULL, the canonical bytes that were digested are
   appended to it (for the differential test). */
int saml_narrow_signature_verify(xmlNodePtr signature, xmlSecKeyPtr const *keys, int key_count, int flags,
                                 saml_verification *result, xmlBufferPtr predigest);

/* saml_signature_verify with an observer that is handed the signature context right after
   xmlSecDSigCtxVerify on the generic path (with the processed references kept), before it is
   destroyed; verification itself is unchanged. The differential test's oracle (a test-only target)
   reads what xmlsec digested this way. */
typedef void (*saml_verify_observer)(xmlSecDSigCtxPtr ctx, void *context);
int saml_signature_verify_observed(xmlNodePtr signature, xmlSecKeyPtr key, int flags, const saml_allowlist *allowed,
                                   saml_verification *result, saml_verify_observer observer, void *context);

/* A growable byte buffer for the functions above, and its contents. */
xmlBufferPtr saml_c14n_buffer_create(void);
const unsigned char *saml_c14n_buffer_bytes(xmlBufferPtr buffer);
int saml_c14n_buffer_length(xmlBufferPtr buffer);
void saml_c14n_buffer_free(xmlBufferPtr buffer);

#endif
