/*
 * The byte-level pre-scan declared in CSAMLPreScan.h.
 *
 * The scanner follows just enough of the XML grammar to find every start tag, end tag and
 * attribute the parser will see: comments, processing instructions and CDATA sections are
 * skipped as wholes, attribute values are skipped to their closing quote (XML forbids `<` inside
 * them). Where the bytes cannot be XML the scan stops and the document is refused, so an input
 * can never make the scanner count less than libxml2 later parses. Every byte is visited a
 * bounded number of times: the cost is linear in the input, whatever its shape.
 */
#include "CSAMLPreScan.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *p;
    const unsigned char *end;
} saml_cursor;

static int saml_is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int saml_starts(const saml_cursor *c, const char *literal) {
    size_t n = strlen(literal);
    return (size_t)(c->end - c->p) >= n && memcmp(c->p, literal, n) == 0;
}

/* Moves past the first occurrence of `terminator`; 0 when it never occurs. */
static int saml_skip_past(saml_cursor *c, const char *terminator) {
    size_t n = strlen(terminator);
    while ((size_t)(c->end - c->p) >= n) {
        const unsigned char *hit = memchr(c->p, terminator[0], (size_t)(c->end - c->p) - n + 1);
        if (hit == NULL) break;
        if (memcmp(hit, terminator, n) == 0) { c->p = hit + n; return 1; }
        c->p = hit + 1;
    }
    c->p = c->end;
    return 0;
}

static void saml_skip_spaces(saml_cursor *c) {
    while (c->p < c->end && saml_is_space(*c->p)) c->p++;
}

/* A name ends at white space or one of the delimiters; returns its length. */
static size_t saml_scan_name(saml_cursor *c) {
    const unsigned char *start = c->p;
    while (c->p < c->end) {
        unsigned char ch = *c->p;
        if (saml_is_space(ch) || ch == '=' || ch == '>' || ch == '/' || ch == '<' || ch == '"' || ch == '\'') break;
        c->p++;
    }
    return (size_t)(c->p - start);
}

static int saml_ascii_case_equal(const unsigned char *a, size_t n, const char *b) {
    if (strlen(b) != n) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = a[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
        if (x != (unsigned char)b[i]) return 0;
    }
    return 1;
}

/* The XML declaration may name an encoding; only encodings in which markup bytes are ASCII
   bytes are accepted, so this scan reads the same structure libxml2 will. */
static int saml_check_declaration(const unsigned char *bytes, size_t length) {
    saml_cursor c = { bytes, bytes + length };
    if (!saml_starts(&c, "<?xml") || length < 6 || !saml_is_space(bytes[5])) return SAML_PRESCAN_OK;
    const unsigned char *start = c.p;
    if (!saml_skip_past(&c, "?>")) return SAML_PRESCAN_MALFORMED;
    const unsigned char *close = c.p - 2;
    saml_cursor d = { start + 5, close };
    while (d.p < d.end) {
        saml_skip_spaces(&d);
        if (d.p >= d.end) break;
        const unsigned char *name = d.p;
        size_t name_length = saml_scan_name(&d);
        if (name_length == 0) return SAML_PRESCAN_MALFORMED;
        saml_skip_spaces(&d);
        if (d.p >= d.end || *d.p != '=') return SAML_PRESCAN_MALFORMED;
        d.p++;
        saml_skip_spaces(&d);
        if (d.p >= d.end || (*d.p != '"' && *d.p != '\'')) return SAML_PRESCAN_MALFORMED;
        unsigned char quote = *d.p++;
        const unsigned char *value = d.p;
        const unsigned char *value_end = memchr(d.p, quote, (size_t)(d.end - d.p));
        if (value_end == NULL) return SAML_PRESCAN_MALFORMED;
        d.p = value_end + 1;
        if (name_length == 8 && memcmp(name, "encoding", 8) == 0) {
            size_t n = (size_t)(value_end - value);
            if (!saml_ascii_case_equal(value, n, "utf-8") && !saml_ascii_case_equal(value, n, "utf8") &&
                !saml_ascii_case_equal(value, n, "us-ascii") && !saml_ascii_case_equal(value, n, "ascii") &&
                !saml_ascii_case_equal(value, n, "iso-8859-1") && !saml_ascii_case_equal(value, n, "latin1")) {
                return SAML_PRESCAN_ENCODING;
            }
        }
    }
    return SAML_PRESCAN_OK;
}

