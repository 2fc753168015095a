/* The incremental parse declared in CSAMLStream.h: pre-scan, then libxml2's push parser. */
#include "internal.h"
#include "CSAMLStream.h"

#include <stdio.h>
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

struct saml_stream {
    saml_prescan_state scan;
    xmlParserCtxtPtr parser;     /* created with the first scanned bytes */
    size_t max_bytes;
    int max_depth;
    size_t received;
    int status;                  /* SAML_STREAM_* */
    int parse_outcome;           /* SAML_PARSE_* */
    int doctype, too_deep;       /* set by the SAX hooks */
    unsigned char *pending;      /* received bytes the pre-scan has not passed yet (an unfinished construct) */
    size_t pending_length, pending_capacity;
    size_t retry_at;             /* scan the pending bytes again once this many are held */
    char message[512];
};

static saml_stream *saml_stream_of(void *ctx) {
    return (saml_stream *)((xmlParserCtxtPtr)ctx)->_private;
}

static void saml_stream_internal_subset(void *ctx, const xmlChar *name, const xmlChar *externalID,
                                        const xmlChar *systemID) {
    (void)name; (void)externalID; (void)systemID;
    saml_stream_of(ctx)->doctype = 1;
    xmlStopParser((xmlParserCtxtPtr)ctx);
}

static void saml_stream_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                                      const xmlChar *URI, int nb_namespaces, const xmlChar **namespaces,
                                      int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    saml_stream *stream = saml_stream_of(ctx);
    if (ctxt->nameNr + 1 > stream->max_depth) {
        stream->too_deep = 1;
        xmlStopParser(ctxt);
        return;
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, URI, nb_namespaces, namespaces, nb_attributes,
                          nb_defaulted, attributes);
}

saml_stream *saml_stream_create(const saml_prescan_limits *limits, size_t max_bytes, int max_depth) {
    saml_stream *stream = calloc(1, sizeof *stream);
    if (stream == NULL) return NULL;
    stream->max_bytes = max_bytes;
    stream->max_depth = max_depth > 0 ? max_depth : 256;
    stream->retry_at = 1;
    if (saml_prescan_begin(&stream->scan, limits, max_bytes) != SAML_PRESCAN_OK) {
        saml_prescan_end(&stream->scan);
        free(stream);
        return NULL;
    }
    return stream;
}

void saml_stream_free(saml_stream *stream) {
    if (stream == NULL) return;
    if (stream->parser != NULL) {
        if (stream->parser->myDoc != NULL) xmlFreeDoc(stream->parser->myDoc);
        stream->parser->myDoc = NULL;
        xmlFreeParserCtxt(stream->parser);
    }
    saml_prescan_end(&stream->scan);
    free(stream->pending);
    free(stream);
}

size_t saml_stream_received(const saml_stream *stream) { return stream->received; }
saml_prescan_result saml_stream_prescan_result(const saml_stream *stream) { return stream->scan.result; }
int saml_stream_parse_outcome(const saml_stream *stream) { return stream->parse_outcome; }
const char *saml_stream_message(const saml_stream *stream) { return stream->message; }

static int saml_stream_fail(saml_stream *stream, int status, const char *text) {
    stream->status = status;
    snprintf(stream->message, sizeof stream->message, "%s", text);
    return status;
}

/* Why libxml2 stopped, as saml_parse reports it; SAML_STREAM_OK while it has not. */
static int saml_stream_check_parser(saml_stream *stream) {
    xmlParserCtxtPtr ctxt = stream->parser;
    if (stream->doctype) {
        stream->parse_outcome = SAML_PARSE_DOCTYPE;
        return saml_stream_fail(stream, SAML_STREAM_PARSE, "the document carries a DOCTYPE declaration");
    }
    if (stream->too_deep) {
        stream->parse_outcome = SAML_PARSE_TOO_DEEP;
        char text[64];
        snprintf(text, sizeof text, "elements nest deeper than %d levels", stream->max_depth);
        return saml_stream_fail(stream, SAML_STREAM_PARSE, text);
    }
    if (ctxt->wellFormed && ctxt->nsWellFormed) return SAML_STREAM_OK;
    stream->parse_outcome = SAML_PARSE_MALFORMED;
    stream->status = SAML_STREAM_PARSE;
    xmlErrorPtr err = xmlCtxtGetLastError(ctxt);
    if (err != NULL && err->message != NULL) {
        snprintf(stream->message, sizeof stream->message, "line %d: %s", err->line, err->message);
        size_t n = strlen(stream->message);
        while (n > 0 && (stream->message[n - 1] == '\n' || stream->message[n - 1] == ' ')) stream->message[--n] = '\0';
    } else if (!ctxt->nsWellFormed) {
        snprintf(stream->message, sizeof stream->message, "the document is not namespace-well-formed");
    } else {
        snprintf(stream->message, sizeof stream->message, "the document is not well-formed XML");
    }
    return SAML_STREAM_PARSE;
}

