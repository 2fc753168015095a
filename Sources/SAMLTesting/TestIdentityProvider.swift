import Foundation
public import SAMLCore
public import SAMLMetadata
public import SAMLVerification
import SAMLXMLSec

/// An identity provider that runs inside your process, for tests and local demos.
///
/// It publishes metadata, reads this package's AuthnRequests (HTTP-Redirect and HTTP-POST,
/// checking their signatures against the registered SP certificates), and issues signed,
/// optionally encrypted Responses for a ``TestUser`` at the real clock or a given time —
/// including deliberately broken ones (``BrokenVariant``) for testing error paths.
///
/// ```swift
/// let idp = try TestIdentityProvider.demo()
/// let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp.identityProvider)
/// let response = try idp.issueResponse(for: .alice, serviceProviderEntityID: sp.entityID,
///                                      acsURL: sp.acsURL, inResponseTo: request.id)
/// let login = try await verifier.verify(samlResponse: response.base64, inResponseTo: request.id)
/// ```
///
/// Never use it in production: it signs whatever it is asked to sign.
public struct TestIdentityProvider: Sendable {
    /// An SP this IdP knows: where it may send responses, and the keys that sign its requests.
    public struct ServiceProviderRegistration: Sendable {
        /// The SP's entity ID (the AuthnRequest's Issuer, the assertion's Audience).
        public var entityID: String
        /// Its Assertion Consumer Service URLs; the first is used when a request names none.
        public var acsURLs: [String]
        /// Certificates whose keys may sign its AuthnRequests.
        public var signingCertificates: [SAMLCertificate]
        /// Its single logout URL (HTTP-Redirect and HTTP-POST), where this IdP sends LogoutRequests
        /// and LogoutResponses; nil when the SP does not take part in single logout.
        public var singleLogoutURL: String? = nil

        /// Registers an SP.
        public init(entityID: String, acsURLs: [String], signingCertificates: [SAMLCertificate] = []) {
            self.entityID = entityID
            self.acsURLs = acsURLs
            self.signingCertificates = signingCertificates
        }

        /// Registers a `ServiceProvider` as configured for this package's SP side (its signing
        /// certificate, if any, checks its requests).
        public init(_ serviceProvider: ServiceProvider) {
            self.init(entityID: serviceProvider.entityID, acsURLs: [serviceProvider.acsURL],
                      signingCertificates: serviceProvider.signingKey.map { [$0.certificate] } ?? [])
        }
    }

    /// The IdP's entity ID (the Issuer of everything it sends).
    public var entityID: String
    /// The single sign-on URL for the HTTP-Redirect binding.
    public var redirectURL: String
    /// The single sign-on URL for the HTTP-POST binding.
    public var postURL: String
    /// The key that signs responses and assertions, with its certificate (RSA or EC).
    public var signingKey: SAMLKeyPair
    /// Whether AuthnRequests must be signed (`WantAuthnRequestsSigned` in the metadata).
    public var wantAuthnRequestsSigned: Bool
    /// The SPs this IdP answers. Empty: any SP, with the ACS URL its request names (a signed
    /// request from an unregistered SP is still refused, as its key is unknown).
    public var serviceProviders: [ServiceProviderRegistration]
    /// The users offered by the user picker, first one first.
    public var users: [TestUser]
    /// The single logout URL for both bindings, published in the metadata; nil: no single logout.
    public var singleLogoutURL: String? = nil
    /// Where the IDs of received LogoutRequests are remembered, so each is accepted once.
    public var replayStore: any ReplayStore = InMemoryReplayStore()

    /// Creates an IdP with one single sign-on URL for both bindings.
    public init(entityID: String, singleSignOnURL: String, signingKey: SAMLKeyPair, wantAuthnRequestsSigned: Bool = false,
                serviceProviders: [ServiceProviderRegistration] = [], users: [TestUser] = TestUser.defaultUsers) {
        self.init(entityID: entityID, redirectURL: singleSignOnURL, postURL: singleSignOnURL, signingKey: signingKey,
                  wantAuthnRequestsSigned: wantAuthnRequestsSigned, serviceProviders: serviceProviders, users: users)
    }

    /// Creates an IdP with separate single sign-on URLs per binding.
    public init(entityID: String, redirectURL: String, postURL: String, signingKey: SAMLKeyPair,
                wantAuthnRequestsSigned: Bool = false, serviceProviders: [ServiceProviderRegistration] = [],
                users: [TestUser] = TestUser.defaultUsers) {
        self.entityID = entityID
        self.redirectURL = redirectURL
        self.postURL = postURL
        self.signingKey = signingKey
        self.wantAuthnRequestsSigned = wantAuthnRequestsSigned
        self.serviceProviders = serviceProviders
        self.users = users
    }

