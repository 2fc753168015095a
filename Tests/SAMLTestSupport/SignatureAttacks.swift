import Foundation
package import SAML
import SAMLCore
import Testing

/// A constructed attack on a validly signed response, and the exact rejection it must get.
package struct AttackCase: Sendable, CustomTestStringConvertible {
    package let name: String
    package let code: SAMLError.Code
    package let build: @Sendable () throws -> String
    package var testDescription: String { name }
}

/// Signature wrapping, stripping, substitution and algorithm attacks, built from the
/// xmlsec1-signed fixtures (or signed in-process where a valid signature over altered content
/// is the point).
package enum SignatureAttacks {
    package static let assertionSigned = { try! Generated.response("assertion-signed.xml") }()
    package static let responseSigned = { try! Generated.response("response-signed.xml") }()
    package static var assertionA: String { assertionSigned.slice(from: "<saml:Assertion ", through: "</saml:Assertion>")! }
    package static var signatureA: String { assertionSigned.slice(from: "<ds:Signature", through: "</ds:Signature>")! }
    package static var signatureR: String { responseSigned.slice(from: "<ds:Signature", through: "</ds:Signature>")! }
    package static var assertionR: String { responseSigned.slice(from: "<saml:Assertion ", through: "</saml:Assertion>")! }
    package static let evilName = "mallory@evil.example"

    /// The signed assertion with its signature removed, NameID changed and ID replaced.
    package static func evil(id: String = "_evil-assertion", keepSignature: String? = nil) -> String {
        var evil = assertionA.replacingOnce(signatureA, with: keepSignature ?? "")
            .replacingOnce(">alice@example.com</saml:NameID>", with: ">\(evilName)</saml:NameID>")
        evil = evil.replacingOnce("ID=\"\(Generated.assertionID)\"", with: "ID=\"\(id)\"")
        return evil
    }

    package static let cases: [AttackCase] = [
        // --- wrapping (XSW family) ---
        AttackCase(name: "XSW: evil assertion before the signed one", code: .wrappedSignature) {
            assertionSigned.replacingOnce(assertionA, with: evil() + assertionA)
        },
        AttackCase(name: "XSW: evil assertion after the signed one", code: .wrappedSignature) {
            assertionSigned.replacingOnce(assertionA, with: assertionA + evil())
        },
        AttackCase(name: "XSW: evil assertion reusing the signed ID", code: .duplicateID) {
            assertionSigned.replacingOnce(assertionA, with: evil(id: Generated.assertionID) + assertionA)
        },
        AttackCase(name: "XSW: evil assertion wrapping the signed one", code: .wrappedSignature) {
            let e = evil()
            return assertionSigned.replacingOnce(assertionA, with: e.replacingOnce("</saml:Assertion>", with: assertionA + "</saml:Assertion>"))
        },
        AttackCase(name: "XSW: signature moved to evil assertion, original in Extensions", code: .wrappedSignature) {
            let original = assertionA.replacingOnce(signatureA, with: "")
            let e = evil(keepSignature: signatureA)
            return assertionSigned.replacingOnce(assertionA, with: e)
                .replacingOnce("<samlp:Status>", with: "<samlp:Extensions>\(original)</samlp:Extensions><samlp:Status>")
        },
        AttackCase(name: "XSW: evil assertion takes the signed ID and signature, original removed", code: .signatureInvalid) {
            assertionSigned.replacingOnce(assertionA, with: evil(id: Generated.assertionID, keepSignature: signatureA))
        },
        AttackCase(name: "XSW: original hidden in the moved signature's Object", code: .wrappedSignature) {
            let original = assertionA.replacingOnce(signatureA, with: "")
            let moved = signatureA.replacingOnce("</ds:Signature>", with: "<ds:Object>\(original)</ds:Object></ds:Signature>")
            return assertionSigned.replacingOnce(assertionA, with: evil(keepSignature: moved))
        },
        AttackCase(name: "XSW: original in Object with the same ID", code: .duplicateID) {
            let original = assertionA.replacingOnce(signatureA, with: "")
            let moved = signatureA.replacingOnce("</ds:Signature>", with: "<ds:Object>\(original)</ds:Object></ds:Signature>")
            return assertionSigned.replacingOnce(assertionA, with: evil(id: Generated.assertionID, keepSignature: moved))
        },
        AttackCase(name: "XSW: evil Response wrapping the signed Response", code: .wrappedSignature) {
            let originalResponse = responseSigned.slice(from: "<samlp:Response", through: "</samlp:Response>")!
            var evilResponse = originalResponse.replacingOnce("ID=\"\(Generated.responseID)\"", with: "ID=\"_evil-response\"")
                .replacingOnce("ID=\"\(Generated.assertionID)\"", with: "ID=\"_evil-assertion\"")
                .replacingOnce(">alice@example.com</saml:NameID>", with: ">\(evilName)</saml:NameID>")
            evilResponse = evilResponse.replacingOnce(signatureR, with: signatureR.replacingOnce("</ds:Signature>", with: "<ds:Object>\(originalResponse)</ds:Object></ds:Signature>"))
            return "<?xml version=\"1.0\"?>\n" + evilResponse
        },
        AttackCase(name: "XSW: evil assertion injected into the signed Response's Signature Object", code: .wrappedSignature) {
            let injected = signatureR.replacingOnce("</ds:Signature>", with: "<ds:Object>\(evil())</ds:Object></ds:Signature>")
            return responseSigned.replacingOnce(signatureR, with: injected)
        },
        AttackCase(name: "Response signature moved onto the assertion", code: .wrappedSignature) {
            let withoutSignature = responseSigned.replacingOnce(signatureR, with: "")
            return withoutSignature.replacingOnce("<saml:Issuer>https://idp.example.org/metadata</saml:Issuer>\n    <saml:Subject>",
                                                  with: "<saml:Issuer>https://idp.example.org/metadata</saml:Issuer>\(signatureR)<saml:Subject>")
        },
        AttackCase(name: "Reference to the ancestor Response", code: .wrappedSignature) {
            assertionSigned.replacingOnce("URI=\"#\(Generated.assertionID)\"", with: "URI=\"#\(Generated.responseID)\"")
        },
        AttackCase(name: "Empty Reference URI (whole document)", code: .wrappedSignature) {
            assertionSigned.replacingOnce("URI=\"#\(Generated.assertionID)\"", with: "URI=\"\"")
        },
        AttackCase(name: "XPointer Reference URI", code: .wrappedSignature) {
            assertionSigned.replacingOnce("URI=\"#\(Generated.assertionID)\"", with: "URI=\"#xpointer(id('\(Generated.assertionID)'))\"")
        },
        AttackCase(name: "Two References in SignedInfo", code: .wrappedSignature) {
            let reference = signatureA.slice(from: "<ds:Reference", through: "</ds:Reference>")!
            return assertionSigned.replacingOnce(reference, with: reference + reference)
        },
        AttackCase(name: "Two signatures on the assertion", code: .wrappedSignature) {
            assertionSigned.replacingOnce(signatureA, with: signatureA + signatureA)
        },
        AttackCase(name: "xml:id clashing with the signed ID", code: .duplicateID) {
            assertionSigned.replacingOnce("<samlp:Status>", with: "<samlp:Status xml:id=\"\(Generated.assertionID)\">")
        },
        AttackCase(name: "Verbatim second copy of the signed assertion", code: .duplicateID) {
            assertionSigned.replacingOnce(assertionA, with: assertionA + assertionA)
        },
        AttackCase(name: "Second copy of the signed assertion under another ID", code: .wrappedSignature) {
            assertionSigned.replacingOnce(assertionA, with: assertionA + assertionA.replacingOnce("ID=\"\(Generated.assertionID)\"", with: "ID=\"_copy\""))
        },
        // --- stripping and tampering ---
        AttackCase(name: "Signature stripped", code: .signatureMissing) {
            assertionSigned.replacingOnce(signatureA, with: "")
        },
        AttackCase(name: "Signed content changed (digest mismatch)", code: .signatureInvalid) {
            assertionSigned.replacingOnce(">alice@example.com</saml:NameID>", with: ">\(evilName)</saml:NameID>")
        },
        AttackCase(name: "Attribute value changed", code: .signatureInvalid) {
            assertionSigned.replacingOnce("role/Admin,", with: "role/Root,")
        },
        AttackCase(name: "SignatureValue changed", code: .signatureInvalid) {
            let value = signatureA.slice(from: "<ds:SignatureValue>", through: "</ds:SignatureValue>")!
            var chars = Array(value)
            let i = "<ds:SignatureValue>".count + 10
            chars[i] = chars[i] == "A" ? "B" : "A"
            return assertionSigned.replacingOnce(value, with: String(chars))
        },
        AttackCase(name: "DigestValue changed", code: .signatureInvalid) {
            let value = signatureA.slice(from: "<ds:DigestValue>", through: "</ds:DigestValue>")!
            return assertionSigned.replacingOnce(value, with: "<ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:DigestValue>")
        },
        // --- keys ---
        AttackCase(name: "Attacker key, attacker certificate in KeyInfo", code: .untrustedKey) {
            try Generated.response("assertion-signed-attacker.xml")
        },
        AttackCase(name: "Attacker key, IdP certificate copied into KeyInfo", code: .signatureInvalid) {
            try Generated.signed(signer: "attacker-rsa", embed: "idp-rsa")
        },
        AttackCase(name: "Response signed by attacker key", code: .untrustedKey) {
            try Generated.signed(assertion: false, response: true, signer: "attacker-rsa", embed: "attacker-rsa")
        },
        AttackCase(name: "Signed by the IdP's encryption-only key", code: .untrustedKey) {
            try Generated.response("assertion-signed-ec384.xml")
        },
        AttackCase(name: "KeyValue carrying an attacker key", code: .signatureInvalid) {
            try Generated.signed(signer: "attacker-rsa").replacingOnce("</ds:SignatureValue>",
                with: "</ds:SignatureValue><ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>")
        },
        // --- algorithms and transforms ---
        AttackCase(name: "RSA-SHA1 by default", code: .algorithmNotAllowed) {
            try Generated.response("assertion-signed-rsa-sha1.xml")
        },
        AttackCase(name: "HMAC signature method", code: .algorithmNotAllowed) {
            assertionSigned.replacingOnce("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", with: "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256")
        },
        AttackCase(name: "MD5 digest", code: .algorithmNotAllowed) {
            assertionSigned.replacingOnce("http://www.w3.org/2001/04/xmlenc#sha256", with: "http://www.w3.org/2001/04/xmldsig-more#md5")
        },
        AttackCase(name: "XPath transform", code: .algorithmNotAllowed) {
            assertionSigned.replacingOnce("<ds:Transforms>", with: "<ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><ds:XPath>1</ds:XPath></ds:Transform>")
        },
        AttackCase(name: "XSLT transform", code: .algorithmNotAllowed) {
            assertionSigned.replacingOnce("<ds:Transforms>", with: "<ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/>")
        },
        AttackCase(name: "Unknown canonicalization", code: .algorithmNotAllowed) {
            assertionSigned.replacingOnce("<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"", with: "<ds:CanonicalizationMethod Algorithm=\"http://example.org/c14n\"")
        },
        // --- parsing ---
        AttackCase(name: "DOCTYPE", code: .doctypeForbidden) {
            assertionSigned.replacingOnce("<samlp:Response", with: "<!DOCTYPE samlp:Response><samlp:Response")
        },
        AttackCase(name: "XXE external entity", code: .doctypeForbidden) {
            assertionSigned.replacingOnce("<samlp:Response", with: "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><samlp:Response")
                .replacingOnce(">alice@example.com</saml:NameID>", with: ">&x;</saml:NameID>")
        },
        AttackCase(name: "Unbound namespace prefix", code: .malformedXML) {
            assertionSigned.replacingOnce("<samlp:Status>", with: "<samlp:Status><evil:x/>")
        },
        AttackCase(name: "Unsigned response", code: .signatureMissing) {
            try Generated.response("unsigned.xml")
        },
    ]
}
