#include "CSAMLShims.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/valid.h>
#include <libxml/xmlsave.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/base64.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/rsa.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <zlib.h>

/* The header must see xmlsec exactly as the library was built. */
_Static_assert(sizeof(xmlSecSize) == sizeof(unsigned int), "XMLSEC_NO_SIZE_T must be defined");

/* ---- errors -------------------------------------------------------------------------------- */

#define SAML_ERROR_CAPACITY 1024
static _Thread_local char saml_error_buffer[SAML_ERROR_CAPACITY];
static _Thread_local size_t saml_error_length;
static _Thread_local int saml_thread_ready;

static void saml_error_append(const char *text) {
    if (text == NULL || text[0] == '\0') return;
    size_t room = SAML_ERROR_CAPACITY - 1 - saml_error_length;
    if (room < 4) return;
    if (saml_error_length > 0) {
        saml_error_buffer[saml_error_length++] = ';';
        saml_error_buffer[saml_error_length++] = ' ';
        room -= 2;
    }
    size_t n = strlen(text);
    if (n > room) n = room;
    memcpy(saml_error_buffer + saml_error_length, text, n);
    saml_error_length += n;
    /* strip trailing newlines libxml2 likes to add */
    while (saml_error_length > 0 && (saml_error_buffer[saml_error_length - 1] == '\n' ||
                                     saml_error_buffer[saml_error_length - 1] == ' ')) {
        saml_error_length--;
    }
    saml_error_buffer[saml_error_length] = '\0';
}

static void saml_xmlsec_error_callback(const char *file, int line, const char *func,
                                       const char *errorObject, const char *errorSubject,
                                       int reason, const char *msg) {
    (void)file; (void)line; (void)errorObject;
    char text[512];
    const char *reasonText = NULL;
    for (xmlSecSize i = 0; i < XMLSEC_ERRORS_MAX_NUMBER && xmlSecErrorsGetMsg(i) != NULL; i++) {
        if (xmlSecErrorsGetCode(i) == reason) { reasonText = xmlSecErrorsGetMsg(i); break; }
    }
    snprintf(text, sizeof text, "%s%s%s%s%s",
             reasonText ? reasonText : "error",
             (errorSubject && errorSubject[0]) ? " [" : "",
             (errorSubject && errorSubject[0]) ? errorSubject : "",
             (errorSubject && errorSubject[0]) ? "]" : "",
             "");
    if (msg && msg[0] && strcmp(msg, "NULL") != 0) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, ": %s", msg);
    }
    (void)func;
    saml_error_append(text);
}

static void saml_libxml_structured_error(void *userData, xmlErrorPtr error) {
    (void)userData;
    if (error != NULL && error->message != NULL) saml_error_append(error->message);
}

static void saml_libxml_generic_error(void *ctx, const char *msg, ...) {
    (void)ctx; (void)msg; /* libxml2's unstructured messages are fragments; dropped */
}

void saml_errors_reset(void) {
    if (!saml_thread_ready) {
        xmlSetGenericErrorFunc(NULL, saml_libxml_generic_error);
        xmlSetStructuredErrorFunc(NULL, saml_libxml_structured_error);
        saml_thread_ready = 1;
    }
    saml_error_length = 0;
    saml_error_buffer[0] = '\0';
}

const char *saml_errors_last(void) { return saml_error_buffer; }

void saml_xml_free(void *pointer) { if (pointer) xmlFree(pointer); }
void saml_buffer_free(void *buffer) { free(buffer); }

/* ---- initialisation ------------------------------------------------------------------------ */

static pthread_once_t saml_once = PTHREAD_ONCE_INIT;
static int saml_init_status = -1;
static char saml_init_message[256] = "not initialised";

static void saml_fail_init(const char *message) {
    snprintf(saml_init_message, sizeof saml_init_message, "%s", message);
    saml_init_status = -1;
}

