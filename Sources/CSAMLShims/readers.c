/* One reader per attribute: our checks read an attribute without a namespace (xmlGetNoNsProp),
   xmlsec reads the first attribute with that local name in any namespace (xmlGetProp). On the
   elements xmlsec interprets, a namespaced attribute with a name xmlsec reads would let the two
   see different values, so such a document is refused. */
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

int saml_find_ambiguous_attribute(xmlDocPtr doc, char *found, int found_capacity) {
    if (found_capacity > 0) found[0] = '\0';
    xmlNodePtr node = xmlDocGetRootElement(doc);
    while (node != NULL) {
        if (node->type == XML_ELEMENT_NODE && node->ns != NULL && saml_is_security_namespace(node->ns->href)) {
            for (xmlAttrPtr attr = node->properties; attr != NULL; attr = attr->next) {
                if (attr->ns == NULL || !saml_is_read_by_xmlsec(attr->name)) continue;
                snprintf(found, (size_t)found_capacity, "<%s%s%s> carries %s%s%s", node->ns->prefix ? (const char *)node->ns->prefix : "",
                         node->ns->prefix ? ":" : "", (const char *)node->name,
                         attr->ns->prefix ? (const char *)attr->ns->prefix : "", attr->ns->prefix ? ":" : "",
                         (const char *)attr->name);
                return 1;
            }
        }
        node = saml_walk_next(node);
    }
    return 0;
}
