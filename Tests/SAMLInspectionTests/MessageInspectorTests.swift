import Foundation
import SAML
import SAMLCore
import SAMLInspection
import SAMLXMLSec
import Testing
import SAMLTestSupport

@Suite("SAMLMessageInspector: unverified decoding of what the browser carried")
struct MessageInspectorTests {
    @Test("an HTTP-Redirect URL made by AuthnRequest.redirect() round-trips")
    func redirectRoundTrip() throws {
        let sp = ServiceProvider(acsURL: Generated.acs, signingKey: try SAMLKeyPair(privateKeyPEM: Fixtures.text("generated/keys/sp-rsa.key.pem"),
                                                                                   certificatePEM: Fixtures.text("generated/keys/sp-rsa.cert.pem")))
        let request = try AuthnRequest(serviceProvider: sp, identityProvider: Generated.idp(),
                                       options: AuthnRequestOptions(relayState: "a b+c/d")).redirect(now: Generated.now)
        let message = try SAMLMessageInspector.inspect(request.url, now: Generated.now)
        #expect(message.transport.encoding == "HTTP-Redirect")
        #expect(message.transport.parameter == "SAMLRequest")
        #expect(message.transport.relayState == "a b+c/d")
        #expect(message.transport.hasQuerySignature)
        #expect(message.transport.sigAlg == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        #expect(message.messageType == "AuthnRequest")
        #expect(message.id == request.id)
        #expect(message.request?.assertionConsumerServiceURL == Generated.acs)
        #expect(message.times.map(\.label) == ["IssueInstant"])
        #expect(message.times.first?.date == Generated.now)
    }

    @Test("a bare base64 value with a raw '+' and line breaks, and a percent-encoded one")
    func base64Forms() throws {
        let xml = try Fixtures.bytes("generated/responses/assertion-signed.xml")
        let base64 = Data(xml).base64EncodedString(options: .lineLength76Characters)
        let plain = try SAMLMessageInspector.inspect(base64)
        #expect(plain.transport.encoding == "base64")
        #expect(plain.transport.xmlBytes == xml.count)
        #expect(plain.assertions.first?.nameID?.value == "alice@example.com")
        let escaped = Data(xml).base64EncodedString().replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "=", with: "%3D")
        #expect(try SAMLMessageInspector.inspect(escaped).id == Generated.responseID)
    }

    @Test("refusals: DEFLATE bomb, oversized input, garbage, DOCTYPE, both parameters")
    func refusals() throws {
        let bomb = try Deflate.compress([UInt8](repeating: 0x41, count: 8 << 20))
        let limits = XMLLimits(maximumBytes: 1 << 20)
        #expect { try SAMLMessageInspector.inspect("SAMLRequest=" + Base64.encode(bomb).replacingOccurrences(of: "+", with: "%2B"), limits: limits) }
            throws: { ($0 as? SAMLError)?.code == .tooLarge }
        #expect { try SAMLMessageInspector.inspect(bytes: [UInt8](repeating: 0x41, count: (4 << 20) + 1), limits: limits) }
            throws: { ($0 as? SAMLError)?.code == .tooLarge }
        #expect { try SAMLMessageInspector.inspect("QUJD") } throws: { ($0 as? SAMLError)?.code == .invalidEncoding }
        #expect { try SAMLMessageInspector.inspect("<!DOCTYPE a><a/>") } throws: { ($0 as? SAMLError)?.code == .doctypeForbidden }
        #expect { try SAMLMessageInspector.inspect("SAMLRequest=QUJD&SAMLResponse=QUJD") } throws: { ($0 as? SAMLError)?.code == .invalidMessage }
        #expect { try SAMLMessageInspector.inspect("SAMLResponse=PHg%2") } throws: { ($0 as? SAMLError)?.code == .invalidEncoding }
    }

    @Test("certificate signature algorithms read from DER")
    func certificateSignatureAlgorithms() throws {
        #expect(try Generated.certificate("idp-rsa").signatureAlgorithm == "sha256WithRSAEncryption")
        #expect(try Generated.certificate("idp-ec256").signatureAlgorithm == "ecdsa-with-SHA256")
        #expect(try !Generated.certificate("idp-rsa").isSignedWithLegacyDigest)
        let onelogin = try IdentityProvider(metadata: Fixtures.bytes("reference/idp-metadata/onelogin_app-503983.xml"))
        #expect(onelogin.signingCertificates.first?.signatureAlgorithm == "sha1WithRSAEncryption")
        #expect(onelogin.signingCertificates.first?.isSignedWithLegacyDigest == true)
    }
}
