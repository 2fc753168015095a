import Foundation
import SAML
package import SAMLCore
import SAMLXMLSec
import Testing

/// A small deterministic generator, so a failing case can be replayed from its seed.
package struct SplitMix64: RandomNumberGenerator {
    package var state: UInt64
    package init(state: UInt64) { self.state = state }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Bytes that matter to XML, for the edits.
    static let interesting: [UInt8] = Array("<>/=\"' &;:#-_!?xmlns".utf8) + [0, 0x0A, 0xC3, 0xA9, 0xFF]

    /// `bytes` with one to four random edits: bytes replaced, flipped, removed or inserted, the tail
    /// cut, or a slice copied elsewhere (structure-level damage).
    package static func damage(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !out.isEmpty else { break }
            let i = Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: out[i] = interesting.randomElement(using: &rng)!
            case 1: out[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 2: out.remove(at: i)
            case 3: out.insert(interesting.randomElement(using: &rng)!, at: i)
            case 4: out = Array(out.prefix(i))
            default:
                // duplicate a slice somewhere else (structure-level damage)
                let length = Int.random(in: 1...min(400, out.count - i), using: &rng)
                let slice = out[i..<(i + length)]
                out.insert(contentsOf: slice, at: Int.random(in: 0...out.count, using: &rng))
            }
        }
        return out
    }
}

/// The form encoding a browser applies (everything but alphanumerics and `*-._` escaped, space as `+`).
package func formEncode(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "*-._ ")
    return value.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: " ", with: "+")
}

/// The checks a verification runs, in order, by name.
package enum VerificationChecks {
    package static let all = ["parsing", "responseSignature", "status", "messageShape", "decryption", "assertionSignature",
                      "signatureRequirement", "assertionShape", "issuer", "destination", "inResponseTo", "timeWindow",
                      "audience", "subjectConfirmation", "authenticationContext", "identity", "replay"]
}

/// Metadata documents built from the fixture keys, for the metadata rules and `saml metadata`.
package enum MetadataSamples {
    package static let md = "urn:oasis:names:tc:SAML:2.0:metadata"

    package static func certificateBase64(_ name: String = "idp-rsa") throws -> String {
        Data(try Generated.certificate(name).der).base64EncodedString()
    }

    /// One IdP EntityDescriptor (without namespace declaration unless `root`).
    package static func entity(_ entityID: String, key: String = "idp-rsa", sso: String = "https://idp.example.org/sso",
                       slo: String? = nil, responseLocation: String? = nil, validUntil: String? = nil, root: Bool = false) throws -> String {
        let declarations = root ? " xmlns:md=\"\(md)\" ID=\"_root\"" : ""
        let until = validUntil.map { " validUntil=\"\($0)\"" } ?? ""
        let logout = slo.map { "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"\($0)\"\(responseLocation.map { " ResponseLocation=\"\($0)\"" } ?? "")/>" } ?? ""
        return """
        <md:EntityDescriptor\(declarations) entityID="\(entityID)"\(until)><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>\(try certificateBase64(key))</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\(logout)<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="\(sso)"/></md:IDPSSODescriptor></md:EntityDescriptor>
        """
    }

    package static func aggregate(_ inner: [String], validUntil: String? = nil, cacheDuration: String? = nil) -> String {
        "<md:EntitiesDescriptor xmlns:md=\"\(md)\" ID=\"_agg\"\(validUntil.map { " validUntil=\"\($0)\"" } ?? "")\(cacheDuration.map { " cacheDuration=\"\($0)\"" } ?? "")>"
            + inner.joined() + "</md:EntitiesDescriptor>"
    }

    package static func sign(_ xml: String, with signer: String = "idp-rsa") throws -> [UInt8] {
        let document = try XMLDocument.parse(xml)
        let root = try #require(document.root)
        try root.sign(id: try #require(root.attribute("ID")), after: nil, key: Generated.key(signer).handle, algorithm: .rsaSHA256,
                      certificateDER: Generated.certificate(signer).der)
        return document.serialized()
    }

    /// The recorded AD FS metadata, signed.
    package static let adfs = "reference/idp-metadata/adfs-2016_fs.msidlab11.com_signed.xml"

    /// The certificate in the ADFS metadata's own `ds:Signature/KeyInfo`, standing in for the
    /// certificate an operator would obtain out of band.
    package static func adfsSignatureCertificate() throws -> SAMLCertificate {
        let text = try Fixtures.text(adfs)
        let signature = try #require(text.slice(from: "<ds:Signature", through: "</ds:Signature>"))
        let element = try #require(signature.slice(from: "<X509Certificate>", through: "</X509Certificate>"))
        let base64 = element.dropFirst("<X509Certificate>".count).dropLast("</X509Certificate>".count)
        return try SAMLCertificate(base64: String(base64))
    }
    /// The IdPs of the recorded Sambi test-federation aggregate, in document order.
    package static let sambiIdPs = [
        "https://idp.maggie.bif.ost.se:9445/idp/saml",
        "https://idp.utvtest.sakerhetstjanst.inera.se:8443/idp/saml",
        "https://m00-mg-local.extdevel.mobilityguard.se/samlv2/idp/metadata/6/1",
        "https://sambi-idp.nexusville.com/idp",
        "http://idp-acc.test.ek.sll.se/neas",
        "login004.test.stockholm.se",
        "https://callback-prod.inloggning.se/simplesaml/saml2/idp/meta_e46fe1da26959ddb5319d64f5c85a7a0",
        "test.broker.service.tieto.com",
    ]
}

extension CLI {
    /// The generated IdP's metadata, as a path relative to the repository root.
    package static let idpMetadata = "Fixtures/generated/idp-metadata.xml"
    /// The generated signed response.
    package static let signed = "Fixtures/generated/responses/assertion-signed.xml"
    /// The options naming the generated IdP and SP.
    package static let base = ["--idp-metadata", idpMetadata, "--sp-entity-id", Generated.acs, "--acs-url", Generated.acs]
    /// The options under which ``signed`` verifies.
    package static let verifyOptions = base + ["--request-id", Generated.requestID, "--now", "2026-01-15T10:01:00Z"]
    /// The options signing with the generated SP key.
    package static let signing = ["--sign-key", "Fixtures/generated/keys/sp-rsa.key.pem", "--sign-cert", "Fixtures/generated/keys/sp-rsa.cert.pem"]
}
