#!/usr/bin/env python3
"""XML-Encryption of the <saml:Assertion> with AES-256-GCM and RSA-OAEP (SHA-256, MGF1-SHA-256).

xmlsec1 1.2.x cannot produce the XML Encryption 1.1 key transport
http://www.w3.org/2009/xmlenc11#rsa-oaep with a SHA-256 digest and MGF1-SHA-256, so this
fixture is built here with the `cryptography` package.

  encrypt_oaep256.py encrypt IN.xml SP_CERT.pem OUT.xml
      IN.xml holds exactly one <saml:Assertion>...</saml:Assertion> element that declares all
      namespaces it uses; that element's bytes are replaced by <xenc:EncryptedData>.
  encrypt_oaep256.py decrypt IN.xml SP_KEY.pem OUT.xml
      Reverse operation (round-trip check): replaces the <xenc:EncryptedData> element by the
      decrypted plaintext.

AES-GCM output follows XML Encryption 1.1: CipherValue = base64(IV(12 bytes) || ciphertext || tag(16 bytes)).
"""
import base64
import os
import re
import sys
import xml.etree.ElementTree as ET

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

XENC = "http://www.w3.org/2001/04/xmlenc#"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def wrap64(data, indent):
    b = base64.b64encode(data).decode()
    return "\n".join(b[i:i + 64] for i in range(0, len(b), 64))


def encrypt(src, cert_path, dst):
    text = open(src, encoding="utf-8").read()
    start = text.index("<saml:Assertion ")
    end = text.index("</saml:Assertion>", start) + len("</saml:Assertion>")
    plaintext = text[start:end].encode("utf-8")

    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    cek = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(12)
    sealed = iv + AESGCM(cek).encrypt(iv, plaintext, None)  # ciphertext || 16-byte tag
    wrapped_key = cert.public_key().encrypt(cek, OAEP)
    cert_b64 = wrap64(cert.public_bytes(serialization.Encoding.DER), "")

    i = "    "  # indentation of the replaced element inside <saml:EncryptedAssertion>
    enc = (
        f'<xenc:EncryptedData xmlns:xenc="{XENC}" Type="{XENC}Element">\n'
        f'{i}  <xenc:EncryptionMethod Algorithm="{XENC11}aes256-gcm"/>\n'
        f'{i}  <ds:KeyInfo xmlns:ds="{DS}">\n'
        f'{i}    <xenc:EncryptedKey>\n'
        f'{i}      <xenc:EncryptionMethod Algorithm="{XENC11}rsa-oaep">\n'
        f'{i}        <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>\n'
        f'{i}        <xenc11:MGF xmlns:xenc11="{XENC11}" Algorithm="{XENC11}mgf1sha256"/>\n'
        f'{i}      </xenc:EncryptionMethod>\n'
        f'{i}      <ds:KeyInfo>\n'
        f'{i}        <ds:X509Data>\n'
        f'{i}          <ds:X509Certificate>{cert_b64}\n</ds:X509Certificate>\n'
        f'{i}        </ds:X509Data>\n'
        f'{i}      </ds:KeyInfo>\n'
        f'{i}      <xenc:CipherData>\n'
        f'{i}        <xenc:CipherValue>{wrap64(wrapped_key, "")}</xenc:CipherValue>\n'
        f'{i}      </xenc:CipherData>\n'
        f'{i}    </xenc:EncryptedKey>\n'
        f'{i}  </ds:KeyInfo>\n'
        f'{i}  <xenc:CipherData>\n'
        f'{i}    <xenc:CipherValue>{wrap64(sealed, "")}</xenc:CipherValue>\n'
        f'{i}  </xenc:CipherData>\n'
        f'{i}</xenc:EncryptedData>'
    )
    open(dst, "w", encoding="utf-8").write(text[:start] + enc + text[end:])


def decrypt(src, key_path, dst):
    text = open(src, encoding="utf-8").read()
    start = text.index("<xenc:EncryptedData ")
    end = text.index("</xenc:EncryptedData>", start) + len("</xenc:EncryptedData>")
    el = ET.fromstring(text[start:end])
    ns = {"xenc": XENC, "ds": DS, "xenc11": XENC11}
    if el.find("xenc:EncryptionMethod", ns).get("Algorithm") != XENC11 + "aes256-gcm":
        raise SystemExit("unexpected data encryption method")
    em = el.find("ds:KeyInfo/xenc:EncryptedKey/xenc:EncryptionMethod", ns)
    if (em.get("Algorithm") != XENC11 + "rsa-oaep"
            or em.find("ds:DigestMethod", ns).get("Algorithm") != "http://www.w3.org/2001/04/xmlenc#sha256"
            or em.find("xenc11:MGF", ns).get("Algorithm") != XENC11 + "mgf1sha256"):
        raise SystemExit("unexpected key transport parameters")
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), password=None)
    wrapped = base64.b64decode(re.sub(r"\s", "", el.find("ds:KeyInfo/xenc:EncryptedKey/xenc:CipherData/xenc:CipherValue", ns).text))
    cek = key.decrypt(wrapped, OAEP)
    sealed = base64.b64decode(re.sub(r"\s", "", el.find("xenc:CipherData/xenc:CipherValue", ns).text))
    plaintext = AESGCM(cek).decrypt(sealed[:12], sealed[12:], None)
    open(dst, "w", encoding="utf-8").write(text[:start] + plaintext.decode("utf-8") + text[end:])


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("encrypt", "decrypt"):
        raise SystemExit(__doc__)
    (encrypt if sys.argv[1] == "encrypt" else decrypt)(*sys.argv[2:])
