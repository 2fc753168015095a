import Foundation
import SAML
import Testing
import SAMLTestSupport

/// The open-redirect defence and the attribute mapping, on their own.
@Suite struct ReturnToAndMappingTests {
    static let policy = ReturnToPolicy(allowedOrigins: ["https://app.example.com", "http://127.0.0.1:8080/"])

    @Test(arguments: ["/", "/inbox", "/a/b?c=d&e=f#g", "https://app.example.com/x", "https://APP.example.com:443/y",
                      "http://127.0.0.1:8080/z"])
    func acceptable(_ value: String) {
        #expect(Self.policy.validate(value) == value)
    }

    @Test(arguments: ["//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/", "http://app.example.com/",
                      "https://app.example.com.evil.example/", "https://app.example.com@evil.example/", "javascript:alert(1)",
                      "JAVASCRIPT:alert(1)", "data:text/html,x", "/ok\u{0}", "/tab\there", "/line\r\nSet-Cookie: a=b", " /lead",
                      "/\u{202E}rtl", "relative/path", "", "http://127.0.0.1:8081/"])
    func refused(_ value: String) {
        #expect(Self.policy.validate(value) == nil)
        #expect(Self.policy.resolve(value) == "/")
    }

    @Test func overLongValuesAreRefused() {
        #expect(Self.policy.validate("/" + String(repeating: "a", count: 2047)) != nil)
        #expect(Self.policy.validate("/" + String(repeating: "a", count: 2048)) == nil)
    }

