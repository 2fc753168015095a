public import Foundation
public import SAMLCore
import SAMLXMLSec

/// This SP's SAML metadata (`<md:EntityDescriptor>` with one `<md:SPSSODescriptor>`), for
/// handing to IdP administrators or publishing at the entity ID's URL.
///
/// ```swift
/// var metadata = ServiceProviderMetadata(serviceProvider: sp)
/// metadata.wantAssertionsSigned = true
/// let xml = try metadata.xml(signedWith: sp.signingKey)
/// ```
public struct ServiceProviderMetadata: Sendable {
    /// An `<md:AssertionConsumerService>`.
    public struct AssertionConsumerService: Sendable, Hashable {
        /// Where the IdP posts responses.
        public var location: String
        /// The binding; HTTP-POST unless set otherwise.
        public var binding: SAMLBinding
        /// The endpoint's index (unique within the metadata).
        public var index: Int
        /// Whether this is the default endpoint.
        public var isDefault: Bool

        /// Creates an ACS endpoint.
        public init(location: String, binding: SAMLBinding = .httpPost, index: Int = 0, isDefault: Bool = false) {
            self.location = location
            self.binding = binding
            self.index = index
            self.isDefault = isDefault
        }
    }

    /// The `<md:Organization>` element.
    public struct Organization: Sendable, Hashable {
        /// The organization's name.
        public var name: String
        /// The name to show users.
        public var displayName: String
        /// The organization's web site.
        public var url: String
        /// The `xml:lang` of the three values. Default `en`.
        public var language: String

        /// Creates an organization.
        public init(name: String, displayName: String, url: String, language: String = "en") {
            self.name = name
            self.displayName = displayName
            self.url = url
            self.language = language
        }
    }

    /// An `<md:ContactPerson>`.
    public struct ContactPerson: Sendable, Hashable {
        /// The contact's role.
        public enum ContactType: String, Sendable, Hashable {
            /// Technical contact.
            case technical
            /// Support contact.
            case support
            /// Administrative contact.
            case administrative
            /// Billing contact.
            case billing
            /// Anything else.
            case other
        }

        /// The contact's role.
        public var type: ContactType
        /// Company name.
        public var company: String?
        /// Given name.
        public var givenName: String?
        /// Surname.
        public var surname: String?
        /// E-mail addresses (written as `mailto:` URIs when given bare).
        public var emailAddresses: [String]
        /// Telephone numbers.
        public var telephoneNumbers: [String]

        /// Creates a contact.
        public init(type: ContactType, company: String? = nil, givenName: String? = nil, surname: String? = nil,
                    emailAddresses: [String] = [], telephoneNumbers: [String] = []) {
            self.type = type
            self.company = company
            self.givenName = givenName
            self.surname = surname
            self.emailAddresses = emailAddresses
            self.telephoneNumbers = telephoneNumbers
        }
    }

    /// The encryption algorithms listed under each encryption key, strongest first.
    public static let encryptionMethods: [String] = [
        "http://www.w3.org/2009/xmlenc11#aes256-gcm",
        "http://www.w3.org/2009/xmlenc11#aes128-gcm",
        "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
        "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
        "http://www.w3.org/2009/xmlenc11#rsa-oaep",
    ]

    /// The SP's entity ID.
    public var entityID: String
    /// Assertion Consumer Service endpoints (at least one).
    public var assertionConsumerServices: [AssertionConsumerService]
    /// Single logout endpoints, if the SP offers logout.
    public var singleLogoutServices: [Endpoint]
    /// Certificates whose keys sign this SP's requests (several during a key rollover).
    public var signingCertificates: [SAMLCertificate]
    /// Certificates the IdP may encrypt assertions to (several during a key rollover).
    public var encryptionCertificates: [SAMLCertificate]
    /// NameID formats the SP accepts, in order of preference.
    public var nameIDFormats: [NameIDFormat]
    /// `AuthnRequestsSigned`; by default true when a signing certificate is listed.
    public var authnRequestsSigned: Bool
    /// `WantAssertionsSigned`.
    public var wantAssertionsSigned: Bool
    /// The `<md:Organization>`, if any.
    public var organization: Organization?
    /// Contacts, if any.
    public var contacts: [ContactPerson]
    /// `validUntil`: when IdPs should stop trusting this document.
    public var validUntil: Date?
    /// `cacheDuration` as an `xs:duration`, e.g. `PT24H`.
    public var cacheDuration: String?