    /// An IdP at `baseURL` signing with the bundled DEMO-ONLY key (RSA, or EC P-256 when
    /// `ecdsa`): entity ID `baseURL/metadata`, single sign-on at `baseURL/sso` and single logout
    /// at `baseURL/slo`, each for both bindings.
    public static func demo(baseURL: String = "http://127.0.0.1:8080/idp", ecdsa: Bool = false,
                            wantAuthnRequestsSigned: Bool = false,
                            serviceProviders: [ServiceProviderRegistration] = []) throws -> TestIdentityProvider {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var idp = TestIdentityProvider(
            entityID: base + "/metadata", singleSignOnURL: base + "/sso",
            signingKey: ecdsa ? try DemoOnlyCredentials.identityProviderEC() : try DemoOnlyCredentials.identityProviderRSA(),
            wantAuthnRequestsSigned: wantAuthnRequestsSigned, serviceProviders: serviceProviders)
        idp.singleLogoutURL = base + "/slo"
        return idp
    }

    /// The user whose NameID is `nameID`, among ``users``.
    public func user(nameID: String) -> TestUser? {
        users.first { $0.nameID == nameID }
    }

    /// This IdP as an SP configures it: entity ID, both single sign-on endpoints (and both single
    /// logout endpoints when ``singleLogoutURL`` is set), the signing
    /// certificate and the signed-requests switch. Hand it to `ResponseVerifier` or `AuthnRequest`.
    public var identityProvider: IdentityProvider {
        var idp = IdentityProvider(entityID: entityID, singleSignOnURL: nil, certificates: [signingKey.certificate],
                                   wantsAuthnRequestsSigned: wantAuthnRequestsSigned)
        idp.singleSignOnServices = [Endpoint(binding: .httpRedirect, location: redirectURL),
                                    Endpoint(binding: .httpPost, location: postURL)]
        idp.nameIDFormats = Self.nameIDFormats
        if let singleLogoutURL {
            idp.singleLogoutServices = [Endpoint(binding: .httpRedirect, location: singleLogoutURL),
                                        Endpoint(binding: .httpPost, location: singleLogoutURL)]
        }
        return idp
    }

    static let nameIDFormats: [NameIDFormat] = [.emailAddress, .unspecified, .persistent]

    /// The IdP's SAML metadata: an `EntityDescriptor` with an `IDPSSODescriptor` listing the
    /// signing certificate, `WantAuthnRequestsSigned`, both single logout endpoints (when
    /// ``singleLogoutURL`` is set), the NameID formats and both single sign-on endpoints. UTF-8 text with an XML declaration.
    public func metadata() -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="\#(XMLText.attribute(entityID))">"# + "\n"
        xml += #"  <md:IDPSSODescriptor WantAuthnRequestsSigned="\#(wantAuthnRequestsSigned)" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">"# + "\n"
        xml += #"    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\#(signingKey.certificate.base64)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"# + "\n"
        if let singleLogoutURL {
            for binding in [SAMLBinding.httpRedirect, .httpPost] {
                xml += #"    <md:SingleLogoutService Binding="\#(binding.rawValue)" Location="\#(XMLText.attribute(singleLogoutURL))"/>"# + "\n"
            }
        }
        for format in Self.nameIDFormats {
            xml += "    <md:NameIDFormat>\(XMLText.content(format.rawValue))</md:NameIDFormat>\n"
        }
        xml += #"    <md:SingleSignOnService Binding="\#(SAMLBinding.httpRedirect.rawValue)" Location="\#(XMLText.attribute(redirectURL))"/>"# + "\n"
        xml += #"    <md:SingleSignOnService Binding="\#(SAMLBinding.httpPost.rawValue)" Location="\#(XMLText.attribute(postURL))"/>"# + "\n"
        xml += "  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n"
        return xml
    }

    /// A fresh message ID: `_` and 160 random bits in hex.
    static func newID() throws -> String {
        "_" + (try Crypto.randomBytes(20)).hex
    }
}

/// Escaping for text built by hand into XML and HTML.
enum XMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, and CR, LF and tab (which attribute-value
    /// normalisation would turn into spaces): safe in attribute values and content alike.
    static func attribute(_ text: String) -> String {
        HTMLEscaping.escape(text, attributeEscapes)
    }

    /// Escapes element content (`&`, `<`, `>` and CR, which parsing would drop).
    static func content(_ text: String) -> String {
        HTMLEscaping.escape(text, ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"])
    }

    private static let attributeEscapes = HTMLEscaping.markup.merging(["\r": "&#13;", "\n": "&#10;", "\t": "&#9;"]) { old, _ in old }
}
