/*
 * CSAMLShims: the plain C functions this package needs from libxml2, xmlsec1 (OpenSSL backend),
 * OpenSSL and zlib, with every macro, global and callback that Swift cannot import turned into a
 * prefixed function. Every symbol here starts with `saml_`.
 */
#ifndef CSAML_SHIMS_H
#define CSAML_SHIMS_H

/* xmlsec's ABI-changing defines (SwiftPM drops the ones pkg-config lists). */
#ifndef XMLSEC_NO_SIZE_T
#define XMLSEC_NO_SIZE_T
#endif
#ifndef XMLSEC_OPENSSL3_ENGINES
#define XMLSEC_OPENSSL3_ENGINES 1
#endif
#ifndef XMLSEC_NO_GOST
#define XMLSEC_NO_GOST 1
#endif
#ifndef XMLSEC_NO_GOST2012
#define XMLSEC_NO_GOST2012 1
#endif
#ifndef XMLSEC_NO_CRYPTO_DYNAMIC_LOADING
#define XMLSEC_NO_CRYPTO_DYNAMIC_LOADING 1
#endif
#ifndef XMLSEC_CRYPTO_OPENSSL
#define XMLSEC_CRYPTO_OPENSSL 1
#endif

#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <stddef.h>
#include <stdint.h>
#include "CSAMLPreScan.h"
#include "CSAMLVersions.h"

/* ---- process set-up ---------------------------------------------------------------------- */

/* Initialises libxml2, xmlsec and its OpenSSL backend once per process (thread-safe) and checks
   that this header's view of xmlsec's structures matches the library. 0 on success. */
int saml_initialize(void);
/* Why initialisation failed (empty string when it did not). */
const char *saml_initialize_error(void);

/* Clears this thread's collected library messages and makes sure libxml2 prints nothing. */
void saml_errors_reset(void);
/* The library messages collected on this thread since the last reset ("" when none). */
const char *saml_errors_last(void);

/* libxml2's xmlFree, which Swift sees only as a global function pointer. */
void saml_xml_free(void *pointer);

/* ---- parsing ----------------------------------------------------------------------------- */

enum {
    SAML_PARSE_OK = 0,
    SAML_PARSE_MALFORMED = 1,
    SAML_PARSE_DOCTYPE = 2,
    SAML_PARSE_TOO_DEEP = 3,
};

/* Parses a complete document with no DTD, no entity substitution and no network access. A
   DOCTYPE stops the parser before anything in it is used. `*outcome` tells why it failed;
   `message` receives libxml2's own message. */
xmlDocPtr saml_parse(const char *bytes, int length, int max_depth, int *outcome,
                     char *message, int message_capacity);

/* Registers every attribute named `ID` (no namespace) as an XML ID. Returns 0, or 1 when a value
   is used twice (or clashes with an xml:id), copying the value into `duplicate`. */
int saml_register_ids(xmlDocPtr doc, char *duplicate, int duplicate_capacity);

/* The element an ID resolves to, or NULL. */
xmlNodePtr saml_element_by_id(xmlDocPtr doc, const char *id);

/* ---- keys and certificates ----------------------------------------------------------------- */

typedef struct {
    char subject[1024];
    char issuer[1024];
    int64_t not_before;   /* seconds since 1970 */
    int64_t not_after;
    int key_type;         /* 1 RSA, 2 EC, 0 other */
    int key_bits;
    char curve[64];
    unsigned char sha256[32];
    char serial[128];
} saml_certificate_info;

/* Reads a DER certificate. 0 on success. */
int saml_certificate_read(const unsigned char *der, int length, saml_certificate_info *info);

/* An xmlsec key holding only the public key of a DER certificate (no certificate attached, so
   xmlsec never re-decodes it). NULL on failure. */
xmlSecKeyPtr saml_public_key_from_certificate(const unsigned char *der, int length);

/* A private key from PEM (PKCS#1, PKCS#8, encrypted PKCS#8 when `passphrase` is set). Returns the
   OpenSSL key (caller frees with saml_evp_free), NULL on failure. */
void *saml_private_key_read_pem(const char *pem, int length, const char *passphrase);
/* 1 RSA, 2 EC, 0 other; bits in *bits. */
int saml_evp_key_type(void *pkey, int *bits);
/* Whether the private key matches the certificate's public key (1), not (0), error (-1). */
int saml_evp_matches_certificate(void *pkey, const unsigned char *der, int length);
/* An xmlsec key wrapping a copy of the OpenSSL key. NULL on failure. */
xmlSecKeyPtr saml_xmlsec_key_from_evp(void *pkey);
void saml_evp_free(void *pkey);
void saml_key_destroy(xmlSecKeyPtr key);

