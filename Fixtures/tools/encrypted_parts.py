#!/usr/bin/env python3
"""Text helpers for fixtures where single SAML elements (not the Assertion) are encrypted.

  encrypted_parts.py plaintext IN.xml SELECTOR OUT
      Writes the bytes of the element SELECTOR of IN.xml (no trailing newline), with the
      namespace declarations it needs added to its start tag (xmlns:saml always; xmlns:xs and
      xmlns:xsi when it uses xsi:type="xs:..."), so that it is self-contained once encrypted.

  encrypted_parts.py replace IN.xml SELECTOR WRAPPER ENCDATA.xml OUT.xml
      Replaces the element SELECTOR of IN.xml by <saml:WRAPPER> holding the
      <xenc:EncryptedData> element of ENCDATA.xml (an `xmlsec1 --encrypt` output; its XML
      declaration is dropped). WRAPPER "-" means no wrapper (the element is replaced by the
      EncryptedData alone, e.g. inside an existing <saml:EncryptedAssertion>).

  encrypted_parts.py restore IN.xml PLAIN1 [PLAIN2 ...] OUT.xml
      Replaces the n-th <xenc:EncryptedData> element of IN.xml by the bytes of PLAINn: the
      document `xmlsec1 --decrypt` must give back (used as the expected round-trip result).

SELECTOR: nameid (the first <saml:NameID>), attribute:NAME (the <saml:Attribute Name="NAME">)
or assertion (the <saml:Assertion>). Text edits only, so every other byte stays as it is.
"""
import sys

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def locate(text, selector):
    """Returns (start, end) of the element's bytes, from '<' of the start tag to '>' of the end tag."""
    if selector == "nameid":
        open_tag, close_tag = "<saml:NameID ", "</saml:NameID>"
    elif selector == "assertion":
        open_tag, close_tag = "<saml:Assertion ", "</saml:Assertion>"
    elif selector.startswith("attribute:"):
        open_tag, close_tag = f'<saml:Attribute Name="{selector[len("attribute:"):]}"', "</saml:Attribute>"
    else:
        raise SystemExit(f"unknown selector {selector!r}")
    if text.count(open_tag) != 1:
        raise SystemExit(f"{selector}: expected exactly one {open_tag!r}, found {text.count(open_tag)}")
    start = text.index(open_tag)
    end = text.index(close_tag, start) + len(close_tag)
    return start, end


def plaintext(src, selector, dst):
    text = read(src)
    start, end = locate(text, selector)
    element = text[start:end]
    name_end = element.index(" ")  # after "<saml:NameID" / "<saml:Attribute"
    decls = f' xmlns:saml="{SAML}"'
    if 'xsi:type="xs:' in element:
        decls += f' xmlns:xs="{XS}" xmlns:xsi="{XSI}"'
    if "xmlns:saml=" in element[:element.index(">")]:
        decls = ""
    write(dst, element[:name_end] + decls + element[name_end:])


def encrypted_data(path):
    text = read(path)
    start = text.index("<xenc:EncryptedData ")
    end = text.index("</xenc:EncryptedData>", start) + len("</xenc:EncryptedData>")
    return text[start:end]


def replace(src, selector, wrapper, enc_path, dst):
    text = read(src)
    start, end = locate(text, selector)
    line_start = text.rindex("\n", 0, start) + 1
    indent = text[line_start:start]
    enc = encrypted_data(enc_path)
    if wrapper == "-":
        new = enc
    else:
        new = f"<saml:{wrapper}>\n{indent}  {enc}\n{indent}</saml:{wrapper}>"
    write(dst, text[:start] + new + text[end:])


def restore(src, plains, dst):
    text = read(src)
    out, pos = [], 0
    for plain in plains:
        start = text.index("<xenc:EncryptedData ", pos)
        end = text.index("</xenc:EncryptedData>", start) + len("</xenc:EncryptedData>")
        out.append(text[pos:start])
        out.append(read(plain))
        pos = end
    if "<xenc:EncryptedData " in text[pos:]:
        raise SystemExit("more EncryptedData elements than plaintexts")
    out.append(text[pos:])
    write(dst, "".join(out))


def main(argv):
    if len(argv) == 5 and argv[1] == "plaintext":
        plaintext(*argv[2:])
    elif len(argv) == 7 and argv[1] == "replace":
        replace(*argv[2:])
    elif len(argv) >= 5 and argv[1] == "restore":
        restore(argv[2], argv[3:-1], argv[-1])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
