/*
 * Parsing a document that arrives in pieces (a file read in blocks, an HTTP body as it is received)
 * with the same rules as saml_parse over a whole buffer: every byte passes the pre-scan before
 * libxml2's push parser sees it, no DOCTYPE, no entities, no network, bounded depth and size.
 * Only the construct being received is held besides the tree, never the whole document.
 */
#ifndef CSAML_STREAM_H
#define CSAML_STREAM_H

#include <libxml/tree.h>
#include <stddef.h>
#include "CSAMLPreScan.h"

typedef struct saml_stream saml_stream;

enum {
    SAML_STREAM_OK = 0,
    SAML_STREAM_PRESCAN = 1,     /* the pre-scan refused the bytes: saml_stream_prescan_result */
    SAML_STREAM_PARSE = 2,       /* libxml2 refused them: saml_stream_parse_outcome (SAML_PARSE_*) */
    SAML_STREAM_TOO_LARGE = 3,   /* more than max_bytes arrived */
    SAML_STREAM_NO_MEMORY = 4,
};

/* A parser for one document of at most `max_bytes`, its elements nested at most `max_depth` deep,
   its shape within `limits`. NULL when out of memory. */
saml_stream *saml_stream_create(const saml_prescan_limits *limits, size_t max_bytes, int max_depth);

/* Takes the next `length` bytes of the document (copied where needed; the caller keeps its buffer).
   Returns SAML_STREAM_OK or the refusal, which is sticky. */
int saml_stream_feed(saml_stream *stream, const unsigned char *bytes, size_t length);

/* Ends the document. Returns SAML_STREAM_OK and the tree in `*document` (the caller frees it), or the
   refusal (a document cut short is SAML_STREAM_PRESCAN, malformed). */
int saml_stream_finish(saml_stream *stream, xmlDocPtr *document);

/* The bytes received so far. */
size_t saml_stream_received(const saml_stream *stream);
/* Where and why the pre-scan stopped (valid after SAML_STREAM_PRESCAN). */
saml_prescan_result saml_stream_prescan_result(const saml_stream *stream);
/* SAML_PARSE_* (valid after SAML_STREAM_PARSE). */
int saml_stream_parse_outcome(const saml_stream *stream);
/* libxml2's message, or a description of the refusal ("" when none). */
const char *saml_stream_message(const saml_stream *stream);

void saml_stream_free(saml_stream *stream);

/* Frees a large document (a federation aggregate's tree) without leaving its chunks in glibc's fast
   bins, which the next large allocation would otherwise merge all at once. Sets glibc's M_MXFAST to 0
   while it runs and back to glibc's default after (a process that tuned M_MXFAST gets the default). */
void saml_document_free_large(xmlDocPtr doc);

#endif
