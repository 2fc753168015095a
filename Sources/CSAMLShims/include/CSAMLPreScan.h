/*
 * A linear, bounded scan of raw XML bytes that runs before libxml2 sees them. It counts the shapes
 * that make libxml2 2.9 (or canonicalization later) super-linear — attributes and namespace
 * declarations on one element, namespaces in scope, element count, nesting, attribute value
 * length — and refuses the document as soon as one passes its limit, in one pass with no
 * allocation beyond a per-depth counter array.
 */
#ifndef CSAML_PRESCAN_H
#define CSAML_PRESCAN_H

#include <stddef.h>

typedef struct {
    long max_attributes_per_element;       /* attributes other than namespace declarations */
    long max_namespace_declarations_per_element;
    long max_namespaces_in_scope;          /* declarations on the element and all its ancestors */
    long max_elements;
    long max_depth;
    long max_attribute_value_bytes;
    long max_total_ancestors;              /* summed over elements: how deep each one sits */
    long max_total_namespaces_emitted;     /* summed over elements: the namespace declarations exclusive
                                              canonicalization can emit there (1 for the element's name,
                                              1 per prefixed attribute), whatever is in scope */
} saml_prescan_limits;

enum {
    SAML_PRESCAN_OK = 0,
    SAML_PRESCAN_MALFORMED = 1,            /* bytes the XML grammar cannot produce */
    SAML_PRESCAN_DOCTYPE = 2,
    SAML_PRESCAN_ENCODING = 3,             /* not UTF-8 (or an ASCII-compatible subset) */
    SAML_PRESCAN_ATTRIBUTES = 4,
    SAML_PRESCAN_NAMESPACES = 5,
    SAML_PRESCAN_NAMESPACES_IN_SCOPE = 6,
    SAML_PRESCAN_ELEMENTS = 7,
    SAML_PRESCAN_DEPTH = 8,
    SAML_PRESCAN_ATTRIBUTE_VALUE = 9,
    SAML_PRESCAN_TOTAL_ANCESTORS = 10,
    SAML_PRESCAN_TOTAL_NAMESPACES = 11,
};

typedef struct {
    int outcome;          /* SAML_PRESCAN_* */
    size_t offset;        /* byte offset where the scan stopped */
    long observed;        /* the count that passed its limit (when a limit was hit) */
} saml_prescan_result;

/* Scans `bytes` once. Returns the outcome (also stored in `result`). */
int saml_prescan(const unsigned char *bytes, size_t length, const saml_prescan_limits *limits,
                 saml_prescan_result *result);

/* The same scan over a document that arrives in pieces (saml_prescan is this scan fed once, whole). */
typedef struct {
    saml_prescan_limits limits;
    long max_depth;
    long *declared;       /* namespaces declared at each open depth */
    long depth, elements, in_scope, total_ancestors, total_emitted;
    int seen_root;
    int started;          /* the byte-order mark and the XML declaration have been checked */
    size_t consumed;      /* bytes scanned by earlier calls */
    saml_prescan_result result;  /* sticky once a refusal happened */
} saml_prescan_state;

/* Prepares a scan of a document of at most `max_length` bytes. SAML_PRESCAN_OK, or
   SAML_PRESCAN_MALFORMED when out of memory. saml_prescan_end must follow either way. */
int saml_prescan_begin(saml_prescan_state *state, const saml_prescan_limits *limits, size_t max_length);

/* Scans the bytes that follow those scanned so far. Only complete constructs (tags, comments,
   processing instructions, CDATA sections, text) are scanned: `*scanned` receives how many bytes were;
   the rest begin a construct that continues in bytes not given yet, and must be passed again, at the
   start of the next call, with more bytes after them. `final` says no more bytes follow (a construct
   still open is then malformed). Returns SAML_PRESCAN_OK or the refusal (also in state->result),
   which is sticky: later calls return it again. For a linear cost overall, pass the unscanned rest again
   only once at least as many new bytes follow it (or with `final`). */
int saml_prescan_feed(saml_prescan_state *state, const unsigned char *bytes, size_t length, int final,
                      size_t *scanned);

/* Releases the scan's memory. */
void saml_prescan_end(saml_prescan_state *state);

#endif
