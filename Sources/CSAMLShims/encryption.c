/* Encryption: issuing encrypted test responses, and decrypting what an IdP encrypted.

   Issuing: RSA-OAEP key transport with OpenSSL, content
   encryption (AES-CBC or AES-GCM) through xmlsec. The wrapped key is written into
   EncryptedData/KeyInfo/EncryptedKey after xmlsec has encrypted the content, so xmlsec never
   looks for a key-encryption key in a keys manager. */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <xmlsec/templates.h>
#include <xmlsec/base64.h>
#include <xmlsec/openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/err.h>

static const xmlChar saml_xenc_ns[] = "http://www.w3.org/2001/04/xmlenc#";
static const xmlChar saml_dsig_ns[] = "http://www.w3.org/2000/09/xmldsig#";

int saml_rsa_oaep_wrap(const unsigned char *certificate_der, int certificate_length,
                       const unsigned char *input, size_t input_length,
                       unsigned char *output, size_t capacity) {
    const unsigned char *cursor = certificate_der;
    X509 *cert = d2i_X509(NULL, &cursor, certificate_length);
    if (cert == NULL) { ERR_clear_error(); return -1; }
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    int rc = -1;
    if (pkey != NULL && EVP_PKEY_base_id(pkey) == EVP_PKEY_RSA) {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
        size_t out_length = capacity;
        if (ctx != NULL &&
            EVP_PKEY_encrypt_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
            EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) == 1 &&
            EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) == 1 &&
            EVP_PKEY_encrypt(ctx, output, &out_length, input, input_length) == 1) {
            rc = (int)out_length;
        }
        EVP_PKEY_CTX_free(ctx);
    }
    X509_free(cert);
    ERR_clear_error();
    return rc;
}

static xmlNodePtr saml_add_child(xmlNodePtr parent, const char *name, xmlNsPtr ns) {
    xmlNodePtr child = xmlNewDocNode(parent->doc, ns, BAD_CAST name, NULL);
    if (child != NULL) xmlAddChild(parent, child);
    return child;
}

xmlNodePtr saml_encrypt_element(xmlNodePtr element, int algorithm,
                                const unsigned char *session_key, int session_key_length,
                                const unsigned char *wrapped_key, int wrapped_key_length,
                                const char *wrapper_name, const char *wrapper_namespace) {
    saml_document_changed(element);
    if (element == NULL || element->doc == NULL || element->parent == NULL) return NULL;
    xmlDocPtr doc = element->doc;
    xmlSecTransformId method;
    int expected_length;
    switch (algorithm) {
    case SAML_ENCRYPT_AES128_CBC: method = xmlSecOpenSSLTransformAes128CbcGetKlass(); expected_length = 16; break;
    case SAML_ENCRYPT_AES256_CBC: method = xmlSecOpenSSLTransformAes256CbcGetKlass(); expected_length = 32; break;
    case SAML_ENCRYPT_AES128_GCM: method = xmlSecOpenSSLTransformAes128GcmGetKlass(); expected_length = 16; break;
    case SAML_ENCRYPT_AES256_GCM: method = xmlSecOpenSSLTransformAes256GcmGetKlass(); expected_length = 32; break;
    default: return NULL;
    }
    if (session_key_length != expected_length || wrapped_key_length <= 0) return NULL;

    /* The wrapper (e.g. saml:EncryptedAssertion) takes the element's place; the element moves in. */
    xmlNsPtr wrapperNs = xmlSearchNsByHref(doc, element->parent, BAD_CAST wrapper_namespace);
    if (wrapperNs == NULL) return NULL;
    xmlNodePtr wrapper = xmlNewDocNode(doc, wrapperNs, BAD_CAST wrapper_name, NULL);
    if (wrapper == NULL) return NULL;
    xmlAddPrevSibling(element, wrapper);
    xmlUnlinkNode(element);
    xmlAddChild(wrapper, element);

    xmlNodePtr data = xmlSecTmplEncDataCreate(doc, method, NULL, xmlSecTypeEncElement, NULL, NULL);
    if (data == NULL) return NULL;
    /* xmlsec declares the namespace as the default one; give it the usual prefix. */
    if (data->ns != NULL && data->ns->prefix == NULL) data->ns->prefix = xmlStrdup(BAD_CAST "xenc");
    if (xmlSecTmplEncDataEnsureCipherValue(data) == NULL) { xmlFreeNode(data); return NULL; }

    xmlSecKeyPtr key = xmlSecKeyReadMemory(xmlSecOpenSSLKeyDataAesGetKlass(), session_key, (xmlSecSize)session_key_length);
    if (key == NULL) { xmlFreeNode(data); return NULL; }
    xmlSecEncCtxPtr ctx = xmlSecEncCtxCreate(NULL);
    if (ctx == NULL) { xmlSecKeyDestroy(key); xmlFreeNode(data); return NULL; }
    ctx->encKey = key; /* owned by the context from here */
    int rc = xmlSecEncCtxXmlEncrypt(ctx, data, element); /* replaces element with data */
    xmlSecEncCtxDestroy(ctx);
    if (rc < 0) {
        if (data->parent == NULL) xmlFreeNode(data);
        return NULL;
    }

    /* ds:KeyInfo/xenc:EncryptedKey, placed between EncryptionMethod and CipherData. */
    xmlNodePtr cipherData = NULL;
    for (xmlNodePtr c = data->children; c != NULL; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "CipherData")) { cipherData = c; break; }
    }
    if (cipherData == NULL) return NULL;
    xmlNodePtr keyInfo = xmlNewDocNode(doc, NULL, BAD_CAST "KeyInfo", NULL);
    if (keyInfo == NULL) return NULL;
    xmlAddPrevSibling(cipherData, keyInfo);
    xmlNsPtr dsNs = xmlSearchNsByHref(doc, keyInfo, saml_dsig_ns);
    if (dsNs == NULL) dsNs = xmlNewNs(keyInfo, saml_dsig_ns, BAD_CAST "ds");
    xmlSetNs(keyInfo, dsNs);
    xmlNsPtr xencNs = xmlSearchNsByHref(doc, keyInfo, saml_xenc_ns);
    if (xencNs == NULL) return NULL;
    xmlNodePtr encryptedKey = saml_add_child(keyInfo, "EncryptedKey", xencNs);
    xmlNodePtr keyMethod = encryptedKey ? saml_add_child(encryptedKey, "EncryptionMethod", xencNs) : NULL;
    if (keyMethod == NULL) return NULL;
    xmlSetProp(keyMethod, BAD_CAST "Algorithm", BAD_CAST "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p");
    xmlNodePtr digest = saml_add_child(keyMethod, "DigestMethod", dsNs);
    if (digest == NULL) return NULL;
    xmlSetProp(digest, BAD_CAST "Algorithm", BAD_CAST "http://www.w3.org/2000/09/xmldsig#sha1");
    xmlNodePtr keyCipherData = saml_add_child(encryptedKey, "CipherData", xencNs);
    xmlNodePtr keyCipherValue = keyCipherData ? saml_add_child(keyCipherData, "CipherValue", xencNs) : NULL;
    if (keyCipherValue == NULL) return NULL;
    xmlChar *b64 = xmlSecBase64Encode(wrapped_key, (xmlSecSize)wrapped_key_length, 0);
    if (b64 == NULL) return NULL;
    xmlNodeSetContent(keyCipherValue, b64);
    xmlFree(b64);
    return wrapper;
}

