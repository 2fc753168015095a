/* XML signatures: verification through xmlsec with allowlisted transforms, and signing. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmlsec/base64.h>
#include <xmlsec/templates.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

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

/* The element a processed reference's URI selected. With XMLSEC_DSIG_FLAGS_USE_VISA3D_HACK xmlsec
   resolves a "#id" URI (other than "#xpointer(...)" and "#xmlns(...)") by xmlGetID on the text
   after '#', on the same document and ID table; the same lookup here names the same node (the
   transforms' own node sets are not read: their lifetime is xmlsec's business). NULL for any
   other URI. */
static xmlNodePtr saml_reference_root(xmlNodePtr signature, xmlSecDSigReferenceCtxPtr ref) {
    const xmlChar *uri = ref->uri;
    if (uri == NULL || uri[0] != '#' || uri[1] == '\0' ||
        xmlStrncmp(uri, BAD_CAST "#xpointer(", 10) == 0 || xmlStrncmp(uri, BAD_CAST "#xmlns(", 7) == 0) return NULL;
    xmlAttrPtr id = xmlGetID(signature->doc, uri + 1);
    xmlNodePtr node = id != NULL ? id->parent : NULL;
    return (node != NULL && node->type == XML_ELEMENT_NODE) ? node : NULL;
}

int saml_signature_verify(xmlNodePtr signature, xmlSecKeyPtr key, int flags, const saml_allowlist *allowed,
                          saml_verification *result) {
    return saml_signature_verify_observed(signature, key, flags, allowed, result, NULL, NULL);
}

int saml_signature_verify_observed(xmlNodePtr signature, xmlSecKeyPtr key, int flags, const saml_allowlist *allowed,
                                   saml_verification *result, saml_verify_observer observer, void *context) {
    if (!(flags & SAML_VERIFY_GENERIC_ONLY) && saml_narrow_signature_verify(signature, &key, 1, flags, result, NULL) == 1) return 0;
    memset(result, 0, sizeof *result);
    result->key_index = -1;
    result->call_result = -1;
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) return -1;
    ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
    /* "#id" is looked up with xmlGetID exactly as written (xmlsec's "Visa3D" resolution), the
       one reader of IDs this package has; without it xmlsec evaluates XPointer id('...'). */
    ctx->flags |= XMLSEC_DSIG_FLAGS_USE_VISA3D_HACK;
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    if (flags & SAML_VERIFY_ALLOW_EMPTY_URI) ctx->enabledReferenceUris |= xmlSecTransformUriTypeEmpty;

    if (saml_enable_transforms(ctx, allowed->reference_transforms, allowed->reference_count, 1) < 0 ||
        saml_enable_transforms(ctx, allowed->signature_transforms, allowed->signature_count, 0) < 0) {
        xmlSecDSigCtxDestroy(ctx);
        return -2;
    }

    /* The pinned key: with signKey set, xmlsec never reads a key from KeyInfo. */
    ctx->signKey = key;
    if (observer != NULL) ctx->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
    int rc = xmlSecDSigCtxVerify(ctx, signature);
    if (observer != NULL) observer(ctx, context);
    ctx->signKey = NULL; /* lent, not given */

    result->call_result = rc;
    result->status = ctx->status == xmlSecDSigStatusSucceeded ? 1 : (ctx->status == xmlSecDSigStatusInvalid ? 2 : 0);
    if (rc == 0 && result->status == 1) result->key_index = 0;
    xmlSecSize count = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
    result->reference_count = (int)count;
    if (count >= 1) {
        xmlSecDSigReferenceCtxPtr ref = (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
        if (ref != NULL) {
            result->reference_status = ref->status == xmlSecDSigStatusSucceeded ? 1 : 2;
            if (ref->uri != NULL) snprintf(result->reference_uri, sizeof result->reference_uri, "%s", (const char *)ref->uri);
            result->reference_node = saml_reference_root(signature, ref);
        }
    }
    xmlSecDSigCtxDestroy(ctx);
    return rc;
}

int saml_signature_verify_keys(xmlNodePtr signature, xmlSecKeyPtr const *keys, int key_count, int flags,
                               const saml_allowlist *allowed, saml_verification *result) {
    if (key_count < 1) return -1;
    if (!(flags & SAML_VERIFY_GENERIC_ONLY) && saml_narrow_signature_verify(signature, keys, key_count, flags, result, NULL) == 1) return 0;
    if (key_count > 1) return -3;
    return saml_signature_verify(signature, keys[0], flags | SAML_VERIFY_GENERIC_ONLY, allowed, result);
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
                        int algorithm, const unsigned char *certificate_der, int certificate_length,
                        const char *reference_prefixes, const char *signed_info_prefixes) {
    xmlDocPtr doc = element->doc;
    saml_document_changed(element);
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
    xmlNodePtr referenceC14N = NULL;
    xmlNodePtr ref = xmlSecTmplSignatureAddReference(sig, digest, NULL, BAD_CAST uri, NULL);
    free(uri);
    if (ref == NULL ||
        xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedGetKlass()) == NULL ||
        (referenceC14N = xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NGetKlass())) == NULL) {
        return -1;
    }
    if (reference_prefixes != NULL && xmlSecTmplTransformAddC14NInclNamespaces(referenceC14N, BAD_CAST reference_prefixes) < 0) return -1;
    if (signed_info_prefixes != NULL) {
        xmlNodePtr method = xmlSecFindNode(sig, xmlSecNodeCanonicalizationMethod, xmlSecDSigNs);
        if (method == NULL || xmlSecTmplTransformAddC14NInclNamespaces(method, BAD_CAST signed_info_prefixes) < 0) return -1;
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