static void saml_do_initialize(void) {
    xmlInitParser();
    xmlThrDefSetGenericErrorFunc(NULL, saml_libxml_generic_error);
    xmlThrDefSetStructuredErrorFunc(NULL, saml_libxml_structured_error);
    saml_errors_reset();
    if (xmlSecInit() < 0) { saml_fail_init("xmlSecInit failed"); return; }
    xmlSecErrorsSetCallback(saml_xmlsec_error_callback);
    if (xmlSecCheckVersionExt(XMLSEC_VERSION_MAJOR, XMLSEC_VERSION_MINOR, XMLSEC_VERSION_SUBMINOR,
                              xmlSecCheckVersionABICompatible) != 1) {
        saml_fail_init("the xmlsec1 library is not ABI-compatible with the headers this package was built with");
        return;
    }
    /* Layout probe: a context allocated and initialised by the library must read back as this
       header describes it. A mismatch in xmlsec's defines moves these fields. */
    xmlSecDSigCtxPtr probe = xmlSecDSigCtxCreate(NULL);
    if (probe == NULL) { saml_fail_init("xmlSecDSigCtxCreate failed"); return; }
    int layoutOK = probe->keyInfoReadCtx.mode == xmlSecKeyInfoModeRead &&
                   probe->keyInfoWriteCtx.mode == xmlSecKeyInfoModeWrite &&
                   probe->keyInfoReadCtx.maxRetrievalMethodLevel == 1 &&
                   probe->status == xmlSecDSigStatusUnknown &&
                   probe->signedInfoReferences.id == xmlSecDSigReferenceCtxListId &&
                   probe->manifestReferences.id == xmlSecDSigReferenceCtxListId &&
                   xmlSecPtrListGetSize(&probe->signedInfoReferences) == 0;
    xmlSecDSigCtxDestroy(probe);
    if (!layoutOK) {
        saml_fail_init("xmlsec1 structure layout differs from the headers (XMLSEC_* defines out of step)");
        return;
    }
    if (xmlSecOpenSSLAppInit(NULL) < 0) { saml_fail_init("xmlSecOpenSSLAppInit failed"); return; }
    if (xmlSecOpenSSLInit() < 0) { saml_fail_init("xmlSecOpenSSLInit failed"); return; }
    /* xmlSecOpenSSLInit replaces the callback installed above. */
    xmlSecErrorsSetCallback(saml_xmlsec_error_callback);
    saml_init_message[0] = '\0';
    saml_init_status = 0;
}

int saml_initialize(void) {
    pthread_once(&saml_once, saml_do_initialize);
    return saml_init_status;
}

const char *saml_initialize_error(void) { return saml_init_message; }

/* ---- parsing ------------------------------------------------------------------------------- */

static _Thread_local int saml_parse_doctype;
static _Thread_local int saml_parse_too_deep;
static _Thread_local int saml_parse_max_depth;

static void saml_sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *externalID,
                                     const xmlChar *systemID) {
    (void)name; (void)externalID; (void)systemID;
    saml_parse_doctype = 1;
    xmlStopParser((xmlParserCtxtPtr)ctx);
}

static void saml_sax_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                                   const xmlChar *URI, int nb_namespaces, const xmlChar **namespaces,
                                   int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    if (ctxt->nameNr + 1 > saml_parse_max_depth) {
        saml_parse_too_deep = 1;
        xmlStopParser(ctxt);
        return;
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, URI, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
}

xmlDocPtr saml_parse(const char *bytes, int length, int max_depth, int *outcome,
                     char *message, int message_capacity) {
    *outcome = SAML_PARSE_MALFORMED;
    if (message_capacity > 0) message[0] = '\0';
    saml_parse_doctype = 0;
    saml_parse_too_deep = 0;
    saml_parse_max_depth = max_depth > 0 ? max_depth : 256;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        snprintf(message, message_capacity, "out of memory");
        return NULL;
    }
    ctxt->sax->internalSubset = saml_sax_internal_subset;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->startElementNs = saml_sax_start_element;
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, bytes, length, NULL, NULL, options);
    if (saml_parse_doctype) {
        *outcome = SAML_PARSE_DOCTYPE;
        snprintf(message, message_capacity, "the document carries a DOCTYPE declaration");
    } else if (saml_parse_too_deep) {
        *outcome = SAML_PARSE_TOO_DEEP;
        snprintf(message, message_capacity, "elements nest deeper than %d levels", saml_parse_max_depth);
    } else if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed) {
        *outcome = SAML_PARSE_MALFORMED;
        xmlErrorPtr err = xmlCtxtGetLastError(ctxt);
        if (err != NULL && err->message != NULL) {
            snprintf(message, message_capacity, "line %d: %s", err->line, err->message);
            size_t n = strlen(message);
            while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' ')) message[--n] = '\0';
        } else if (!ctxt->nsWellFormed) {
            snprintf(message, message_capacity, "the document is not namespace-well-formed");
        } else {
            snprintf(message, message_capacity, "the document is not well-formed XML");
        }
    } else {
        *outcome = SAML_PARSE_OK;
    }
    if (*outcome != SAML_PARSE_OK && doc != NULL) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

int saml_register_ids(xmlDocPtr doc, char *duplicate, int duplicate_capacity) {
    if (duplicate_capacity > 0) duplicate[0] = '\0';
    xmlNodePtr node = xmlDocGetRootElement(doc);
    while (node != NULL) {
        if (node->type == XML_ELEMENT_NODE) {
            for (xmlAttrPtr attr = node->properties; attr != NULL; attr = attr->next) {
                if (attr->ns != NULL || !xmlStrEqual(attr->name, BAD_CAST "ID")) continue;
                xmlChar *value = xmlNodeListGetString(doc, attr->children, 1);
                if (value == NULL) continue;
                xmlAttrPtr existing = xmlGetID(doc, value);
                if (existing == attr) { xmlFree(value); continue; }
                if (existing != NULL || xmlAddID(NULL, doc, value, attr) == NULL) {
                    snprintf(duplicate, duplicate_capacity, "%s", (const char *)value);
                    xmlFree(value);
                    return 1;
                }
                xmlFree(value);
            }
        }
        /* depth-first walk without recursion */
        if (node->type == XML_ELEMENT_NODE && node->children != NULL) {
            node = node->children;
            continue;
        }
        while (node != NULL && node->next == NULL) {
            node = node->parent;
            if (node == NULL || node->type == XML_DOCUMENT_NODE) { node = NULL; break; }
        }
        if (node != NULL) node = node->next;
    }
    return 0;
}

