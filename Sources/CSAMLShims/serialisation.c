/* Serialisation: a document as UTF-8 bytes, with or without the XML declaration. */
#include "internal.h"

#include <string.h>
#include <libxml/xmlsave.h>

int saml_document_serialize(xmlDocPtr doc, int omit_declaration, xmlChar **output, int *length) {
    *output = NULL;
    *length = 0;
    if (!omit_declaration) {
        xmlDocDumpMemoryEnc(doc, output, length, "UTF-8");
        return *output ? 0 : -1;
    }
    xmlBufferPtr buffer = xmlBufferCreate();
    if (buffer == NULL) return -1;
    xmlSaveCtxtPtr save = xmlSaveToBuffer(buffer, "UTF-8", XML_SAVE_NO_DECL);
    if (save == NULL) { xmlBufferFree(buffer); return -1; }
    xmlSaveDoc(save, doc);
    xmlSaveClose(save);
    int n = xmlBufferLength(buffer);
    xmlChar *copy = xmlMalloc((size_t)n + 1);
    if (copy == NULL) { xmlBufferFree(buffer); return -1; }
    memcpy(copy, xmlBufferContent(buffer), (size_t)n);
    copy[n] = 0;
    xmlBufferFree(buffer);
    *output = copy;
    *length = n;
    return 0;
}
