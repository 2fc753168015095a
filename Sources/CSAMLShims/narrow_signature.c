/* The narrow verification path for the SAML signature profile; see CSAMLNarrowSignature.h. */
#include "CSAMLNarrowSignature.h"
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/valid.h>
#include <xmlsec/base64.h>
#include <xmlsec/openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#define DS_NS "http://www.w3.org/2000/09/xmldsig#"
#define EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define ALG_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

/* Digests fetched once per process (an implicit fetch on every EVP_DigestInit costs a lookup). */
static EVP_MD *saml_narrow_md[3];
static pthread_once_t saml_narrow_md_once = PTHREAD_ONCE_INIT;
static void saml_narrow_fetch(void) {
    saml_narrow_md[0] = EVP_MD_fetch(NULL, "SHA256", NULL);
    saml_narrow_md[1] = EVP_MD_fetch(NULL, "SHA384", NULL);
    saml_narrow_md[2] = EVP_MD_fetch(NULL, "SHA512", NULL);
}

/* The digest an algorithm URI names, by its index above; -1 for any other. */
static int saml_narrow_digest_index(const xmlChar *uri) {
    if (xmlStrEqual(uri, BAD_CAST "http://www.w3.org/2001/04/xmlenc#sha256")) return 0;
    if (xmlStrEqual(uri, BAD_CAST "http://www.w3.org/2001/04/xmldsig-more#sha384")) return 1;
    if (xmlStrEqual(uri, BAD_CAST "http://www.w3.org/2001/04/xmlenc#sha512")) return 2;
    return -1;
}

/* A SignatureMethod: its digest's index and the key type it needs; -1 for any other. */
static int saml_narrow_method(const xmlChar *uri, int *keyType) {
    static const char *const rsa[] = {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                                      "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
                                      "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"};
    static const char *const ec[] = {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
                                     "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
                                     "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"};
    for (int i = 0; i < 3; i++) {
        if (xmlStrEqual(uri, BAD_CAST rsa[i])) { *keyType = EVP_PKEY_RSA; return i; }
        if (xmlStrEqual(uri, BAD_CAST ec[i])) { *keyType = EVP_PKEY_EC; return i; }
    }
    return -1;
}

/* The next element sibling, starting at `n` itself; other nodes (text, comments) are skipped
   as xmlsec skips them. */
static xmlNodePtr saml_narrow_element(xmlNodePtr n) {
    while (n != NULL && n->type != XML_ELEMENT_NODE) n = n->next;
    return n;
}

static int saml_narrow_in(xmlNodePtr n, const char *ns, const char *name) {
    return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL && n->ns->href != NULL &&
           strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, name) == 0;
}

static int saml_narrow_is(xmlNodePtr n, const char *name) { return saml_narrow_in(n, DS_NS, name); }

/* The text of an attribute held as one text node, read in place; NULL for anything else. */
static const xmlChar *saml_narrow_value(xmlAttrPtr a) {
    xmlNodePtr t = a->children;
    if (t == NULL) return BAD_CAST "";
    if (t->type != XML_TEXT_NODE || t->next != NULL || t->content == NULL) return NULL;
    return t->content;
}

/* Every attribute of `n` is un-namespaced and named in `names` (NULL-terminated), each once at
   most; the value of `wanted` (when not NULL) goes to `*value` (NULL when absent). Anything else
   (a namespaced attribute another reader could take for one of these) declines. */
static int saml_narrow_attributes(xmlNodePtr n, const char *const *names, const char *wanted, const xmlChar **value) {
    if (value != NULL) *value = NULL;
    for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
        if (a->ns != NULL) return 0;
        int known = 0;
        for (const char *const *name = names; *name != NULL; name++) {
            if (strcmp((const char *)a->name, *name) == 0) { known = 1; break; }
        }
        if (!known) return 0;
        if (wanted != NULL && strcmp((const char *)a->name, wanted) == 0) {
            const xmlChar *v = saml_narrow_value(a);
            if (v == NULL) return 0;
            *value = v;
        }
    }
    return 1;
}

static const char *const saml_narrow_algorithm_only[] = {"Algorithm", NULL};

