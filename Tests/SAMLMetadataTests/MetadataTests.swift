import Foundation
import SAML
import SAMLCore
import Testing
import SAMLTestSupport

/// IdP metadata parsing against every metadata fixture. Expected values (entity IDs, endpoints,
/// certificate SHA-256 fingerprints, NameID formats, dates) were read from the files with
/// independent tools (Python ElementTree + hashlib over the base64-decoded certificates, cross-checked
/// with `openssl x509 -fingerprint -sha256`), not taken from this library's output.
@Suite("Metadata: IdP metadata")
struct MetadataTests {
    static let redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    static let post = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    static let postSimpleSign = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST-SimpleSign"
    static let soap = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"
    static let shib1 = "urn:mace:shibboleth:1.0:profiles:AuthnRequest"
    static let email = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    static let unspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
    static let persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    static let transient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"

    static let reference = "reference/idp-metadata/"
    static let adfs = MetadataSamples.adfs
    static let awsUS = reference + "aws-iam-identity-center_us-east-1.xml"
    static let awsEU = reference + "aws-iam-identity-center_eu-west-1_empty-nameidformat.xml"
    static let google = reference + "google-workspace_C02dfl1r1.xml"
    static let okta = reference + "okta_dev-513394.xml"
    static let onelogin = reference + "onelogin_app-503983.xml"
    static let sambi = reference + "sambi-test-federation_aggregate_signed.xml"
    static let shibV2 = reference + "shibboleth-idp-v2_msidlab13_keydescriptor-without-use.xml"
    static let samltest = reference + "shibboleth-idp_samltest.id_two-signing-keys.xml"
    static let generated = "generated/idp-metadata.xml"

    /// Expired metadata is refused, so recorded files with a past `validUntil` are read at an
    /// instant before it (the instants of Fixtures/README.md).
    static let pinnedClocks = [google: Fixtures.date("2016-01-05T16:55:39Z"), sambi: Fixtures.date("2014-11-01T00:00:00Z")]
    static func policy(_ file: String) -> MetadataPolicy { MetadataPolicy(now: pinnedClocks[file]) }

