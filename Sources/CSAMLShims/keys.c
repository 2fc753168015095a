/* Keys and certificates: X.509 reading, PEM private keys, EVP signing and verification. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <xmlsec/openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static int64_t saml_asn1_time(const ASN1_TIME *t) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return (int64_t)timegm(&tm);
}

static void saml_name(X509_NAME *name, char *out, size_t capacity) {
    out[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return;
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    int n = BIO_read(bio, out, (int)capacity - 1);
    out[n > 0 ? n : 0] = '\0';
    BIO_free(bio);
}

static int saml_pkey_type(EVP_PKEY *pkey, int *bits, char *curve, size_t curve_capacity) {
    if (bits) *bits = EVP_PKEY_bits(pkey);
    if (curve && curve_capacity) curve[0] = '\0';
    switch (EVP_PKEY_base_id(pkey)) {
    case EVP_PKEY_RSA: return SAML_KEY_RSA;
    case EVP_PKEY_EC:
        if (curve) {
            size_t len = 0;
            EVP_PKEY_get_utf8_string_param(pkey, "group", curve, curve_capacity, &len);
        }
        return SAML_KEY_EC;
    default: return SAML_KEY_OTHER;
    }
}

int saml_certificate_read(const unsigned char *der, int length, saml_certificate_info *info) {
    memset(info, 0, sizeof *info);
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, length);
    if (cert == NULL) return -1;
    if (p != der + length) { X509_free(cert); return -1; }
    saml_name(X509_get_subject_name(cert), info->subject, sizeof info->subject);
    saml_name(X509_get_issuer_name(cert), info->issuer, sizeof info->issuer);
    info->not_before = saml_asn1_time(X509_get0_notBefore(cert));
    info->not_after = saml_asn1_time(X509_get0_notAfter(cert));
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    if (pkey != NULL) info->key_type = saml_pkey_type(pkey, &info->key_bits, info->curve, sizeof info->curve);
    saml_sha256(der, (size_t)length, info->sha256);
    const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    if (bn != NULL) {
        char *hex = BN_bn2hex(bn);
        if (hex) { snprintf(info->serial, sizeof info->serial, "%s", hex); OPENSSL_free(hex); }
        BN_free(bn);
    }
    X509_free(cert);
    return 0;
}

xmlSecKeyPtr saml_public_key_from_certificate(const unsigned char *der, int length) {
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, length);
    if (cert == NULL) return NULL;
    EVP_PKEY *pkey = X509_get_pubkey(cert); /* a new reference */
    X509_free(cert);
    if (pkey == NULL) return NULL;
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (data == NULL) { EVP_PKEY_free(pkey); return NULL; }
    xmlSecKeyPtr key = xmlSecKeyCreate();
    if (key == NULL) { xmlSecKeyDataDestroy(data); return NULL; }
    if (xmlSecKeySetValue(key, data) < 0) { xmlSecKeyDataDestroy(data); xmlSecKeyDestroy(key); return NULL; }
    return key;
}

static int saml_password_callback(char *buf, int size, int rwflag, void *userdata) {
    (void)rwflag;
    const char *pass = (const char *)userdata;
    if (pass == NULL) return -1; /* never prompt */
    int n = (int)strlen(pass);
    if (n > size) n = size;
    memcpy(buf, pass, (size_t)n);
    return n;
}

void *saml_private_key_read_pem(const char *pem, int length, const char *passphrase) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return NULL;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, saml_password_callback, (void *)passphrase);
    BIO_free(bio);
    if (pkey == NULL) {
        unsigned long e = ERR_peek_last_error();
        char text[256];
        ERR_error_string_n(e, text, sizeof text);
        saml_error_append(text);
        ERR_clear_error();
    }
    return pkey;
}

int saml_evp_key_type(void *pkey, int *bits) {
    return saml_pkey_type((EVP_PKEY *)pkey, bits, NULL, 0);
}

int saml_evp_matches_certificate(void *pkey, const unsigned char *der, int length) {
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, length);
    if (cert == NULL) return -1;
    int rc = EVP_PKEY_eq(X509_get0_pubkey(cert), (EVP_PKEY *)pkey);
    X509_free(cert);
    return rc == 1 ? 1 : 0;
}