xmlNodePtr saml_element_by_id(xmlDocPtr doc, const char *id) {
    xmlAttrPtr attr = xmlGetID(doc, BAD_CAST id);
    if (attr == NULL) return NULL;
    return attr->parent;
}

/* ---- keys and certificates ----------------------------------------------------------------- */

static int64_t saml_asn1_time(const ASN1_TIME *t) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return (int64_t)timegm(&tm);
}

static void saml_name(X509_NAME *name, char *out, size_t capacity) {
    out[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return;
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    int n = BIO_read(bio, out, (int)capacity - 1);
    out[n > 0 ? n : 0] = '\0';
    BIO_free(bio);
}

static int saml_pkey_type(EVP_PKEY *pkey, int *bits, char *curve, size_t curve_capacity) {
    if (bits) *bits = EVP_PKEY_bits(pkey);
    if (curve && curve_capacity) curve[0] = '\0';
    switch (EVP_PKEY_base_id(pkey)) {
    case EVP_PKEY_RSA: return SAML_KEY_RSA;
    case EVP_PKEY_EC:
        if (curve) {
            size_t len = 0;
            EVP_PKEY_get_utf8_string_param(pkey, "group", curve, curve_capacity, &len);
        }
        return SAML_KEY_EC;
    default: return SAML_KEY_OTHER;
    }
}

int saml_certificate_read(const unsigned char *der, int length, saml_certificate_info *info) {
    memset(info, 0, sizeof *info);
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, length);
    if (cert == NULL) return -1;
    if (p != der + length) { X509_free(cert); return -1; }
    saml_name(X509_get_subject_name(cert), info->subject, sizeof info->subject);
    saml_name(X509_get_issuer_name(cert), info->issuer, sizeof info->issuer);
    info->not_before = saml_asn1_time(X509_get0_notBefore(cert));
    info->not_after = saml_asn1_time(X509_get0_notAfter(cert));
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    if (pkey != NULL) info->key_type = saml_pkey_type(pkey, &info->key_bits, info->curve, sizeof info->curve);
    saml_sha256(der, (size_t)length, info->sha256);
    const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    if (bn != NULL) {
        char *hex = BN_bn2hex(bn);
        if (hex) { snprintf(info->serial, sizeof info->serial, "%s", hex); OPENSSL_free(hex); }
        BN_free(bn);
    }
    X509_free(cert);
    return 0;
}

xmlSecKeyPtr saml_public_key_from_certificate(const unsigned char *der, int length) {
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, length);
    if (cert == NULL) return NULL;
    EVP_PKEY *pkey = X509_get_pubkey(cert); /* a new reference */
    X509_free(cert);
    if (pkey == NULL) return NULL;
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (data == NULL) { EVP_PKEY_free(pkey); return NULL; }
    xmlSecKeyPtr key = xmlSecKeyCreate();
    if (key == NULL) { xmlSecKeyDataDestroy(data); return NULL; }
    if (xmlSecKeySetValue(key, data) < 0) { xmlSecKeyDataDestroy(data); xmlSecKeyDestroy(key); return NULL; }
    return key;
}

static int saml_password_callback(char *buf, int size, int rwflag, void *userdata) {
    (void)rwflag;
    const char *pass = (const char *)userdata;
    if (pass == NULL) return -1; /* never prompt */
    int n = (int)strlen(pass);
    if (n > size) n = size;
    memcpy(buf, pass, (size_t)n);
    return n;
}

void *saml_private_key_read_pem(const char *pem, int length, const char *passphrase) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return NULL;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, saml_password_callback, (void *)passphrase);
    BIO_free(bio);
    if (pkey == NULL) {
        unsigned long e = ERR_peek_last_error();
        char text[256];
        ERR_error_string_n(e, text, sizeof text);
        saml_error_append(text);
        ERR_clear_error();
    }
    return pkey;
}

int saml_evp_key_type(void *pkey, int *bits) {
    return saml_pkey_type((EVP_PKEY *)pkey, bits, NULL, 0);
}

int saml_evp_matches_certificate(void *pkey, const unsigned char *der, int length) {
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, length);
    if (cert == NULL) return -1;
    int rc = EVP_PKEY_eq(X509_get0_pubkey(cert), (EVP_PKEY *)pkey);
    X509_free(cert);
    return rc == 1 ? 1 : 0;
}

