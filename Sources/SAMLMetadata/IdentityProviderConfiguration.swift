import Foundation
import SAMLCore

/// The plain-value IdP configuration admin dashboards and APIs store, as JSON:
///
/// ```json
/// {"type": "saml", "name": "Okta",
///  "config": {"issuer_url": "http://www.okta.com/exk…", "sso_target_url": "https://…/sso/saml",
///             "idp_public_certs": ["-----BEGIN CERTIFICATE-----…"], "email_attribute_name": "email",
///             "sign_request": true, "attributes": {"givenName": "first_name"}}}
/// ```
public struct IdentityProviderConfiguration: Sendable, Codable, Hashable {
    /// Provider type; `saml` for this package.
    public var type: String?
    /// A display name.
    public var name: String?
    /// The SAML settings.
    public var config: Settings

    /// The SAML settings inside ``IdentityProviderConfiguration``.
    public struct Settings: Sendable, Codable, Hashable {
        /// The IdP's entity ID (Issuer).
        public var issuerURL: String
        /// Where AuthnRequests go.
        public var ssoTargetURL: String?
        /// The attributes passed on to the application, as application name → SAML attribute name.
        /// JSON gives an object (`{"first_name": "givenName"}`) or a list of SAML attribute names
        /// (`["mail", "givenName"]`, each passed on under its own name). Becomes
        /// ``IdentityProvider/attributeMapping``.
        public var attributes: [String: String]?
        /// The attribute that carries the e-mail (nil: the NameID).
        public var emailAttributeName: String?
        /// Whether AuthnRequests are signed.
        public var signRequest: Bool?
        /// The IdP's public certificates, PEM or bare base64 DER.
        public var idpPublicCerts: [String]

        enum CodingKeys: String, CodingKey {
            case issuerURL = "issuer_url", ssoTargetURL = "sso_target_url", attributes
            case emailAttributeName = "email_attribute_name", signRequest = "sign_request", idpPublicCerts = "idp_public_certs"
        }

        /// Creates settings.
        public init(issuerURL: String, ssoTargetURL: String?, attributes: [String: String]? = nil,
                    emailAttributeName: String? = nil, signRequest: Bool? = nil, idpPublicCerts: [String]) {
            self.issuerURL = issuerURL
            self.ssoTargetURL = ssoTargetURL
            self.attributes = attributes
            self.emailAttributeName = emailAttributeName
            self.signRequest = signRequest
            self.idpPublicCerts = idpPublicCerts
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            issuerURL = try c.decode(String.self, forKey: .issuerURL)
            ssoTargetURL = try c.decodeIfPresent(String.self, forKey: .ssoTargetURL)
            emailAttributeName = try c.decodeIfPresent(String.self, forKey: .emailAttributeName)
            // "sign_request" arrives as a boolean or as "true"/"false"
            if let flag = try? c.decodeIfPresent(Bool.self, forKey: .signRequest) {
                signRequest = flag
            } else if let text = try? c.decodeIfPresent(String.self, forKey: .signRequest) {
                switch text.lowercased() {
                case "true", "1", "yes": signRequest = true
                case "false", "0", "no", "": signRequest = false
                default:
                    throw DecodingError.dataCorruptedError(forKey: .signRequest, in: c, debugDescription: "sign_request \"\(text)\" is not a boolean")
                }
            } else if c.contains(.signRequest), try !c.decodeNil(forKey: .signRequest) {
                // present with another type: refuse rather than guess whether requests are signed
                throw DecodingError.dataCorruptedError(forKey: .signRequest, in: c, debugDescription: "sign_request must be a boolean")
            } else {
                signRequest = nil
            }
            // "idp_public_certs" arrives as a list or as one string
            if let list = try? c.decode([String].self, forKey: .idpPublicCerts) {
                idpPublicCerts = list
            } else if let one = try? c.decode(String.self, forKey: .idpPublicCerts) {
                idpPublicCerts = [one]
            } else if try !c.contains(.idpPublicCerts) || c.decodeNil(forKey: .idpPublicCerts) {
                idpPublicCerts = []
            } else {
                // present with another shape: refuse rather than trust an IdP with no certificate read
                throw DecodingError.dataCorruptedError(forKey: .idpPublicCerts, in: c, debugDescription: "idp_public_certs must be a list of PEM certificates or one PEM certificate")
            }
            // "attributes" selects what the application receives: an object (application name →
            // SAML name) or a list of SAML names. Any other shape is refused rather than guessed.
            if try !c.contains(.attributes) || c.decodeNil(forKey: .attributes) {
                attributes = nil
            } else if let mapping = try? c.decode([String: String].self, forKey: .attributes) {
                attributes = mapping
            } else if let names = try? c.decode([String].self, forKey: .attributes) {
                attributes = Dictionary(names.map { ($0, $0) }, uniquingKeysWith: { first, _ in first })
            } else {
                throw DecodingError.dataCorruptedError(forKey: .attributes, in: c, debugDescription: "attributes must be an object of application name to SAML attribute name, or a list of SAML attribute names")
            }
        }
    }

    /// Creates a configuration.
    public init(type: String? = "saml", name: String? = nil, config: Settings) {
        self.type = type
        self.name = name
        self.config = config
    }

    /// Decodes the JSON shape shown above.
    public init(json: some Collection<UInt8>) throws {
        do {
            self = try JSONDecoder().decode(IdentityProviderConfiguration.self, from: Data(json))
        } catch {
            throw SAMLError(.invalidConfiguration, "The IdP configuration JSON does not have the expected shape: \(error)")
        }
        if let type, type.lowercased() != "saml" {
            throw SAMLError(.invalidConfiguration, "The IdP configuration has type \"\(type)\", not \"saml\".")
        }
    }
}

extension IdentityProvider {
    /// Builds an IdP from plain-value configuration. Every certificate must load, and
    /// `sso_target_url` must be an `https:` URL (`http:` only with `allowHTTPEndpoints`).
    /// `sign_request` becomes ``wantsAuthnRequestsSigned``; `attributes` becomes ``attributeMapping``.
    public init(configuration: IdentityProviderConfiguration, allowHTTPEndpoints: Bool = false) throws {
        let settings = configuration.config
        guard !settings.issuerURL.isEmpty else {
            throw SAMLError(.invalidConfiguration, "issuer_url is empty.")
        }
        var certificates: [SAMLCertificate] = []
        for text in settings.idpPublicCerts {
            certificates += try SAMLCertificate.all(inPEM: text)
        }
        guard !certificates.isEmpty else {
            throw SAMLError(.invalidConfiguration, "idp_public_certs is empty; at least one IdP signing certificate is required.")
        }
        if let url = settings.ssoTargetURL {
            try MetadataPolicy(allowHTTPEndpoints: allowHTTPEndpoints).checkEndpoint(url, what: "sso_target_url")
        }
        self.init(entityID: settings.issuerURL, singleSignOnURL: settings.ssoTargetURL, certificates: certificates,
                  emailAttributeName: settings.emailAttributeName, wantsAuthnRequestsSigned: settings.signRequest ?? false)
        self.attributeMapping = settings.attributes
    }
}
