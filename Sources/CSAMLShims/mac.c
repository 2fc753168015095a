#include "CSAMLShims.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

int saml_hmac_sha256(const unsigned char *key, size_t key_length, const unsigned char *data, size_t length,
                     unsigned char out[32]) {
    unsigned int n = 32;
    if (key_length > 0x7fffffff) return -1;
    return HMAC(EVP_sha256(), key, (int)key_length, data, length, out, &n) != NULL && n == 32 ? 0 : -1;
}

int saml_constant_time_equal(const unsigned char *a, const unsigned char *b, size_t length) {
    return CRYPTO_memcmp(a, b, length) == 0 ? 1 : 0;
}
