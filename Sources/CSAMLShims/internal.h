/* Helpers the shim's source files share; not part of the module's interface. */
#ifndef CSAMLSHIMS_INTERNAL_H
#define CSAMLSHIMS_INTERNAL_H

#include "CSAMLShims.h"

#include <openssl/evp.h>

/* errors.c: the calling thread's message buffer and the callbacks that fill it */
void saml_error_append(const char *text);
void saml_xmlsec_error_callback(const char *file, int line, const char *func,
                                const char *errorObject, const char *errorSubject,
                                int reason, const char *msg);
void saml_libxml_structured_error(void *userData, xmlErrorPtr error);
void saml_libxml_generic_error(void *ctx, const char *msg, ...);

/* keys.c: the OpenSSL digest for one of the SAML_DIGEST_* constants, NULL for any other */
const EVP_MD *saml_digest(int bits);
/* keys.c: the byte length of one coordinate of an EC key's field (r and s each take this many) */
int saml_ec_field_bytes(EVP_PKEY *pkey);

/* The node after `node` in a depth-first walk of its document, without recursion (children of
   elements first, then siblings, then the ancestors' siblings); NULL at the end. */
static inline xmlNodePtr saml_walk_next(xmlNodePtr node) {
    if (node->type == XML_ELEMENT_NODE && node->children != NULL) return node->children;
    while (node != NULL && node->next == NULL) {
        node = node->parent;
        if (node == NULL || node->type == XML_DOCUMENT_NODE) return NULL;
    }
    return node != NULL ? node->next : NULL;
}

/* readers.c: whether every namespace declaration in `doc` was found, by the last document check
   (saml_check_document) with no change to the tree since, to be one canonicalization
   accepts (an absolute URI xmlParseURI reads). Only then may canonicalization of a subtree start
   its walk at that subtree: libxml2's walk over the whole document refuses a relative namespace
   anywhere in it, inside the node set or not. Any change to the tree clears the mark. */
int saml_document_namespaces_checked(xmlDocPtr doc);
void saml_document_mark_namespaces_checked(xmlDocPtr doc, int checked);

#endif