    /// What one metadata file must yield.
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var entityID: String
        var singleSignOn: [(binding: String, location: String)]
        var singleLogoutCount: Int
        var signing: [String]
        var encryption: [String]
        var nameIDFormats: [String]
        var wantsSigned: Bool
        var validUntil: String? = nil
        var cacheDuration: String? = nil
        var testDescription: String { (file as NSString).lastPathComponent }
    }

    static let awsUSBase = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/NDQ0OTc1NjczNTMwX2lucy01MTRmOGNkNGRjYzJhMjky"
    static let awsEUBase = "https://portal.sso.eu-west-1.amazonaws.com/saml/assertion/MTQ1Mzg4NjI1ODYwX2lucy02MmQ3Y2VlYWM0YWNkNjA1"

    static let expectations: [Expected] = [
        Expected(
            file: awsUS, entityID: awsUSBase,
            singleSignOn: [(post, awsUSBase), (redirect, awsUSBase)], singleLogoutCount: 2,
            signing: ["c4944e400e77f3117625cd23823fbc5658893a70a924ccfc28dce804a882b03b"], encryption: [],
            nameIDFormats: [email], wantsSigned: false
        ),
        Expected(
            file: awsEU, entityID: awsEUBase,
            singleSignOn: [(post, awsEUBase), (redirect, awsEUBase)], singleLogoutCount: 2,
            signing: ["ff22d54c9d72f294b201a708d377d9d940ebee8eecce2766442e893a13976a7d"], encryption: [],
            nameIDFormats: [], wantsSigned: false
        ),
        Expected(
            file: okta, entityID: "http://www.okta.com/exkppsa1qwuFV4D7z0h7",
            singleSignOn: [
                (post, "https://dev-513394.oktapreview.com/app/rstudioincdev513394_dev_1/exkppsa1qwuFV4D7z0h7/sso/saml"),
                (redirect, "https://dev-513394.oktapreview.com/app/rstudioincdev513394_dev_1/exkppsa1qwuFV4D7z0h7/sso/saml"),
            ],
            singleLogoutCount: 0,
            signing: ["d40df01ccede49d207cb6d8abd15770a4b6eca14a85448c2959a98f85dc31ed4"], encryption: [],
            nameIDFormats: [unspecified, email], wantsSigned: false
        ),
        Expected(
            file: google, entityID: "https://accounts.google.com/o/saml2?idpid=C02dfl1r1",
            singleSignOn: [
                (post, "https://accounts.google.com/o/saml2/idp?idpid=C02dfl1r1"),
                (post, "https://accounts.google.com/o/saml2/idp?idpid=C02dfl1r1"),
            ],
            singleLogoutCount: 0,
            signing: ["df6f6d4eecf6c2d6515a64bc80430a879c25cfb03b666aeb1e61ce4fe02d7da2"], encryption: [],
            nameIDFormats: [email], wantsSigned: false, validUntil: "2021-01-03T16:17:49Z"
        ),
        Expected(
            file: onelogin, entityID: "https://app.onelogin.com/saml/metadata/503983",
            singleSignOn: [
                (post, "https://app.onelogin.com/trust/saml2/http-post/sso/503983"),
                (post, "https://app.onelogin.com/trust/saml2/http-post/sso/503983"),
                (soap, "https://app.onelogin.com/trust/saml2/soap/sso/503983"),
            ],
            singleLogoutCount: 0,
            signing: ["e4713d805c35991de0b6adac8644ad9c32f24a5e7bf8a09daa5654898e7b2c3e"], encryption: [],
            nameIDFormats: [email], wantsSigned: false
        ),
        Expected(
            file: adfs, entityID: "http://fs.msidlab11.com/adfs/services/trust",
            singleSignOn: [(redirect, "https://fs.msidlab11.com/adfs/ls/"), (post, "https://fs.msidlab11.com/adfs/ls/")],
            singleLogoutCount: 2,
            signing: ["a8a98637d45136768cf81276cbcccd58dbbffb2e8c75771f01cb16dc4d2e4235"],
            encryption: ["24fcd3d9f312f1374aed00367acbdad68224d1f8b64173b1aee36ed77214b8a5"],
            nameIDFormats: [email, persistent, transient], wantsSigned: false
        ),
        Expected(
            file: samltest, entityID: "https://samltest.id/saml/idp",
            singleSignOn: [
                (shib1, "https://samltest.id/idp/profile/Shibboleth/SSO"),
                (post, "https://samltest.id/idp/profile/SAML2/POST/SSO"),
                (postSimpleSign, "https://samltest.id/idp/profile/SAML2/POST-SimpleSign/SSO"),
                (redirect, "https://samltest.id/idp/profile/SAML2/Redirect/SSO"),
                (soap, "https://samltest.id/idp/profile/SAML2/SOAP/ECP"),
            ],
            singleLogoutCount: 3,
            signing: [
                "e5e0e6578a27b53a2ca05182fb0ad23c97f333497469c8708b3aca61be5fa79e",
                "caf255f8f46de42497be3c42acccba4151d98feba31e7377ab5c2433a35a2065",
            ],
            encryption: ["4c89fbf7a569af5bc83c8ae71c7692baa371578f2ccf5c2f78e8b30068898403"],
            nameIDFormats: [], wantsSigned: false, validUntil: "2100-01-01T00:00:42Z"
        ),
        Expected(
            file: shibV2, entityID: "https://idp.msidlab13.com/idp/shibboleth",
            singleSignOn: [
                (shib1, "https://idp.msidlab13.com/idp/profile/Shibboleth/SSO"),
                (post, "https://idp.msidlab13.com/idp/profile/SAML2/POST/SSO"),
                (postSimpleSign, "https://idp.msidlab13.com/idp/profile/SAML2/POST-SimpleSign/SSO"),
                (redirect, "https://idp.msidlab13.com/idp/profile/SAML2/Redirect/SSO"),
            ],
            singleLogoutCount: 0,
            // one KeyDescriptor without `use`: the key counts for signing and for encryption
            signing: ["ddda5c60b1480b4e5b6103846033ff5b5f98b228108c34533b5bab6b2ff182a4"],
            encryption: ["ddda5c60b1480b4e5b6103846033ff5b5f98b228108c34533b5bab6b2ff182a4"],
            nameIDFormats: ["urn:mace:shibboleth:1.0:nameIdentifier", transient], wantsSigned: false
        ),
        Expected(
            file: generated, entityID: "https://idp.example.org/metadata",
            singleSignOn: [
                (redirect, "https://idp.example.org/sso/redirect"),
                (redirect, "https://idp-eu.example.org/sso/redirect"),
                (post, "https://idp.example.org/sso/post"),
            ],
            singleLogoutCount: 1,
            // idp-rsa, idp-rsa-next, idp-ec256 (no `use`)
            signing: [
                "9d39998ae0c451691ec2ee26181cf96d101504f79e530950379ffc9d2731c2d8",
                "fbbecbcd1e1d1c84f6336c6f5e1a2d37a8f21a88ce9b391d2deb9e61c53eea25",
                "6c71822864798d2856c06b58321b92a885fce6daf37fbbcc42323a33a0ac55c4",
            ],
            // idp-ec256 (no `use`), idp-ec384 (`use="encryption"`)
            encryption: [
                "6c71822864798d2856c06b58321b92a885fce6daf37fbbcc42323a33a0ac55c4",
                "f74e7bb8392654a6a9974b368950cc1c65f8403b39805a8016739171a80bfd18",
            ],
            nameIDFormats: [email, persistent], wantsSigned: true
        ),
    ]

    static func check(_ idp: IdentityProvider, _ e: Expected, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(idp.entityID == e.entityID, sourceLocation: sourceLocation)
        #expect(idp.singleSignOnServices.map(\.binding.rawValue) == e.singleSignOn.map(\.binding), sourceLocation: sourceLocation)
        #expect(idp.singleSignOnServices.map(\.location) == e.singleSignOn.map(\.location), sourceLocation: sourceLocation)
        #expect(idp.singleLogoutServices.count == e.singleLogoutCount, sourceLocation: sourceLocation)
        #expect(idp.signingCertificates.map(\.sha256Fingerprint) == e.signing, sourceLocation: sourceLocation)
        #expect(idp.encryptionCertificates.map(\.sha256Fingerprint) == e.encryption, sourceLocation: sourceLocation)
        #expect(idp.nameIDFormats.map(\.rawValue) == e.nameIDFormats, sourceLocation: sourceLocation)
        #expect(idp.wantsAuthnRequestsSigned == e.wantsSigned, sourceLocation: sourceLocation)
        #expect(idp.validUntil == e.validUntil.map(Fixtures.date), sourceLocation: sourceLocation)
        #expect(idp.cacheDuration == e.cacheDuration, sourceLocation: sourceLocation)
    }

    @Test("every single-entity metadata fixture parses to the expected values", arguments: expectations)
    func parses(_ expected: Expected) throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes(expected.file), policy: Self.policy(expected.file))
        Self.check(idp, expected)
        // the String initialiser reads the same
        let fromText = try IdentityProvider(metadata: Fixtures.text(expected.file), policy: Self.policy(expected.file))
        #expect(fromText.entityID == idp.entityID)
        #expect(fromText.signingCertificates == idp.signingCertificates)
        #expect(try IdentityProvider.entityIDs(inMetadata: Fixtures.bytes(expected.file)) == [expected.entityID])
    }

    @Test("AWS us-east-1: endpoints and certificate details")
    func awsDetails() throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes(Self.awsUS))
        let slo = idp.singleLogoutServices
        #expect(slo.map(\.binding) == [.httpPost, .httpRedirect])
        #expect(slo.allSatisfy { $0.location == "https://portal.sso.us-east-1.amazonaws.com/saml/logout/NDQ0OTc1NjczNTMwX2lucy01MTRmOGNkNGRjYzJhMjky" })
        let cert = try #require(idp.signingCertificates.first)
        // openssl x509 -noout -subject -dates -nameopt RFC2253
        #expect(cert.subject == "C=US,O=Amazon,OU=IDAS,CN=amazonaws.com")
        #expect(cert.notBefore == Fixtures.date("2024-01-03T14:27:25Z"))
        #expect(cert.notAfter == Fixtures.date("2029-01-03T14:27:25Z"))
        #expect(cert.keyAlgorithm == .rsa)
        #expect(cert.keySize == 2048)
        #expect(idp.singleSignOnServices(for: .httpRedirect).map(\.location) == [Self.awsUSBase])
    }

    @Test("AWS eu-west-1: an empty <md:NameIDFormat/> is skipped, not an error")
    func emptyNameIDFormat() throws {
        let text = try Fixtures.text(Self.awsEU)
        #expect(text.contains("<md:NameIDFormat/>"))
        let idp = try IdentityProvider(metadata: Fixtures.bytes(Self.awsEU))
        #expect(idp.nameIDFormats.isEmpty)
    }

    @Test("generated metadata: HTTP-Redirect endpoints in failover order, POST separately")
    func redirectFailoverOrder() throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes(Self.generated))
        #expect(idp.singleSignOnServices(for: .httpRedirect).map(\.location) == [
            "https://idp.example.org/sso/redirect", "https://idp-eu.example.org/sso/redirect",
        ])
        #expect(idp.singleSignOnServices(for: .httpPost).map(\.location) == ["https://idp.example.org/sso/post"])
        #expect(idp.singleSignOnServices(for: .soap).isEmpty)
        #expect(idp.singleLogoutServices == [Endpoint(binding: .httpRedirect, location: "https://idp.example.org/slo")])
        // the generated signing keys are the ones in keys/
        #expect(idp.signingCertificates.prefix(2).map(\.der) == [try Generated.certificate("idp-rsa").der,
                                                                  try Generated.certificate("idp-rsa-next").der])
        #expect(idp.encryptionCertificates.last?.der == (try Generated.certificate("idp-ec384")).der)
        #expect(!idp.signingCertificates.contains(try Generated.certificate("idp-ec384")))
    }

    @Test("samltest.id: both rollover signing keys are trusted, the encryption key is not")
    func samltestRollover() throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes(Self.samltest))
        #expect(idp.signingCertificates.count == 2)
        #expect(Set(idp.signingCertificates).count == 2)
        #expect(idp.encryptionCertificates.count == 1)
        #expect(!idp.signingCertificates.contains(idp.encryptionCertificates[0]))
        #expect(idp.signingCertificates[0].subject == "CN=samltest.id")
        #expect(idp.signingCertificates[0].notAfter == Fixtures.date("2038-08-24T21:14:10Z"))
    }

    @Test("Shibboleth v2: a KeyDescriptor without use is both a signing and an encryption key")
    func keyDescriptorWithoutUse() throws {
        let text = try Fixtures.text(Self.shibV2)
        #expect(text.contains("<KeyDescriptor>"))
        let idp = try IdentityProvider(metadata: Fixtures.bytes(Self.shibV2))
        #expect(idp.signingCertificates.count == 1)
        #expect(idp.encryptionCertificates == idp.signingCertificates)
    }

    @Test("ADFS 2016: WS-Fed RoleDescriptors and the SPSSODescriptor are skipped")
    func adfsSkipsOtherRoles() throws {
        let text = try Fixtures.text(Self.adfs)
        #expect(text.contains("<RoleDescriptor"))
        #expect(text.contains("<SPSSODescriptor"))
        let idp = try IdentityProvider(metadata: Fixtures.bytes(Self.adfs))
        // the RoleDescriptors carry the same signing key; it must appear once, from the IDPSSODescriptor
        #expect(idp.signingCertificates.count == 1)
        #expect(idp.singleSignOnServices.count == 2)
        #expect(idp.singleLogoutServices.map(\.binding) == [.httpRedirect, .httpPost])
    }

    @Test("OneLogin: the certificate that expired in 2018 is reported but still trusted")
    func expiredCertificate() throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes(Self.onelogin))
        let cert = try #require(idp.signingCertificates.first)
        // openssl x509 -noout -dates: notBefore Sep 30 19:35:44 2013 GMT, notAfter Oct 1 19:35:44 2018 GMT
        #expect(cert.notBefore == Fixtures.date("2013-09-30T19:35:44Z"))
        #expect(cert.notAfter == Fixtures.date("2018-10-01T19:35:44Z"))
        #expect(cert.subject == "CN=OneLogin Account 32614,OU=OneLogin IdP,O=ctu,C=US")
        #expect(idp.expiredSigningCertificates(at: Fixtures.date("2016-01-05T17:53:12Z")).isEmpty)
        #expect(idp.expiredSigningCertificates(at: Fixtures.date("2018-10-01T19:35:45Z")) == [cert])
        #expect(idp.expiredSigningCertificates(at: Fixtures.date("2013-09-30T19:35:43Z")) == [cert]) // not yet valid
        #expect(idp.expiredSigningCertificates() == [cert])
        #expect(idp.signingCertificates == [cert])
    }

    // MARK: - Aggregates

    @Test("Sambi aggregate: entityIDs(inMetadata:) lists the 8 IdPs of 13 entities in document order")
    func sambiEntityIDs() throws {
        let text = try Fixtures.text(Self.sambi)
        #expect(text.components(separatedBy: "EntityDescriptor ").count - 1 == 13)
        #expect(try IdentityProvider.entityIDs(inMetadata: Fixtures.bytes(Self.sambi)) == MetadataSamples.sambiIdPs)
    }

    @Test("Sambi aggregate without an entity ID: entityNotFound naming every IdP")
    func sambiNeedsEntityID() throws {
        do {
            _ = try IdentityProvider(metadata: Fixtures.bytes(Self.sambi))
            Issue.record("an aggregate of 8 IdPs was accepted without choosing one")
        } catch let error as SAMLError {
            #expect(error.code == .entityNotFound)
            for id in MetadataSamples.sambiIdPs { #expect(error.reason.contains(id), "reason lacks \(id): \(error.reason)") }
            #expect(!error.reason.contains("https://maggie.bif.ost.se:9443/sp/saml"))
        }
    }

    @Test("Sambi aggregate with an entity ID: that IdP, with validUntil and cacheDuration inherited from the root")
    func sambiChooses() throws {
        let idp = try IdentityProvider(metadata: Fixtures.bytes(Self.sambi), entityID: "http://idp-acc.test.ek.sll.se/neas", policy: Self.policy(Self.sambi))
        Self.check(idp, Expected(
            file: Self.sambi, entityID: "http://idp-acc.test.ek.sll.se/neas",
            singleSignOn: [(Self.post, "https://idp-acc.test.ek.sll.se/neas/SSOService"),
                           (Self.redirect, "https://idp-acc.test.ek.sll.se/neas/SSOService")],
            singleLogoutCount: 0,
            signing: ["c24a91ad9227a0122e0336bc078945dd7df4b15d3436f644cd917d75d65b87df"], encryption: [],
            nameIDFormats: [Self.unspecified], wantsSigned: true,
            validUntil: "2014-11-06T10:45:03Z", cacheDuration: "PT15M"
        ))

        let maggie = try IdentityProvider(metadata: Fixtures.bytes(Self.sambi), entityID: "https://idp.maggie.bif.ost.se:9445/idp/saml", policy: Self.policy(Self.sambi))
        #expect(maggie.signingCertificates.map(\.sha256Fingerprint) == ["ccc20fe076eec6d76ab4e55b3d0dd66b442e641b7bfcb2f378a62f85772cdbb2"])
        #expect(maggie.singleSignOnServices == [Endpoint(binding: .httpRedirect, location: "https://idp.maggie.bif.ost.se:9445/idp/saml/sso/HTTP-Redirect")])
        #expect(maggie.singleLogoutServices.count == 2)
        #expect(maggie.nameIDFormats == [.transient, .persistent])
        #expect(maggie.validUntil == Fixtures.date("2014-11-06T10:45:03Z"))

        // KeyDescriptors use="signing" and use="encryption" holding the same certificate
        let callback = try IdentityProvider(metadata: Fixtures.bytes(Self.sambi),
                                            entityID: "https://callback-prod.inloggning.se/simplesaml/saml2/idp/meta_e46fe1da26959ddb5319d64f5c85a7a0",
                                            policy: Self.policy(Self.sambi))
        #expect(callback.signingCertificates.map(\.sha256Fingerprint) == ["83d62bc11f31921a2620d1373c53c9e16e82e707b0b38b9fdf0177937aebdb45"])
        #expect(callback.encryptionCertificates == callback.signingCertificates)
        #expect(callback.wantsAuthnRequestsSigned == false)
    }

    @Test("Sambi aggregate: an unknown entity ID is entityNotFound, an SP-only entity is invalidMetadata")
    func sambiWrongChoice() async throws {
        let bytes = try Fixtures.bytes(Self.sambi)
        await expectRejection(.entityNotFound) {
            _ = try IdentityProvider(metadata: bytes, entityID: "https://nobody.example.org/idp")
        }
        await expectRejection(.invalidMetadata) {
            _ = try IdentityProvider(metadata: bytes, entityID: "https://maggie.bif.ost.se:9443/sp/saml")
        }
        await expectRejection(.invalidMetadata) {
            _ = try IdentityProvider(metadata: bytes, entityID: "https://sambi-sp.nexusville.com/sp")
        }
    }

    // MARK: - Signed metadata

    @Test("signed ADFS metadata verifies with its signing certificate")
    func signedMetadataVerifies() throws {
        let signer = try MetadataSamples.adfsSignatureCertificate()
        #expect(signer.sha256Fingerprint == "a8a98637d45136768cf81276cbcccd58dbbffb2e8c75771f01cb16dc4d2e4235")
        let idp = try IdentityProvider(signedMetadata: Fixtures.bytes(Self.adfs), signedBy: [signer])
        #expect(idp.entityID == "http://fs.msidlab11.com/adfs/services/trust")
        #expect(idp.signingCertificates == [signer])
        // a rollover list containing the right certificate works too, in any position
        let other = try Generated.certificate("idp-rsa")
        let again = try IdentityProvider(signedMetadata: Fixtures.bytes(Self.adfs), signedBy: [other, signer])
        #expect(again.entityID == idp.entityID)
    }

    @Test("signed ADFS metadata with one changed byte in a Location is signatureInvalid")
    func signedMetadataTampered() async throws {
        let signer = try MetadataSamples.adfsSignatureCertificate()
        let original = try Fixtures.text(Self.adfs)
        let target = "Location=\"https://fs.msidlab11.com/adfs/ls/\""
        let tampered = original.replacingOnce(target, with: "Location=\"https://fs.msidlab11.com/adfs/ls/\"".replacingOccurrences(of: "msidlab11", with: "msidlab12"))
        #expect(tampered.utf8.count == original.utf8.count)
        #expect(zip(tampered.utf8, original.utf8).filter { $0 != $1 }.count == 1)
        await expectRejection(.signatureInvalid) {
            _ = try IdentityProvider(signedMetadata: Array(tampered.utf8), signedBy: [signer])
        }
        // the same bytes still parse as plain (unchecked) metadata
        #expect(try IdentityProvider(metadata: tampered).entityID == "http://fs.msidlab11.com/adfs/services/trust")
    }

    /// The document is untouched and its KeyInfo names the ADFS certificate, which is not in the
    /// trusted list: the library reports `untrustedKey` (not `signatureInvalid`), because the digest
    /// matches and the signature fails only for lack of the right key.
    @Test("signed ADFS metadata checked against a different certificate is untrustedKey")
    func signedMetadataWrongCertificate() async throws {
        let bytes = try Fixtures.bytes(Self.adfs)
        await expectRejection(.untrustedKey) {
            _ = try IdentityProvider(signedMetadata: bytes, signedBy: [try Generated.certificate("idp-rsa")])
        }
        await expectRejection(.untrustedKey) {
            _ = try IdentityProvider(signedMetadata: bytes, signedBy: [])
        }
    }

    @Test("unsigned metadata given as signed metadata is signatureMissing")
    func unsignedAsSigned() async throws {
        let signer = try MetadataSamples.adfsSignatureCertificate()
        await expectRejection(.signatureMissing) {
            _ = try IdentityProvider(signedMetadata: Fixtures.bytes(Self.awsUS), signedBy: [signer])
        }
    }

    /// The Sambi aggregate's signature uses `Reference URI=""` (the whole document, accepted for a
    /// signature on the metadata root) and its content was changed after signing: the digest
    /// mismatch is reported either way the reference is written.
    @Test("Sambi aggregate signature is rejected (URI=\"\" reference; digest mismatch)")
    func sambiSignatureBroken() async throws {
        let text = try Fixtures.text(Self.sambi)
        // the aggregate carries no KeyInfo; use the first certificate it contains (RSA)
        let first = try #require(text.slice(from: "<ds:X509Certificate>", through: "</ds:X509Certificate>"))
        let base64 = first.dropFirst("<ds:X509Certificate>".count).dropLast("</ds:X509Certificate>".count)
        let embedded = try SAMLCertificate(base64: String(base64))
        #expect(embedded.keyAlgorithm == .rsa)
        do {
            _ = try IdentityProvider(signedMetadata: Array(text.utf8), signedBy: [embedded], entityID: "http://idp-acc.test.ek.sll.se/neas")
            Issue.record("the altered Sambi aggregate verified")
        } catch let error as SAMLError {
            #expect(error.code == .signatureInvalid, "\(error)")
            #expect(error.reason.contains("digest"), "\(error)")
        }
        let retargeted = text.replacingOnce("<ds:Reference URI=\"\">", with: "<ds:Reference URI=\"#federation_root\">")
        do {
            _ = try IdentityProvider(signedMetadata: Array(retargeted.utf8), signedBy: [embedded], entityID: "http://idp-acc.test.ek.sll.se/neas")
            Issue.record("the altered Sambi aggregate verified")
        } catch let error as SAMLError {
            #expect(error.code == .signatureInvalid, "\(error)")
            #expect(error.reason.contains("digest"), "\(error)")
        }
    }

    // MARK: - Malformed input

    static func entity(_ inner: String, rootAttributes: String = "") -> String {
        """
        <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.test/x"\(rootAttributes)>
          <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\(inner)
            <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.test/sso"/>
          </md:IDPSSODescriptor>
        </md:EntityDescriptor>
        """
    }

    static func keyDescriptor(use: String?, base64: String) -> String {
        "<md:KeyDescriptor\(use.map { " use=\"\($0)\"" } ?? "")><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(base64)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    }

    @Test("a minimal hand-written entity parses (baseline for the malformed cases)")
    func minimalEntity() throws {
        let cert = try Generated.certificate("idp-rsa")
        let idp = try IdentityProvider(metadata: Self.entity(Self.keyDescriptor(use: "signing", base64: cert.base64),
                                                             rootAttributes: " validUntil=\"2030-02-03T04:05:06Z\" cacheDuration=\"P1D\""))
        #expect(idp.entityID == "https://idp.test/x")
        #expect(idp.signingCertificates == [cert])
        #expect(idp.validUntil == Fixtures.date("2030-02-03T04:05:06Z"))
        #expect(idp.cacheDuration == "P1D")
    }

    @Test("malformed metadata is rejected with precise codes")
    func malformed() async throws {
        let cert = try Generated.certificate("idp-rsa")
        let signing = Self.keyDescriptor(use: "signing", base64: cert.base64)
        await expectRejection(.invalidMetadata) { _ = try IdentityProvider(metadata: "<foo/>") }
        await expectRejection(.invalidMetadata) {
            _ = try IdentityProvider(metadata: "<EntityDescriptor entityID=\"x\"/>") // no namespace
        }
        await expectRejection(.doctypeForbidden) {
            _ = try IdentityProvider(metadata: "<!DOCTYPE md:EntityDescriptor>\n" + Self.entity(signing))
        }
        await expectRejection(.malformedXML) { _ = try IdentityProvider(metadata: [UInt8]()) }
        await expectRejection(.malformedXML) { _ = try IdentityProvider(metadata: "<md:EntityDescriptor") }
        // no KeyDescriptor at all, and only an encryption key
        await expectRejection(.invalidMetadata) { _ = try IdentityProvider(metadata: Self.entity("")) }
        await expectRejection(.invalidMetadata) {
            _ = try IdentityProvider(metadata: Self.entity(Self.keyDescriptor(use: "encryption", base64: cert.base64)))
        }
        await expectRejection(.invalidMetadata) {
            _ = try IdentityProvider(metadata: Self.entity(signing, rootAttributes: " validUntil=\"next tuesday\""))
        }
        await expectRejection(.invalidCertificate) {
            _ = try IdentityProvider(metadata: Self.entity(Self.keyDescriptor(use: "signing", base64: "MIIC*not-base64!")))
        }
        // valid base64 that is not a certificate
        await expectRejection(.invalidCertificate) {
            _ = try IdentityProvider(metadata: Self.entity(Self.keyDescriptor(use: "signing", base64: "aGVsbG8gd29ybGQ=")))
        }
        // a SAML 1.1-only IDPSSODescriptor is not a SAML 2.0 IdP
        let saml11 = Self.entity(signing).replacingOccurrences(of: "urn:oasis:names:tc:SAML:2.0:protocol", with: "urn:oasis:names:tc:SAML:1.1:protocol")
        await expectRejection(.invalidMetadata) { _ = try IdentityProvider(metadata: saml11) }
    }
}
