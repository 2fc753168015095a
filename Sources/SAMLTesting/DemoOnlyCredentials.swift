public import SAMLCore

/// Keys and certificates for demos and tests ONLY.
///
/// They are published in this package's source code, so anyone can sign as these "identities":
/// never trust them outside a test or a local demo, and never configure a production SP with
/// them. The certificates are self-signed, valid for twenty years from November 2026, and their
/// subjects say `DEMO ONLY`.
///
/// Made with OpenSSL 3 (`openssl req -x509 -newkey rsa:2048 -nodes -days 7300 -subj "/CN=DEMO ONLY …"`,
/// and `-newkey ec -pkeyopt ec_paramgen_curve:P-256` for the EC pair).
public enum DemoOnlyCredentials {
    /// The demo IdP's RSA-2048 private key. DEMO ONLY: published, never secret.
    public static let idpRSAPrivateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC68tT48DyQxzGx
        xRZ9eedLkVGmE/0IL3yNgtZ6LJ3HJBriXjqBwNbYXO0IGhiDCWVuiL1kTr6UL7ht
        2CN6saQgiqQinEx1un650Ufaxmk8cXqPGvYE8QP0z72VzpuUDdepzRzArSZpgSVU
        q6yYtq96ZmeZLeLA04R1JlB8z+8myGV/LL/sei/oYDKyytqt17DBjJ6o+hS7i0hl
        FPY3eh/bpNI2AAsTGo+rOi3RQWo9HfZtNPvj+ElE4COaCWGU+KYSgDvzg1AgZrsj
        dcz2Z8h88xfGtyiY+FvPAJ2KVIIMisMDYXt+VE0khngBe5a15LosQP0t58a6BxwS
        MC7iyQobAgMBAAECggEALdRNxWEPV+adFhlctBHoU6wiOfZ4d0M842wJrBW38BO3
        y3qSGTDu+kd9jBjpnWX2SayX0TlEmws/yR3NRMy7kYarShjK3amEW4UkektdjQW8
        p8xSN0/mSmOK9Gib1yW1ktjHjaxk2ERipGkZfK58QiNMjk6jYeX4eMeVv6Mx222k
        sYcQVB/i/iJGncxauyVdHJWgIZndU9fb1qatpjwSSsRRfZnAjuDhmb12oB16oZTU
        IZQ680ZcMdRvRrGsxbGYL9zLpMoAK0wYk7ecDO4z3GMA0t8TrFBwelmPmynLEpf7
        50JJHfbc4L4Ly3k8AS8Q89hoHXjdtGPxJJSfG/vCQQKBgQD7y++EagMARFj4Zveb
        bBQtVRlhVUoT9IVYjLoTeagHCa/DGkAjWt96f6i1OJDH9vfQYB8RXnwL1DQfsP0k
        VdR4t8eSTrSi9W5a2IdZeY5esz9rrz4S8NLpOaKCFj7NC3T8kXn5+1VRqAkOmsKq
        kD7fYzNYHsiNkVDLzu5Pad+kqwKBgQC+EcPhHIvqKr+LHRcmiOy3HYAB54aXTBZa
        sTZT5GLV4gJgPzs739ox14u6mlhxFX6OelNBLgyMmTsGDzYPLL9QrGJ/fQJaGQYl
        Nh5KHRy0/P8V9gM53oMg5E4sdbATEvJMLWpyoAdRiaMKN7MpnWSNxsTbjmOofNnK
        aBG5ebHQUQKBgHPxDsP5EJKx5gnTV9ZQKOZK1hn0bNzNbg09F31aOl2rPyxmTPw6
        nsbIO4XemwQIm0luyT91M0c7GhkxpQ5zGxfO/+1FonWa74qTQ5eWmlDO1rgeBEYy
        b9uGd2bRGW/PA7o8vl62NS4ZYro/1r01GE5CXmUIH67YJ80A5sjYZmtrAoGASyiF
        N2/tV7R9t4nSTLeaOzKcGqSt0QgSUtx+aiAGgSL045A9YQi8pDbilvBPhrAEMlzm
        rQCDj9lLwLKlIs0D/eecr2MEWhJJHs/OnGn0nxDn4Yw9bFWzrn749pW3AWPdkgfn
        btoe6rwtT24FF7CYQYPW9ibQ+6AbEvGiCKC5knECgYAYfGI+856g+3G236DeTL/j
        9yONxPAmKospOdaPll33LhEbKdDCC5upIzOh/ml4uts+scAsYzl0rZthvlLsNIae
        fnID6LDnMwpYPtFNqF3MxSgJsf/cX+TZfjiA/g/JlGtlQ5pxI1qmIga7fmXstnrM
        FfuOE/beDOFfJ7wmvSiJNQ==
        -----END PRIVATE KEY-----
        """

    /// The demo IdP's RSA certificate (self-signed, CN "DEMO ONLY swift-saml test IdP RSA"). DEMO ONLY: published, never secret.
    public static let idpRSACertificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIDhjCCAm6gAwIBAgIDATABMA0GCSqGSIb3DQEBCwUAMFsxKjAoBgNVBAMMIURF
        TU8gT05MWSBzd2lmdC1zYW1sIHRlc3QgSWRQIFJTQTEtMCsGA1UECgwkc3dpZnQt
        c2FtbCBkZW1vIChub3QgZm9yIHByb2R1Y3Rpb24pMB4XDTI2MTEyNzEwNDA0NFoX
        DTQ2MTEyMjEwNDA0NFowWzEqMCgGA1UEAwwhREVNTyBPTkxZIHN3aWZ0LXNhbWwg
        dGVzdCBJZFAgUlNBMS0wKwYDVQQKDCRzd2lmdC1zYW1sIGRlbW8gKG5vdCBmb3Ig
        cHJvZHVjdGlvbikwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQC68tT4
        8DyQxzGxxRZ9eedLkVGmE/0IL3yNgtZ6LJ3HJBriXjqBwNbYXO0IGhiDCWVuiL1k
        Tr6UL7ht2CN6saQgiqQinEx1un650Ufaxmk8cXqPGvYE8QP0z72VzpuUDdepzRzA
        rSZpgSVUq6yYtq96ZmeZLeLA04R1JlB8z+8myGV/LL/sei/oYDKyytqt17DBjJ6o
        +hS7i0hlFPY3eh/bpNI2AAsTGo+rOi3RQWo9HfZtNPvj+ElE4COaCWGU+KYSgDvz
        g1AgZrsjdcz2Z8h88xfGtyiY+FvPAJ2KVIIMisMDYXt+VE0khngBe5a15LosQP0t
        58a6BxwSMC7iyQobAgMBAAGjUzBRMB0GA1UdDgQWBBSQ7kJuf1yqtEDUX4tAxefQ
        8ztc/DAfBgNVHSMEGDAWgBSQ7kJuf1yqtEDUX4tAxefQ8ztc/DAPBgNVHRMBAf8E
        BTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQCHJ3Knjdky4p2kYHF+vnjTjdIefHVY
        VmUFrQi5t9NwImgyTT49LuvOfARC5rnUS0eehI3UjXhj6gjvi1pc03UwRXjeg04T
        MEX0HcTTuSBv90Fvi7G6UaJbvpbNhqBYmMSU5HNBDdUYseoC+CHptsDltVKGfCWO
        JN/hjCITG2gh29JBgB6eEq11WLTnJu972sBA0l8NpXPHFTXeW6ScmpU+EHHPRs1X
        77EQDDgpRuFd6SWV1vLVpEn2RIZ2H4HbHzWojwbObk7OPpUkG5Ve3re7+1W8YSWQ
        8iw1y9qI6CjU/2yxTeZg1Pht98bysziEcRZnstehl9HigVisOSqzTqL3
        -----END CERTIFICATE-----
        """

