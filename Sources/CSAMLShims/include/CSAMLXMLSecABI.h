/*
 * The one place that states how xmlsec1 was built. SwiftPM drops the -D flags
 * `pkg-config --cflags xmlsec1-openssl` lists, and they change xmlsec's ABI (XMLSEC_NO_SIZE_T
 * changes xmlSecSize and moves structure fields), so they are defined here before any xmlsec
 * header. Keep in step with pkg-config; saml_initialize() checks the layout at start-up.
 * Included by CSAMLShims.h and by the CXMLSec system-library module's header.
 */
#ifndef CSAML_XMLSEC_ABI_H
#define CSAML_XMLSEC_ABI_H

#ifndef XMLSEC_NO_SIZE_T
#define XMLSEC_NO_SIZE_T
#endif
#ifndef XMLSEC_OPENSSL3_ENGINES
#define XMLSEC_OPENSSL3_ENGINES 1
#endif
#ifndef XMLSEC_NO_GOST
#define XMLSEC_NO_GOST 1
#endif
#ifndef XMLSEC_NO_GOST2012
#define XMLSEC_NO_GOST2012 1
#endif
#ifndef XMLSEC_NO_CRYPTO_DYNAMIC_LOADING
#define XMLSEC_NO_CRYPTO_DYNAMIC_LOADING 1
#endif
#ifndef XMLSEC_CRYPTO_OPENSSL
#define XMLSEC_CRYPTO_OPENSSL 1
#endif

/* libxml2 first, without ICU: Debian's build defines LIBXML_ICU_ENABLED, whose headers clash
   with Foundation's own ICU copy; nothing here needs ICU. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <xmlsec/xmlsec.h>

#endif
