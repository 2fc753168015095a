/* Run-time versions of the C libraries (see CSAMLVersions.h). */
#include "CSAMLShims.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

static long saml_openssl_number(unsigned long n) {
    /* OpenSSL 3: 0xMNN00PP0L */
    long major = (long)((n >> 28) & 0xF), minor = (long)((n >> 20) & 0xFF), patch = (long)((n >> 4) & 0xFF);
    return major * 10000 + minor * 100 + patch;
}

/* xmlsec 1.2 has no run-time version getter; xmlSecCheckVersionExt in ABI-compatible mode says
   whether the loaded library is at least major.minor.subminor, so the exact version is the
   largest triple it accepts. Its refusals go to the error record, cleared afterwards. */
static long saml_xmlsec_loaded(void) {
    int major = XMLSEC_VERSION_MAJOR;
    if (xmlSecCheckVersionExt(major, 0, 0, xmlSecCheckVersionABICompatible) != 1) return 0;
    int minor = 0;
    while (minor < 99 && xmlSecCheckVersionExt(major, minor + 1, 0, xmlSecCheckVersionABICompatible) == 1) minor++;
    int subminor = 0;
    while (subminor < 999 && xmlSecCheckVersionExt(major, minor, subminor + 1, xmlSecCheckVersionABICompatible) == 1) subminor++;
    saml_errors_reset();
    return (long)major * 10000 + (long)minor * 100 + subminor;
}

void saml_library_versions_read(saml_library_versions *versions) {
    memset(versions, 0, sizeof *versions);
    versions->libxml2 = xmlParserVersion != NULL ? strtol(xmlParserVersion, NULL, 10) : 0;
    versions->libxml2_compiled = LIBXML_VERSION;
    versions->xmlsec = saml_xmlsec_loaded();
    versions->xmlsec_compiled = (long)XMLSEC_VERSION_MAJOR * 10000 + XMLSEC_VERSION_MINOR * 100 + XMLSEC_VERSION_SUBMINOR;
    versions->openssl = saml_openssl_number(OpenSSL_version_num());
    versions->openssl_compiled = saml_openssl_number(OPENSSL_VERSION_NUMBER);
    snprintf(versions->openssl_text, sizeof versions->openssl_text, "%s", OpenSSL_version(OPENSSL_VERSION));
}

static void saml_version_text(long v, char *out, size_t capacity) {
    snprintf(out, capacity, "%ld.%ld.%ld", v / 10000, (v / 100) % 100, v % 100);
}

int saml_library_versions_check(const saml_library_versions *versions, char *message, int capacity) {
    struct { const char *name; long loaded; long minimum; } rows[] = {
        { "libxml2", versions->libxml2, SAML_MINIMUM_LIBXML2 },
        { "xmlsec1", versions->xmlsec, SAML_MINIMUM_XMLSEC },
        { "OpenSSL", versions->openssl, SAML_MINIMUM_OPENSSL },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (rows[i].loaded < rows[i].minimum) {
            char loaded[32], minimum[32];
            saml_version_text(rows[i].loaded, loaded, sizeof loaded);
            saml_version_text(rows[i].minimum, minimum, sizeof minimum);
            snprintf(message, (size_t)capacity, "the loaded %s is %s, older than %s, the oldest version this package is tested with",
                     rows[i].name, loaded, minimum);
            return -1;
        }
    }
    if (capacity > 0) message[0] = '\0';
    return 0;
}
