import Foundation
import SAML
import SAMLCore
import SAMLXMLSec
import Testing
import SAMLTestSupport

/// Taking an HTTP-Redirect query apart: what our own AuthnRequest builder emits, a query built by
/// Python's zlib/base64/urllib, and hostile queries.
@Suite struct RedirectBindingMessageTests {
    @Test func ourSignedRedirectRequestRoundTrips() throws {
        let request = try RequestsSupport.builder(key: RequestsSupport.keyPair()).redirect(to: nil, now: Date(), id: "_rt1")
        let message = try RedirectBindingMessage(query: request.query)
        #expect(message.parameter == "SAMLRequest")
        #expect(String(decoding: message.xml, as: UTF8.self) == request.xml)
        #expect(message.signatureAlgorithm == request.signatureAlgorithm?.uri)
        let octets = try #require(message.signedOctets)
        // the signed octets are the query up to (not including) &Signature=, as sent
        let sent = try #require(request.query.range(of: "&Signature="))
        #expect(String(decoding: octets, as: UTF8.self) == String(request.query[..<sent.lowerBound]))
        let signature = try #require(message.signature)
        #expect(signature.count == 256)   // RSA-2048
    }

    @Test func queryBuiltByPython() throws {
        // python3: zlib.compressobj(9, zlib.DEFLATED, -15), base64, urllib.parse.quote(safe='')
        let query = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("Fuzz/Corpus/redirect/request-relay-signed.txt"), encoding: .utf8)
        let message = try RedirectBindingMessage(query: query)
        #expect(String(decoding: message.xml, as: UTF8.self).hasPrefix("<samlp:AuthnRequest "))
        #expect(message.relayState == "/app?x=1&y=2")
        #expect(message.signatureAlgorithm == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        #expect(message.signature?.count == 256)
    }

    @Test func hostileQueriesAreRefused() throws {
        let bomb = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("Fuzz/Corpus/redirect/bomb.txt"), encoding: .utf8)
        let cases: [(String, SAMLError.Code, XMLLimits)] = [
            (bomb, .tooLarge, XMLLimits(maximumBytes: 100_000)),               // inflates to 200 KB
            ("RelayState=x", .invalidRequest, .default),                       // no message
            ("SAMLRequest=AA&SAMLResponse=AA", .invalidRequest, .default),      // two messages
            ("SAMLRequest=AA&SAMLRequest=AA", .invalidRequest, .default),       // a parameter twice
            ("SAMLRequest=%ZZ", .invalidEncoding, .default),                    // broken escape
            ("SAMLRequest=%4", .invalidEncoding, .default),
            ("SAMLRequest=***", .invalidEncoding, .default),                    // not base64
            ("SAMLRequest=AAAA", .invalidEncoding, .default),                   // not DEFLATE
            (String(repeating: "a", count: 40), .tooLarge, XMLLimits(maximumBytes: 10)),
        ]
        for (query, code, limits) in cases {
            do {
                _ = try RedirectBindingMessage(query: query, limits: limits)
                Issue.record("accepted \(query.prefix(40))")
            } catch let error as SAMLError {
                #expect(error.code == code, "\(query.prefix(40)): \(error)")
            }
        }
        // the bomb inflates fine under a limit large enough
        #expect(try RedirectBindingMessage(query: bomb, limits: XMLLimits(maximumBytes: 300_000)).xml.count == 200_007)
    }
}
