/*
 * sign-peer: xmlsec1's own enveloped signing of a SAML AuthnRequest, in-process,
 * as the baseline for `saml bench authn-request --binding post`.
 *
 * The template is what `saml bench authn-request --template FILE` writes: the
 * request saml signs, with DigestValue, SignatureValue and X509Certificate
 * emptied.  The SP key and certificate are loaded once; per iteration:
 *
 *   parse the template from memory (NONET), register the root's ID attribute,
 *   sign with xmlSecDSigCtxSign (exclusive c14n, enveloped-signature, SHA-256,
 *   RSA-SHA256, the certificate written into X509Data), serialize the document
 *   and base64-encode it (the HTTP-POST form value), free everything.
 *
 * Usage: sign-peer --key KEY.pem --cert CERT.pem [--iterations N] [--check] TEMPLATE.xml
 * Prints "sign: <ops/s> ops/s <us/op> us/op".  --check also verifies the first
 * signed document with xmlsec and the certificate's public key and exits 3 if
 * that fails.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/base64.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/keys.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>

static xmlSecKeyPtr g_key; /* private key + certificate, loaded once, lent to contexts */

/* Parses, signs, serializes and base64-encodes; returns the form value (caller frees) or NULL. */
static xmlChar *sign_once(const char *tpl, int len, xmlChar **signed_xml, int *signed_len) {
    xmlChar *result = NULL;
    xmlDocPtr doc = xmlReadMemory(tpl, len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) return NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlAttrPtr id = root ? xmlHasProp(root, BAD_CAST "ID") : NULL;
    xmlChar *idv = id ? xmlNodeListGetString(doc, id->children, 1) : NULL;
    if (idv == NULL || xmlAddID(NULL, doc, idv, id) == NULL) { xmlFree(idv); xmlFreeDoc(doc); return NULL; }
    xmlFree(idv);
    xmlNodePtr sig = xmlSecFindNode(root, xmlSecNodeSignature, xmlSecDSigNs);
    xmlSecDSigCtxPtr ctx = sig ? xmlSecDSigCtxCreate(NULL) : NULL;
    if (ctx != NULL) {
        ctx->signKey = g_key;
        if (xmlSecDSigCtxSign(ctx, sig) == 0) {
            xmlChar *xml = NULL;
            int n = 0;
            xmlDocDumpMemory(doc, &xml, &n);
            if (xml != NULL) {
                result = xmlSecBase64Encode(xml, (xmlSecSize)n, 0);
                if (signed_xml) { *signed_xml = xml; *signed_len = n; } else xmlFree(xml);
            }
        }
        ctx->signKey = NULL; /* lent, not owned */
        xmlSecDSigCtxDestroy(ctx);
    }
    xmlFreeDoc(doc);
    return result;
}

static int verify_signed(const xmlChar *xml, int len, const char *cert) {
    int ok = 0;
    xmlDocPtr doc = xmlReadMemory((const char *)xml, len, NULL, NULL, XML_PARSE_NONET);
    if (doc == NULL) return 0;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlAttrPtr id = xmlHasProp(root, BAD_CAST "ID");
    xmlChar *idv = xmlNodeListGetString(doc, id->children, 1);
    xmlAddID(NULL, doc, idv, id);
    xmlFree(idv);
    xmlSecKeyPtr pub = xmlSecOpenSSLAppKeyLoad(cert, xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    xmlNodePtr sig = xmlSecFindNode(root, xmlSecNodeSignature, xmlSecDSigNs);
    if (pub && ctx && sig) {
        ctx->signKey = pub;
        ok = xmlSecDSigCtxVerify(ctx, sig) == 0 && ctx->status == xmlSecDSigStatusSucceeded;
    }
    if (ctx) xmlSecDSigCtxDestroy(ctx); /* destroys pub */
    xmlFreeDoc(doc);
    return ok;
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

int main(int argc, char **argv) {
    long iterations = 1000;
    int check = 0;
    const char *keyfile = NULL, *certfile = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--iterations") && i + 1 < argc) iterations = atol(argv[++i]);
        else if (!strcmp(a, "--key") && i + 1 < argc) keyfile = argv[++i];
        else if (!strcmp(a, "--cert") && i + 1 < argc) certfile = argv[++i];
        else if (!strcmp(a, "--check")) check = 1;
        else if (a[0] == '-') file = NULL, iterations = 0;
        else file = a;
    }
    if (keyfile == NULL || certfile == NULL || file == NULL || iterations < 1) {
        fprintf(stderr, "usage: sign-peer --key KEY.pem --cert CERT.pem [--iterations N] [--check] TEMPLATE.xml\n");
        return 2;
    }
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecOpenSSLAppInit(NULL) < 0 || xmlSecOpenSSLInit() < 0) {
        fprintf(stderr, "xmlsec init failed\n");
        return 1;
    }
    xmlSecErrorsDefaultCallbackEnableOutput(0);
    g_key = xmlSecOpenSSLAppKeyLoad(keyfile, xmlSecKeyDataFormatPem, NULL, NULL, NULL);
    if (g_key == NULL || xmlSecOpenSSLAppKeyCertLoad(g_key, certfile, xmlSecKeyDataFormatPem) < 0) {
        fprintf(stderr, "cannot load %s / %s\n", keyfile, certfile);
        return 1;
    }
    int len;
    char *tpl = read_file(file, &len);
    if (tpl == NULL) { fprintf(stderr, "cannot read %s\n", file); return 1; }

    xmlChar *xml = NULL;
    int xml_len = 0;
    xmlChar *first = sign_once(tpl, len, &xml, &xml_len);
    if (first == NULL) { fprintf(stderr, "signing failed\n"); return 1; }
    if (check) {
        if (!verify_signed(xml, xml_len, certfile)) { fprintf(stderr, "FAIL: the signed request does not verify\n"); return 3; }
        if (strstr((const char *)xml, "<ds:X509Certificate>MII") == NULL) { fprintf(stderr, "FAIL: no certificate written\n"); return 3; }
        printf("signed request verifies (%d bytes, base64 %zu)\n", xml_len, strlen((const char *)first));
    }
    xmlFree(xml);
    xmlFree(first);

    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < iterations; i++) {
        xmlChar *v = sign_once(tpl, len, NULL, NULL);
        if (v == NULL) { fprintf(stderr, "signing failed at iteration %ld\n", i); return 1; }
        xmlFree(v);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    /* Process CPU time (all threads) per operation: less disturbed by other processes. */
    double cpu = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;
    printf("cpu: %.1f us/op\n", cpu * 1e6 / iterations);
    printf("sign: %.1f ops/s %.2f us/op\n", iterations / secs, secs * 1e6 / iterations);
    free(tpl);
    xmlSecKeyDestroy(g_key);
    return 0;
}