static int saml_stop(saml_prescan_state *state, int outcome, const unsigned char *bytes,
                     const unsigned char *at, long observed) {
    state->result.outcome = outcome;
    state->result.offset = state->consumed + (size_t)(at - bytes);
    state->result.observed = observed;
    return outcome;
}

int saml_prescan_begin(saml_prescan_state *state, const saml_prescan_limits *limits, size_t max_length) {
    memset(state, 0, sizeof *state);
    state->limits = *limits;
    long max_depth = limits->max_depth > 0 ? limits->max_depth : 256;
    /* no document nests deeper than it has '<' bytes: bound the array by the input too */
    if ((size_t)max_depth > max_length / 2 + 1) max_depth = (long)(max_length / 2 + 1);
    state->max_depth = max_depth;
    state->declared = calloc((size_t)max_depth + 1, sizeof(long));
    if (state->declared == NULL) state->result.outcome = SAML_PRESCAN_MALFORMED;
    return state->result.outcome;
}

void saml_prescan_end(saml_prescan_state *state) {
    free(state->declared);
    state->declared = NULL;
}

int saml_prescan_feed(saml_prescan_state *state, const unsigned char *bytes, size_t length, int final,
                      size_t *scanned) {
    *scanned = 0;
    if (state->result.outcome != SAML_PRESCAN_OK) return state->result.outcome;
    const saml_prescan_limits *limits = &state->limits;
    size_t skip = 0;
    if (!state->started) {
        /* No byte-order mark other than UTF-8's; UTF-16/32 without one always hold a NUL byte. */
        if (length < 3 && !final) return SAML_PRESCAN_OK;
        if (length >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE))) {
            return saml_stop(state, SAML_PRESCAN_ENCODING, bytes, bytes, 0);
        }
    }
    const unsigned char *nul = memchr(bytes, 0, length);
    if (nul != NULL) return saml_stop(state, SAML_PRESCAN_MALFORMED, bytes, nul, 0);
    if (!state->started) {
        skip = (length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) ? 3 : 0;
        if (!final) {
            /* the declaration is checked once it is complete */
            saml_cursor d = { bytes + skip, bytes + length };
            if (length - skip < 6) return SAML_PRESCAN_OK;
            if (saml_starts(&d, "<?xml") && saml_is_space(bytes[skip + 5]) && !saml_skip_past(&d, "?>")) return SAML_PRESCAN_OK;
        }
        int declaration = saml_check_declaration(bytes + skip, length - skip);
        if (declaration != SAML_PRESCAN_OK) return saml_stop(state, declaration, bytes, bytes + skip, 0);
        state->started = 1;
    }

    long max_depth = state->max_depth;
    long *declared = state->declared;
    saml_cursor c = { bytes + skip, bytes + length };
    long depth = state->depth, elements = state->elements, in_scope = state->in_scope;
    long total_ancestors = state->total_ancestors, total_emitted = state->total_emitted;
    int seen_root = state->seen_root;
    int outcome = SAML_PRESCAN_OK;
    const unsigned char *at = c.p;
    const unsigned char *construct = c.p;   /* where the construct being scanned began */
    long elements_before = elements;
    long observed = 0;

    while (c.p < c.end) {
        construct = c.p;
        elements_before = elements;
        if (*c.p != '<') {
            const unsigned char *next = memchr(c.p, '<', (size_t)(c.end - c.p));
            const unsigned char *stop = next ? next : c.end;
            if (depth == 0) {
                /* outside the root only white space may stand */
                for (const unsigned char *q = c.p; q < stop; q++) {
                    if (!saml_is_space(*q)) { outcome = SAML_PRESCAN_MALFORMED; at = q; goto done; }
                }
            }
            c.p = stop;
            continue;
        }
        at = c.p;
        /* "<![CDATA[" is the longest opening that tells constructs apart */
        if (!final && (size_t)(c.end - c.p) < 9) goto more;
        if (saml_starts(&c, "<!--")) {
            c.p += 4;
            if (!saml_skip_past(&c, "-->")) { if (!final) goto more; outcome = SAML_PRESCAN_MALFORMED; goto done; }
            continue;
        }
        if (saml_starts(&c, "<?")) {
            c.p += 2;
            if (!saml_skip_past(&c, "?>")) { if (!final) goto more; outcome = SAML_PRESCAN_MALFORMED; goto done; }
            continue;
        }
        if (saml_starts(&c, "<![CDATA[")) {
            if (depth == 0) { outcome = SAML_PRESCAN_MALFORMED; goto done; }
            c.p += 9;
            if (!saml_skip_past(&c, "]]>")) { if (!final) goto more; outcome = SAML_PRESCAN_MALFORMED; goto done; }
            continue;
        }
        if (saml_starts(&c, "<!")) {
            outcome = saml_starts(&c, "<!DOCTYPE") ? SAML_PRESCAN_DOCTYPE : SAML_PRESCAN_MALFORMED;
            goto done;
        }
        if (saml_starts(&c, "</")) {
            c.p += 2;
            if (depth == 0) { outcome = SAML_PRESCAN_MALFORMED; goto done; }
            if (saml_scan_name(&c) == 0) { if (c.p >= c.end && !final) goto more; outcome = SAML_PRESCAN_MALFORMED; goto done; }
            saml_skip_spaces(&c);
            if (c.p >= c.end) { if (!final) goto more; outcome = SAML_PRESCAN_MALFORMED; goto done; }
            if (*c.p != '>') { outcome = SAML_PRESCAN_MALFORMED; goto done; }
            c.p++;
            in_scope -= declared[depth];
            declared[depth] = 0;
            depth--;
            continue;
        }
        /* a start tag */
        c.p++;
        if (depth == 0 && seen_root) { outcome = SAML_PRESCAN_MALFORMED; goto done; }
        if (saml_scan_name(&c) == 0) { if (c.p >= c.end && !final) goto more; outcome = SAML_PRESCAN_MALFORMED; goto done; }
        if (++elements > limits->max_elements) { outcome = SAML_PRESCAN_ELEMENTS; observed = elements; goto done; }
        long attributes = 0, namespaces = 0;
        /* exclusive c14n emits at an element only the namespaces its own name and its attributes use:
           the element's (or the default, or xmlns="") and one per prefixed attribute */
        long emitted = 1;
        int empty = 0;
        for (;;) {
            int spaced = 0;
            if (c.p < c.end && saml_is_space(*c.p)) { saml_skip_spaces(&c); spaced = 1; }
            if (c.p >= c.end) { if (!final) goto more; outcome = SAML_PRESCAN_MALFORMED; goto done; }
            if (*c.p == '>') { c.p++; break; }
            if (*c.p == '/') {
                if (c.p + 1 < c.end && c.p[1] == '>') { c.p += 2; empty = 1; break; }
                if (c.p + 1 >= c.end && !final) goto more;
                outcome = SAML_PRESCAN_MALFORMED; goto done;
            }
            if (!spaced) { outcome = SAML_PRESCAN_MALFORMED; goto done; }
            const unsigned char *name = c.p;
            size_t name_length = saml_scan_name(&c);
            if (name_length == 0) { outcome = SAML_PRESCAN_MALFORMED; goto done; }
            saml_skip_spaces(&c);
            if (c.p >= c.end) { if (!final) goto more; outcome = SAML_PRESCAN_MALFORMED; goto done; }
            if (*c.p != '=') { outcome = SAML_PRESCAN_MALFORMED; goto done; }
            c.p++;
            saml_skip_spaces(&c);
            if (c.p >= c.end) { if (!final) goto more; outcome = SAML_PRESCAN_MALFORMED; goto done; }
            if (*c.p != '"' && *c.p != '\'') { outcome = SAML_PRESCAN_MALFORMED; goto done; }
            unsigned char quote = *c.p++;
            const unsigned char *close = memchr(c.p, quote, (size_t)(c.end - c.p));
            if (close == NULL) {
                if (final) { outcome = SAML_PRESCAN_MALFORMED; goto done; }
                /* a value already longer than the limit is refused without waiting for its end */
                if ((long)(c.end - c.p) > limits->max_attribute_value_bytes) {
                    outcome = SAML_PRESCAN_ATTRIBUTE_VALUE; observed = (long)(c.end - c.p); at = name; goto done;
                }
                goto more;
            }
            if (memchr(c.p, '<', (size_t)(close - c.p)) != NULL) { outcome = SAML_PRESCAN_MALFORMED; goto done; }
            long value_length = (long)(close - c.p);
            c.p = close + 1;
            if (value_length > limits->max_attribute_value_bytes) {
                outcome = SAML_PRESCAN_ATTRIBUTE_VALUE; observed = value_length; at = name; goto done;
            }
            int is_namespace = (name_length == 5 && memcmp(name, "xmlns", 5) == 0) ||
                               (name_length > 6 && memcmp(name, "xmlns:", 6) == 0);
            if (is_namespace) {
                if (++namespaces > limits->max_namespace_declarations_per_element) {
                    outcome = SAML_PRESCAN_NAMESPACES; observed = namespaces; goto done;
                }
                if (in_scope + namespaces > limits->max_namespaces_in_scope) {
                    outcome = SAML_PRESCAN_NAMESPACES_IN_SCOPE; observed = in_scope + namespaces; goto done;
                }
            } else {
                if (++attributes > limits->max_attributes_per_element) {
                    outcome = SAML_PRESCAN_ATTRIBUTES; observed = attributes; goto done;
                }
                if (memchr(name, ':', name_length) != NULL) emitted++;
            }
        }
        seen_root = 1;
        total_ancestors += depth;
        if (total_ancestors > limits->max_total_ancestors) {
            outcome = SAML_PRESCAN_TOTAL_ANCESTORS; observed = total_ancestors; goto done;
        }
        total_emitted += emitted;
        if (total_emitted > limits->max_total_namespaces_emitted) {
            outcome = SAML_PRESCAN_TOTAL_NAMESPACES; observed = total_emitted; goto done;
        }
        if (!empty) {
            if (depth + 1 > max_depth) { outcome = SAML_PRESCAN_DEPTH; observed = depth + 1; goto done; }
            depth++;
            declared[depth] = namespaces;
            in_scope += namespaces;
        }
    }
    at = c.p;
    if (final && (depth != 0 || !seen_root)) outcome = SAML_PRESCAN_MALFORMED;
    goto done;
more:
    /* the construct at `construct` continues in bytes not given yet: scan it again with them */
    c.p = construct;
    elements = elements_before;
done:
    state->depth = depth;
    state->elements = elements;
    state->in_scope = in_scope;
    state->total_ancestors = total_ancestors;
    state->total_emitted = total_emitted;
    state->seen_root = seen_root;
    if (outcome != SAML_PRESCAN_OK) return saml_stop(state, outcome, bytes, at, observed);
    *scanned = (size_t)(c.p - bytes);
    state->consumed += *scanned;
    return SAML_PRESCAN_OK;
}

int saml_prescan(const unsigned char *bytes, size_t length, const saml_prescan_limits *limits,
                 saml_prescan_result *result) {
    saml_prescan_state state;
    size_t scanned = 0;
    if (saml_prescan_begin(&state, limits, length) == SAML_PRESCAN_OK) {
        saml_prescan_feed(&state, bytes, length, 1, &scanned);
    }
    saml_prescan_end(&state);
    *result = state.result;
    return result->outcome;
}