/* Message digests for raw signatures: 1 SHA-1, 256, 384, 512. */
/* Signs `data` (RSA PKCS#1 v1.5 or ECDSA with a DER signature). Returns the signature length or -1. */
int saml_evp_sign(void *pkey, int digest_bits, const unsigned char *data, size_t length,
                  unsigned char *signature, size_t capacity);
/* Verifies a raw signature with a certificate's public key: 1 valid, 0 invalid, -1 error. */
int saml_evp_verify_with_certificate(const unsigned char *der, int der_length, int digest_bits,
                                     const unsigned char *data, size_t length,
                                     const unsigned char *signature, size_t signature_length);

/* SHA-256 of bytes. */
void saml_sha256(const unsigned char *data, size_t length, unsigned char out[32]);
/* Fills `out` with cryptographically secure random bytes. 0 on success. */
int saml_random(unsigned char *out, int length);

/* ---- XML signatures ------------------------------------------------------------------------ */

typedef struct {
    int call_result;        /* xmlSecDSigCtxVerify's return */
    int status;             /* 1 succeeded, 2 invalid, 0 unknown */
    int reference_count;
    int reference_status;   /* of the single reference: 1 succeeded, 2 invalid */
    char reference_uri[512];
} saml_verification;

enum {
    SAML_VERIFY_ALLOW_SHA1 = 1,       /* RSA-SHA1 signatures and SHA-1 digests */
    SAML_VERIFY_ALLOW_EMPTY_URI = 2,  /* Reference URI="" (the whole document) */
};

/* Verifies the <ds:Signature> node with exactly this key: KeyInfo is never consulted. Only the
   safe transforms are enabled; SHA-1 and whole-document references only when `flags` say so. */
int saml_signature_verify(xmlNodePtr signature, xmlSecKeyPtr key, int flags,
                          saml_verification *result);

/* Algorithms for enveloped signing. */
enum {
    SAML_SIGN_RSA_SHA256 = 1,
    SAML_SIGN_RSA_SHA384 = 2,
    SAML_SIGN_RSA_SHA512 = 3,
    SAML_SIGN_ECDSA_SHA256 = 4,
    SAML_SIGN_ECDSA_SHA384 = 5,
    SAML_SIGN_ECDSA_SHA512 = 6,
};

/* Adds an enveloped signature (exclusive c14n, Reference "#id") to `element`, placed right after
   `after` (or as first child when NULL), and signs it. The certificate goes into KeyInfo when
   given. 0 on success. */
int saml_signature_sign(xmlNodePtr element, xmlNodePtr after, const char *id, xmlSecKeyPtr key,
                        int algorithm, const unsigned char *certificate_der, int certificate_length);

/* ---- encryption ---------------------------------------------------------------------------- */

/* Decrypts an RSA-wrapped key with OpenSSL. padding: 1 OAEP, 2 PKCS#1 v1.5. oaep_digest/mgf_digest
   in bits (1 = SHA-1). Returns the plaintext length or -1. */
int saml_rsa_unwrap(void *pkey, int padding, int oaep_digest, int mgf_digest,
                    const unsigned char *label, size_t label_length,
                    const unsigned char *input, size_t input_length,
                    unsigned char *output, size_t capacity);

/* Decrypts <xenc:EncryptedData> in place with a raw AES key; only AES-CBC and AES-GCM are
   enabled. 0 on success. */
int saml_decrypt_data(xmlNodePtr encrypted_data, const unsigned char *key, int key_length);

/* ---- DEFLATE ------------------------------------------------------------------------------- */

/* Raw DEFLATE (RFC 1951). *output is malloc'ed; free with saml_buffer_free. 0 on success. */
int saml_deflate(const unsigned char *input, size_t length, unsigned char **output, size_t *output_length);
/* Raw INFLATE with an output cap: 0 ok, -1 corrupt, -2 larger than max_output. */
int saml_inflate(const unsigned char *input, size_t length, size_t max_output,
                 unsigned char **output, size_t *output_length);
void saml_buffer_free(void *buffer);

/* ---- serialisation ------------------------------------------------------------------------- */

/* Serialises a document (no XML declaration when omit_declaration). Free with saml_xml_free. */
int saml_document_serialize(xmlDocPtr doc, int omit_declaration, xmlChar **output, int *length);

#endif