    /// The demo IdP's EC P-256 private key. DEMO ONLY: published, never secret.
    public static let idpECPrivateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4PfEzwUWuH9paMP/
        tcFcTTZsyer+v88LW6T+yUjjOvehRANCAAQT198M3XBdAtF0lqDvqUPgQYHPkZz8
        ASL712KSRkwAxXjuQ+/HH37D+ydIj5QYn4HZ0sqpnpesl9He+WA/0Wz8
        -----END PRIVATE KEY-----
        """

    /// The demo IdP's EC P-256 certificate (self-signed, CN "DEMO ONLY swift-saml test IdP EC P-256"). DEMO ONLY: published, never secret.
    public static let idpECCertificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIICAzCCAaqgAwIBAgIDATACMAoGCCqGSM49BAMCMGAxLzAtBgNVBAMMJkRFTU8g
        T05MWSBzd2lmdC1zYW1sIHRlc3QgSWRQIEVDIFAtMjU2MS0wKwYDVQQKDCRzd2lm
        dC1zYW1sIGRlbW8gKG5vdCBmb3IgcHJvZHVjdGlvbikwHhcNMjYxMTI3MTA0MDQ0
        WhcNNDYxMTIyMTA0MDQ0WjBgMS8wLQYDVQQDDCZERU1PIE9OTFkgc3dpZnQtc2Ft
        bCB0ZXN0IElkUCBFQyBQLTI1NjEtMCsGA1UECgwkc3dpZnQtc2FtbCBkZW1vIChu
        b3QgZm9yIHByb2R1Y3Rpb24pMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEE9ff
        DN1wXQLRdJag76lD4EGBz5Gc/AEi+9dikkZMAMV47kPvxx9+w/snSI+UGJ+B2dLK
        qZ6XrJfR3vlgP9Fs/KNTMFEwHQYDVR0OBBYEFETh9IogruUSYz+M92e6mSAXvUbs
        MB8GA1UdIwQYMBaAFETh9IogruUSYz+M92e6mSAXvUbsMA8GA1UdEwEB/wQFMAMB
        Af8wCgYIKoZIzj0EAwIDRwAwRAIgAtFSw0KoTsbal///j0cHWOwKo+s4emluHefy
        beC0yEACIA76IG1pB2VFUWCkrqAKzUjgffRyglD8ZiKs6P/O2H0L
        -----END CERTIFICATE-----
        """

