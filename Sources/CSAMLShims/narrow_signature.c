/* The narrow verification path for the SAML signature profile; see CSAMLNarrowSignature.h. */
#include "CSAMLNarrowSignature.h"

#include <string.h>

#include <libxml/c14n.h>
#include <libxml/valid.h>
#include <xmlsec/base64.h>
#include <xmlsec/openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#define DS_NS "http://www.w3.org/2000/09/xmldsig#"
#define ALG_EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define ALG_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define ALG_SHA256 "http://www.w3.org/2001/04/xmlenc#sha256"
#define ALG_RSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

/* The next element sibling, starting at `n` itself; other nodes (text, comments) are skipped
   as xmlsec skips them. */
static xmlNodePtr saml_narrow_element(xmlNodePtr n) {
    while (n != NULL && n->type != XML_ELEMENT_NODE) n = n->next;
    return n;
}

static int saml_narrow_is(xmlNodePtr n, const char *name) {
    return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL && n->ns->href != NULL &&
           strcmp((const char *)n->ns->href, DS_NS) == 0 && strcmp((const char *)n->name, name) == 0;
}

/* `n` is the named ds element with exactly this Algorithm and no element children. */
static int saml_narrow_algorithm(xmlNodePtr n, const char *name, const char *algorithm) {
    if (!saml_narrow_is(n, name) || saml_narrow_element(n->children) != NULL) return 0;
    xmlChar *value = xmlGetNoNsProp(n, BAD_CAST "Algorithm");
    int ok = value != NULL && strcmp((const char *)value, algorithm) == 0;
    xmlFree(value);
    return ok;
}

/* Decodes the base64 text of `n` into `out` (at most `capacity` bytes); -1 when it is not base64. */
static int saml_narrow_base64(xmlNodePtr n, unsigned char *out, int capacity) {
    if (saml_narrow_element(n->children) != NULL) return -1;
    xmlChar *text = xmlNodeGetContent(n);
    if (text == NULL) return -1;
    int length = (int)strlen((const char *)text);
    int rc = -1;
    if (length / 4 * 3 + 3 <= capacity) {
        xmlSecSize written = 0;
        if (xmlSecBase64Decode_ex(text, out, (xmlSecSize)capacity, &written) == 0) rc = (int)written;
    }
    xmlFree(text);
    return rc;
}

/* An NCName of ASCII characters: a letter or '_', then letters, digits, '.', '-', '_'. */
static int saml_narrow_ascii_ncname(const xmlChar *s) {
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')) return 0;
    for (s++; *s; s++) {
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.')) return 0;
    }
    return 1;
}

/* Which nodes the canonical form includes: those inside `root`, outside `excluded`. */
typedef struct {
    xmlNodePtr root;
    xmlNodePtr excluded;
} saml_narrow_subset;

static int saml_narrow_visible(void *data, xmlNodePtr node, xmlNodePtr parent) {
    const saml_narrow_subset *subset = data;
    if (node == NULL) return 0;
    /* Namespace nodes are xmlNs structures (no parent field); attributes belong to `parent`. */
    xmlNodePtr n = (node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE) ? parent : node;
    /* Inside the root and not inside the excluded subtree, whichever contains the other. */
    int inside = 0;
    for (; n != NULL; n = n->parent) {
        if (n == subset->excluded) return 0;
        if (n == subset->root) inside = 1;
    }
    return inside;
}

/* Where canonical bytes go: a digest or a signature check, and optionally a copy. */
typedef struct {
    EVP_MD_CTX *md;
    xmlBufferPtr copy;
    int failed;
} saml_narrow_sink;

static int saml_narrow_write(void *context, const char *bytes, int length) {
    saml_narrow_sink *sink = context;
    if (length <= 0) return length;
    if (EVP_DigestUpdate(sink->md, bytes, (size_t)length) != 1) sink->failed = 1;
    if (sink->copy != NULL && xmlBufferAdd(sink->copy, (const xmlChar *)bytes, length) != 0) sink->failed = 1;
    return length;
}

static int saml_narrow_close(void *context) {
    (void)context;
    return 0;
}

