/*
 * verify-peer: a baseline SAML Response verifier written directly against
 * libxml2 + xmlsec1-openssl, doing per iteration the work a careful SP does:
 *
 *   parse from memory (NONET, no entities, DOCTYPE rejected)
 *   register ID attributes of SAML elements (duplicates rejected)
 *   optional: decrypt EncryptedAssertion (two-step: RSA-OAEP EncryptedKey with
 *             the pinned SP key, then AES-CBC/GCM EncryptedData with the session key)
 *   verify the Response signature (if present) and the Assertion signature with
 *   a pinned public key loaded once, allowlisted transforms only, exactly one
 *   reference whose URI is "#" + ID of the signed element, which must be the
 *   Signature's parent
 *   check Status, Issuer, NameID, Conditions, Audience, SubjectConfirmationData
 *   against expected values and the pinned clock
 *   free the document
 *
 * The input may be raw XML, the base64 SAMLResponse form value, or a URL-encoded
 * form body (SAMLResponse=...&RelayState=...), told apart as `saml bench verify`
 * does (starts with '<'; contains "SAMLResponse="; otherwise base64).  For the
 * last two, each iteration first percent-decodes the field ('+' is a space, %XX
 * must be two hex digits) and decodes the base64 with xmlsec's decoder
 * (xmlSecBase64Decode_ex, which skips whitespace), into a buffer allocated per
 * iteration as a server would.
 *
 * Usage:
 *   verify-peer --cert IDP_CERT.pem [--sp-key SP_KEY.pem] [--iterations N]
 *               [--threads T] [--check-tampered] [--expect-fail] RESPONSE.xml
 *
 * Prints "verify: <ops/s> ops/s <us/op> us/op" on success.
 * --check-tampered additionally modifies a copy of the document and exits 3 if
 * that copy is accepted.  --expect-fail inverts the verdict for one run (used
 * for the attacker-signed fixture): exit 0 only if the document is rejected.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/base64.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>

#define NS_SAMLP "urn:oasis:names:tc:SAML:2.0:protocol"
#define NS_SAML "urn:oasis:names:tc:SAML:2.0:assertion"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define NS_XENC "http://www.w3.org/2001/04/xmlenc#"
#define STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"
#define CM_BEARER "urn:oasis:names:tc:SAML:2.0:cm:bearer"

/* Expected values (defaults = the fixtures' fixed values). */
static const char *g_sp_entity_id = "https://sp.example.com/saml/acs";
static const char *g_acs_url = "https://sp.example.com/saml/acs";
static const char *g_idp_entity_id = "https://idp.example.org/metadata";
static const char *g_request_id = "_req-7c1f2c5e9b0a4d6e8f10";
static const char *g_now_str = "2026-01-15T10:01:00Z";
static time_t g_now;
static long g_skew = 60;
static const char *g_expected_nameid = "alice@example.com";

static xmlSecKeyPtr g_idp_key; /* public key only, shared, lent to contexts */
static xmlSecKeyPtr g_sp_key;  /* private key for EncryptedKey, shared, lent */

static const char *g_doc;
static int g_doc_len;
enum input_kind { INPUT_XML, INPUT_BASE64, INPUT_FORM };
static enum input_kind g_kind = INPUT_XML;

/* ---------------------------------------------------------------- helpers */

static int is_el(xmlNodePtr n, const char *ns, const char *name) {
    return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           xmlStrEqual(n->name, BAD_CAST name) && xmlStrEqual(n->ns->href, BAD_CAST ns);
}

static xmlNodePtr child_el(xmlNodePtr parent, const char *ns, const char *name) {
    for (xmlNodePtr c = parent ? parent->children : NULL; c != NULL; c = c->next)
        if (is_el(c, ns, name)) return c;
    return NULL;
}

static int attr_equals(xmlNodePtr n, const char *name, const char *expected) {
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    int ok = v != NULL && strcmp((const char *)v, expected) == 0;
    xmlFree(v);
    return ok;
}

static int text_equals(xmlNodePtr n, const char *expected) {
    if (n == NULL) return 0;
    xmlChar *v = xmlNodeGetContent(n);
    int ok = v != NULL && strcmp((const char *)v, expected) == 0;
    xmlFree(v);
    return ok;
}

/* Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z". Returns -1 on failure. */
static time_t parse_instant(const char *s) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
        return -1;
    const char *p = s + n;
    if (*p == '.') { p++; while (*p >= '0' && *p <= '9') p++; }
    if (p[0] != 'Z' || p[1] != '\0') return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* which: 0 = instant must be <= now + skew (NotBefore), 1 = now - skew < instant (NotOnOrAfter). */
static int check_time_attr(xmlNodePtr n, const char *name, int which, int required) {
    xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
    if (v == NULL) return !required;
    time_t t = parse_instant((const char *)v);
    xmlFree(v);
    if (t == (time_t)-1) return 0;
    return which == 0 ? (t <= g_now + g_skew) : (g_now - g_skew < t);
}

/* Registers ID attributes on SAML protocol/assertion elements; rejects duplicates. */
static int register_ids(xmlDocPtr doc, xmlNodePtr node) {
    for (xmlNodePtr n = node; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (n->ns != NULL && (xmlStrEqual(n->ns->href, BAD_CAST NS_SAMLP) ||
                              xmlStrEqual(n->ns->href, BAD_CAST NS_SAML))) {
            xmlAttrPtr a = xmlHasNsProp(n, BAD_CAST "ID", NULL);
            if (a != NULL && a->ns == NULL) {
                xmlChar *id = xmlNodeListGetString(doc, a->children, 1);
                if (id == NULL || id[0] == '\0') { xmlFree(id); return 0; }
                xmlAttrPtr existing = xmlGetID(doc, id);
                if (existing != NULL) {
                    if (existing != a) { xmlFree(id); return 0; }
                } else if (xmlAddID(NULL, doc, id, a) == NULL) {
                    xmlFree(id);
                    return 0;
                }
                xmlFree(id);
            }
        }
        if (n->children != NULL && !register_ids(doc, n->children)) return 0;
    }
    return 1;
}

/* ------------------------------------------------------------- signature */

static int verify_signature(xmlDocPtr doc, xmlNodePtr signed_el, xmlNodePtr sig) {
    if (sig == NULL || sig->parent != signed_el) return 0;
    xmlChar *id = xmlGetNoNsProp(signed_el, BAD_CAST "ID");
    if (id == NULL) return 0;
    xmlAttrPtr id_attr = xmlGetID(doc, id);
    int ok = 0;
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) goto done;
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformEnvelopedId) < 0 ||
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha256Id) < 0 ||
        xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformExclC14NId) < 0 ||
        xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha256Id) < 0)
        goto done;
    ctx->signKey = g_idp_key; /* lent */
    int rc = xmlSecDSigCtxVerify(ctx, sig);
    ctx->signKey = NULL;      /* taken back */
    if (rc < 0 || ctx->status != xmlSecDSigStatusSucceeded) goto done;
    if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) goto done;
    xmlSecDSigReferenceCtxPtr ref =
        (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
    if (ref == NULL || ref->status != xmlSecDSigStatusSucceeded || ref->uri == NULL) goto done;
    if (ref->uri[0] != '#' || !xmlStrEqual(ref->uri + 1, id)) goto done;
    if (id_attr == NULL || id_attr->parent != signed_el) goto done;
    ok = 1;
done:
    if (ctx != NULL) {
        ctx->signKey = NULL;
        xmlSecDSigCtxDestroy(ctx);
    }
    xmlFree(id);
    return ok;
}

/* ------------------------------------------------------------ decryption */