    /// Creates metadata with one HTTP-POST ACS endpoint.
    public init(entityID: String, acsURL: String, signingCertificates: [SAMLCertificate] = [],
                encryptionCertificates: [SAMLCertificate] = [], nameIDFormats: [NameIDFormat] = [],
                wantAssertionsSigned: Bool = true) {
        self.entityID = entityID
        self.assertionConsumerServices = [AssertionConsumerService(location: acsURL, index: 0, isDefault: true)]
        self.singleLogoutServices = []
        self.signingCertificates = signingCertificates
        self.encryptionCertificates = encryptionCertificates
        self.nameIDFormats = nameIDFormats
        self.authnRequestsSigned = !signingCertificates.isEmpty
        self.wantAssertionsSigned = wantAssertionsSigned
        self.organization = nil
        self.contacts = []
        self.validUntil = nil
        self.cacheDuration = nil
    }

    /// Metadata describing `serviceProvider` with its signing certificate, plus the
    /// certificates that publish its decryption keys.
    public init(serviceProvider: ServiceProvider, encryptionCertificates: [SAMLCertificate] = [],
                nameIDFormats: [NameIDFormat] = [], wantAssertionsSigned: Bool = true) {
        self.init(entityID: serviceProvider.entityID, acsURL: serviceProvider.acsURL,
                  signingCertificates: serviceProvider.signingKey.map { [$0.certificate] } ?? [],
                  encryptionCertificates: encryptionCertificates,
                  nameIDFormats: nameIDFormats, wantAssertionsSigned: wantAssertionsSigned)
    }