/* ---- decryption ---------------------------------------------------------------------------- */

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
                      const char *algorithm, const saml_prescan_limits *limits) {
    xmlSecTransformId chosen = xmlSecTransformIdListFindByHref(xmlSecTransformIdsGet(), BAD_CAST algorithm,
                                                               xmlSecTransformUsageAny);
    if (chosen == xmlSecTransformIdUnknown) return -1;
    xmlSecKeyPtr aes = xmlSecKeyReadMemory(xmlSecOpenSSLKeyDataAesGetKlass(), key, (xmlSecSize)key_length);
    if (aes == NULL) return -1;
    xmlSecEncCtxPtr ctx = xmlSecEncCtxCreate(NULL);
    if (ctx == NULL) { xmlSecKeyDestroy(aes); return -1; }
    ctx->encKey = aes; /* owned by the context from here */
    xmlSecPtrListPtr enabled = &ctx->transformCtx.enabledTransforms;
    /* xmlsec reads EncryptionMethod itself: it may run only the algorithm the caller chose. */
    if (xmlSecPtrListAdd(enabled, (void *)chosen) < 0) { xmlSecEncCtxDestroy(ctx); return -1; }
    /* CipherValue is base64 inside the element, not a transform anyone chooses. */
    xmlSecPtrListAdd(enabled, (void *)xmlSecTransformBase64GetKlass());
    ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
    xmlSecBufferPtr buffer = xmlSecEncCtxDecryptToBuffer(ctx, encrypted_data);
    if (buffer == NULL) { xmlSecEncCtxDestroy(ctx); return -1; }
    /* and afterwards: the transform it ran is that algorithm */
    if (ctx->encMethod == NULL || ctx->encMethod->id != chosen) {
        saml_error_append("xmlsec decrypted with another algorithm than the one chosen");
        xmlSecEncCtxDestroy(ctx);
        return -4;
    }
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
    /* put the decrypted nodes where EncryptedData was: the tree changes */
    saml_document_changed(encrypted_data);
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

int saml_decrypt_gcm_data(xmlNodePtr encrypted_data, const unsigned char *key, int key_length,
                          const unsigned char *cipher, size_t cipher_length, const saml_prescan_limits *limits) {
    const EVP_CIPHER *algorithm = key_length == 16 ? EVP_aes_128_gcm()
                                : key_length == 24 ? EVP_aes_192_gcm()
                                : key_length == 32 ? EVP_aes_256_gcm() : NULL;
    /* XML Encryption 1.1: a 96-bit IV first, the 128-bit tag last, no additional data */
    if (algorithm == NULL || cipher_length < 12 + 16 || cipher_length - 28 > INT_MAX) return -1;
    size_t length = cipher_length - 28;
    unsigned char *plaintext = malloc(length + 16);
    if (plaintext == NULL) return -1;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int produced = 0, final = 0, ok = ctx != NULL &&
        EVP_DecryptInit_ex(ctx, algorithm, NULL, NULL, NULL) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
        EVP_DecryptInit_ex(ctx, NULL, NULL, key, cipher) == 1 &&
        EVP_DecryptUpdate(ctx, plaintext, &produced, cipher + 12, (int)length) == 1 &&
        (size_t)produced == length &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)(cipher + 12 + length)) == 1 &&
        /* the tag is checked here, before anything reads the plaintext */
        EVP_DecryptFinal_ex(ctx, plaintext + produced, &final) == 1 && final == 0;
    EVP_CIPHER_CTX_free(ctx);
    int rc = ok ? saml_place_plaintext(encrypted_data, plaintext, length, limits) : -1;
    OPENSSL_cleanse(plaintext, length + 16);
    free(plaintext);
    if (!ok) ERR_clear_error();
    return rc;
}
