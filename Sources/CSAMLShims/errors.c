/* Errors: libxml2 and xmlsec messages collected per thread, read once by the caller. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmlsec/errors.h>

#define SAML_ERROR_CAPACITY 1024
static _Thread_local char saml_error_buffer[SAML_ERROR_CAPACITY];
static _Thread_local size_t saml_error_length;
static _Thread_local int saml_thread_ready;

void saml_error_append(const char *text) {
    if (text == NULL || text[0] == '\0') return;
    size_t room = SAML_ERROR_CAPACITY - 1 - saml_error_length;
    if (room < 4) return;
    if (saml_error_length > 0) {
        saml_error_buffer[saml_error_length++] = ';';
        saml_error_buffer[saml_error_length++] = ' ';
        room -= 2;
    }
    size_t n = strlen(text);
    if (n > room) n = room;
    memcpy(saml_error_buffer + saml_error_length, text, n);
    saml_error_length += n;
    /* strip trailing newlines libxml2 likes to add */
    while (saml_error_length > 0 && (saml_error_buffer[saml_error_length - 1] == '\n' ||
                                     saml_error_buffer[saml_error_length - 1] == ' ')) {
        saml_error_length--;
    }
    saml_error_buffer[saml_error_length] = '\0';
}

void saml_xmlsec_error_callback(const char *file, int line, const char *func,
                                       const char *errorObject, const char *errorSubject,
                                       int reason, const char *msg) {
    (void)file; (void)line; (void)errorObject;
    char text[512];
    const char *reasonText = NULL;
    for (xmlSecSize i = 0; i < XMLSEC_ERRORS_MAX_NUMBER && xmlSecErrorsGetMsg(i) != NULL; i++) {
        if (xmlSecErrorsGetCode(i) == reason) { reasonText = xmlSecErrorsGetMsg(i); break; }
    }
    snprintf(text, sizeof text, "%s%s%s%s%s",
             reasonText ? reasonText : "error",
             (errorSubject && errorSubject[0]) ? " [" : "",
             (errorSubject && errorSubject[0]) ? errorSubject : "",
             (errorSubject && errorSubject[0]) ? "]" : "",
             "");
    if (msg && msg[0] && strcmp(msg, "NULL") != 0) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, ": %s", msg);
    }
    (void)func;
    saml_error_append(text);
}

void saml_libxml_structured_error(void *userData, xmlErrorPtr error) {
    (void)userData;
    if (error != NULL && error->message != NULL) saml_error_append(error->message);
}

void saml_libxml_generic_error(void *ctx, const char *msg, ...) {
    (void)ctx; (void)msg; /* libxml2's unstructured messages are fragments; dropped */
}

void saml_errors_reset(void) {
    if (!saml_thread_ready) {
        xmlSetGenericErrorFunc(NULL, saml_libxml_generic_error);
        xmlSetStructuredErrorFunc(NULL, saml_libxml_structured_error);
        saml_thread_ready = 1;
    }
    saml_error_length = 0;
    saml_error_buffer[0] = '\0';
}

const char *saml_errors_last(void) { return saml_error_buffer; }

void saml_xml_free(void *pointer) { if (pointer) xmlFree(pointer); }
void saml_buffer_free(void *buffer) { free(buffer); }