/* Replaces EncryptedAssertion/EncryptedData by the decrypted Assertion. */
static xmlNodePtr decrypt_assertion(xmlDocPtr doc, xmlNodePtr enc_assertion) {
    if (g_sp_key == NULL) return NULL;
    xmlNodePtr enc_data = child_el(enc_assertion, NS_XENC, "EncryptedData");
    if (enc_data == NULL) return NULL;
    xmlNodePtr enc_key = NULL;
    xmlNodePtr key_info = child_el(enc_data, NS_DS, "KeyInfo");
    if (key_info != NULL) enc_key = child_el(key_info, NS_XENC, "EncryptedKey");
    if (enc_key == NULL) enc_key = child_el(enc_assertion, NS_XENC, "EncryptedKey");
    if (enc_key == NULL) return NULL;

    xmlNodePtr result = NULL;
    xmlSecKeyPtr session = NULL;
    xmlSecEncCtxPtr kctx = xmlSecEncCtxCreate(NULL);
    xmlSecEncCtxPtr dctx = NULL;
    if (kctx == NULL) goto done;
    kctx->mode = xmlEncCtxModeEncryptedKey;
    if (xmlSecPtrListAdd(&kctx->transformCtx.enabledTransforms, (void *)xmlSecTransformRsaOaepId) < 0)
        goto done;
    kctx->encKey = g_sp_key; /* lent */
    xmlSecBufferPtr keybuf = xmlSecEncCtxDecryptToBuffer(kctx, enc_key);
    kctx->encKey = NULL;
    if (keybuf == NULL) goto done;
    session = xmlSecKeyReadBuffer(xmlSecOpenSSLKeyDataAesId, keybuf);
    if (session == NULL) goto done;

    dctx = xmlSecEncCtxCreate(NULL);
    if (dctx == NULL) goto done;
    xmlSecPtrListPtr en = &dctx->transformCtx.enabledTransforms;
    if (xmlSecPtrListAdd(en, (void *)xmlSecTransformAes128CbcId) < 0 ||
        xmlSecPtrListAdd(en, (void *)xmlSecTransformAes192CbcId) < 0 ||
        xmlSecPtrListAdd(en, (void *)xmlSecTransformAes256CbcId) < 0 ||
        xmlSecPtrListAdd(en, (void *)xmlSecTransformAes128GcmId) < 0 ||
        xmlSecPtrListAdd(en, (void *)xmlSecTransformAes192GcmId) < 0 ||
        xmlSecPtrListAdd(en, (void *)xmlSecTransformAes256GcmId) < 0)
        goto done;
    dctx->encKey = session; /* owned by dctx from here */
    session = NULL;
    if (xmlSecEncCtxDecrypt(dctx, enc_data) < 0 || dctx->result == NULL) goto done;
    /* EncryptedData was replaced in place by the plaintext nodes. */
    xmlNodePtr assertion = NULL;
    for (xmlNodePtr c = enc_assertion->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (is_el(c, NS_SAML, "Assertion") && assertion == NULL) assertion = c;
        else if (!is_el(c, NS_XENC, "EncryptedKey")) { assertion = NULL; break; }
    }
    if (assertion == NULL) goto done;
    if (!register_ids(doc, assertion)) goto done;
    result = assertion;
done:
    if (session != NULL) xmlSecKeyDestroy(session);
    if (kctx != NULL) { kctx->encKey = NULL; xmlSecEncCtxDestroy(kctx); }
    if (dctx != NULL) xmlSecEncCtxDestroy(dctx);
    return result;
}

/* ------------------------------------------------------------ the work */