/* Hands bytes the pre-scan passed to libxml2. */
static int saml_stream_parse(saml_stream *stream, const unsigned char *bytes, size_t length, int terminate) {
    if (stream->parser == NULL) {
        if (length == 0 && terminate) return SAML_STREAM_OK;
        xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL);
        if (ctxt == NULL) return saml_stream_fail(stream, SAML_STREAM_NO_MEMORY, "out of memory");
        ctxt->_private = stream;
        ctxt->sax->internalSubset = saml_stream_internal_subset;
        ctxt->sax->externalSubset = NULL;
        ctxt->sax->startElementNs = saml_stream_start_element;
        xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
        stream->parser = ctxt;
    }
    /* xmlParseChunk takes an int length */
    while (length > 0 || terminate) {
        int piece = length > (1 << 30) ? (1 << 30) : (int)length;
        int last = terminate && (size_t)piece == length;
        xmlParseChunk(stream->parser, (const char *)bytes, piece, last);
        int status = saml_stream_check_parser(stream);
        if (status != SAML_STREAM_OK) return status;
        bytes += piece;
        length -= (size_t)piece;
        if (last) break;
    }
    return SAML_STREAM_OK;
}

/* Scans `bytes` (the pending bytes or, when none are pending, the caller's) and parses what passed;
   keeps the unfinished rest pending. */
static int saml_stream_pump(saml_stream *stream, const unsigned char *bytes, size_t length, int final) {
    size_t scanned = 0;
    if (saml_prescan_feed(&stream->scan, bytes, length, final, &scanned) != SAML_PRESCAN_OK) {
        return saml_stream_fail(stream, SAML_STREAM_PRESCAN, "");
    }
    int status = saml_stream_parse(stream, bytes, scanned, 0);
    if (status != SAML_STREAM_OK) return status;
    size_t rest = length - scanned;
    if (rest > stream->pending_capacity) {
        size_t capacity = stream->pending_capacity ? stream->pending_capacity : 4096;
        while (capacity < rest) capacity *= 2;
        unsigned char *grown = malloc(capacity);
        if (grown == NULL) return saml_stream_fail(stream, SAML_STREAM_NO_MEMORY, "out of memory");
        memcpy(grown, bytes + scanned, rest);
        free(stream->pending);
        stream->pending = grown;
        stream->pending_capacity = capacity;
    } else if (rest > 0) {
        memmove(stream->pending, bytes + scanned, rest);
    }
    stream->pending_length = rest;
    /* an unfinished construct is scanned again only once the bytes held have doubled: linear overall */
    stream->retry_at = rest == 0 ? 1 : 2 * rest;
    return SAML_STREAM_OK;
}

int saml_stream_feed(saml_stream *stream, const unsigned char *bytes, size_t length) {
    if (stream->status != SAML_STREAM_OK) return stream->status;
    if (length > stream->max_bytes - stream->received) {
        stream->received += length;
        char text[96];
        snprintf(text, sizeof text, "more than %zu bytes", stream->max_bytes);
        return saml_stream_fail(stream, SAML_STREAM_TOO_LARGE, text);
    }
    stream->received += length;
    if (length == 0) return SAML_STREAM_OK;
    if (stream->pending_length == 0 && length >= stream->retry_at) {
        return saml_stream_pump(stream, bytes, length, 0);
    }
    size_t held = stream->pending_length + length;
    if (held > stream->pending_capacity) {
        size_t capacity = stream->pending_capacity ? stream->pending_capacity : 4096;
        while (capacity < held) capacity *= 2;
        unsigned char *grown = realloc(stream->pending, capacity);
        if (grown == NULL) return saml_stream_fail(stream, SAML_STREAM_NO_MEMORY, "out of memory");
        stream->pending = grown;
        stream->pending_capacity = capacity;
    }
    memcpy(stream->pending + stream->pending_length, bytes, length);
    stream->pending_length = held;
    if (held < stream->retry_at) return SAML_STREAM_OK;
    return saml_stream_pump(stream, stream->pending, held, 0);
}

int saml_stream_finish(saml_stream *stream, xmlDocPtr *document) {
    *document = NULL;
    if (stream->status != SAML_STREAM_OK) return stream->status;
    size_t scanned = 0;
    if (saml_prescan_feed(&stream->scan, stream->pending, stream->pending_length, 1, &scanned) != SAML_PRESCAN_OK) {
        return saml_stream_fail(stream, SAML_STREAM_PRESCAN, "");
    }
    int status = saml_stream_parse(stream, stream->pending, scanned, 1);
    if (status != SAML_STREAM_OK) return status;
    if (stream->parser == NULL || stream->parser->myDoc == NULL) {
        stream->parse_outcome = SAML_PARSE_MALFORMED;
        return saml_stream_fail(stream, SAML_STREAM_PARSE, "the document is not well-formed XML");
    }
    *document = stream->parser->myDoc;
    stream->parser->myDoc = NULL;
    return SAML_STREAM_OK;
}

void saml_document_free_large(xmlDocPtr doc) {
#if defined(__GLIBC__)
    /* The tree's millions of small chunks would wait in glibc's fast bins until the next large
       allocation merges them all at once, walking memory long out of cache (a quarter of the load's
       CPU for a 65 MB aggregate); without fast bins each is merged as it is freed. */
    mallopt(M_MXFAST, 0);
    xmlFreeDoc(doc);
    mallopt(M_MXFAST, (int)(64 * sizeof(size_t) / 4));  /* glibc's default */
#else
    xmlFreeDoc(doc);
#endif
}