    /// The demo SP's RSA-2048 private key (signs AuthnRequests, decrypts assertions). DEMO ONLY: published, never secret.
    public static let spPrivateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC/GbhrUY9BMlfn
        LHZyPv+ATxNGBuLZ++rTGhGgeQ/xID/0lWjCBMNH95A39yfjXLWrjB+5EUIozlXE
        C28F1p9UuHIqmvzjEJtZshHPiE/t7BPeI/fzmGEJ5MsB9O3GQcoxcKU+SZFarOQt
        iYnJLlYxE1gfAArmiTR1JmG2yMVdMKXJukuEeINkTGJa4JnIdK+5NEhvm9ZsP/lR
        8XoGc1QuSLedPuU89CFOXhL8bZrFF7DeQbUqoClY2nZI0nPWWv6/e5EI3Und05YK
        0ltAL3e6mlOv/HuXCC3jQRMBlD4Zzt4Qhrg/6ESb7jI/B691S4N5Ys7vVJQeNOZV
        qOdZpptnAgMBAAECggEAXpRIuViq2V4kskXHs4BpbOP2CoTy9mbfUC6JRc5U7QaE
        kLT3nXrE+ZPVfVVmGPlz8lzOAIbBozeHrBjqkE2qGsCUxHBjs6+u62Qdu4Rf5sWe
        CaXsnFOwxzhEnwnNOn+qJfD134+CkImb/sug9YBo6S4FQYaAXpvOaiKeXtwcDiPe
        H19lV9aMUQm9ycPabfU0J0sYbnQwsrkWVDQPnrQBwO+pdAzY5pB5wlgrKwOkV9pq
        6z40oUFs6ID2gFGzW3ykaktvPzUaYLwSLjgMvBuoxYiI+pVbZOoR7WrXiJxzXAa7
        zA9z94evquPM+UU/GT4pdViT/7ils/odnRRMABZ/EQKBgQD9PP37Llt3TwuVa1f1
        3ocofavz4LcgKsmLk3aoJtLpfi8KsbAoT1tg+So/A7zJAQBj+oJuKDAyq6vYCuoP
        wlB+3b+uNbaOzwZaZUpGojmy369C65CKx8t8ytdkGqmhEZPfxm8MvuwSObtyXOVe
        NxcBE84edXECMPi6d9dv0A2sNwKBgQDBLz9tfmLhLJ5hXxsvMhzFu+VGjGb/Y5yQ
        tLeuUsA3YO4wLRde86e8nOY3VnG9MKbID2FfVLGGqFZKSUF3HBpxfnxfwmeHNXC0
        dciWRnOqIRvISuumme1IIcd5o6bqO9HRbvwAlANRfNgHfwRnzdUVG6ufW9MugbpE
        PLw1J2LSUQKBgQD0SwBgbYoDAJgWHqWOJIuSPhnBfIhsWZpwMWOIN1vDr9zFnkBn
        wpZOaE+e1oYqCfNMf3+PsOk+GGoAUhcV+MgaeuTMtDhWb9SbI5eRqDGtIyg5kHGx
        z6e3zR4YDbiSDxjuCMlcLFokAtmXK5KBXvesLGTs8TKBgKiRicaksLpf5QKBgQCE
        maG3zmCgnre3rkhChOsq7mXZntWzxvPYf7L0fOhjGq1jdA/upOAlnqyGn1dCvPo9
        qBD2FnQkMbfJFa9RyoB8Fo3YTOAy9oN92rrsKz+JL2CagpJtsIomUMlSvPn9HUJP
        txZSb0Y30LGXs5+agLYZ3vxWTfkOmwz3eZjWA0rZgQKBgEyG/9x83OUTcisSvgep
        qV1hVHiwL3aW4bYQiL/HYujYXASKorS56bxxURnOnoGqN4X3XwTXWvYqRrvblG4j
        yurSlhCKnXr3NNSxEiQiW8C0xT6Idyrk2XpmzWr7vgbTrN17ZJM+v7Bso/SF3JyZ
        /WX4FUyLqShRyaQuwuSFE7Ke
        -----END PRIVATE KEY-----
        """

    /// The demo SP's RSA certificate (self-signed, CN "DEMO ONLY swift-saml demo SP"). DEMO ONLY: published, never secret.
    public static let spCertificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIDfDCCAmSgAwIBAgIDATADMA0GCSqGSIb3DQEBCwUAMFYxJTAjBgNVBAMMHERF
        TU8gT05MWSBzd2lmdC1zYW1sIGRlbW8gU1AxLTArBgNVBAoMJHN3aWZ0LXNhbWwg
        ZGVtbyAobm90IGZvciBwcm9kdWN0aW9uKTAeFw0yNjExMjcxMDQwNDVaFw00NjEx
        MjIxMDQwNDVaMFYxJTAjBgNVBAMMHERFTU8gT05MWSBzd2lmdC1zYW1sIGRlbW8g
        U1AxLTArBgNVBAoMJHN3aWZ0LXNhbWwgZGVtbyAobm90IGZvciBwcm9kdWN0aW9u
        KTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAL8ZuGtRj0EyV+csdnI+
        /4BPE0YG4tn76tMaEaB5D/EgP/SVaMIEw0f3kDf3J+NctauMH7kRQijOVcQLbwXW
        n1S4ciqa/OMQm1myEc+IT+3sE94j9/OYYQnkywH07cZByjFwpT5JkVqs5C2Jicku
        VjETWB8ACuaJNHUmYbbIxV0wpcm6S4R4g2RMYlrgmch0r7k0SG+b1mw/+VHxegZz
        VC5It50+5Tz0IU5eEvxtmsUXsN5BtSqgKVjadkjSc9Za/r97kQjdSd3TlgrSW0Av
        d7qaU6/8e5cILeNBEwGUPhnO3hCGuD/oRJvuMj8Hr3VLg3lizu9UlB405lWo51mm
        m2cCAwEAAaNTMFEwHQYDVR0OBBYEFNNVUqBest9YFfrQBJANGPMF+jthMB8GA1Ud
        IwQYMBaAFNNVUqBest9YFfrQBJANGPMF+jthMA8GA1UdEwEB/wQFMAMBAf8wDQYJ
        KoZIhvcNAQELBQADggEBAG9JKrrrn+JBsksELUxFct5BqZEcQ/znRd4/xeP4Bc5e
        oKF247I0hlbL2pYNxIgHcDr41uuAH/EJJaR9cyt5DRuMMLRe+DbgCEREm4HJdJ21
        OG0DrhVNL9UTXCXY9xmlrx6lMRmYkNg6n5A/TBjIJboktgjiTd0qLPts8U0Vm+He
        A3YJOnHCs8FNIK+asrNkpxcHWRXZZwvgiqHoGdWv5TTEkgc7F+jjkR3wfa3APi88
        4QUlUzLX7KjZ8bwqXn7NkyOjnT/uCtEyUjdiqYhcCjqhRojz1gcnDLGMuBYaA04h
        uOQQABZ9KKN3VVze2D2FsJHNRkk44zf/n6ETebgwoU4=
        -----END CERTIFICATE-----
        """

    /// The demo IdP's RSA key pair. DEMO ONLY.
    public static func identityProviderRSA() throws -> SAMLKeyPair {
        try SAMLKeyPair(privateKeyPEM: idpRSAPrivateKeyPEM, certificatePEM: idpRSACertificatePEM)
    }

    /// The demo IdP's EC P-256 key pair. DEMO ONLY.
    public static func identityProviderEC() throws -> SAMLKeyPair {
        try SAMLKeyPair(privateKeyPEM: idpECPrivateKeyPEM, certificatePEM: idpECCertificatePEM)
    }

    /// The demo SP's RSA key pair (request signing and assertion decryption). DEMO ONLY.
    public static func serviceProvider() throws -> SAMLKeyPair {
        try SAMLKeyPair(privateKeyPEM: spPrivateKeyPEM, certificatePEM: spCertificatePEM)
    }
}