static int verify_once(const char *buf, int len) {
    int ok = 0;
    xmlParserCtxtPtr pctx = xmlNewParserCtxt();
    if (pctx == NULL) return 0;
    xmlDocPtr doc = xmlCtxtReadMemory(pctx, buf, len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlFreeParserCtxt(pctx);
    if (doc == NULL) return 0;
    if (doc->intSubset != NULL || doc->extSubset != NULL) goto done; /* no DOCTYPE */

    xmlNodePtr resp = xmlDocGetRootElement(doc);
    if (!is_el(resp, NS_SAMLP, "Response")) goto done;
    if (!register_ids(doc, resp)) goto done;

    /* Destination / InResponseTo */
    if (!attr_equals(resp, "Destination", g_acs_url)) goto done;
    if (!attr_equals(resp, "InResponseTo", g_request_id)) goto done;

    /* Response signature, if any */
    xmlNodePtr resp_sig = child_el(resp, NS_DS, "Signature");
    if (resp_sig != NULL && !verify_signature(doc, resp, resp_sig)) goto done;

    /* Status */
    xmlNodePtr status = child_el(resp, NS_SAMLP, "Status");
    xmlNodePtr code = child_el(status, NS_SAMLP, "StatusCode");
    if (code == NULL || !attr_equals(code, "Value", STATUS_SUCCESS)) goto done;

    /* Exactly one (possibly encrypted) assertion */
    xmlNodePtr assertion = NULL, enc = NULL;
    int count = 0;
    for (xmlNodePtr c = resp->children; c != NULL; c = c->next) {
        if (is_el(c, NS_SAML, "Assertion")) { assertion = c; count++; }
        else if (is_el(c, NS_SAML, "EncryptedAssertion")) { enc = c; count++; }
    }
    if (count != 1) goto done;
    if (enc != NULL) {
        assertion = decrypt_assertion(doc, enc);
        if (assertion == NULL) goto done;
    }

    /* Assertion signature (required unless the Response was signed) */
    xmlNodePtr a_sig = child_el(assertion, NS_DS, "Signature");
    if (a_sig != NULL) {
        if (!verify_signature(doc, assertion, a_sig)) goto done;
    } else if (resp_sig == NULL) {
        goto done;
    }

    /* Issuer */
    if (!text_equals(child_el(assertion, NS_SAML, "Issuer"), g_idp_entity_id)) goto done;

    /* Subject: NameID + bearer SubjectConfirmationData */
    xmlNodePtr subject = child_el(assertion, NS_SAML, "Subject");
    if (!text_equals(child_el(subject, NS_SAML, "NameID"), g_expected_nameid)) goto done;
    int bearer_ok = 0;
    for (xmlNodePtr sc = subject->children; sc != NULL && !bearer_ok; sc = sc->next) {
        if (!is_el(sc, NS_SAML, "SubjectConfirmation")) continue;
        if (!attr_equals(sc, "Method", CM_BEARER)) continue;
        xmlNodePtr scd = child_el(sc, NS_SAML, "SubjectConfirmationData");
        if (scd == NULL) continue;
        if (!attr_equals(scd, "Recipient", g_acs_url)) continue;
        if (!attr_equals(scd, "InResponseTo", g_request_id)) continue;
        if (!check_time_attr(scd, "NotOnOrAfter", 1, 1)) continue;
        if (!check_time_attr(scd, "NotBefore", 0, 0)) continue;
        bearer_ok = 1;
    }
    if (!bearer_ok) goto done;

    /* Conditions + Audience */
    xmlNodePtr cond = child_el(assertion, NS_SAML, "Conditions");
    if (cond == NULL) goto done;
    if (!check_time_attr(cond, "NotBefore", 0, 0)) goto done;
    if (!check_time_attr(cond, "NotOnOrAfter", 1, 0)) goto done;
    for (xmlNodePtr ar = cond->children; ar != NULL; ar = ar->next) {
        if (!is_el(ar, NS_SAML, "AudienceRestriction")) continue;
        int match = 0;
        for (xmlNodePtr au = ar->children; au != NULL; au = au->next)
            if (is_el(au, NS_SAML, "Audience") && text_equals(au, g_sp_entity_id)) match = 1;
        if (!match) goto done;
    }
    ok = 1;
done:
    xmlFreeDoc(doc);
    return ok;
}

/* ------------------------------------------------------- form and base64 */

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The SAMLResponse field of a form body, percent-decoded into a new NUL-terminated
 * buffer; NULL if absent, repeated or badly escaped. */
static char *form_field(const char *body, int len) {
    static const char name[] = "SAMLResponse=";
    const int nlen = (int)sizeof name - 1;
    const char *found = NULL, *found_end = NULL;
    for (int start = 0; start < len;) {
        int end = start;
        while (end < len && body[end] != '&') end++;
        if (end - start >= nlen && memcmp(body + start, name, nlen) == 0) {
            if (found != NULL) return NULL;
            found = body + start + nlen;
            found_end = body + end;
        }
        start = end + 1;
    }
    if (found == NULL) return NULL;
    char *out = malloc(found_end - found + 1);
    if (out == NULL) return NULL;
    char *o = out;
    for (const char *p = found; p < found_end; p++) {
        if (*p == '%') {
            int hi, lo;
            if (found_end - p < 3 || (hi = hex_value(p[1])) < 0 || (lo = hex_value(p[2])) < 0) { free(out); return NULL; }
            *o++ = (char)(hi << 4 | lo);
            p += 2;
        } else if (*p == '+') {
            *o++ = ' ';
        } else if ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f) {
            *o++ = *p;
        } else {
            free(out);
            return NULL;
        }
    }
    *o = '\0';
    return out;
}

