// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, whose per-call provider
// lookups cost several times the hash of a cookie-sized message; they remain the same code.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "CSAMLShims.h"

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

// HMAC-SHA256 (RFC 2104) over SHA-256 directly: H((K ^ opad) || H((K ^ ipad) || data)).
int saml_hmac_sha256(const unsigned char *key, size_t key_length, const unsigned char *data, size_t length,
                     unsigned char out[32]) {
    unsigned char block[SHA256_CBLOCK] = {0}, pad[SHA256_CBLOCK], inner[SHA256_DIGEST_LENGTH];
    SHA256_CTX context;
    int ok = 1;
    if (key_length > SHA256_CBLOCK) {
        ok = SHA256(key, key_length, block) != NULL;
    } else if (key_length > 0) {
        memcpy(block, key, key_length);
    }
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
    ok = ok && SHA256_Init(&context) && SHA256_Update(&context, pad, sizeof pad)
        && (length == 0 || SHA256_Update(&context, data, length)) && SHA256_Final(inner, &context);
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
    ok = ok && SHA256_Init(&context) && SHA256_Update(&context, pad, sizeof pad)
        && SHA256_Update(&context, inner, sizeof inner) && SHA256_Final(out, &context);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(&context, sizeof context);
    return ok ? 0 : -1;
}

int saml_constant_time_equal(const unsigned char *a, const unsigned char *b, size_t length) {
    return CRYPTO_memcmp(a, b, length) == 0 ? 1 : 0;
}