    @Test func friendlyNameNeverShadowsARealName() async throws {
        // an attribute named urn:example:nickname that calls itself "email" comes first
        let saml = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true))
        let nick = """
              <saml:Attribute Name="urn:example:nickname" FriendlyName="email">
                <saml:AttributeValue xsi:type="xs:string">mallory@evil.example</saml:AttributeValue>
              </saml:Attribute>
              <saml:Attribute Name="email"
        """
        let response = try LoginWorld.response(answering: nil, edits: [("<saml:Attribute Name=\"email\"", nick)], assertionID: "_assert-nick")
        let login = try await saml.finishLogin(samlResponse: response, relayState: nil, browserState: nil, now: Generated.now)
        #expect(login.email == "alice@example.com")
        #expect(login.value(of: "email") == "alice@example.com")
    }

    /// An attribute found only by its FriendlyName (an IdP-chosen label, not an identifier) is
    /// read only by a mapping that opts in.
    @Test func friendlyNameIsMatchedOnlyWhenTheMappingOptsIn() async throws {
        let onlyFriendly: [(String, String)] = [
            ("<saml:Attribute Name=\"email\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\" FriendlyName=\"mail\">",
             "<saml:Attribute Name=\"urn:example:contact\" FriendlyName=\"email\">"),
            ("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"),
        ]
        let strict = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true))
        let login = try await strict.finishLogin(
            samlResponse: try LoginWorld.response(answering: nil, edits: onlyFriendly, assertionID: "_assert-fn1"),
            relayState: nil, browserState: nil, now: Generated.now)
        #expect(login.email == nil)
        #expect(login.value(of: "email") == nil)
        #expect(login.values(ofFriendlyName: "email") == ["alice@example.com"])

        var configuration = try LoginWorld.configuration(allowIdPInitiated: true)
        configuration.attributeMapping.matchesFriendlyName = true
        let optedIn = try await LoginWorld.facade(configuration).finishLogin(
            samlResponse: try LoginWorld.response(answering: nil, edits: onlyFriendly, assertionID: "_assert-fn2"),
            relayState: nil, browserState: nil, now: Generated.now)
        #expect(optedIn.email == "alice@example.com")

        // a stored mapping written before the switch existed decodes with it off
        let stored = try JSONDecoder().decode(AttributeMapping.self, from: Data(#"{"email":["mail"]}"#.utf8))
        #expect(stored.matchesFriendlyName == false)
        #expect(stored.email == ["mail"])
        #expect(stored.groups == AttributeMapping.default.groups)
    }

    @Test func emailComesFromTheNameIDOnlyWhenItsFormatSaysSo() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true))
        let withoutAttribute: [(String, String)] = [(
            "<saml:Attribute Name=\"email\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\" FriendlyName=\"mail\">",
            "<saml:Attribute Name=\"x-email\">")]
        let emailFormat = try await saml.finishLogin(
            samlResponse: try LoginWorld.response(answering: nil, edits: withoutAttribute, assertionID: "_assert-nf1"),
            relayState: nil, browserState: nil, now: Generated.now)
        #expect(emailFormat.email == "alice@example.com")
        let unspecified = try await saml.finishLogin(
            samlResponse: try LoginWorld.response(answering: nil, edits: withoutAttribute + [
                ("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"),
            ], assertionID: "_assert-nf2"),
            relayState: nil, browserState: nil, now: Generated.now)
        #expect(unspecified.email == nil)
        #expect(unspecified.nameID.value == "alice@example.com")
    }

    @Test func idpConfiguredEmailAttributeIsTheOnlySource() async throws {
        var configuration = try LoginWorld.configuration(allowIdPInitiated: true)
        configuration.identityProviders[0].identityProvider.emailAttributeName = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
        let saml = try LoginWorld.facade(configuration)
        let login = try await saml.finishLogin(samlResponse: try LoginWorld.response(answering: nil, assertionID: "_assert-cfg"),
                                               relayState: nil, browserState: nil, now: Generated.now)
        #expect(login.email == "3600")  // what the configuration says, however odd; not the "email" attribute
        configuration.identityProviders[0].identityProvider.emailAttributeName = "missing"
        let none = try await LoginWorld.facade(configuration).finishLogin(
            samlResponse: try LoginWorld.response(answering: nil, assertionID: "_assert-cfg2"), relayState: nil, browserState: nil, now: Generated.now)
        #expect(none.email == nil)  // neither the other attributes nor the NameID stand in
    }

    @Test func groupsCollectEveryValueOfTheGroupAttributes() async throws {
        let saml = try LoginWorld.facade(try LoginWorld.configuration(allowIdPInitiated: true))
        let groups = """
              <saml:Attribute Name="http://schemas.microsoft.com/ws/2008/06/identity/claims/groups">
                <saml:AttributeValue>admins</saml:AttributeValue>
                <saml:AttributeValue>staff</saml:AttributeValue>
              </saml:Attribute>
              <saml:Attribute Name="email"
        """
        let login = try await saml.finishLogin(
            samlResponse: try LoginWorld.response(answering: nil, edits: [("<saml:Attribute Name=\"email\"", groups)], assertionID: "_assert-groups"),
            relayState: nil, browserState: nil, now: Generated.now)
        #expect(login.groups == ["admins", "staff"])
    }

    @Test func dashboardAttributeSelectionDecidesWhatTheAppReceives() async throws {
        var configuration = try LoginWorld.configuration(allowIdPInitiated: true)
        let all = try await LoginWorld.facade(configuration).finishLogin(
            samlResponse: try LoginWorld.response(answering: nil, assertionID: "_assert-app-all"), relayState: nil, browserState: nil, now: Generated.now)
        #expect(all.applicationAttributes["givenName"] == ["Alice"])
        #expect(all.applicationAttributes.count == 7)
        configuration.identityProviders[0].identityProvider.attributeMapping = ["mail": "email", "first": "givenName", "absent": "nope"]
        let selected = try await LoginWorld.facade(configuration).finishLogin(
            samlResponse: try LoginWorld.response(answering: nil, assertionID: "_assert-app-sel"), relayState: nil, browserState: nil, now: Generated.now)
        #expect(selected.applicationAttributes == ["mail": ["alice@example.com"], "first": ["Alice"]])
        #expect(selected.attributes.count == 7)  // the full list stays available
    }
}