/* The XML carried by the input, in a new buffer (the input itself for raw XML). */
static char *decode_input(const char *in, int len, int *xml_len) {
    if (g_kind == INPUT_XML) { *xml_len = len; return (char *)in; }
    char *field = NULL;
    const char *b64 = in;
    if (g_kind == INPUT_FORM) {
        field = form_field(in, len);
        if (field == NULL) return NULL;
        b64 = field;
        len = (int)strlen(field);
    }
    char *xml = malloc((size_t)len / 4 * 3 + 4);
    xmlSecSize written = 0;
    int n = xml && xmlSecBase64Decode_ex((const xmlChar *)b64, (xmlSecByte *)xml, (xmlSecSize)(len / 4 * 3 + 4), &written) == 0
                ? (int)written : -1;
    free(field);
    if (n <= 0) { free(xml); return NULL; }
    xml[n] = '\0';
    *xml_len = n;
    return xml;
}

static int verify_input(const char *in, int len) {
    int xml_len;
    char *xml = decode_input(in, len, &xml_len);
    if (xml == NULL) return 0;
    int ok = verify_once(xml, xml_len);
    if (xml != in) free(xml);
    return ok;
}

/* ------------------------------------------------------------- harness */

struct worker { long iterations; long failures; };

static void *run_worker(void *arg) {
    struct worker *w = arg;
    for (long i = 0; i < w->iterations; i++)
        if (!verify_input(g_doc, g_doc_len)) w->failures++;
    return NULL;
}

static xmlSecKeyPtr load_cert_public_key(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return NULL;
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (x == NULL) return NULL;
    EVP_PKEY *pkey = X509_get_pubkey(x); /* new reference */
    X509_free(x);
    if (pkey == NULL) return NULL;
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (data == NULL) { EVP_PKEY_free(pkey); return NULL; }
    xmlSecKeyPtr key = xmlSecKeyCreate();
    if (key == NULL || xmlSecKeySetValue(key, data) < 0) {
        xmlSecKeyDataDestroy(data);
        if (key) xmlSecKeyDestroy(key);
        return NULL;
    }
    return key;
}

static char *read_file(const char *path, int *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(n + 1);
    if (b == NULL || fread(b, 1, n, f) != (size_t)n) { fclose(f); free(b); return NULL; }
    fclose(f);
    b[n] = '\0';
    *len = (int)n;
    return b;
}

/* Changes one byte of the signed content: the NameID if visible, else the
 * middle of the last CipherValue (ciphertext of the encrypted assertion). */
static char *tampered_copy(const char *doc, int len) {
    char *t = malloc(len + 1);
    memcpy(t, doc, len + 1);
    char *p = strstr(t, ">alice@example.com<");
    if (p != NULL) { p[5] = 'f'; return t; }
    char *last = NULL, *q = t;
    while ((q = strstr(q, "<xenc:CipherValue>")) != NULL) { last = q; q++; }
    if (last != NULL) {
        char *v = last + strlen("<xenc:CipherValue>") + 40;
        *v = (*v == 'A') ? 'B' : 'A';
        return t;
    }
    free(t);
    return NULL;
}

static void usage(void) {
    fprintf(stderr, "usage: verify-peer --cert IDP_CERT.pem [--sp-key SP_KEY.pem] [--iterations N] "
                    "[--threads T] [--now RFC3339] [--check-tampered] [--expect-fail] RESPONSE.xml\n");
    exit(2);
}