/* `n` is the named ds element whose only attribute is Algorithm; its value, or NULL. */
static const xmlChar *saml_narrow_algorithm(xmlNodePtr n, const char *name) {
    const xmlChar *value = NULL;
    if (!saml_narrow_is(n, name) || !saml_narrow_attributes(n, saml_narrow_algorithm_only, "Algorithm", &value)) return NULL;
    return value;
}

/* An exclusive c14n method or transform `n` (Algorithm exc-c14n): either no element children,
   or one ec:InclusiveNamespaces whose only attribute is PrefixList, split exactly as xmlsec
   splits it (on single spaces, keeping empty names, which mean the default namespace as
   "#default" does) into `prefixes`, backed by `storage`. 1 when read; 0 to decline. */
#define SAML_NARROW_MAX_PREFIXES 32
typedef struct {
    xmlChar storage[512];
    xmlChar *prefixes[SAML_NARROW_MAX_PREFIXES + 1];
    int present;
} saml_narrow_prefixes;

static const char *const saml_narrow_prefix_list_only[] = {"PrefixList", NULL};

static int saml_narrow_exc_c14n(xmlNodePtr n, const char *name, saml_narrow_prefixes *out) {
    out->present = 0;
    out->prefixes[0] = NULL;
    const xmlChar *algorithm = saml_narrow_algorithm(n, name);
    if (algorithm == NULL || !xmlStrEqual(algorithm, BAD_CAST EXC_C14N)) return 0;
    xmlNodePtr inclusive = saml_narrow_element(n->children);
    if (inclusive == NULL) return 1;
    if (!saml_narrow_in(inclusive, EXC_C14N, "InclusiveNamespaces") || saml_narrow_element(inclusive->next) != NULL ||
        saml_narrow_element(inclusive->children) != NULL) return 0;
    const xmlChar *list = NULL;
    if (!saml_narrow_attributes(inclusive, saml_narrow_prefix_list_only, "PrefixList", &list) || list == NULL) return 0;
    size_t length = strlen((const char *)list);
    if (length >= sizeof out->storage) return 0;
    memcpy(out->storage, list, length + 1);
    int count = 0;
    for (xmlChar *p = out->storage, *next; *p != '\0'; p = next) {
        next = (xmlChar *)strchr((char *)p, ' ');
        if (next != NULL) *(next++) = '\0';
        else next = p + strlen((char *)p);
        if (count == SAML_NARROW_MAX_PREFIXES) return 0;
        out->prefixes[count++] = p;
    }
    out->prefixes[count] = NULL;
    out->present = 1;
    return 1;
}

/* The base64 text of `n`: read in place when it is one text node. Decodes into `out` (at most
   `capacity` bytes); -1 when it is not base64 or does not fit. */