xmlSecKeyPtr saml_xmlsec_key_from_evp(void *pkey) {
    EVP_PKEY *key = (EVP_PKEY *)pkey;
    if (EVP_PKEY_up_ref(key) != 1) return NULL;
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(key);
    if (data == NULL) { EVP_PKEY_free(key); return NULL; }
    xmlSecKeyPtr result = xmlSecKeyCreate();
    if (result == NULL) { xmlSecKeyDataDestroy(data); return NULL; }
    if (xmlSecKeySetValue(result, data) < 0) { xmlSecKeyDataDestroy(data); xmlSecKeyDestroy(result); return NULL; }
    return result;
}

void saml_evp_free(void *pkey) { EVP_PKEY_free((EVP_PKEY *)pkey); }
void saml_key_destroy(xmlSecKeyPtr key) { if (key) xmlSecKeyDestroy(key); }

static const EVP_MD *saml_digest(int bits) {
    switch (bits) {
    case SAML_DIGEST_SHA1: return EVP_sha1();
    case SAML_DIGEST_SHA256: return EVP_sha256();
    case SAML_DIGEST_SHA384: return EVP_sha384();
    case SAML_DIGEST_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

static int saml_ec_field_bytes(EVP_PKEY *pkey) { return (EVP_PKEY_bits(pkey) + 7) / 8; }

int saml_evp_sign(void *pkeyPointer, int digest_bits, const unsigned char *data, size_t length,
                  unsigned char *signature, size_t capacity) {
    EVP_PKEY *pkey = (EVP_PKEY *)pkeyPointer;
    const EVP_MD *md = saml_digest(digest_bits);
    if (md == NULL) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return -1;
    unsigned char der[1024];
    size_t der_length = sizeof der;
    int ok = EVP_DigestSignInit(ctx, NULL, md, NULL, pkey) == 1 &&
             EVP_DigestSign(ctx, der, &der_length, data, length) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) { ERR_clear_error(); return -1; }
    if (EVP_PKEY_base_id(pkey) == EVP_PKEY_EC) {
        /* XML Signature (and the SAML redirect binding) carry ECDSA as r || s. */
        const unsigned char *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_length);
        if (sig == NULL) return -1;
        int field = saml_ec_field_bytes(pkey);
        if ((size_t)(2 * field) > capacity) { ECDSA_SIG_free(sig); return -1; }
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), signature, field);
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), signature + field, field);
        ECDSA_SIG_free(sig);
        return 2 * field;
    }
    if (der_length > capacity) return -1;
    memcpy(signature, der, der_length);
    return (int)der_length;
}

