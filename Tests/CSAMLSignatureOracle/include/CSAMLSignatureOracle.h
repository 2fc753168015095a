/*
 * The oracle of the narrow signature path's differential test (test-only: no product ships it).
 * xmlsec's generic path, run exactly as saml_signature_verify runs it, also handing back the
 * canonical bytes xmlsec digested for the first reference, to compare with the narrow path's.
 */
#ifndef CSAML_SIGNATURE_ORACLE_H
#define CSAML_SIGNATURE_ORACLE_H

#include "CSAMLShims.h"

/* saml_signature_verify on the generic path only, appending the first reference's pre-digest
   bytes to `predigest`. */
int saml_generic_signature_verify_predigest(xmlNodePtr signature, xmlSecKeyPtr key, int flags,
                                            const saml_allowlist *allowed, saml_verification *result,
                                            xmlBufferPtr predigest);

#endif
