/*
 * CSAMLShims: the plain C functions this package needs from libxml2, xmlsec1 (OpenSSL backend),
 * OpenSSL and zlib, with every macro, global and callback that Swift cannot import turned into a
 * prefixed function. Every symbol here starts with `saml_`.
 */
#ifndef CSAML_SHIMS_H
#define CSAML_SHIMS_H

#include "CSAMLXMLSecABI.h"

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
#include "CSAMLStream.h"
#include "CSAMLVersions.h"
#include "CSAMLKeyGeneration.h"

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

/* The value of `node`'s attribute `name` (no namespace), read in place when it is held as one text
   node (or none: ""), as xmlGetNoNsProp would copy it; NULL otherwise, with `*present` telling
   whether the attribute exists (then xmlGetNoNsProp builds the value). Valid while the tree is
   unchanged. */
const xmlChar *saml_attribute_in_place(xmlNodePtr node, const char *name, int *present);
/* The same for the attribute `name` in namespace `ns` (what xmlGetNsProp would copy). */
const xmlChar *saml_ns_attribute_in_place(xmlNodePtr node, const char *name, const char *ns, int *present);
/* The text content of `node` read in place when it is one text node (or none: ""), as
   xmlNodeGetContent would copy it; NULL otherwise. Valid while the tree is unchanged. */
const xmlChar *saml_text_in_place(xmlNodePtr node);

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


enum { SAML_CONFLICT_NONE = 0, SAML_CONFLICT_NAMESPACED_ATTRIBUTE = 1, SAML_CONFLICT_RELATIVE_NAMESPACE = 2 };

/* What one walk over the whole document finds. */
typedef struct {
    int duplicate;   /* 1 when an ID value is used twice (or clashes with an xml:id) */
    int conflict;    /* the first rule an element breaks: SAML_CONFLICT_NAMESPACED_ATTRIBUTE when an
                        element in the XML-DSig or XML-Encryption namespaces carries a namespaced
                        Algorithm, URI, Type or Id attribute (xmlsec would read it where our checks
                        read the un-namespaced one); SAML_CONFLICT_RELATIVE_NAMESPACE when an element
                        declares a relative namespace name (which canonicalization refuses) */
    long assertions; /* saml:Assertion and saml:EncryptedAssertion elements below the root */
} saml_document_check;

/* One walk over the document: registers every attribute named `ID` (no namespace) as an XML ID,
   stopping at a value used twice (copied into `found`, `duplicate` set); finds the first element
   breaking a rule (described in `found` unless a duplicate comes later); counts the assertions.
   Returns 0 when the document passes, 1 otherwise. */
int saml_check_document(xmlDocPtr doc, char *found, int found_capacity, saml_document_check *check);
/* To be called after any change to the tree of `node`'s document: the namespace check of the last
   saml_check_document no longer holds until it runs again. */
void saml_document_changed(xmlNodePtr node);

/* The element an ID resolves to, or NULL. */
xmlNodePtr saml_element_by_id(xmlDocPtr doc, const char *id);

/* ---- keys and certificates ----------------------------------------------------------------- */

/* Key types, as saml_evp_key_type and saml_certificate_info report them. */
enum {
    SAML_KEY_OTHER = 0,
    SAML_KEY_RSA = 1,
    SAML_KEY_EC = 2,
};

/* Message digests, named by their output bits (SHA-1 is 1). */
enum {
    SAML_DIGEST_SHA1 = 1,
    SAML_DIGEST_SHA256 = 256,
    SAML_DIGEST_SHA384 = 384,
    SAML_DIGEST_SHA512 = 512,
};

/* RSA key-transport paddings for saml_rsa_unwrap. */
enum {
    SAML_PADDING_OAEP = 1,
    SAML_PADDING_PKCS1 = 2,
};