int saml_evp_verify_with_certificate(const unsigned char *certificate, int certificate_length, int digest_bits,
                                     const unsigned char *data, size_t length,
                                     const unsigned char *signature, size_t signature_length) {
    const unsigned char *p = certificate;
    X509 *cert = d2i_X509(NULL, &p, certificate_length);
    if (cert == NULL) return -1;
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    const EVP_MD *md = saml_digest(digest_bits);
    if (pkey == NULL || md == NULL) { X509_free(cert); return -1; }
    unsigned char der[1024];
    const unsigned char *sig = signature;
    size_t sig_length = signature_length;
    if (EVP_PKEY_base_id(pkey) == EVP_PKEY_EC) {
        int field = saml_ec_field_bytes(pkey);
        if (signature_length != (size_t)(2 * field)) { X509_free(cert); return 0; }
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(signature, field, NULL), *s = BN_bin2bn(signature + field, field, NULL);
        ECDSA_SIG_set0(es, r, s);
        unsigned char *out = der;
        int n = i2d_ECDSA_SIG(es, &out);
        ECDSA_SIG_free(es);
        if (n <= 0) { X509_free(cert); return -1; }
        sig = der;
        sig_length = (size_t)n;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    if (ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1) {
        rc = EVP_DigestVerify(ctx, sig, sig_length, data, length) == 1 ? 1 : 0;
    }
    EVP_MD_CTX_free(ctx);
    X509_free(cert);
    ERR_clear_error();
    return rc;
}

void saml_sha256(const unsigned char *data, size_t length, unsigned char out[32]) {
    unsigned int n = 32;
    EVP_Digest(data, length, out, &n, EVP_sha256(), NULL);
}

int saml_random(unsigned char *out, int length) {
    return RAND_bytes(out, length) == 1 ? 0 : -1;
}

/* ---- XML signatures ------------------------------------------------------------------------ */

/* Enables each allowlisted transform, found by its URI in xmlsec's registry. A URI xmlsec does not
   know is an error, so the Swift table and the library cannot drift apart silently. */
static int saml_enable_transforms(xmlSecDSigCtxPtr ctx, const char *const *uris, int count, int reference) {
    for (int i = 0; i < count; i++) {
        xmlSecTransformId id = xmlSecTransformIdListFindByHref(xmlSecTransformIdsGet(), BAD_CAST uris[i],
                                                               xmlSecTransformUsageAny);
        if (id == xmlSecTransformIdUnknown) {
            char text[600];
            snprintf(text, sizeof text, "xmlsec does not know the allowlisted algorithm %s", uris[i]);
            saml_error_append(text);
            return -1;
        }
        int rc = reference ? xmlSecDSigCtxEnableReferenceTransform(ctx, id) : xmlSecDSigCtxEnableSignatureTransform(ctx, id);
        if (rc < 0) return -1;
    }
    return 0;
}

int saml_signature_verify(xmlNodePtr signature, xmlSecKeyPtr key, int flags, const saml_allowlist *allowed,
                          saml_verification *result) {
    if (!(flags & SAML_VERIFY_GENERIC_ONLY) && saml_narrow_signature_verify(signature, key, flags, result, NULL) == 1) return 0;
    memset(result, 0, sizeof *result);
    result->call_result = -1;
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) return -1;
    ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    if (flags & SAML_VERIFY_ALLOW_EMPTY_URI) ctx->enabledReferenceUris |= xmlSecTransformUriTypeEmpty;

    if (saml_enable_transforms(ctx, allowed->reference_transforms, allowed->reference_count, 1) < 0 ||
        saml_enable_transforms(ctx, allowed->signature_transforms, allowed->signature_count, 0) < 0) {
        xmlSecDSigCtxDestroy(ctx);
        return -2;
    }

    /* The pinned key: with signKey set, xmlsec never reads a key from KeyInfo. */
    ctx->signKey = key;
    saml_narrow_oracle_prepare(ctx);
    int rc = xmlSecDSigCtxVerify(ctx, signature);
    saml_narrow_oracle_collect(ctx);
    ctx->signKey = NULL; /* lent, not given */

    result->call_result = rc;
    result->status = ctx->status == xmlSecDSigStatusSucceeded ? 1 : (ctx->status == xmlSecDSigStatusInvalid ? 2 : 0);
    xmlSecSize count = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
    result->reference_count = (int)count;
    if (count >= 1) {
        xmlSecDSigReferenceCtxPtr ref = (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
        if (ref != NULL) {
            result->reference_status = ref->status == xmlSecDSigStatusSucceeded ? 1 : 2;
            if (ref->uri != NULL) snprintf(result->reference_uri, sizeof result->reference_uri, "%s", (const char *)ref->uri);
        }
    }
    xmlSecDSigCtxDestroy(ctx);
    return rc;
}

int saml_signed_info_verify(xmlNodePtr signed_info, xmlNodePtr canonicalization_method, xmlSecKeyPtr key,
                            int digest_bits, const unsigned char *signature, size_t signature_length) {
    const EVP_MD *md = saml_digest(digest_bits);
    xmlSecKeyDataPtr data = key ? xmlSecKeyGetValue(key) : NULL;
    EVP_PKEY *pkey = data ? xmlSecOpenSSLEvpKeyDataGetEvp(data) : NULL;
    if (md == NULL || pkey == NULL || signed_info == NULL || canonicalization_method == NULL) return -1;

    xmlSecTransformCtxPtr ctx = xmlSecTransformCtxCreate();
    if (ctx == NULL) return -1;
    int result = -1;
    xmlSecNodeSetPtr nodes = NULL;
    if (xmlSecTransformCtxNodeRead(ctx, canonicalization_method, xmlSecTransformUsageC14NMethod) == NULL) goto done;
    nodes = xmlSecNodeSetGetChildren(signed_info->doc, signed_info, 1, 0);
    if (nodes == NULL) goto done;
    if (xmlSecTransformCtxXmlExecute(ctx, nodes) < 0 || ctx->result == NULL) goto done;
    const unsigned char *bytes = xmlSecBufferGetData(ctx->result);
    size_t length = xmlSecBufferGetSize(ctx->result);

    unsigned char der[1024];
    const unsigned char *sig = signature;
    size_t sig_length = signature_length;
    if (EVP_PKEY_base_id(pkey) == EVP_PKEY_EC) {
        int field = saml_ec_field_bytes(pkey);
        if (signature_length != (size_t)(2 * field)) { result = 0; goto done; }
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(signature, field, NULL), *s = BN_bin2bn(signature + field, field, NULL);
        if (es == NULL || r == NULL || s == NULL) { ECDSA_SIG_free(es); BN_free(r); BN_free(s); goto done; }
        ECDSA_SIG_set0(es, r, s);
        unsigned char *out = der;
        int n = i2d_ECDSA_SIG(es, &out);
        ECDSA_SIG_free(es);
        if (n <= 0) goto done;
        sig = der;
        sig_length = (size_t)n;
    } else if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
        goto done;
    }
    EVP_MD_CTX *md_ctx = EVP_MD_CTX_new();
    if (md_ctx != NULL && EVP_DigestVerifyInit(md_ctx, NULL, md, NULL, pkey) == 1) {
        result = EVP_DigestVerify(md_ctx, sig, sig_length, bytes, length) == 1 ? 1 : 0;
    }
    EVP_MD_CTX_free(md_ctx);
done:
    if (nodes != NULL) xmlSecNodeSetDestroy(nodes);
    xmlSecTransformCtxDestroy(ctx);
    ERR_clear_error();
    return result;
}