/* Exclusive c14n (no comments, no inclusive prefixes) of `subset` into `sink`. 0 on success. */
static int saml_narrow_canonicalize(xmlDocPtr doc, saml_narrow_subset *subset, saml_narrow_sink *sink) {
    xmlOutputBufferPtr out = xmlOutputBufferCreateIO(saml_narrow_write, saml_narrow_close, sink, NULL);
    if (out == NULL) return -1;
    int rc = xmlC14NExecute(doc, saml_narrow_visible, subset, XML_C14N_EXCLUSIVE_1_0, NULL, 0, out);
    int closed = xmlOutputBufferClose(out);
    return (rc < 0 || closed < 0 || sink->failed) ? -1 : 0;
}

int saml_narrow_signature_verify(xmlNodePtr signature, xmlSecKeyPtr key, int flags,
                                 saml_verification *result, xmlBufferPtr predigest) {
    (void)flags; /* SHA-1 and whole-document references are never narrow: the defaults hold */
    if (signature == NULL || key == NULL || signature->doc == NULL || !saml_narrow_is(signature, "Signature")) return 0;
    xmlDocPtr doc = signature->doc;

    /* The key: RSA, as an EVP key already parsed (shared; only read here). */
    xmlSecKeyDataPtr value = xmlSecKeyGetValue(key);
    EVP_PKEY *pkey = value != NULL ? xmlSecOpenSSLEvpKeyDataGetEvp(value) : NULL;
    if (pkey == NULL || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) return 0;

    /* Signature: SignedInfo, SignatureValue, optional KeyInfo, any Objects, nothing else. */
    xmlNodePtr signedInfo = saml_narrow_element(signature->children);
    if (!saml_narrow_is(signedInfo, "SignedInfo")) return 0;
    xmlNodePtr signatureValue = saml_narrow_element(signedInfo->next);
    if (!saml_narrow_is(signatureValue, "SignatureValue")) return 0;
    xmlNodePtr rest = saml_narrow_element(signatureValue->next);
    if (saml_narrow_is(rest, "KeyInfo")) rest = saml_narrow_element(rest->next);
    while (saml_narrow_is(rest, "Object")) rest = saml_narrow_element(rest->next);
    if (rest != NULL) return 0;

    /* SignedInfo: exc-c14n, RSA-SHA256, exactly one Reference. */
    xmlNodePtr c14n = saml_narrow_element(signedInfo->children);
    if (!saml_narrow_algorithm(c14n, "CanonicalizationMethod", ALG_EXC_C14N)) return 0;
    xmlNodePtr method = saml_narrow_element(c14n->next);
    if (!saml_narrow_algorithm(method, "SignatureMethod", ALG_RSA_SHA256)) return 0;
    xmlNodePtr reference = saml_narrow_element(method->next);
    if (!saml_narrow_is(reference, "Reference") || saml_narrow_element(reference->next) != NULL) return 0;

    /* Reference: URI "#id", transforms enveloped-signature then exc-c14n, SHA-256. */
    xmlNodePtr transforms = saml_narrow_element(reference->children);
    if (!saml_narrow_is(transforms, "Transforms")) return 0;
    xmlNodePtr t1 = saml_narrow_element(transforms->children);
    if (!saml_narrow_algorithm(t1, "Transform", ALG_ENVELOPED)) return 0;
    xmlNodePtr t2 = saml_narrow_element(t1->next);
    if (!saml_narrow_algorithm(t2, "Transform", ALG_EXC_C14N) || saml_narrow_element(t2->next) != NULL) return 0;
    xmlNodePtr digestMethod = saml_narrow_element(transforms->next);
    if (!saml_narrow_algorithm(digestMethod, "DigestMethod", ALG_SHA256)) return 0;
    xmlNodePtr digestValue = saml_narrow_element(digestMethod->next);
    if (!saml_narrow_is(digestValue, "DigestValue") || saml_narrow_element(digestValue->next) != NULL) return 0;

    /* Attributes xmlsec would act on (Id, Type on Reference) do not change the digest; only URI does. */
    xmlChar *uri = xmlGetNoNsProp(reference, BAD_CAST "URI");
    /* "#" and an ASCII NCName only (anything else is left to the generic path and the caller's
       NCName rule); the ID is looked up exactly as written, as the generic path looks it up. */
    if (uri == NULL || uri[0] != '#' || !saml_narrow_ascii_ncname(uri + 1) ||
        strlen((const char *)uri) >= sizeof result->reference_uri) {
        xmlFree(uri);
        return 0;
    }
    xmlAttrPtr idAttribute = xmlGetID(doc, uri + 1);
    xmlNodePtr referenced = idAttribute != NULL ? idAttribute->parent : NULL;
    if (referenced == NULL || referenced->type != XML_ELEMENT_NODE) { xmlFree(uri); return 0; }

    unsigned char expected[64], computed[EVP_MAX_MD_SIZE], signatureBytes[1024];
    int expectedLength = saml_narrow_base64(digestValue, expected, sizeof expected);
    int signatureLength = saml_narrow_base64(signatureValue, signatureBytes, sizeof signatureBytes);
    if (expectedLength != 32 || signatureLength <= 0) { xmlFree(uri); return 0; }

    int decided = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL) { xmlFree(uri); return 0; }

    /* The reference: the referenced element's subtree without this Signature's subtree. */
    saml_narrow_subset referenceSubset = { referenced, signature };
    saml_narrow_sink sink = { md, predigest, 0 };
    unsigned int computedLength = 0;
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        saml_narrow_canonicalize(doc, &referenceSubset, &sink) != 0 ||
        EVP_DigestFinal_ex(md, computed, &computedLength) != 1 || computedLength != 32) {
        goto done;
    }
    memset(result, 0, sizeof *result);
    result->reference_count = 1;
    snprintf(result->reference_uri, sizeof result->reference_uri, "%s", (const char *)uri);
    result->reference_node = referenced;
    if (CRYPTO_memcmp(computed, expected, 32) != 0) {
        result->reference_status = 2;
        result->status = 2;
        decided = 1;
        goto done;
    }
    result->reference_status = 1;

    /* SignedInfo, canonicalized, against SignatureValue with the pinned key. */
    EVP_MD_CTX_reset(md);
    saml_narrow_subset signedInfoSubset = { signedInfo, NULL };
    saml_narrow_sink verifier = { md, NULL, 0 };
    if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
        saml_narrow_canonicalize(doc, &signedInfoSubset, &verifier) != 0) {
        memset(result, 0, sizeof *result);
        goto done;
    }
    result->status = EVP_DigestVerifyFinal(md, signatureBytes, (size_t)signatureLength) == 1 ? 1 : 2;
    decided = 1;