    /// The metadata XML (UTF-8, with declaration). With `key`, the EntityDescriptor carries an ID
    /// and an enveloped signature as its first child (RSA-SHA256 or ECDSA-SHA256 by key type,
    /// exclusive canonicalization, the certificate in KeyInfo).
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` (no ACS endpoint, duplicate indexes, several
    ///   defaults), `.invalidKey` when signing fails.
    public func xml(signedWith key: SAMLKeyPair? = nil) throws -> String {
        try xml(signedWith: key, id: nil)
    }

    package func xml(signedWith key: SAMLKeyPair?, id: String?) throws -> String {
        try validate()
        let document = try XMLDocument(rootName: "EntityDescriptor", namespace: NS.metadata, prefix: "md")
        guard let root = document.root else { throw SAMLError(.libraryFailure, "The metadata could not be built.") }
        root.declareNamespace(NS.dsig, prefix: "ds")
        root.setAttribute("entityID", entityID)
        let documentID: String? = key != nil ? try id ?? ("_" + Crypto.randomBytes(20).hex) : id
        if let documentID { root.setAttribute("ID", documentID) }
        if let validUntil { root.setAttribute("validUntil", SAMLTime.format(validUntil)) }
        if let cacheDuration { root.setAttribute("cacheDuration", cacheDuration) }

        let sso = root.addChild("SPSSODescriptor", namespace: NS.metadata, prefix: "md")
        sso.setAttribute("AuthnRequestsSigned", authnRequestsSigned ? "true" : "false")
        sso.setAttribute("WantAssertionsSigned", wantAssertionsSigned ? "true" : "false")
        sso.setAttribute("protocolSupportEnumeration", NS.protocol_)

        for certificate in signingCertificates {
            addKeyDescriptor(to: sso, use: "signing", certificate: certificate, methods: [])
        }
        for certificate in encryptionCertificates {
            addKeyDescriptor(to: sso, use: "encryption", certificate: certificate, methods: Self.encryptionMethods)
        }
        for endpoint in singleLogoutServices {
            let element = sso.addChild("SingleLogoutService", namespace: NS.metadata, prefix: "md")
            element.setAttribute("Binding", endpoint.binding.rawValue)
            element.setAttribute("Location", endpoint.location)
            if let response = endpoint.responseLocation { element.setAttribute("ResponseLocation", response) }
        }
        for format in nameIDFormats {
            sso.addChild("NameIDFormat", namespace: NS.metadata, prefix: "md").setText(format.rawValue)
        }
        for acs in assertionConsumerServices {
            let element = sso.addChild("AssertionConsumerService", namespace: NS.metadata, prefix: "md")
            element.setAttribute("Binding", acs.binding.rawValue)
            element.setAttribute("Location", acs.location)
            element.setAttribute("index", String(acs.index))
            if acs.isDefault { element.setAttribute("isDefault", "true") }
        }

        if let organization {
            let element = root.addChild("Organization", namespace: NS.metadata, prefix: "md")
            for (name, value) in [("OrganizationName", organization.name), ("OrganizationDisplayName", organization.displayName),
                                  ("OrganizationURL", organization.url)] {
                let child = element.addChild(name, namespace: NS.metadata, prefix: "md")
                child.setAttribute("lang", organization.language, namespace: Self.xmlNamespace, prefix: "xml")
                child.setText(value)
            }
        }
        for contact in contacts {
            let element = root.addChild("ContactPerson", namespace: NS.metadata, prefix: "md")
            element.setAttribute("contactType", contact.type.rawValue)
            if let company = contact.company { element.addChild("Company", namespace: NS.metadata, prefix: "md").setText(company) }
            if let given = contact.givenName { element.addChild("GivenName", namespace: NS.metadata, prefix: "md").setText(given) }
            if let surname = contact.surname { element.addChild("SurName", namespace: NS.metadata, prefix: "md").setText(surname) }
            for email in contact.emailAddresses {
                let value = email.lowercased().hasPrefix("mailto:") ? email : "mailto:" + email
                element.addChild("EmailAddress", namespace: NS.metadata, prefix: "md").setText(value)
            }
            for phone in contact.telephoneNumbers {
                element.addChild("TelephoneNumber", namespace: NS.metadata, prefix: "md").setText(phone)
            }
        }

        if let key, let documentID {
            let algorithm: SignatureAlgorithmCode = key.privateKey.keyAlgorithm == .rsa ? .rsaSHA256 : .ecdsaSHA256
            try root.sign(id: documentID, after: nil, key: key.privateKey.handle, algorithm: algorithm, certificateDER: key.certificate.der)
        }
        return String(decoding: document.serialized(declaration: true), as: UTF8.self)
    }

    private static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    private func addKeyDescriptor(to parent: XMLElement, use: String, certificate: SAMLCertificate, methods: [String]) {
        let descriptor = parent.addChild("KeyDescriptor", namespace: NS.metadata, prefix: "md")
        descriptor.setAttribute("use", use)
        descriptor.addChild("KeyInfo", namespace: NS.dsig, prefix: "ds")
            .addChild("X509Data", namespace: NS.dsig, prefix: "ds")
            .addChild("X509Certificate", namespace: NS.dsig, prefix: "ds")
            .setText(certificate.base64)
        for method in methods {
            descriptor.addChild("EncryptionMethod", namespace: NS.metadata, prefix: "md").setAttribute("Algorithm", method)
        }
    }

    private func validate() throws {
        guard !assertionConsumerServices.isEmpty else {
            throw SAMLError(.invalidConfiguration, "SP metadata needs at least one AssertionConsumerService.")
        }
        guard Set(assertionConsumerServices.map(\.index)).count == assertionConsumerServices.count else {
            throw SAMLError(.invalidConfiguration, "Two AssertionConsumerService endpoints share an index.")
        }
        guard assertionConsumerServices.filter(\.isDefault).count <= 1 else {
            throw SAMLError(.invalidConfiguration, "More than one AssertionConsumerService is marked as the default.")
        }
        guard assertionConsumerServices.allSatisfy({ $0.index >= 0 && $0.index <= 65535 }) else {
            throw SAMLError(.invalidConfiguration, "AssertionConsumerService indexes must lie between 0 and 65535.")
        }
    }
}