int saml_signature_sign(xmlNodePtr element, xmlNodePtr after, const char *id, xmlSecKeyPtr key,
                        int algorithm, const unsigned char *certificate_der, int certificate_length) {
    xmlDocPtr doc = element->doc;
    xmlSecTransformId method, digest;
    switch (algorithm) {
    case SAML_SIGN_RSA_SHA256: method = xmlSecOpenSSLTransformRsaSha256GetKlass(); digest = xmlSecOpenSSLTransformSha256GetKlass(); break;
    case SAML_SIGN_RSA_SHA384: method = xmlSecOpenSSLTransformRsaSha384GetKlass(); digest = xmlSecOpenSSLTransformSha384GetKlass(); break;
    case SAML_SIGN_RSA_SHA512: method = xmlSecOpenSSLTransformRsaSha512GetKlass(); digest = xmlSecOpenSSLTransformSha512GetKlass(); break;
    case SAML_SIGN_ECDSA_SHA256: method = xmlSecOpenSSLTransformEcdsaSha256GetKlass(); digest = xmlSecOpenSSLTransformSha256GetKlass(); break;
    case SAML_SIGN_ECDSA_SHA384: method = xmlSecOpenSSLTransformEcdsaSha384GetKlass(); digest = xmlSecOpenSSLTransformSha384GetKlass(); break;
    case SAML_SIGN_ECDSA_SHA512: method = xmlSecOpenSSLTransformEcdsaSha512GetKlass(); digest = xmlSecOpenSSLTransformSha512GetKlass(); break;
    default: return -1;
    }
    /* make sure the ID resolves */
    xmlAttrPtr idAttr = xmlHasProp(element, BAD_CAST "ID");
    if (idAttr == NULL) return -1;
    if (xmlGetID(doc, BAD_CAST id) == NULL) xmlAddID(NULL, doc, BAD_CAST id, idAttr);

    xmlNodePtr sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NGetKlass(), method, NULL, BAD_CAST "ds");
    if (sig == NULL) return -1;
    if (after != NULL) xmlAddNextSibling(after, sig);
    else if (element->children != NULL) xmlAddPrevSibling(element->children, sig);
    else xmlAddChild(element, sig);

    size_t uriLength = strlen(id) + 2;
    char *uri = malloc(uriLength);
    if (uri == NULL) return -1;
    snprintf(uri, uriLength, "#%s", id);
    xmlNodePtr ref = xmlSecTmplSignatureAddReference(sig, digest, NULL, BAD_CAST uri, NULL);
    free(uri);
    if (ref == NULL ||
        xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedGetKlass()) == NULL ||
        xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NGetKlass()) == NULL) {
        return -1;
    }
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) return -1;
    ctx->signKey = key;
    int rc = xmlSecDSigCtxSign(ctx, sig);
    ctx->signKey = NULL;
    xmlSecDSigCtxDestroy(ctx);
    if (rc < 0) return -1;
    if (certificate_der != NULL && certificate_length > 0) {
        /* KeyInfo is outside SignedInfo, so it can be added after signing. */
        xmlNodePtr keyInfo = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
        xmlNodePtr x509 = keyInfo ? xmlSecTmplKeyInfoAddX509Data(keyInfo) : NULL;
        xmlNodePtr certNode = x509 ? xmlSecTmplX509DataAddCertificate(x509) : NULL;
        if (certNode == NULL) return -1;
        xmlChar *b64 = xmlSecBase64Encode(certificate_der, (xmlSecSize)certificate_length, 0);
        if (b64 == NULL) return -1;
        xmlNodeSetContent(certNode, b64);
        xmlFree(b64);
    }
    return 0;
}

/* ---- encryption ---------------------------------------------------------------------------- */

int saml_rsa_unwrap(void *pkeyPointer, int padding, int oaep_digest, int mgf_digest,
                    const unsigned char *label, size_t label_length,
                    const unsigned char *input, size_t input_length,
                    unsigned char *output, size_t capacity) {
    EVP_PKEY *pkey = (EVP_PKEY *)pkeyPointer;
    if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) return -1;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    if (ctx == NULL) return -1;
    int ok = EVP_PKEY_decrypt_init(ctx) == 1;
    if (ok && padding == SAML_PADDING_OAEP) {
        const EVP_MD *md = saml_digest(oaep_digest), *mgf = saml_digest(mgf_digest);
        ok = md != NULL && mgf != NULL &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf) == 1;
        if (ok && label != NULL && label_length > 0) {
            unsigned char *copy = OPENSSL_malloc(label_length);
            if (copy == NULL) ok = 0;
            else {
                memcpy(copy, label, label_length);
                if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, (int)label_length) != 1) { OPENSSL_free(copy); ok = 0; }
            }
        }
    } else if (ok && padding == SAML_PADDING_PKCS1) {
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    } else {
        ok = 0;
    }
    size_t out_length = capacity;
    if (ok) ok = EVP_PKEY_decrypt(ctx, output, &out_length, input, input_length) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? (int)out_length : -1;
}

