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

#include <libxml/uri.h>

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

/* The mark of a document whose namespace declarations all passed the check (doc->_private, which
   neither libxml2 nor xmlsec uses; nothing else in this package sets it). */
static const char saml_namespaces_checked_mark = 1;

int saml_document_namespaces_checked(xmlDocPtr doc) {
    return doc != NULL && doc->_private == (void *)&saml_namespaces_checked_mark;
}

void saml_document_mark_namespaces_checked(xmlDocPtr doc, int checked) {
    if (doc == NULL) return;
    if (checked) doc->_private = (void *)&saml_namespaces_checked_mark;
    else if (doc->_private == (void *)&saml_namespaces_checked_mark) doc->_private = NULL;
}

void saml_document_changed(xmlNodePtr node) {
    if (node != NULL) saml_document_mark_namespaces_checked(node->doc, 0);
}

/* A namespace name canonicalization accepts: empty, or an absolute URI that xmlParseURI reads
   (xmlC14NCheckForRelativeNamespaces). The parser already refuses names xmlParseURI cannot read,
   but a tree built or changed another way (decrypted content) has not been through it.
   `seen` holds up to 8 names accepted before in this walk (declarations repeat: xs and xsi on
   every AttributeValue). */
static int saml_namespace_canonicalizable(const xmlChar *href, const xmlChar **seen, int *seen_count) {
    if (href == NULL || href[0] == '\0') return 1;
    for (int i = 0; i < *seen_count; i++) if (xmlStrEqual(seen[i], href)) return 1;
    xmlURIPtr uri = xmlParseURI((const char *)href);
    int ok = uri != NULL && uri->scheme != NULL && uri->scheme[0] != '\0';
    if (uri != NULL) xmlFreeURI(uri);
    if (ok && *seen_count < 8) seen[(*seen_count)++] = href;
    return ok;
}

/* The first rule `node` breaks (SAML_CONFLICT_*), described in `found`. */
static int saml_element_conflict(xmlNodePtr node, char *found, int found_capacity) {
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
    if (node->ns != NULL && saml_is_security_namespace(node->ns->href)) {
        for (xmlAttrPtr attr = node->properties; attr != NULL; attr = attr->next) {
            if (attr->ns == NULL || !saml_is_read_by_xmlsec(attr->name)) continue;
            snprintf(found, (size_t)found_capacity, "<%s%s%s> carries %s%s%s", node->ns->prefix ? (const char *)node->ns->prefix : "",
                     node->ns->prefix ? ":" : "", (const char *)node->name,
                     attr->ns->prefix ? (const char *)attr->ns->prefix : "", attr->ns->prefix ? ":" : "",
                     (const char *)attr->name);
            return SAML_CONFLICT_NAMESPACED_ATTRIBUTE;
        }
    }
    return SAML_CONFLICT_NONE;
}

/* Registers the `ID` attributes (no namespace) of `node` as XML IDs; 1 when a value is already
   another attribute's (copied into `duplicate`). */
static int saml_register_element_ids(xmlDocPtr doc, xmlNodePtr node, char *duplicate, int duplicate_capacity) {
    for (xmlAttrPtr attr = node->properties; attr != NULL; attr = attr->next) {
        if (attr->ns != NULL || !xmlStrEqual(attr->name, BAD_CAST "ID")) continue;
        xmlChar *value = xmlNodeListGetString(doc, attr->children, 1);
        if (value == NULL) continue;
        xmlAttrPtr existing = xmlGetID(doc, value);
        if (existing == attr) { xmlFree(value); continue; }
        if (existing != NULL || xmlAddID(NULL, doc, value, attr) == NULL) {
            snprintf(duplicate, (size_t)duplicate_capacity, "%s", (const char *)value);
            xmlFree(value);
            return 1;
        }
        xmlFree(value);
    }
    return 0;
}

static int saml_is_assertion(xmlNodePtr node) {
    return node->ns != NULL && node->ns->href != NULL &&
           xmlStrEqual(node->ns->href, BAD_CAST "urn:oasis:names:tc:SAML:2.0:assertion") &&
           (xmlStrEqual(node->name, BAD_CAST "Assertion") || xmlStrEqual(node->name, BAD_CAST "EncryptedAssertion"));
}

int saml_check_document(xmlDocPtr doc, char *found, int found_capacity, saml_document_check *check) {
    if (found_capacity > 0) found[0] = '\0';
    memset(check, 0, sizeof *check);
    saml_document_mark_namespaces_checked(doc, 0);
    const xmlChar *seen[8];
    int seen_count = 0, canonicalizable = 1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNodePtr node = root; node != NULL; node = saml_walk_next(node)) {
        if (node->type != XML_ELEMENT_NODE) continue;
        if (node->properties != NULL && saml_register_element_ids(doc, node, found, found_capacity)) {
            check->duplicate = 1;
            return 1;
        }
        for (xmlNsPtr ns = node->nsDef; canonicalizable && ns != NULL; ns = ns->next) {
            if (!saml_namespace_canonicalizable(ns->href, seen, &seen_count)) canonicalizable = 0;
        }
        if (check->conflict == SAML_CONFLICT_NONE) check->conflict = saml_element_conflict(node, found, found_capacity);
        if (node != root && saml_is_assertion(node)) check->assertions++;
    }
    if (check->conflict != SAML_CONFLICT_NONE) return 1;
    saml_document_mark_namespaces_checked(doc, canonicalizable);
    return 0;
}

/* The value of `attr` held as one text node (or none: ""); NULL otherwise. */
static const xmlChar *saml_value_in_place(xmlAttrPtr attr) {
    xmlNodePtr text = attr->children;
    if (text == NULL) return BAD_CAST "";
    if (text->next == NULL && text->type == XML_TEXT_NODE && text->content != NULL) return text->content;
    return NULL;
}

const xmlChar *saml_attribute_in_place(xmlNodePtr node, const char *name, int *present) {
    *present = 0;
    if (node == NULL || node->type != XML_ELEMENT_NODE) return NULL;
    for (xmlAttrPtr attr = node->properties; attr != NULL; attr = attr->next) {
        if (attr->ns != NULL || !xmlStrEqual(attr->name, BAD_CAST name)) continue;
        *present = 1;
        return saml_value_in_place(attr);
    }
    return NULL;
}

const xmlChar *saml_ns_attribute_in_place(xmlNodePtr node, const char *name, const char *ns, int *present) {
    *present = 0;
    if (node == NULL || node->type != XML_ELEMENT_NODE || ns == NULL) return NULL;
    for (xmlAttrPtr attr = node->properties; attr != NULL; attr = attr->next) {
        if (attr->ns == NULL || !xmlStrEqual(attr->name, BAD_CAST name) || !xmlStrEqual(attr->ns->href, BAD_CAST ns)) continue;
        *present = 1;
        return saml_value_in_place(attr);
    }
    return NULL;
}

const xmlChar *saml_text_in_place(xmlNodePtr node) {
    if (node == NULL || node->type != XML_ELEMENT_NODE) return NULL;
    xmlNodePtr text = node->children;
    if (text == NULL) return BAD_CAST "";
    if (text->next == NULL && text->type == XML_TEXT_NODE && text->content != NULL) return text->content;
    return NULL;
}