static int saml_narrow_base64(xmlNodePtr n, unsigned char *out, int capacity) {
    if (saml_narrow_element(n->children) != NULL) return -1;
    xmlChar *owned = NULL;
    const xmlChar *text;
    if (n->children == NULL) text = BAD_CAST "";
    else if (n->children->next == NULL && n->children->type == XML_TEXT_NODE && n->children->content != NULL) text = n->children->content;
    else text = owned = xmlNodeGetContent(n);
    if (text == NULL) return -1;
    size_t length = strlen((const char *)text);
    int rc = -1;
    if (length / 4 * 3 + 3 <= (size_t)capacity) {
        xmlSecSize written = 0;
        if (xmlSecBase64Decode_ex(text, out, (xmlSecSize)capacity, &written) == 0) rc = (int)written;
    }
    if (owned != NULL) xmlFree(owned);
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

/* Which nodes the canonical form includes: those inside `root`, outside `excluded`.
   `root_excluded`: `excluded` is `root` or one of its ancestors (then nothing is included). */
typedef struct {
    xmlNodePtr root;
    xmlNodePtr excluded;
    int root_excluded;
} saml_narrow_subset;

static saml_narrow_subset saml_narrow_subset_of(xmlNodePtr root, xmlNodePtr excluded) {
    saml_narrow_subset subset = { root, excluded, 0 };
    for (xmlNodePtr n = root; excluded != NULL && n != NULL; n = n->parent) {
        if (n == excluded) { subset.root_excluded = 1; break; }
    }
    return subset;
}

static int saml_narrow_visible(void *data, xmlNodePtr node, xmlNodePtr parent) {
    const saml_narrow_subset *subset = data;
    if (node == NULL) return 0;
    /* Namespace nodes are xmlNs structures (no parent field); attributes belong to `parent`. */
    xmlNodePtr n = (node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE) ? parent : node;
    /* Inside the root and not inside the excluded subtree, whichever contains the other: walking
       up, the excluded element met before the root excludes; the root met first includes unless
       the excluded element contains the root. */
    for (; n != NULL; n = n->parent) {
        if (n == subset->excluded) return 0;
        if (n == subset->root) return !subset->root_excluded;
    }
    return 0;
}

/* Where canonical bytes go: a running digest, and/or a copy kept in a buffer. */
typedef struct {
    EVP_MD_CTX *md;
    xmlBufferPtr copy;
    int failed;
} saml_narrow_sink;

static int saml_narrow_write(void *context, const char *bytes, int length) {
    saml_narrow_sink *sink = context;
    if (length <= 0) return length;
    if (sink->md != NULL && EVP_DigestUpdate(sink->md, bytes, (size_t)length) != 1) sink->failed = 1;
    if (sink->copy != NULL && xmlBufferAdd(sink->copy, (const xmlChar *)bytes, length) != 0) sink->failed = 1;
    return length;
}

static int saml_narrow_close(void *context) {
    (void)context;
    return 0;
}

/* Exclusive c14n (no comments) of `subset`, with the inclusive prefixes, into `sink`. 0 on success.

   libxml2 walks the whole document in document order and asks `saml_narrow_visible` about every
   node; every node outside `subset->root` is invisible and adds nothing to the output or to the
   rendered-namespace state (exclusive c14n takes namespaces only from visible elements and their
   visible attributes, and looks up the in-scope ones through the element's real ancestors). So
   the walk may as well start at `subset->root` (then go on through its following siblings, all
   invisible): the same bytes, without visiting the rest of the tree twice per signature. The one
   thing the walk over invisible nodes also does is refuse a namespace name that is not an
   absolute URI anywhere in the document; the short walk is taken only when the document check
   found none since the tree last changed (`saml_document_namespaces_checked`). */
static int saml_narrow_canonicalize(xmlDocPtr doc, saml_narrow_subset *subset, saml_narrow_prefixes *prefixes,
                                    saml_narrow_sink *sink) {
    xmlOutputBufferPtr out = xmlOutputBufferCreateIO(saml_narrow_write, saml_narrow_close, sink, NULL);
    if (out == NULL) return -1;
    xmlDoc from = *doc;
    if (saml_document_namespaces_checked(doc) && subset->root != NULL && subset->root->doc == doc) {
        from.children = subset->root;
    }
    int rc = xmlC14NExecute(&from, saml_narrow_visible, subset, XML_C14N_EXCLUSIVE_1_0,
                            prefixes->present ? prefixes->prefixes : NULL, 0, out);
    int closed = xmlOutputBufferClose(out);
    return (rc < 0 || closed < 0 || sink->failed) ? -1 : 0;
}

/* Per-thread scratch reused across verifications: the digest context and SignedInfo's bytes. */
static _Thread_local EVP_MD_CTX *saml_narrow_context;
static _Thread_local xmlBufferPtr saml_narrow_signed_info;

/* Public-key contexts set up for verifying with one key and digest, kept per thread: setting one
   up (EVP_DigestVerifyInit) fetches the provider's algorithm and allocates some twenty blocks on
   every signature. A cached context holds a reference to its key, so the key's address cannot be
   reused by another key while it is cached; the oldest is dropped (with its reference) when a
   fifth is needed, and all of them when the thread ends. */
#define SAML_NARROW_CONTEXTS 4
typedef struct {
    EVP_PKEY *key[SAML_NARROW_CONTEXTS];
    const EVP_MD *digest[SAML_NARROW_CONTEXTS];
    EVP_PKEY_CTX *context[SAML_NARROW_CONTEXTS];
    int next;
} saml_narrow_contexts;

static pthread_key_t saml_narrow_contexts_key;
static int saml_narrow_contexts_ready;
static pthread_once_t saml_narrow_contexts_once = PTHREAD_ONCE_INIT;

static void saml_narrow_contexts_free(void *data) {
    saml_narrow_contexts *cache = data;
    if (cache == NULL) return;
    for (int i = 0; i < SAML_NARROW_CONTEXTS; i++) EVP_PKEY_CTX_free(cache->context[i]);
    free(cache);
}

static void saml_narrow_contexts_init(void) {
    saml_narrow_contexts_ready = pthread_key_create(&saml_narrow_contexts_key, saml_narrow_contexts_free) == 0;
}

/* A context verifying with `pkey` over a `digest` hash (PKCS#1 v1.5 for RSA); NULL when none
   could be cached (the caller then verifies the way it did before the cache). */
static EVP_PKEY_CTX *saml_narrow_verify_context(EVP_PKEY *pkey, const EVP_MD *digest) {
    pthread_once(&saml_narrow_contexts_once, saml_narrow_contexts_init);
    if (!saml_narrow_contexts_ready) return NULL;
    saml_narrow_contexts *cache = pthread_getspecific(saml_narrow_contexts_key);
    if (cache == NULL) {
        cache = calloc(1, sizeof *cache);
        if (cache == NULL || pthread_setspecific(saml_narrow_contexts_key, cache) != 0) { free(cache); return NULL; }
    }
    for (int i = 0; i < SAML_NARROW_CONTEXTS; i++) {
        if (cache->context[i] != NULL && cache->key[i] == pkey && cache->digest[i] == digest) return cache->context[i];
    }
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (context == NULL || EVP_PKEY_verify_init(context) != 1 ||
        (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA && EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) != 1) ||
        EVP_PKEY_CTX_set_signature_md(context, digest) != 1) {
        EVP_PKEY_CTX_free(context);
        return NULL;
    }
    int slot = cache->next;
    cache->next = (slot + 1) % SAML_NARROW_CONTEXTS;
    EVP_PKEY_CTX_free(cache->context[slot]);
    cache->key[slot] = pkey;
    cache->digest[slot] = digest;
    cache->context[slot] = context;
    return context;
}