int main(int argc, char **argv) {
    long iterations = 1000;
    int threads = 1, check_tampered = 0, expect_fail = 0;
    const char *cert = NULL, *sp_key = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--iterations") && i + 1 < argc) iterations = atol(argv[++i]);
        else if (!strcmp(a, "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(a, "--cert") && i + 1 < argc) cert = argv[++i];
        else if (!strcmp(a, "--sp-key") && i + 1 < argc) sp_key = argv[++i];
        else if (!strcmp(a, "--now") && i + 1 < argc) g_now_str = argv[++i];
        else if (!strcmp(a, "--check-tampered")) check_tampered = 1;
        else if (!strcmp(a, "--expect-fail")) expect_fail = 1;
        else if (a[0] == '-') usage();
        else file = a;
    }
    if (cert == NULL || file == NULL || iterations < 1 || threads < 1) usage();
    g_now = parse_instant(g_now_str);
    if (g_now == (time_t)-1) { fprintf(stderr, "bad --now\n"); return 2; }

    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecOpenSSLAppInit(NULL) < 0 ||
        xmlSecOpenSSLInit() < 0) {
        fprintf(stderr, "xmlsec init failed\n");
        return 1;
    }
    xmlSecErrorsDefaultCallbackEnableOutput(0);

    g_idp_key = load_cert_public_key(cert);
    if (g_idp_key == NULL) { fprintf(stderr, "cannot load %s\n", cert); return 1; }
    if (sp_key != NULL) {
        g_sp_key = xmlSecOpenSSLAppKeyLoad(sp_key, xmlSecKeyDataFormatPem, NULL, NULL, NULL);
        if (g_sp_key == NULL) { fprintf(stderr, "cannot load %s\n", sp_key); return 1; }
    }
    char *doc = read_file(file, &g_doc_len);
    if (doc == NULL) { fprintf(stderr, "cannot read %s\n", file); return 1; }
    g_doc = doc;
    /* Told apart as `saml bench verify` does; surrounding whitespace dropped. */
    while (g_doc_len > 0 && strchr(" \t\r\n", g_doc[g_doc_len - 1])) doc[--g_doc_len] = '\0';
    while (*g_doc && strchr(" \t\r\n", *g_doc)) { g_doc++; g_doc_len--; }
    g_kind = g_doc[0] == '<' ? INPUT_XML : strstr(g_doc, "SAMLResponse=") ? INPUT_FORM : INPUT_BASE64;
    printf("input: %s, %d bytes\n", g_kind == INPUT_XML ? "xml" : g_kind == INPUT_FORM ? "form" : "base64", g_doc_len);

    int first = verify_input(g_doc, g_doc_len);
    if (expect_fail) {
        if (first) { fprintf(stderr, "FAIL: %s was accepted but must be rejected\n", file); return 3; }
        printf("rejected as expected: %s\n", file);
        return 0;
    }
    if (!first) { fprintf(stderr, "verification failed: %s\n", file); return 1; }
    if (check_tampered) {
        int xml_len;
        char *xml = decode_input(g_doc, g_doc_len, &xml_len);
        char *t = tampered_copy(xml, xml_len);
        if (t == NULL) { fprintf(stderr, "cannot build a tampered copy\n"); return 1; }
        if (verify_once(t, xml_len)) { fprintf(stderr, "FAIL: tampered copy accepted\n"); return 3; }
        if (xml != g_doc) free(xml);
        printf("tampered copy rejected\n");
        free(t);
    }

    struct worker *w = calloc(threads, sizeof *w);
    pthread_t *tid = calloc(threads, sizeof *tid);
    for (int i = 0; i < threads; i++)
        w[i].iterations = iterations / threads + (i < iterations % threads ? 1 : 0);
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < threads; i++)
        if (pthread_create(&tid[i], NULL, run_worker, &w[i]) != 0) { perror("pthread_create"); return 1; }
    long failures = 0;
    for (int i = 0; i < threads; i++) { pthread_join(tid[i], NULL); failures += w[i].failures; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    if (failures != 0) { fprintf(stderr, "%ld iterations failed\n", failures); return 1; }
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* Process CPU time (all threads) per operation: less disturbed by other processes. */
    double cpu = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;
    printf("cpu: %.1f us/op\n", cpu * 1e6 / iterations);
    /* Same definition as `saml bench verify`: us/op is the time one thread spends
     * per operation (wall time x threads / operations); ops/s is total throughput. */
    printf("verify: %.1f ops/s %.2f us/op\n", iterations / secs, secs * 1e6 * threads / iterations);

    free(w);
    free(tid);
    free(doc);
    xmlSecKeyDestroy(g_idp_key);
    if (g_sp_key) xmlSecKeyDestroy(g_sp_key);
    xmlSecOpenSSLShutdown();
    xmlSecOpenSSLAppShutdown();
    xmlSecShutdown();
    xmlCleanupParser();
    return 0;
}
