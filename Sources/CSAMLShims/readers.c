/* Document rules checked once the tree is built (after parsing, and again after decryption).

   One reader per attribute: our checks read an attribute without a namespace (xmlGetNoNsProp),
   xmlsec reads the first attribute with that local name in any namespace (xmlGetProp). On the
   elements xmlsec interprets, a namespaced attribute with a name xmlsec reads would let the two
   see different values, so such a document is refused.

   Relative namespace names: canonicalization refuses them, so a signature over one could only
   fail; the document is refused for what it is, not as a signature whose digest differs. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static int saml_is_security_namespace(const xmlChar *href) {
    return href != NULL && (xmlStrEqual(href, BAD_CAST "http://www.w3.org/2000/09/xmldsig#") ||
                            xmlStrEqual(href, BAD_CAST "http://www.w3.org/2009/xmldsig11#") ||
                            xmlStrEqual(href, BAD_CAST "http://www.w3.org/2001/04/xmlenc#") ||
                            xmlStrEqual(href, BAD_CAST "http://www.w3.org/2009/xmlenc11#"));
}

static int saml_is_read_by_xmlsec(const xmlChar *name) {
    return xmlStrEqual(name, BAD_CAST "Algorithm") || xmlStrEqual(name, BAD_CAST "URI") ||
           xmlStrEqual(name, BAD_CAST "Type") || xmlStrEqual(name, BAD_CAST "Id");
}

/* A namespace name that is not an absolute URI (no scheme): XML canonicalization refuses it, as
   libxml2's xmlC14NCheckForRelativeNamespaces does; the empty name (undeclaring) is fine. */
static int saml_is_relative_namespace(const xmlChar *href) {
    if (href == NULL || href[0] == '\0') return 0;
    if (!((href[0] >= 'a' && href[0] <= 'z') || (href[0] >= 'A' && href[0] <= 'Z'))) return 1;
    for (const xmlChar *c = href + 1; *c != '\0'; c++) {
        if (*c == ':') return 0;
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '+' || *c == '-' || *c == '.')) return 1;
    }
    return 1;
}

int saml_find_document_conflict(xmlDocPtr doc, char *found, int found_capacity) {
    if (found_capacity > 0) found[0] = '\0';
    xmlNodePtr node = xmlDocGetRootElement(doc);
    while (node != NULL) {
        if (node->type == XML_ELEMENT_NODE) {
            for (xmlNsPtr ns = node->nsDef; ns != NULL; ns = ns->next) {
                if (!saml_is_relative_namespace(ns->href)) continue;
                snprintf(found, (size_t)found_capacity, "<%s%s%s> declares xmlns%s%s=\"%.120s\"",
                         (node->ns && node->ns->prefix) ? (const char *)node->ns->prefix : "",
                         (node->ns && node->ns->prefix) ? ":" : "", (const char *)node->name,
                         ns->prefix ? ":" : "", ns->prefix ? (const char *)ns->prefix : "", (const char *)ns->href);
                /* the name is the message's text: no control characters in a reason or a log line */
                for (char *c = found; *c != '\0'; c++) if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
                return SAML_CONFLICT_RELATIVE_NAMESPACE;
            }
        }
        if (node->type == XML_ELEMENT_NODE && node->ns != NULL && saml_is_security_namespace(node->ns->href)) {
            for (xmlAttrPtr attr = node->properties; attr != NULL; attr = attr->next) {
                if (attr->ns == NULL || !saml_is_read_by_xmlsec(attr->name)) continue;
                snprintf(found, (size_t)found_capacity, "<%s%s%s> carries %s%s%s", node->ns->prefix ? (const char *)node->ns->prefix : "",
                         node->ns->prefix ? ":" : "", (const char *)node->name,
                         attr->ns->prefix ? (const char *)attr->ns->prefix : "", attr->ns->prefix ? ":" : "",
                         (const char *)attr->name);
                return SAML_CONFLICT_NAMESPACED_ATTRIBUTE;
            }
        }
        node = saml_walk_next(node);
    }
    return 0;
}
