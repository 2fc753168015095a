/* Parsing: no DOCTYPE, bounded depth, no network; SAML IDs registered by the caller's rule. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/valid.h>

static _Thread_local int saml_parse_doctype;
static _Thread_local int saml_parse_too_deep;
static _Thread_local int saml_parse_max_depth;

static void saml_sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *externalID,
                                     const xmlChar *systemID) {
    (void)name; (void)externalID; (void)systemID;
    saml_parse_doctype = 1;
    xmlStopParser((xmlParserCtxtPtr)ctx);
}

static void saml_sax_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                                   const xmlChar *URI, int nb_namespaces, const xmlChar **namespaces,
                                   int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    if (ctxt->nameNr + 1 > saml_parse_max_depth) {
        saml_parse_too_deep = 1;
        xmlStopParser(ctxt);
        return;
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, URI, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
}

xmlDocPtr saml_parse(const char *bytes, int length, int max_depth, int *outcome,
                     char *message, int message_capacity) {
    *outcome = SAML_PARSE_MALFORMED;
    if (message_capacity > 0) message[0] = '\0';
    saml_parse_doctype = 0;
    saml_parse_too_deep = 0;
    saml_parse_max_depth = max_depth > 0 ? max_depth : 256;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        snprintf(message, message_capacity, "out of memory");
        return NULL;
    }
    ctxt->sax->internalSubset = saml_sax_internal_subset;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->startElementNs = saml_sax_start_element;
    /* COMPACT: a text shorter than two pointers (indentation, short values) is kept inside its
       node instead of in an allocation of its own: fewer allocations per document, less memory to
       walk and free on large ones. libxml2's functions that change or free text check for it
       (xmlNodeSetContent, xmlTextConcat, xmlFreeNode); nothing here writes into a text node. */
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, bytes, length, NULL, NULL, options);
    if (saml_parse_doctype) {
        *outcome = SAML_PARSE_DOCTYPE;
        snprintf(message, message_capacity, "the document carries a DOCTYPE declaration");
    } else if (saml_parse_too_deep) {
        *outcome = SAML_PARSE_TOO_DEEP;
        snprintf(message, message_capacity, "elements nest deeper than %d levels", saml_parse_max_depth);
    } else if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed) {
        *outcome = SAML_PARSE_MALFORMED;
        xmlErrorPtr err = xmlCtxtGetLastError(ctxt);
        if (err != NULL && err->message != NULL) {
            snprintf(message, message_capacity, "line %d: %s", err->line, err->message);
            size_t n = strlen(message);
            while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' ')) message[--n] = '\0';
        } else if (!ctxt->nsWellFormed) {
            snprintf(message, message_capacity, "the document is not namespace-well-formed");
        } else {
            snprintf(message, message_capacity, "the document is not well-formed XML");
        }
    } else {
        *outcome = SAML_PARSE_OK;
    }
    if (*outcome != SAML_PARSE_OK && doc != NULL) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

xmlNodePtr saml_element_by_id(xmlDocPtr doc, const char *id) {
    xmlAttrPtr attr = xmlGetID(doc, BAD_CAST id);
    if (attr == NULL) return NULL;
    return attr->parent;
}
