/* C floor for reading one IdP metadata file: libxml2 parses it (no network, no DTD), the first
 * ds:X509Certificate is found, base64-decoded and turned into an X509 with its public key.
 * Usage: parse-metadata FILE ITERATIONS — prints microseconds per read. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static xmlNodePtr find(xmlNodePtr node, const char *name) {
    for (; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0) return node;
        xmlNodePtr inner = find(node->children, name);
        if (inner) return inner;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: parse-metadata FILE ITERATIONS\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
    char *data = malloc(size); if (fread(data, 1, size, f) != (size_t)size) return 2; fclose(f);
    long iterations = atol(argv[2]); int bits = 0;
    xmlInitParser();
    struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < iterations; i++) {
        xmlDocPtr doc = xmlReadMemory(data, (int)size, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc) { fprintf(stderr, "parse failed\n"); return 1; }
        xmlNodePtr cert = find(xmlDocGetRootElement(doc), "X509Certificate");
        xmlChar *text = xmlNodeGetContent(cert);
        size_t n = strlen((char *)text); unsigned char *clean = malloc(n + 1), *der = malloc(n); size_t m = 0;
        for (size_t j = 0; j < n; j++) if (!strchr(" \t\r\n", text[j])) clean[m++] = text[j];
        int len = EVP_DecodeBlock(der, clean, (int)m);
        while (m > 0 && clean[m - 1] == '=') { len--; m--; }
        const unsigned char *p = der; X509 *x = d2i_X509(NULL, &p, len);
        if (!x) { fprintf(stderr, "certificate unreadable\n"); return 1; }
        EVP_PKEY *key = X509_get_pubkey(x); bits += EVP_PKEY_get_bits(key);
        EVP_PKEY_free(key); X509_free(x); free(clean); free(der); xmlFree(text); xmlFreeDoc(doc);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3) / iterations;
    printf("{\"iterations\":%ld,\"us_per_read\":%.3f,\"check\":%d}\n", iterations, us, bits / (int)iterations);
    return 0;
}
