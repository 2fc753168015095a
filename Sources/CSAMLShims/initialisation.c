/* Initialisation: libxml2, xmlsec and its OpenSSL backend once per process, with an ABI check. */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>

/* The header must see xmlsec exactly as the library was built. */
_Static_assert(sizeof(xmlSecSize) == sizeof(unsigned int), "XMLSEC_NO_SIZE_T must be defined");

static pthread_once_t saml_once = PTHREAD_ONCE_INIT;
static int saml_init_status = -1;
static char saml_init_message[256] = "not initialised";

static void saml_fail_init(const char *message) {
    snprintf(saml_init_message, sizeof saml_init_message, "%s", message);
    saml_init_status = -1;
}

static void saml_do_initialize(void) {
    xmlInitParser();
    xmlThrDefSetGenericErrorFunc(NULL, saml_libxml_generic_error);
    xmlThrDefSetStructuredErrorFunc(NULL, saml_libxml_structured_error);
    saml_errors_reset();
    if (xmlSecInit() < 0) { saml_fail_init("xmlSecInit failed"); return; }
    xmlSecErrorsSetCallback(saml_xmlsec_error_callback);
    if (xmlSecCheckVersionExt(XMLSEC_VERSION_MAJOR, XMLSEC_VERSION_MINOR, XMLSEC_VERSION_SUBMINOR,
                              xmlSecCheckVersionABICompatible) != 1) {
        saml_fail_init("the xmlsec1 library is not ABI-compatible with the headers this package was built with");
        return;
    }
    /* Layout probe: a context allocated and initialised by the library must read back as this
       header describes it. A mismatch in xmlsec's defines moves these fields. */
    xmlSecDSigCtxPtr probe = xmlSecDSigCtxCreate(NULL);
    if (probe == NULL) { saml_fail_init("xmlSecDSigCtxCreate failed"); return; }
    int layoutOK = probe->keyInfoReadCtx.mode == xmlSecKeyInfoModeRead &&
                   probe->keyInfoWriteCtx.mode == xmlSecKeyInfoModeWrite &&
                   probe->keyInfoReadCtx.maxRetrievalMethodLevel == 1 &&
                   probe->status == xmlSecDSigStatusUnknown &&
                   probe->signedInfoReferences.id == xmlSecDSigReferenceCtxListId &&
                   probe->manifestReferences.id == xmlSecDSigReferenceCtxListId &&
                   xmlSecPtrListGetSize(&probe->signedInfoReferences) == 0;
    xmlSecDSigCtxDestroy(probe);
    if (!layoutOK) {
        saml_fail_init("xmlsec1 structure layout differs from the headers (XMLSEC_* defines out of step)");
        return;
    }
    if (xmlSecOpenSSLAppInit(NULL) < 0) { saml_fail_init("xmlSecOpenSSLAppInit failed"); return; }
    if (xmlSecOpenSSLInit() < 0) { saml_fail_init("xmlSecOpenSSLInit failed"); return; }
    /* xmlSecOpenSSLInit replaces the callback installed above. */
    xmlSecErrorsSetCallback(saml_xmlsec_error_callback);
    saml_init_message[0] = '\0';
    saml_init_status = 0;
}

int saml_initialize(void) {
    pthread_once(&saml_once, saml_do_initialize);
    return saml_init_status;
}

const char *saml_initialize_error(void) { return saml_init_message; }
