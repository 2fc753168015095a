#!/usr/bin/env python3
"""Move the <xenc:EncryptedKey> out of <xenc:EncryptedData>/<ds:KeyInfo>.

  move_encrypted_key.py IN.xml OUT.xml

IN.xml is an xmlsec1 output where EncryptedData/KeyInfo holds the EncryptedKey directly.
In OUT.xml the EncryptedKey (Id="_ek1", with a ReferenceList pointing at EncryptedData
Id="_ed1") is the next sibling of EncryptedData inside <saml:EncryptedAssertion>, and
EncryptedData/KeyInfo only holds
  <ds:RetrievalMethod Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey" URI="#_ek1"/>
This is the layout used by OpenSAML/Shibboleth-based IdPs. Text edit only; the encrypted
bytes are untouched.
"""
import re
import sys

src, dst = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()

ek_start = text.index("<xenc:EncryptedKey>")
ek_end = text.index("</xenc:EncryptedKey>") + len("</xenc:EncryptedKey>")
ek = text[ek_start:ek_end]
# drop the line holding the EncryptedKey from the KeyInfo, put a RetrievalMethod there instead
line_start = text.rindex("\n", 0, ek_start) + 1
indent = text[line_start:ek_start]
text = (text[:line_start] + indent
        + '<ds:RetrievalMethod Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey" URI="#_ek1"/>'
        + text[ek_end:])

text = text.replace("<xenc:EncryptedData ", '<xenc:EncryptedData Id="_ed1" ', 1)

ek = ek.replace(
    "<xenc:EncryptedKey>",
    '<xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"'
    ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="_ek1">', 1)
# re-indent from the KeyInfo depth to the EncryptedData depth
ed_line = text.rindex("\n", 0, text.index("<xenc:EncryptedData ")) + 1
ed_indent = text[ed_line:text.index("<xenc:EncryptedData ")]
ek = re.sub("\n" + re.escape(indent), "\n" + ed_indent, ek)
ek = ek.replace(
    "</xenc:EncryptedKey>",
    f'  <xenc:ReferenceList>\n{ed_indent}    <xenc:DataReference URI="#_ed1"/>\n'
    f"{ed_indent}  </xenc:ReferenceList>\n{ed_indent}</xenc:EncryptedKey>")

ed_end = text.index("</xenc:EncryptedData>") + len("</xenc:EncryptedData>")
text = text[:ed_end] + "\n" + ed_indent + ek + text[ed_end:]
open(dst, "w", encoding="utf-8").write(text)
