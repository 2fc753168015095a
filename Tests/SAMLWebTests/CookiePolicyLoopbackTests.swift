import SAMLCore
import SAMLWeb
import Testing

/// Plain http is accepted for ACS URLs on loopback only, and loopback is what `LoopbackHost` says:
/// a host name that merely starts with `127.` is a name anyone can register.
@Suite("Cookie policy: plain http on loopback only")
struct CookiePolicyLoopbackTests {
    @Test("http on 127.0.0.0/8, localhost and [::1] gives plain cookies", arguments: [
        "http://127.0.0.1:8080/saml/acs", "http://127.1.2.3/saml/acs", "http://localhost:8080/saml/acs", "http://[::1]:8080/saml/acs",
    ])
    func loopback(acs: String) throws {
        #expect(try SAMLCookiePolicy.automatic.resolved(for: [acs]) == .plainHTTPLoopback)
    }

    @Test("http on a name or address that only looks like loopback is refused", arguments: [
        "http://127.evil.example/saml/acs", "http://127.0.0.1.evil.example/saml/acs", "http://127.0.0.256/saml/acs", "http://128.0.0.1/saml/acs",
    ])
    func lookalike(acs: String) {
        #expect { try SAMLCookiePolicy.automatic.resolved(for: [acs]) } throws: { ($0 as? SAMLError)?.code == .invalidConfiguration }
    }
}