/* Checks `signature` (r||s for ECDSA, as XML Signature carries it) over `data` with `pkey`.
   1 valid, 0 not. */
static int saml_narrow_check(EVP_MD_CTX *md, const EVP_MD *digest, EVP_PKEY *pkey, const unsigned char *signature,
                             int length, const unsigned char *data, size_t data_length) {
    unsigned char der[160];
    const unsigned char *sig = signature;
    size_t sig_length = (size_t)length;
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC) {
        int field = saml_ec_field_bytes(pkey);
        if (length != 2 * field || field > 66) return 0;
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(signature, field, NULL), *s = BN_bin2bn(signature + field, field, NULL);
        if (es == NULL || r == NULL || s == NULL) { ECDSA_SIG_free(es); BN_free(r); BN_free(s); return 0; }
        ECDSA_SIG_set0(es, r, s);
        unsigned char *p = der;
        int n = i2d_ECDSA_SIG(es, &p);
        ECDSA_SIG_free(es);
        if (n <= 0) return 0;
        sig = der;
        sig_length = (size_t)n;
    }
    /* the hash, then the public-key operation over it: what EVP_DigestVerify does, without
       setting the key's context up again */
    EVP_MD_CTX_reset(md);
    EVP_PKEY_CTX *context = saml_narrow_verify_context(pkey, digest);
    if (context == NULL) {
        return EVP_DigestVerifyInit(md, NULL, digest, NULL, pkey) == 1 &&
               EVP_DigestVerify(md, sig, sig_length, data, data_length) == 1;
    }
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hash_length = 0;
    if (EVP_DigestInit_ex(md, digest, NULL) != 1 || EVP_DigestUpdate(md, data, data_length) != 1 ||
        EVP_DigestFinal_ex(md, hash, &hash_length) != 1) return 0;
    return EVP_PKEY_verify(context, sig, sig_length, hash, hash_length) == 1;
}