static int saml_place_plaintext(xmlNodePtr encrypted_data, const unsigned char *plaintext, size_t length,
                                const saml_prescan_limits *limits);

int saml_decrypt_data(xmlNodePtr encrypted_data, const unsigned char *key, int key_length,
                      const char *const *algorithms, int algorithm_count, const saml_prescan_limits *limits) {
    xmlSecKeyPtr aes = xmlSecKeyReadMemory(xmlSecOpenSSLKeyDataAesGetKlass(), key, (xmlSecSize)key_length);
    if (aes == NULL) return -1;
    xmlSecEncCtxPtr ctx = xmlSecEncCtxCreate(NULL);
    if (ctx == NULL) { xmlSecKeyDestroy(aes); return -1; }
    ctx->encKey = aes; /* owned by the context from here */
    xmlSecPtrListPtr enabled = &ctx->transformCtx.enabledTransforms;
    for (int i = 0; i < algorithm_count; i++) {
        xmlSecTransformId id = xmlSecTransformIdListFindByHref(xmlSecTransformIdsGet(), BAD_CAST algorithms[i],
                                                               xmlSecTransformUsageAny);
        if (id == xmlSecTransformIdUnknown || xmlSecPtrListAdd(enabled, (void *)id) < 0) {
            xmlSecEncCtxDestroy(ctx);
            return -1;
        }
    }
    /* CipherValue is base64 inside the element, not a transform anyone chooses. */
    xmlSecPtrListAdd(enabled, (void *)xmlSecTransformBase64GetKlass());
    ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
    xmlSecBufferPtr buffer = xmlSecEncCtxDecryptToBuffer(ctx, encrypted_data);
    if (buffer == NULL) { xmlSecEncCtxDestroy(ctx); return -1; }
    int rc = saml_place_plaintext(encrypted_data, xmlSecBufferGetData(buffer), xmlSecBufferGetSize(buffer), limits);
    xmlSecEncCtxDestroy(ctx);
    return rc;
}

/* The plaintext of an EncryptedData in its place: the same linear shape scan as every other
   document, then libxml2 parses it in the context of EncryptedData's parent. 0 on success, -2
   when it is not well-formed XML, -100 - SAML_PRESCAN_* when the scan refuses it. When `place` is
   0 the work is done and the result thrown away (the CBC path's padding failure). */
static int saml_parse_plaintext(xmlNodePtr encrypted_data, const unsigned char *plaintext, size_t length,
                                const saml_prescan_limits *limits, int place) {
    if (limits != NULL) {
        /* the plaintext is attacker-shaped whoever holds the SP's public key */
        saml_prescan_result scan;
        int outcome = saml_prescan(plaintext, length, limits, &scan);
        if (outcome != SAML_PRESCAN_OK) return -100 - outcome;
    }
    if (length > INT_MAX) return -2;
    xmlNodePtr parent = encrypted_data->parent;
    xmlNodePtr list = NULL;
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    xmlParserErrors perr = xmlParseInNodeContext(parent, (const char *)plaintext, (int)length, options, &list);
    if (perr != XML_ERR_OK || list == NULL || !place) {
        if (list) xmlFreeNodeList(list);
        return (perr != XML_ERR_OK || list == NULL) ? -2 : 0;
    }
    /* put the decrypted nodes where EncryptedData was */
    xmlNodePtr cursor = list;
    while (cursor != NULL) {
        xmlNodePtr next = cursor->next;
        xmlUnlinkNode(cursor);
        xmlAddPrevSibling(encrypted_data, cursor);
        cursor = next;
    }
    xmlUnlinkNode(encrypted_data);
    xmlFreeNode(encrypted_data);
    return 0;
}

static int saml_place_plaintext(xmlNodePtr encrypted_data, const unsigned char *plaintext, size_t length,
                                const saml_prescan_limits *limits) {
    int rc = saml_parse_plaintext(encrypted_data, plaintext, length, limits, 1);
    if (rc == -2) saml_error_append("the decrypted content is not well-formed XML");
    return rc;
}