done:
    ERR_clear_error();
    EVP_MD_CTX_free(md);
    xmlFree(uri);
    if (decided) result->call_result = 0;
    return decided;
}

/* ---- the oracle ------------------------------------------------------------------------------ */

static _Thread_local xmlBufferPtr saml_oracle_predigest;

void saml_narrow_oracle_prepare(xmlSecDSigCtxPtr ctx) {
    if (saml_oracle_predigest != NULL) ctx->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
}

void saml_narrow_oracle_collect(xmlSecDSigCtxPtr ctx) {
    if (saml_oracle_predigest == NULL || xmlSecPtrListGetSize(&ctx->signedInfoReferences) < 1) return;
    xmlSecDSigReferenceCtxPtr ref = (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
    xmlSecBufferPtr buffer = ref != NULL ? xmlSecDSigReferenceCtxGetPreDigestBuffer(ref) : NULL;
    if (buffer != NULL && xmlSecBufferGetSize(buffer) > 0) {
        xmlBufferAdd(saml_oracle_predigest, xmlSecBufferGetData(buffer), (int)xmlSecBufferGetSize(buffer));
    }
}

int saml_generic_signature_verify_predigest(xmlNodePtr signature, xmlSecKeyPtr key, int flags,
                                            const saml_allowlist *allowed, saml_verification *result,
                                            xmlBufferPtr predigest) {
    saml_oracle_predigest = predigest;
    int rc = saml_signature_verify(signature, key, flags | SAML_VERIFY_GENERIC_ONLY, allowed, result);
    saml_oracle_predigest = NULL;
    return rc;
}

xmlBufferPtr saml_c14n_buffer_create(void) { return xmlBufferCreate(); }
const unsigned char *saml_c14n_buffer_bytes(xmlBufferPtr buffer) { return xmlBufferContent(buffer); }
int saml_c14n_buffer_length(xmlBufferPtr buffer) { return xmlBufferLength(buffer); }
void saml_c14n_buffer_free(xmlBufferPtr buffer) { if (buffer) xmlBufferFree(buffer); }
