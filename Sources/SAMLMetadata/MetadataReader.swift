import Foundation
import SAMLCore
import SAMLXMLSec

/// Reads SAML 2.0 metadata documents.
enum MetadataReader {
    struct Entity {
        var entityID: String
        var element: XMLElement
        var idpDescriptor: XMLElement?
        var validUntil: Date?
        var cacheDuration: String?
    }

    static let saml2Protocol = "urn:oasis:names:tc:SAML:2.0:protocol"
    /// The SAML metadata algorithm support profile's namespace (`alg:SigningMethod`).
    static let algorithmSupport = "urn:oasis:names:tc:SAML:metadata:algsupport"

    /// Every EntityDescriptor with its inherited validUntil/cacheDuration.
    static func entities(in document: XMLDocument) throws -> [Entity] {
        guard let root = document.root else { throw SAMLError(.invalidMetadata, "The metadata is empty.") }
        var result: [Entity] = []
        func visit(_ element: XMLElement, validUntil: Date?, cacheDuration: String?) throws {
            var until = validUntil
            if let text = element.attribute("validUntil") {
                guard let date = SAMLTime.parse(text) else {
                    throw SAMLError(.invalidMetadata, "validUntil \"\(text)\" is not an xs:dateTime.")
                }
                until = until.map { min($0, date) } ?? date
            }
            let cache = element.attribute("cacheDuration") ?? cacheDuration
            if element.is("EntitiesDescriptor", NS.metadata) {
                for child in element.children where child.is("EntitiesDescriptor", NS.metadata) || child.is("EntityDescriptor", NS.metadata) {
                    try visit(child, validUntil: until, cacheDuration: cache)
                }
            } else if element.is("EntityDescriptor", NS.metadata) {
                guard let id = element.attribute("entityID"), !id.isEmpty else {
                    throw SAMLError(.invalidMetadata, "An EntityDescriptor has no entityID.")
                }
                let idp = element.children("IDPSSODescriptor", NS.metadata).first {
                    ($0.attribute("protocolSupportEnumeration") ?? "").split(separator: " ").contains { $0 == saml2Protocol }
                }
                result.append(Entity(entityID: id, element: element, idpDescriptor: idp, validUntil: until, cacheDuration: cache))
            }
        }
        guard root.is("EntitiesDescriptor", NS.metadata) || root.is("EntityDescriptor", NS.metadata) else {
            throw SAMLError(.invalidMetadata, "The root element is <\(root.localName)> in \(root.namespaceURI.map { "\"\($0)\"" } ?? "no namespace"); SAML metadata starts with EntityDescriptor or EntitiesDescriptor.")
        }
        try visit(root, validUntil: nil, cacheDuration: nil)
        var seen = Set<String>()
        seen.reserveCapacity(result.count)
        var duplicates: [String] = []
        for entity in result where !seen.insert(entity.entityID).inserted {
            if !duplicates.contains(entity.entityID) { duplicates.append(entity.entityID) }
        }
        if !duplicates.isEmpty {
            let shown = duplicates.prefix(10).map { "\"\($0)\"" }.joined(separator: ", ") + (duplicates.count > 10 ? " and \(duplicates.count - 10) more" : "")
            throw SAMLError(.duplicateEntityID, "The metadata describes more than one entity with the entityID \(shown); which one to trust is ambiguous, so the document is refused.")
        }
        return result
    }

    /// Refuses metadata whose effective `validUntil` is not after `now`.
    static func checkValidity(_ validUntil: Date?, now: Date, what: String) throws {
        if let validUntil, validUntil <= now {
            throw SAMLError(.metadataExpired, "The metadata of \(what) expired at \(SAMLTime.format(validUntil)) (validUntil); fetch a current copy.")
        }
    }

    static func idpEntities(in document: XMLDocument) throws -> [Entity] {
        try entities(in: document).filter { $0.idpDescriptor != nil }
    }

    static func identityProvider(in document: XMLDocument, entityID: String?, policy: MetadataPolicy) throws -> IdentityProvider {
        let all = try entities(in: document)
        let entity: Entity
        if let entityID {
            guard let found = all.first(where: { $0.entityID == entityID }) else {
                throw SAMLError(.entityNotFound, "No entity \"\(entityID)\" in the metadata. Entities: \(all.map(\.entityID).joined(separator: ", ")).")
            }
            guard found.idpDescriptor != nil else {
                throw SAMLError(.invalidMetadata, "The entity \"\(entityID)\" has no SAML 2.0 IDPSSODescriptor.")
            }
            entity = found
        } else {
            let idps = all.filter { $0.idpDescriptor != nil }
            guard idps.count == 1 else {
                if idps.isEmpty {
                    throw SAMLError(.invalidMetadata, "The metadata describes no SAML 2.0 identity provider (no IDPSSODescriptor).")
                }
                throw SAMLError(.entityNotFound, "The metadata describes \(idps.count) identity providers; choose one by entity ID: \(idps.map(\.entityID).joined(separator: ", ")).")
            }
            entity = idps[0]
        }
        let idp = try read(entity, policy: policy)
        try checkValidity(idp.validUntil, now: policy.currentDate, what: "\"\(idp.entityID)\"")
        return idp
    }

    /// An IdP read from metadata except for its certificates, which are kept as base64 text and
    /// decoded by ``resolve()`` (certificate decoding dominates reading large aggregates).
    struct PendingIdentityProvider: Sendable {
        struct Key: Sendable {
            var signing: Bool
            var encryption: Bool
            var base64: String
        }
        var base: IdentityProvider
        var keys: [Key]

        func resolve() throws -> IdentityProvider {
            var idp = base
            for key in keys {
                let certificate: SAMLCertificate
                do {
                    certificate = try SAMLCertificate(base64: key.base64)
                } catch let error as SAMLError {
                    throw SAMLError(.invalidCertificate, "A certificate of \"\(base.entityID)\" cannot be read: \(error.reason)", libraryMessage: error.libraryMessage)
                }
                if key.signing { idp.signingCertificates.append(certificate) }
                if key.encryption { idp.encryptionCertificates.append(certificate) }
            }
            return idp
        }
    }

    static func read(_ entity: Entity, policy: MetadataPolicy) throws -> IdentityProvider {
        try readPending(entity, policy: policy).resolve()
    }

    static func readPending(_ entity: Entity, policy: MetadataPolicy) throws -> PendingIdentityProvider {
        guard let descriptor = entity.idpDescriptor else {
            throw SAMLError(.invalidMetadata, "The entity \"\(entity.entityID)\" has no IDPSSODescriptor.")
        }
        var idp = IdentityProvider(entityID: entity.entityID, singleSignOnURL: nil, certificates: [])
        idp.validUntil = entity.validUntil
        idp.cacheDuration = descriptor.attribute("cacheDuration") ?? entity.cacheDuration
        if let until = descriptor.attribute("validUntil") {
            guard let date = SAMLTime.parse(until) else {
                throw SAMLError(.invalidMetadata, "validUntil \"\(until)\" is not an xs:dateTime.")
            }
            idp.validUntil = idp.validUntil.map { min($0, date) } ?? date
        }
        idp.wantsAuthnRequestsSigned = ["true", "1"].contains(descriptor.attribute("WantAuthnRequestsSigned") ?? "false")
        idp.signingMethods = [entity.element, descriptor].flatMap { element in
            (element.child("Extensions", NS.metadata)?.children("SigningMethod", algorithmSupport) ?? []).compactMap { $0.attribute("Algorithm") }
        }
        var keys: [PendingIdentityProvider.Key] = []
        for child in descriptor.children {
            guard child.namespaceURI == NS.metadata else { continue }
            switch child.localName {
            case "KeyDescriptor":
                let use = child.attribute("use")
                if let use, use != "signing", use != "encryption" {
                    throw SAMLError(.invalidMetadata, "KeyDescriptor use=\"\(use)\" is neither signing nor encryption.")
                }
                for text in certificateTexts(in: child) {
                    keys.append(.init(signing: use == nil || use == "signing", encryption: use == nil || use == "encryption", base64: text))
                }
            case "SingleSignOnService", "SingleLogoutService":
                guard let binding = child.attribute("Binding"), let location = child.attribute("Location") else {
                    throw SAMLError(.invalidMetadata, "A \(child.localName) lacks Binding or Location.")
                }
                try policy.checkEndpoint(location, what: "\(child.localName) of \"\(entity.entityID)\"")
                if let responseLocation = child.attribute("ResponseLocation") {
                    try policy.checkEndpoint(responseLocation, what: "\(child.localName) ResponseLocation of \"\(entity.entityID)\"")
                }
                let endpoint = Endpoint(binding: SAMLBinding(rawValue: binding), location: location, responseLocation: child.attribute("ResponseLocation"))
                if child.localName == "SingleSignOnService" { idp.singleSignOnServices.append(endpoint) } else { idp.singleLogoutServices.append(endpoint) }
            case "NameIDFormat":
                let value = child.text.trimmingXMLWhitespace
                if !value.isEmpty { idp.nameIDFormats.append(NameIDFormat(rawValue: value)) }
            default:
                continue
            }
        }
        guard keys.contains(where: \.signing) else {
            throw SAMLError(.invalidMetadata, "The IdP \"\(entity.entityID)\" publishes no signing certificate, so nothing it sends could be verified.")
        }
        return PendingIdentityProvider(base: idp, keys: keys)
    }

    static func certificateTexts(in keyDescriptor: XMLElement) -> [String] {
        guard let keyInfo = keyDescriptor.child("KeyInfo", NS.dsig) else { return [] }
        return keyInfo.children("X509Data", NS.dsig).flatMap { $0.children("X509Certificate", NS.dsig).map(\.text) }
    }
}