int saml_decrypt_cbc_data(xmlNodePtr encrypted_data, const unsigned char *key, int key_length,
                          const unsigned char *cipher, size_t cipher_length, const saml_prescan_limits *limits,
                          int *padding_valid) {
    *padding_valid = 0;
    const EVP_CIPHER *algorithm = key_length == 16 ? EVP_aes_128_cbc()
                                : key_length == 24 ? EVP_aes_192_cbc()
                                : key_length == 32 ? EVP_aes_256_cbc() : NULL;
    /* the IV and at least one block, whole blocks only: public facts of the message's length */
    if (algorithm == NULL || cipher_length < 32 || cipher_length % 16 != 0) return -1;
    size_t length = cipher_length - 16;
    unsigned char *plaintext = malloc(length + 16);
    if (plaintext == NULL) return -1;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int produced = 0, ok = ctx != NULL &&
        EVP_DecryptInit_ex(ctx, algorithm, NULL, key, cipher) == 1 &&
        EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
        length <= INT_MAX &&
        EVP_DecryptUpdate(ctx, plaintext, &produced, cipher + 16, (int)length) == 1 &&
        (size_t)produced == length;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) { OPENSSL_cleanse(plaintext, length + 16); free(plaintext); ERR_clear_error(); return -1; }
    /* XML Encryption padding: the last byte counts the padding bytes, 1 to 16; the others are
       arbitrary. Judged without a branch on the value, and the plaintext is scanned and parsed
       whether or not the padding is valid, so the time taken does not tell the two apart. */
    unsigned int pad = plaintext[length - 1];
    unsigned int bad = ((pad - 1u) | (16u - pad)) >> 8;          /* non-zero when pad is 0 or > 16 */
    unsigned int good = 1u ^ ((bad | (0u - bad)) >> 31);          /* 1 when valid, 0 when not */
    size_t kept = length - (size_t)(pad & (0u - good));
    int rc = saml_parse_plaintext(encrypted_data, plaintext, kept, limits, (int)good);
    OPENSSL_cleanse(plaintext, length + 16);
    free(plaintext);
    *padding_valid = (int)good;
    if (!good) return -3;
    if (rc == -2) saml_error_append("the decrypted content is not well-formed XML");
    return rc;
}

/* ---- DEFLATE ------------------------------------------------------------------------------- */

int saml_deflate(const unsigned char *input, size_t length, unsigned char **output, size_t *output_length) {
    *output = NULL;
    *output_length = 0;
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    /* A window no larger than the input compresses it the same; for a small request it saves
       setting up zlib's 256 KB of state (about 40 us of the Redirect binding's cost). */
    int small = length <= 4096;
    if (deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, small ? -12 : -15, small ? 5 : 8, Z_DEFAULT_STRATEGY,
                      ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK) return -1;
    uLong bound = deflateBound(&stream, (uLong)length);
    unsigned char *buffer = malloc(bound + 16);
    if (buffer == NULL) { deflateEnd(&stream); return -1; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = buffer;
    stream.avail_out = (uInt)(bound + 16);
    int rc = deflate(&stream, Z_FINISH);
    if (rc != Z_STREAM_END) { deflateEnd(&stream); free(buffer); return -1; }
    *output_length = stream.total_out;
    deflateEnd(&stream);
    *output = buffer;
    return 0;
}

int saml_inflate(const unsigned char *input, size_t length, size_t max_output,
                 unsigned char **output, size_t *output_length) {
    *output = NULL;
    *output_length = 0;
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit2_(&stream, -15, ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK) return -1;
    size_t capacity = length * 4 + 1024;
    if (capacity > max_output + 1) capacity = max_output + 1;
    unsigned char *buffer = malloc(capacity);
    if (buffer == NULL) { inflateEnd(&stream); return -1; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    int rc;
    for (;;) {
        stream.next_out = buffer + stream.total_out;
        stream.avail_out = (uInt)(capacity - stream.total_out);
        rc = inflate(&stream, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) { inflateEnd(&stream); free(buffer); return -1; }
        if (stream.total_out > max_output) { inflateEnd(&stream); free(buffer); return -2; }
        if (stream.avail_out == 0) {
            if (capacity > max_output) { inflateEnd(&stream); free(buffer); return -2; }
            size_t next = capacity * 2;
            if (next > max_output + 1) next = max_output + 1;
            unsigned char *grown = realloc(buffer, next);
            if (grown == NULL) { inflateEnd(&stream); free(buffer); return -1; }
            buffer = grown;
            capacity = next;
        } else if (stream.avail_in == 0) {
            /* truncated input */
            inflateEnd(&stream); free(buffer); return -1;
        }
    }
    if (stream.total_out > max_output) { inflateEnd(&stream); free(buffer); return -2; }
    *output_length = stream.total_out;
    inflateEnd(&stream);
    *output = buffer;
    return 0;
}

/* ---- serialisation ------------------------------------------------------------------------- */

int saml_document_serialize(xmlDocPtr doc, int omit_declaration, xmlChar **output, int *length) {
    *output = NULL;
    *length = 0;
    if (!omit_declaration) {
        xmlDocDumpMemoryEnc(doc, output, length, "UTF-8");
        return *output ? 0 : -1;
    }
    xmlBufferPtr buffer = xmlBufferCreate();
    if (buffer == NULL) return -1;
    xmlSaveCtxtPtr save = xmlSaveToBuffer(buffer, "UTF-8", XML_SAVE_NO_DECL);
    if (save == NULL) { xmlBufferFree(buffer); return -1; }
    xmlSaveDoc(save, doc);
    xmlSaveClose(save);
    int n = xmlBufferLength(buffer);
    xmlChar *copy = xmlMalloc((size_t)n + 1);
    if (copy == NULL) { xmlBufferFree(buffer); return -1; }
    memcpy(copy, xmlBufferContent(buffer), (size_t)n);
    copy[n] = 0;
    xmlBufferFree(buffer);
    *output = copy;
    *length = n;
    return 0;
}
