/* libxml2 as seen by this package. Debian's build defines LIBXML_ICU_ENABLED, which drags
   ICU headers in and clashes with Foundation's own copy; nothing here needs ICU. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
