#!/usr/bin/env python3
"""Does the time of a refusal tell a CBC padding failure from a parse failure?

The XML Encryption CBC attack on an unsigned Response needs one bit per request: was the
padding valid? Codes and messages are already uniform, so the remaining channel is time. This
benchmark builds, with the openssl CLI, ciphertexts of the fixture's assertion (same key, same IV,
same length) that differ only in that bit, and times `saml bench verify --expect-rejection
decryptionFailed` on each, interleaved over several rounds (median CPU us/op per class):

  padding-bad     block n-1 garbled, last byte of the padding invalid (0xa5)
  parse-bad       block n-1 garbled, padding valid: the plaintext does not parse
  padding-bad-ok  assertion intact, padding byte 17: the content would parse
  parse-ok-wrong  padding valid, a well-formed element that is not an Assertion

Usage: Benchmarks/decryption-timing.py SAML_BINARY [--iterations N] [--rounds R]
"""
import argparse, base64, os, re, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Fixtures", "generated")
FIXTURE = os.path.join(FIX, "responses", "encrypted", "assertion-signed-aes256-cbc-rsa-oaep-mgf1p.xml")


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def aes(decrypt, data, key, iv):
    return openssl("enc", "-d" if decrypt else "-e", "-aes-256-cbc", "-nopad", "-K", key.hex(), "-iv", iv.hex(), data=data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("saml")
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    xml = open(FIXTURE, encoding="utf-8").read()
    values = list(re.finditer(r"<xenc:CipherValue>([^<]*)</xenc:CipherValue>", xml))
    wrapped = base64.b64decode(values[0].group(1))
    body = base64.b64decode(values[1].group(1))
    with tempfile.TemporaryDirectory() as tmp:
        wrapped_file = os.path.join(tmp, "wrapped.bin")
        open(wrapped_file, "wb").write(wrapped)
        key = openssl("pkeyutl", "-decrypt", "-inkey", os.path.join(FIX, "keys", "sp-rsa.key.pem"),
                      "-pkeyopt", "rsa_padding_mode:oaep", "-in", wrapped_file)
        iv, cipher = body[:16], body[16:]
        padded = bytearray(aes(True, cipher, key, iv))
        blocks = len(padded) // 16
        garbage = os.urandom(16)

        def variant(name, plaintext):
            assert len(plaintext) % 16 == 0
            encrypted = iv + aes(False, bytes(plaintext), key, iv)
            start, end = values[1].span(1)
            path = os.path.join(tmp, name + ".xml")
            open(path, "w", encoding="utf-8").write(xml[:start] + base64.b64encode(encrypted).decode() + xml[end:])
            return path

        def garbled(last):
            p = bytearray(padded)
            p[(blocks - 2) * 16:(blocks - 1) * 16] = garbage
            p[-1] = last
            return p

        intact_bad = bytearray(padded)
        intact_bad[-1] = 17
        element = b"<saml:Issuer>" + b"x" * (len(padded) - 40) + b"</saml:Issuer>"
        element += bytes(16 - len(element) % 16 - 1) + bytes([16 - len(element) % 16])
        files = {
            "padding-bad": variant("padding-bad", garbled(0xA5)),
            "parse-bad": variant("parse-bad", garbled(padded[-1])),
            "padding-bad-ok": variant("padding-bad-ok", intact_bad),
            "parse-ok-wrong": variant("parse-ok-wrong", element),
        }
        common = ["bench", "verify", "--expect-rejection", "decryptionFailed", "--iterations", str(args.iterations),
                  "--idp-metadata", os.path.join(FIX, "idp-metadata.xml"), "--sp-entity-id", "https://sp.example.com/saml/acs",
                  "--acs-url", "https://sp.example.com/saml/acs", "--request-id", "_req-7c1f2c5e9b0a4d6e8f10",
                  "--now", "2026-01-15T10:01:00Z", "--sp-key", os.path.join(FIX, "keys", "sp-rsa.key.pem")]
        samples = {name: [] for name in files}
        for _ in range(args.rounds):
            for name, path in files.items():
                out = subprocess.run([args.saml, *common, path], capture_output=True, text=True)
                if out.returncode != 0:
                    sys.exit(f"{name}: saml bench failed: {out.stdout}{out.stderr}")
                cpu = re.search(r"cpu: [^\n]*?([0-9.]+) us/op", out.stdout) or re.search(r"([0-9.]+) us/op", out.stdout)
                samples[name].append(float(cpu.group(1)))
        print(f"plaintext {len(padded)} bytes, {args.iterations} iterations x {args.rounds} rounds, median CPU us/op")
        base = statistics.median(samples["parse-bad"])
        for name, values_ in samples.items():
            median = statistics.median(values_)
            print(f"{name:15s} {median:9.2f} us/op  ratio to parse-bad {median / base:5.3f}  (runs: {', '.join(f'{v:.1f}' for v in values_)})")


if __name__ == "__main__":
    main()
