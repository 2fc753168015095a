/* XML encryption for issuing test responses: RSA-OAEP key transport with OpenSSL, content
   encryption (AES-CBC or AES-GCM) through xmlsec. The wrapped key is written into
   EncryptedData/KeyInfo/EncryptedKey after xmlsec has encrypted the content, so xmlsec never
   looks for a key-encryption key in a keys manager. */
#include "CSAMLShims.h"

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