xmlSecKeyPtr saml_xmlsec_key_from_evp(void *pkey) {
    EVP_PKEY *key = (EVP_PKEY *)pkey;
    if (EVP_PKEY_up_ref(key) != 1) return NULL;
    xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(key);
    if (data == NULL) { EVP_PKEY_free(key); return NULL; }
    xmlSecKeyPtr result = xmlSecKeyCreate();
    if (result == NULL) { xmlSecKeyDataDestroy(data); return NULL; }
    if (xmlSecKeySetValue(result, data) < 0) { xmlSecKeyDataDestroy(data); xmlSecKeyDestroy(result); return NULL; }
    return result;
}

void saml_evp_free(void *pkey) { EVP_PKEY_free((EVP_PKEY *)pkey); }
void saml_key_destroy(xmlSecKeyPtr key) { if (key) xmlSecKeyDestroy(key); }

const EVP_MD *saml_digest(int bits) {
    switch (bits) {
    case SAML_DIGEST_SHA1: return EVP_sha1();
    case SAML_DIGEST_SHA256: return EVP_sha256();
    case SAML_DIGEST_SHA384: return EVP_sha384();
    case SAML_DIGEST_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

int saml_ec_field_bytes(EVP_PKEY *pkey) { return (EVP_PKEY_bits(pkey) + 7) / 8; }

int saml_evp_sign(void *pkeyPointer, int digest_bits, const unsigned char *data, size_t length,
                  unsigned char *signature, size_t capacity) {
    EVP_PKEY *pkey = (EVP_PKEY *)pkeyPointer;
    const EVP_MD *md = saml_digest(digest_bits);
    if (md == NULL) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return -1;
    unsigned char der[1024];
    size_t der_length = sizeof der;
    int ok = EVP_DigestSignInit(ctx, NULL, md, NULL, pkey) == 1 &&
             EVP_DigestSign(ctx, der, &der_length, data, length) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) { ERR_clear_error(); return -1; }
    if (EVP_PKEY_base_id(pkey) == EVP_PKEY_EC) {
        /* XML Signature (and the SAML redirect binding) carry ECDSA as r || s. */
        const unsigned char *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_length);
        if (sig == NULL) return -1;
        int field = saml_ec_field_bytes(pkey);
        if ((size_t)(2 * field) > capacity) { ECDSA_SIG_free(sig); return -1; }
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), signature, field);
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), signature + field, field);
        ECDSA_SIG_free(sig);
        return 2 * field;
    }
    if (der_length > capacity) return -1;
    memcpy(signature, der, der_length);
    return (int)der_length;
}

int saml_evp_verify_with_certificate(const unsigned char *certificate, int certificate_length, int digest_bits,
                                     const unsigned char *data, size_t length,
                                     const unsigned char *signature, size_t signature_length) {
    const unsigned char *p = certificate;
    X509 *cert = d2i_X509(NULL, &p, certificate_length);
    if (cert == NULL) return -1;
    EVP_PKEY *pkey = X509_get0_pubkey(cert);
    const EVP_MD *md = saml_digest(digest_bits);
    if (pkey == NULL || md == NULL) { X509_free(cert); return -1; }
    unsigned char der[1024];
    const unsigned char *sig = signature;
    size_t sig_length = signature_length;
    if (EVP_PKEY_base_id(pkey) == EVP_PKEY_EC) {
        int field = saml_ec_field_bytes(pkey);
        if (signature_length != (size_t)(2 * field)) { X509_free(cert); return 0; }
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(signature, field, NULL), *s = BN_bin2bn(signature + field, field, NULL);
        ECDSA_SIG_set0(es, r, s);
        unsigned char *out = der;
        int n = i2d_ECDSA_SIG(es, &out);
        ECDSA_SIG_free(es);
        if (n <= 0) { X509_free(cert); return -1; }
        sig = der;
        sig_length = (size_t)n;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    if (ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1) {
        rc = EVP_DigestVerify(ctx, sig, sig_length, data, length) == 1 ? 1 : 0;
    }
    EVP_MD_CTX_free(ctx);
    X509_free(cert);
    ERR_clear_error();
    return rc;
}

void saml_sha256(const unsigned char *data, size_t length, unsigned char out[32]) {
    unsigned int n = 32;
    EVP_Digest(data, length, out, &n, EVP_sha256(), NULL);
}

int saml_random(unsigned char *out, int length) {
    return RAND_bytes(out, length) == 1 ? 0 : -1;
}