typedef struct {
    char subject[1024];
    char issuer[1024];
    int64_t not_before;   /* seconds since 1970 */
    int64_t not_after;
    int key_type;         /* SAML_KEY_* */
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
/* SAML_KEY_*; bits in *bits. */
int saml_evp_key_type(void *pkey, int *bits);
/* Whether the private key matches the certificate's public key (1), not (0), error (-1). */
int saml_evp_matches_certificate(void *pkey, const unsigned char *der, int length);
/* An xmlsec key wrapping a copy of the OpenSSL key. NULL on failure. */
xmlSecKeyPtr saml_xmlsec_key_from_evp(void *pkey);
void saml_evp_free(void *pkey);
void saml_key_destroy(xmlSecKeyPtr key);

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
/* HMAC-SHA256 of `data` under `key`. 0 on success. */
int saml_hmac_sha256(const unsigned char *key, size_t key_length, const unsigned char *data, size_t length,
                     unsigned char out[32]);
/* 1 when the two buffers are equal, compared in time independent of their contents; 0 otherwise. */
int saml_constant_time_equal(const unsigned char *a, const unsigned char *b, size_t length);

/* ---- XML signatures ------------------------------------------------------------------------ */

typedef struct {
    int call_result;        /* xmlSecDSigCtxVerify's return */
    int status;             /* 1 succeeded, 2 invalid, 0 unknown */
    int reference_count;
    int reference_status;   /* of the single reference: 1 succeeded, 2 invalid */
    char reference_uri[512];
    /* The element the single reference resolved to: the root of the node set that was
       canonicalized and digested (NULL for a whole-document reference, or when unknown). The
       caller compares it with the element it reads, node with node. */
    xmlNodePtr reference_node;
    int key_index;          /* which of the keys verified SignedInfo; -1 when none did */
    int signed_info_checks; /* public-key operations made on SignedInfo (narrow path) */
} saml_verification;

enum {
    SAML_VERIFY_ALLOW_EMPTY_URI = 2,  /* Reference URI="" (the whole document) */
};

/* The algorithm allowlists, as URIs, decided by the Swift caller (the one table of allowed
   algorithms lives there). `signature_transforms` governs CanonicalizationMethod and
   SignatureMethod; `reference_transforms` governs Reference transforms and DigestMethod. */
typedef struct {
    const char *const *signature_transforms;
    int signature_count;
    const char *const *reference_transforms;
    int reference_count;
} saml_allowlist;

/* Verifies the <ds:Signature> node with exactly this key: KeyInfo is never consulted. Only the
   algorithms in `allowed` are enabled; a URI xmlsec does not know fails the call (-2) rather
   than being skipped. Whole-document references only when `flags` say so. A `#id` reference is
   resolved by the registered ID table alone (xmlGetID on the text after '#'), never as an
   XPointer `id()` expression, which would unescape `^^` and split the value on whitespace. */
int saml_signature_verify(xmlNodePtr signature, xmlSecKeyPtr key, int flags, const saml_allowlist *allowed,
                          saml_verification *result);

/* saml_signature_verify with several candidate keys (a rollover): the narrow path canonicalizes
   and digests once and checks SignedInfo with each key of the method's type until one verifies
   (`key_index`). When the narrow path declines, one key goes to xmlsec's generic path; with
   several, -3 is returned untouched and the caller chooses one (saml_signed_info_verify). */
int saml_signature_verify_keys(xmlNodePtr signature, xmlSecKeyPtr const *keys, int key_count, int flags,
                               const saml_allowlist *allowed, saml_verification *result);

/* Checks only the SignatureValue over the canonicalized <ds:SignedInfo> (no Reference is
   digested): 1 when `key` signed it with `digest_bits` (SAML_DIGEST_*; RSA PKCS#1 v1.5 or ECDSA
   with r||s as XML Signature has it), 0 when not, -1 on error. The Swift caller uses it to pick
   the one configured key worth a full verification, so the referenced content is
   canonicalized and digested once, and never for a key that cannot have signed. */
int saml_signed_info_verify(xmlNodePtr signed_info, xmlNodePtr canonicalization_method, xmlSecKeyPtr key,
                            int digest_bits, const unsigned char *signature, size_t signature_length);

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
   given. With `reference_prefixes` / `signed_info_prefixes` (space-separated, as PrefixList
   holds them), the Reference's exclusive c14n / the CanonicalizationMethod carries an
   ec:InclusiveNamespaces, as many IdPs send. 0 on success. */
int saml_signature_sign(xmlNodePtr element, xmlNodePtr after, const char *id, xmlSecKeyPtr key,
                        int algorithm, const unsigned char *certificate_der, int certificate_length,
                        const char *reference_prefixes, const char *signed_info_prefixes);

/* ---- encryption ---------------------------------------------------------------------------- */

/* Decrypts an RSA-wrapped key with OpenSSL. padding: SAML_PADDING_*; oaep_digest/mgf_digest:
   SAML_DIGEST_*. Returns the plaintext length or -1. */
int saml_rsa_unwrap(void *pkey, int padding, int oaep_digest, int mgf_digest,
                    const unsigned char *label, size_t label_length,
                    const unsigned char *input, size_t input_length,
                    unsigned char *output, size_t capacity);

/* Decrypts <xenc:EncryptedData> in place with a raw AES key; only the one content algorithm
   `algorithm` (a URI; an unknown one fails the call) is enabled, and the call fails unless that
   is the transform xmlsec ran. With `limits`, the plaintext passes saml_prescan before it is
   parsed. 0 on success, -2 when the plaintext is not well-formed XML, -100 - SAML_PRESCAN_* when
   the scan refuses it, -4 when xmlsec ran another transform. */
int saml_decrypt_data(xmlNodePtr encrypted_data, const unsigned char *key, int key_length,
                      const char *algorithm, const saml_prescan_limits *limits);

/* AES-CBC content (XML Encryption padding) decrypted with OpenSSL, without xmlsec: `cipher` is
   the CipherValue's bytes (IV first). The padding is judged without branching on it and the
   plaintext is scanned and parsed whether or not it is valid, so the time taken does not tell a
   padding failure from a parse failure. Returns as saml_decrypt_data, and -3 when the padding is
   invalid (after the same work); `padding_valid` says which. -1 for a key or length that cannot be. */
int saml_decrypt_cbc_data(xmlNodePtr encrypted_data, const unsigned char *key, int key_length,
                          const unsigned char *cipher, size_t cipher_length, const saml_prescan_limits *limits,
                          int *padding_valid);

/* AES-GCM content (XML Encryption 1.1: 12-byte IV first, 16-byte tag last, no additional data)
   decrypted with OpenSSL, without xmlsec: `cipher` is the CipherValue's bytes. The tag is
   verified before the plaintext is scanned or parsed. Returns as saml_decrypt_data; -1 for a key
   length that cannot be, data shorter than IV and tag, or a tag that does not verify. */
int saml_decrypt_gcm_data(xmlNodePtr encrypted_data, const unsigned char *key, int key_length,
                          const unsigned char *cipher, size_t cipher_length, const saml_prescan_limits *limits);

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

/* ---- encryption for issuing (test identity provider) --------------------------------------- */

/* Content encryption algorithms for saml_encrypt_element. */
enum {
    SAML_ENCRYPT_AES128_CBC = 1,
    SAML_ENCRYPT_AES256_CBC = 2,
    SAML_ENCRYPT_AES128_GCM = 3,
    SAML_ENCRYPT_AES256_GCM = 4,
};

/* Encrypts `input` (a session key) for the RSA key of a DER certificate with RSA-OAEP (SHA-1
   digest and MGF1-SHA1, i.e. xmlenc#rsa-oaep-mgf1p). Returns the ciphertext length or -1. */
int saml_rsa_oaep_wrap(const unsigned char *certificate_der, int certificate_length,
                       const unsigned char *input, size_t input_length,
                       unsigned char *output, size_t capacity);

/* Encrypts `element` in place with `session_key` (xmlsec, Type=Element) and wraps the resulting
   xenc:EncryptedData in a new element `wrapper_name` in `wrapper_namespace` (whose prefix must be
   in scope at the element's parent). The RSA-wrapped session key goes into
   EncryptedData/ds:KeyInfo/xenc:EncryptedKey. Returns the wrapper, or NULL on failure. */
xmlNodePtr saml_encrypt_element(xmlNodePtr element, int algorithm,
                                const unsigned char *session_key, int session_key_length,
                                const unsigned char *wrapped_key, int wrapped_key_length,
                                const char *wrapper_name, const char *wrapper_namespace);

/* The narrow verification path for the SAML signature profile. */
#include "CSAMLNarrowSignature.h"

#endif
