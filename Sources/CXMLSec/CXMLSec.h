/* xmlsec1 with the OpenSSL backend. Its ABI-changing defines are stated once, in the shim
   target's header, which this includes. */
#include "../CSAMLShims/include/CSAMLXMLSecABI.h"
