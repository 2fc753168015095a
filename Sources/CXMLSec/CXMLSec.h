/* xmlsec1 with the OpenSSL backend. SwiftPM drops the -D flags pkg-config lists, and they change
   xmlsec's ABI, so they are repeated here. Keep in step with `pkg-config --cflags xmlsec1-openssl`. */
#ifndef XMLSEC_NO_SIZE_T
#define XMLSEC_NO_SIZE_T
#endif
#define XMLSEC_OPENSSL3_ENGINES 1
#define XMLSEC_NO_GOST 1
#define XMLSEC_NO_GOST2012 1
#define XMLSEC_NO_CRYPTO_DYNAMIC_LOADING 1
#define XMLSEC_CRYPTO_OPENSSL 1
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <xmlsec/xmlsec.h>
