#!/usr/bin/env python3
"""XML-Encryption of the <saml:Assertion> with AES-256-CBC and RSA-OAEP (SHA-512 digest, MGF1-SHA-256).

xmlsec1 1.2.x cannot produce the XML Encryption 1.1 key transport
http://www.w3.org/2009/xmlenc11#rsa-oaep with DigestMethod xmlenc#sha512 and
MGF xmlenc11#mgf1sha256 (digest and mask-generation hash differ on purpose), so this fixture
is built here with the `cryptography` package.

  encrypt_oaep_sha512.py encrypt IN.xml SP_CERT.pem OUT.xml
      IN.xml holds exactly one <saml:Assertion>...</saml:Assertion> element that declares all
      namespaces it uses; that element's bytes are replaced by <xenc:EncryptedData>.
  encrypt_oaep_sha512.py decrypt IN.xml SP_KEY.pem OUT.xml
      Reverse operation (round-trip check): replaces the <xenc:EncryptedData> element by the
      decrypted plaintext, after checking the algorithm URIs.

AES-CBC output follows XML Encryption: CipherValue = base64(IV(16 bytes) || ciphertext), the
plaintext padded to the block size with n bytes whose last byte is n (here PKCS#7, all bytes n).
"""
import base64
import os
import re
import sys
import xml.etree.ElementTree as ET

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

XENC = "http://www.w3.org/2001/04/xmlenc#"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"

DATA_ALG = XENC + "aes256-cbc"
KEY_ALG = XENC11 + "rsa-oaep"
DIGEST_ALG = XENC + "sha512"
MGF_ALG = XENC11 + "mgf1sha256"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA512(), label=None)


def wrap64(data):
    b = base64.b64encode(data).decode()
    return "\n".join(b[i:i + 64] for i in range(0, len(b), 64))


def encrypt(src, cert_path, dst):
    text = open(src, encoding="utf-8").read()
    start = text.index("<saml:Assertion ")
    end = text.index("</saml:Assertion>", start) + len("</saml:Assertion>")
    plaintext = text[start:end].encode("utf-8")

    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    cek = os.urandom(32)
    iv = os.urandom(16)
    n = 16 - len(plaintext) % 16
    padded = plaintext + bytes([n]) * n
    enc = Cipher(algorithms.AES(cek), modes.CBC(iv)).encryptor()
    sealed = iv + enc.update(padded) + enc.finalize()
    wrapped_key = cert.public_key().encrypt(cek, OAEP)
    cert_b64 = wrap64(cert.public_bytes(serialization.Encoding.DER))

    i = "    "  # indentation of the replaced element inside <saml:EncryptedAssertion>
    out = (
        f'<xenc:EncryptedData xmlns:xenc="{XENC}" Type="{XENC}Element">\n'
        f'{i}  <xenc:EncryptionMethod Algorithm="{DATA_ALG}"/>\n'
        f'{i}  <ds:KeyInfo xmlns:ds="{DS}">\n'
        f'{i}    <xenc:EncryptedKey>\n'
        f'{i}      <xenc:EncryptionMethod Algorithm="{KEY_ALG}">\n'
        f'{i}        <ds:DigestMethod Algorithm="{DIGEST_ALG}"/>\n'
        f'{i}        <xenc11:MGF xmlns:xenc11="{XENC11}" Algorithm="{MGF_ALG}"/>\n'
        f'{i}      </xenc:EncryptionMethod>\n'
        f'{i}      <ds:KeyInfo>\n'
        f'{i}        <ds:X509Data>\n'
        f'{i}          <ds:X509Certificate>{cert_b64}\n</ds:X509Certificate>\n'
        f'{i}        </ds:X509Data>\n'
        f'{i}      </ds:KeyInfo>\n'
        f'{i}      <xenc:CipherData>\n'
        f'{i}        <xenc:CipherValue>{wrap64(wrapped_key)}</xenc:CipherValue>\n'
        f'{i}      </xenc:CipherData>\n'
        f'{i}    </xenc:EncryptedKey>\n'
        f'{i}  </ds:KeyInfo>\n'
        f'{i}  <xenc:CipherData>\n'
        f'{i}    <xenc:CipherValue>{wrap64(sealed)}</xenc:CipherValue>\n'
        f'{i}  </xenc:CipherData>\n'
        f'{i}</xenc:EncryptedData>'
    )
    open(dst, "w", encoding="utf-8").write(text[:start] + out + text[end:])


def decrypt(src, key_path, dst):
    text = open(src, encoding="utf-8").read()
    start = text.index("<xenc:EncryptedData ")
    end = text.index("</xenc:EncryptedData>", start) + len("</xenc:EncryptedData>")
    el = ET.fromstring(text[start:end])
    ns = {"xenc": XENC, "ds": DS, "xenc11": XENC11}
    if el.find("xenc:EncryptionMethod", ns).get("Algorithm") != DATA_ALG:
        raise SystemExit("unexpected data encryption method")
    em = el.find("ds:KeyInfo/xenc:EncryptedKey/xenc:EncryptionMethod", ns)
    if (em.get("Algorithm") != KEY_ALG
            or em.find("ds:DigestMethod", ns).get("Algorithm") != DIGEST_ALG
            or em.find("xenc11:MGF", ns).get("Algorithm") != MGF_ALG):
        raise SystemExit("unexpected key transport parameters")
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), password=None)
    wrapped = base64.b64decode(re.sub(r"\s", "", el.find("ds:KeyInfo/xenc:EncryptedKey/xenc:CipherData/xenc:CipherValue", ns).text))
    cek = key.decrypt(wrapped, OAEP)
    sealed = base64.b64decode(re.sub(r"\s", "", el.find("xenc:CipherData/xenc:CipherValue", ns).text))
    dec = Cipher(algorithms.AES(cek), modes.CBC(sealed[:16])).decryptor()
    padded = dec.update(sealed[16:]) + dec.finalize()
    n = padded[-1]
    if not 1 <= n <= 16:
        raise SystemExit("bad padding")
    plaintext = padded[:-n]
    open(dst, "w", encoding="utf-8").write(text[:start] + plaintext.decode("utf-8") + text[end:])


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("encrypt", "decrypt"):
        raise SystemExit(__doc__)
    (encrypt if sys.argv[1] == "encrypt" else decrypt)(*sys.argv[2:])
