/*
 * The versions of libxml2, xmlsec1 and OpenSSL loaded into this process (which may differ from
 * the headers the package was compiled against), and the oldest versions the package is tested with.
 */
#ifndef CSAML_VERSIONS_H
#define CSAML_VERSIONS_H

/* Versions as major * 10000 + minor * 100 + patch. */
#define SAML_MINIMUM_LIBXML2 20914L
#define SAML_MINIMUM_XMLSEC 10237L
#define SAML_MINIMUM_OPENSSL 30000L

typedef struct {
    long libxml2;                 /* loaded */
    long xmlsec;                  /* loaded */
    long openssl;                 /* loaded */
    long libxml2_compiled;        /* headers this package was built with */
    long xmlsec_compiled;
    long openssl_compiled;
    char openssl_text[128];       /* OpenSSL's own version line */
} saml_library_versions;

/* Fills `versions` from the loaded libraries. xmlsec must be initialised (xmlSecInit) first. */
void saml_library_versions_read(saml_library_versions *versions);

/* 0 when every loaded library is at least the tested minimum; otherwise -1 with a sentence in
   `message`. */
int saml_library_versions_check(const saml_library_versions *versions, char *message, int capacity);

#endif
