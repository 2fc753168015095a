/* Key pair generation (see CSAMLKeyGeneration.h). */
#include "CSAMLKeyGeneration.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* The PEM text a BIO holds, as a new NUL-terminated buffer (NULL on failure). */
static char *saml_bio_text(BIO *bio) {
    char *data = NULL;
    long length = BIO_get_mem_data(bio, &data);
    if (length <= 0 || data == NULL) return NULL;
    char *copy = malloc((size_t)length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, data, (size_t)length);
    copy[length] = '\0';
    return copy;
}

static int saml_add_extension(X509 *cert, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (extension == NULL) return -1;
    int ok = X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
    return ok == 1 ? 0 : -1;
}

int saml_generate_key_pair(int bits, const char *common_name, int days, char **key_pem, char **cert_pem) {
    if (bits < 2048 || bits > 8192 || days < 1 || days > 36500 || common_name == NULL || key_pem == NULL || cert_pem == NULL) {
        return -1;
    }
    int result = -1;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    BIGNUM *serial = NULL;
    BIO *key_bio = NULL, *cert_bio = NULL;
    char *key_text = NULL, *cert_text = NULL;

    EVP_PKEY_CTX *keygen = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (keygen == NULL || EVP_PKEY_keygen_init(keygen) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(keygen, bits) != 1 ||
        EVP_PKEY_generate(keygen, &key) != 1) {
        goto done;
    }
    cert = X509_new();
    serial = BN_new();
    if (cert == NULL || serial == NULL || X509_set_version(cert, 2) != 1) goto done;
    /* a positive 127-bit serial */
    if (BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) == NULL) {
        goto done;
    }
    if (X509_gmtime_adj(X509_getm_notBefore(cert), 0) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400L) == NULL || X509_set_pubkey(cert, key) != 1) {
        goto done;
    }
    X509_NAME *name = X509_get_subject_name(cert);
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert, name) != 1) {
        goto done;
    }
    if (saml_add_extension(cert, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
        saml_add_extension(cert, NID_key_usage, "critical,digitalSignature,keyEncipherment") != 0 ||
        saml_add_extension(cert, NID_subject_key_identifier, "hash") != 0) {
        goto done;
    }
    if (X509_sign(cert, key, EVP_sha256()) <= 0) goto done;

    key_bio = BIO_new(BIO_s_mem());
    cert_bio = BIO_new(BIO_s_mem());
    if (key_bio == NULL || cert_bio == NULL || PEM_write_bio_PrivateKey(key_bio, key, NULL, NULL, 0, NULL, NULL) != 1 ||
        PEM_write_bio_X509(cert_bio, cert) != 1) {
        goto done;
    }
    key_text = saml_bio_text(key_bio);
    cert_text = saml_bio_text(cert_bio);
    if (key_text == NULL || cert_text == NULL) goto done;
    *key_pem = key_text;
    *cert_pem = cert_text;
    key_text = cert_text = NULL;
    result = 0;
done:
    if (key_text != NULL) {
        OPENSSL_cleanse(key_text, strlen(key_text));
        free(key_text);
    }
    free(cert_text);
    BIO_free(key_bio);
    BIO_free(cert_bio);
    BN_free(serial);
    X509_free(cert);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(keygen);
    return result;
}

void saml_key_generation_free(char *buffer) {
    if (buffer == NULL) return;
    OPENSSL_cleanse(buffer, strlen(buffer));
    free(buffer);
}
