/*
 * A new RSA key pair with a self-signed certificate, both PEM, for a service provider's per-IdP
 * signing and encryption keys (generated on request, published in metadata before they are used).
 */
#ifndef CSAML_KEY_GENERATION_H
#define CSAML_KEY_GENERATION_H

#include <stddef.h>

/* Generates an RSA key of `bits` bits and a self-signed X.509 v3 certificate for it (SHA-256,
   subject and issuer CN=`common_name`, a random 128-bit serial, valid from now for `days` days).
   On success returns 0 and sets `*key_pem` (PKCS#8 PEM) and `*cert_pem` (PEM), each a
   NUL-terminated buffer the caller frees with saml_key_generation_free. On failure returns -1
   and sets neither. */
int saml_generate_key_pair(int bits, const char *common_name, int days, char **key_pem, char **cert_pem);

/* Frees a buffer returned by saml_generate_key_pair. */
void saml_key_generation_free(char *buffer);

#endif