int saml_narrow_signature_verify(xmlNodePtr signature, xmlSecKeyPtr const *keys, int key_count, int flags,
                                 saml_verification *result, xmlBufferPtr predigest) {
    (void)flags; /* SHA-1 and whole-document references are never narrow: the defaults hold */
    if (signature == NULL || keys == NULL || key_count < 1 || signature->doc == NULL || !saml_narrow_is(signature, "Signature")) return 0;
    xmlDocPtr doc = signature->doc;
    pthread_once(&saml_narrow_md_once, saml_narrow_fetch);

    /* Signature: SignedInfo, SignatureValue, optional KeyInfo (never read: the keys are pinned),
       any Objects, nothing else. */
    xmlNodePtr signedInfo = saml_narrow_element(signature->children);
    if (!saml_narrow_is(signedInfo, "SignedInfo") || signedInfo->properties != NULL) return 0;
    xmlNodePtr signatureValue = saml_narrow_element(signedInfo->next);
    if (!saml_narrow_is(signatureValue, "SignatureValue")) return 0;
    xmlNodePtr rest = saml_narrow_element(signatureValue->next);
    if (saml_narrow_is(rest, "KeyInfo")) rest = saml_narrow_element(rest->next);
    while (saml_narrow_is(rest, "Object")) rest = saml_narrow_element(rest->next);
    if (rest != NULL) return 0;

    /* SignedInfo: exc-c14n (any prefix list), an RSA or ECDSA method, exactly one Reference. */
    saml_narrow_prefixes signedInfoPrefixes, referencePrefixes;
    xmlNodePtr c14n = saml_narrow_element(signedInfo->children);
    if (!saml_narrow_exc_c14n(c14n, "CanonicalizationMethod", &signedInfoPrefixes)) return 0;
    xmlNodePtr method = saml_narrow_element(c14n->next);
    const xmlChar *methodURI = saml_narrow_algorithm(method, "SignatureMethod");
    int keyType = 0;
    int methodDigest = methodURI != NULL && saml_narrow_element(method->children) == NULL ? saml_narrow_method(methodURI, &keyType) : -1;
    if (methodDigest < 0) return 0;
    xmlNodePtr reference = saml_narrow_element(method->next);
    if (!saml_narrow_is(reference, "Reference") || saml_narrow_element(reference->next) != NULL) return 0;

    /* Reference: URI "#id", transforms enveloped-signature then exc-c14n, SHA-256/384/512. Id
       and Type do not change what is digested; only URI does. */
    static const char *const referenceAttributes[] = {"URI", "Id", "Type", NULL};
    const xmlChar *uri = NULL;
    if (!saml_narrow_attributes(reference, referenceAttributes, "URI", &uri)) return 0;
    xmlNodePtr transforms = saml_narrow_element(reference->children);
    if (!saml_narrow_is(transforms, "Transforms") || transforms->properties != NULL) return 0;
    xmlNodePtr t1 = saml_narrow_element(transforms->children);
    const xmlChar *enveloped = saml_narrow_algorithm(t1, "Transform");
    if (enveloped == NULL || !xmlStrEqual(enveloped, BAD_CAST ALG_ENVELOPED) || saml_narrow_element(t1->children) != NULL) return 0;
    xmlNodePtr t2 = saml_narrow_element(t1->next);
    if (!saml_narrow_exc_c14n(t2, "Transform", &referencePrefixes) || saml_narrow_element(t2->next) != NULL) return 0;
    xmlNodePtr digestMethod = saml_narrow_element(transforms->next);
    const xmlChar *digestURI = saml_narrow_algorithm(digestMethod, "DigestMethod");
    int digest = digestURI != NULL && saml_narrow_element(digestMethod->children) == NULL ? saml_narrow_digest_index(digestURI) : -1;
    if (digest < 0) return 0;
    xmlNodePtr digestValue = saml_narrow_element(digestMethod->next);
    if (!saml_narrow_is(digestValue, "DigestValue") || digestValue->properties != NULL ||
        saml_narrow_element(digestValue->next) != NULL) return 0;

    /* "#" and an ASCII NCName only (anything else is left to the generic path and the caller's
       NCName rule); the ID is looked up exactly as written, as the generic path looks it up. */
    if (uri == NULL || uri[0] != '#' || !saml_narrow_ascii_ncname(uri + 1) ||
        strlen((const char *)uri) >= sizeof result->reference_uri) return 0;
    xmlAttrPtr idAttribute = xmlGetID(doc, uri + 1);
    xmlNodePtr referenced = idAttribute != NULL ? idAttribute->parent : NULL;
    if (referenced == NULL || referenced->type != XML_ELEMENT_NODE) return 0;

    /* Only keys of the method's type can have signed it; none at all is for the generic path. */
    EVP_PKEY *pkeys[16];
    int pkeyIndex[16], pkeyCount = 0;
    for (int i = 0; i < key_count && pkeyCount < 16; i++) {
        xmlSecKeyDataPtr value = keys[i] != NULL ? xmlSecKeyGetValue(keys[i]) : NULL;
        EVP_PKEY *pkey = value != NULL ? xmlSecOpenSSLEvpKeyDataGetEvp(value) : NULL;
        if (pkey != NULL && EVP_PKEY_get_base_id(pkey) == keyType) { pkeys[pkeyCount] = pkey; pkeyIndex[pkeyCount++] = i; }
    }
    if (pkeyCount == 0) return 0;

    const EVP_MD *referenceMD = saml_narrow_md[digest], *methodMD = saml_narrow_md[methodDigest];
    int digestLength = referenceMD != NULL ? EVP_MD_get_size(referenceMD) : 0;
    unsigned char expected[EVP_MAX_MD_SIZE + 16], computed[EVP_MAX_MD_SIZE], signatureBytes[1024];
    int expectedLength = saml_narrow_base64(digestValue, expected, sizeof expected);
    int signatureLength = saml_narrow_base64(signatureValue, signatureBytes, sizeof signatureBytes);
    if (methodMD == NULL || digestLength <= 0 || expectedLength != digestLength || signatureLength <= 0) return 0;

    if (saml_narrow_context == NULL && (saml_narrow_context = EVP_MD_CTX_new()) == NULL) return 0;
    if (saml_narrow_signed_info == NULL && (saml_narrow_signed_info = xmlBufferCreate()) == NULL) return 0;
    EVP_MD_CTX *md = saml_narrow_context;
    int decided = 0;

    /* The reference: the referenced element's subtree without this Signature's subtree. */
    saml_narrow_subset referenceSubset = saml_narrow_subset_of(referenced, signature);
    saml_narrow_sink sink = { md, predigest, 0 };
    unsigned int computedLength = 0;
    EVP_MD_CTX_reset(md);
    if (EVP_DigestInit_ex(md, referenceMD, NULL) != 1 ||
        saml_narrow_canonicalize(doc, &referenceSubset, &referencePrefixes, &sink) != 0 ||
        EVP_DigestFinal_ex(md, computed, &computedLength) != 1 || (int)computedLength != digestLength) {
        goto done;
    }
    memset(result, 0, sizeof *result);
    result->key_index = -1;
    result->reference_count = 1;
    memcpy(result->reference_uri, uri, strlen((const char *)uri) + 1);
    result->reference_node = referenced;
    if (CRYPTO_memcmp(computed, expected, (size_t)digestLength) != 0) {
        result->reference_status = 2;
        result->status = 2;
        decided = 1;
        goto done;
    }
    result->reference_status = 1;

    /* SignedInfo, canonicalized once, against SignatureValue with each pinned key of its type
       until one verifies: one public-key operation when the first key signed it. */
    xmlBufferEmpty(saml_narrow_signed_info);
    saml_narrow_subset signedInfoSubset = saml_narrow_subset_of(signedInfo, NULL);
    saml_narrow_sink copy = { NULL, saml_narrow_signed_info, 0 };
    if (saml_narrow_canonicalize(doc, &signedInfoSubset, &signedInfoPrefixes, &copy) != 0) {
        memset(result, 0, sizeof *result);
        goto done;
    }
    const unsigned char *bytes = xmlBufferContent(saml_narrow_signed_info);
    size_t length = (size_t)xmlBufferLength(saml_narrow_signed_info);
    result->status = 2;
    for (int i = 0; i < pkeyCount; i++) {
        result->signed_info_checks++;
        if (saml_narrow_check(md, methodMD, pkeys[i], signatureBytes, signatureLength, bytes, length)) {
            result->status = 1;
            result->key_index = pkeyIndex[i];
            break;
        }
    }
    decided = 1;

done:
    ERR_clear_error();
    EVP_MD_CTX_reset(md);
    if (decided) result->call_result = 0;
    return decided;
}

xmlBufferPtr saml_c14n_buffer_create(void) { return xmlBufferCreate(); }
const unsigned char *saml_c14n_buffer_bytes(xmlBufferPtr buffer) { return xmlBufferContent(buffer); }
int saml_c14n_buffer_length(xmlBufferPtr buffer) { return xmlBufferLength(buffer); }
void saml_c14n_buffer_free(xmlBufferPtr buffer) { if (buffer) xmlBufferFree(buffer); }
