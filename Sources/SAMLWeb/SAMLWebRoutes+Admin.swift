import Foundation
import Logging
import SAMLCore
import SAMLLogin
import SAMLMetadata

/// The identity-provider admin API, over the façade's directory; JSON in and out.
///
/// - `GET {path}`: every IdP, with its source, metadata status, certificate expiry, SP keys
///   and its URLs (login, SP metadata).
/// - `POST {path}`: adds one (201, `Location`); `GET/PUT/DELETE {path}/{id}` shows, replaces
///   and removes one. The body is ``AdminInput``'s; a `metadata_url` is fetched with
///   ``SAMLAdminOptions/fetchMetadata`` at once (a URL that does not answer is refused).
/// - `POST {path}/{id}/test`: a URL that runs a real login through the IdP and ends on the
///   connection test page, creating no session.
///
/// Every request is first put to the app's ``SAMLAdminAuthorization`` (none: 403); a POST, PUT
/// or DELETE carrying cookies must come from this site. Refusals are
/// `{"error": {"code", "field", "reason"}}` with a 4xx status naming the field at fault.
extension SAMLWebRoutes {
    func mountAdmin(on router: inout SAMLWebRouter<Context>) {
        guard let path = options.admin.normalisedPath else { return }
        router.add(.get, path) { request, context in
            await self.admin(request, context) { try await self.listIdentityProviders() }
        }
        router.add(.post, path) { request, context in
            await self.admin(request, context) { try await self.addIdentityProvider(request) }
        }
        router.add(.get, path + "/{id}") { request, context in
            await self.admin(request, context) { try await self.showIdentityProvider(request.pathParameters["id", default: ""]) }
        }
        router.add(.put, path + "/{id}") { request, context in
            await self.admin(request, context) { try await self.replaceIdentityProvider(request) }
        }
        router.add(.delete, path + "/{id}") { request, context in
            await self.admin(request, context) { try await self.removeIdentityProvider(request.pathParameters["id", default: ""]) }
        }
        router.add(.post, path + "/{id}/test") { request, context in
            await self.admin(request, context) { try await self.connectionTest(request.pathParameters["id", default: ""]) }
        }
    }

    /// Runs `handler` once the request passed the site rule and the app's authorization.
    func admin(_ request: SAMLWebRequest, _ context: Context, _ handler: () async throws -> SAMLWebResponse) async -> SAMLWebResponse {
        do {
            guard let authorization = adminAuthorization else {
                throw AdminFailure(status: 403, code: "adminNotConfigured", "This service has no admin authorization configured; the admin API is closed.")
            }
            if request.method != .get, !request.cookies.isEmpty, !RequestSite.isSameOrigin(request, origins: origins) {
                throw AdminFailure(status: 403, code: SAMLError.Code.crossSiteRequest.rawValue,
                                   "A \(request.method.rawValue) carrying cookies must come from this site (Sec-Fetch-Site: same-origin, or an Origin of this service).")
            }
            switch try await authorization.decide(request, context) {
            case .allowed:
                break
            case .unauthenticated:
                var failure = AdminFailure(status: 401, code: "unauthenticated", "Credentials for the admin API are missing or not valid.")
                failure.headers = [("WWW-Authenticate", "Bearer realm=\"identity-providers\"")]
                throw failure
            case .forbidden:
                throw AdminFailure(status: 403, code: "forbidden", "These credentials do not allow administration of identity providers.")
            }
            let response = try await handler()
            request.logger.info("SAML admin request", metadata: [
                "saml.admin.method": .string(request.method.rawValue), "saml.admin.path": .string(request.path),
                "saml.admin.status": .string("\(response.status)"),
            ])
            return response
        } catch {
            let failure = AdminFailure(error)
            request.logger.notice("SAML admin request refused", metadata: [
                "saml.admin.method": .string(request.method.rawValue), "saml.admin.path": .string(request.path),
                "saml.code": .string(failure.code), "saml.field": .string(failure.field ?? "-"), "saml.reason": .string(failure.reason),
            ])
            return failure.response
        }
    }

    // MARK: - Handlers

    func listIdentityProviders() async throws -> SAMLWebResponse {
        let snapshot = try await serviceProvider.directory.snapshot()
        return AdminJSON.response(["version": snapshot.version, "identity_providers": snapshot.entries.map(view)])
    }

    func showIdentityProvider(_ id: String) async throws -> SAMLWebResponse {
        AdminJSON.response(view(try await existing(id)))
    }

    func addIdentityProvider(_ request: SAMLWebRequest) async throws -> SAMLWebResponse {
        let input = try AdminInput(request)
        let snapshot = try await serviceProvider.directory.snapshot()
        let id: String
        if let given = input.id {
            guard IdentityProviderRecord.isValidID(given) else {
                throw AdminFailure(status: 422, code: SAMLError.Code.invalidConfiguration.rawValue, field: "id",
                                   "The ID must be 1 to 64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit.")
            }
            id = given
        } else {
            let base = AdminInput.slug(input.name)
            id = ([base] + (2...99).map { "\(base)-\($0)" }).first { snapshot.entry(id: $0) == nil } ?? base
        }
        guard snapshot.entry(id: id) == nil else {
            throw AdminFailure(status: 409, code: "duplicateID", field: "id", "An identity provider with the ID \(id) exists already.")
        }
        var record = IdentityProviderRecord(id: id, name: input.name)
        try await apply(input, to: &record)
        let entry = try await serviceProvider.directory.add(record)
        var response = AdminJSON.response(view(entry), status: 201)
        response.setHeader("Location", (options.admin.normalisedPath ?? "") + "/" + id)
        return response
    }

    func replaceIdentityProvider(_ request: SAMLWebRequest) async throws -> SAMLWebResponse {
        let id = request.pathParameters["id", default: ""]
        let input = try AdminInput(request)
        if let given = input.id, given != id {
            throw AdminFailure(status: 422, code: SAMLError.Code.invalidConfiguration.rawValue, field: "id",
                               "The body's id \(given) is not the ID in the path (\(id)); an ID cannot be changed.")
        }
        var record = try await existing(id).record
        record.name = input.name
        try await apply(input, to: &record)
        return AdminJSON.response(view(try await serviceProvider.directory.update(record)))
    }

    func removeIdentityProvider(_ id: String) async throws -> SAMLWebResponse {
        guard try await serviceProvider.directory.remove(id: id) else { throw Self.notFound(id) }
        return AdminJSON.response(["id": id, "removed": true])
    }

    func connectionTest(_ id: String) async throws -> SAMLWebResponse {
        let entry = try await existing(id)
        let lifetime = options.admin.testTicketLifetime
        let ticket = try serviceProvider.connectionTestTicket(identityProvider: entry.id, lifetime: lifetime, now: now())
        let path = options.normalisedPrefix + "/test?ticket=" + URLEncodedFields.escape(ticket)
        return AdminJSON.response([
            "id": entry.id, "login_url": publicOrigin + path,
            "expires_at": AdminJSON.date(now().addingTimeInterval(TimeInterval(lifetime.components.seconds))),
        ])
    }

    // MARK: - Pieces

    func existing(_ id: String) async throws -> IdentityProviderEntry {
        guard let entry = try await serviceProvider.directory.snapshot().entry(id: id) else { throw Self.notFound(id) }
        return entry
    }

    static func notFound(_ id: String) -> AdminFailure {
        AdminFailure(status: 404, code: SAMLError.Code.entityNotFound.rawValue, field: "id", "There is no identity provider with the ID \(id).")
    }

    /// Where browsers reach this service: the first ACS URL's origin.
    var publicOrigin: String {
        URLParts(serviceProvider.configuration.acsURLs[0])?.origin ?? ""
    }

    /// Sets the record's source of settings (fetching a metadata URL), its switches and keys.
    func apply(_ input: AdminInput, to record: inout IdentityProviderRecord) async throws {
        record.configuration = input.configuration
        record.metadataURL = input.metadataURL
        record.metadataXML = input.metadataXML
        record.metadataStatus = nil
        record.entityID = input.configuration?.config.issuerURL ?? ""
        if let url = input.metadataURL {
            let (xml, status) = try await fetchMetadata(url)
            record.metadataXML = xml
            record.metadataStatus = status
        }
        if let enabled = input.enabled { record.enabled = enabled }
        if let flag = input.allowsIdPInitiatedLogin { record.allowsIdPInitiatedLogin = flag }
        if let origins = input.allowedReturnToOrigins { record.allowedReturnToOrigins = origins }
        if input.rollOverKeys {
            do { try record.rollOverKeys(now: now()) } catch let error as SAMLError { throw AdminFailure(field: "roll_over_sp_keys", error) }
        }
        if input.generateKeys {
            let name = options.admin.keyCommonName ?? URLParts(serviceProvider.configuration.acsURLs[0])?.host ?? "saml-sp"
            try record.generateKeys(commonName: name, now: now())
        }
    }

    /// The metadata at `url`, fetched now; a URL that is not https (or loopback http), that the
    /// service cannot fetch, or that does not answer is refused naming `metadata_url`.
    func fetchMetadata(_ url: String) async throws -> (String, MetadataRefreshStatus) {
        do {
            try MetadataPolicy.default.checkEndpoint(url, what: "metadata")
        } catch let error as SAMLError {
            throw AdminFailure(field: "metadata_url", error)
        }
        guard let fetch = options.admin.fetchMetadata else {
            throw AdminFailure(field: "metadata_url", SAMLError(.unsupported, "This service does not fetch metadata URLs; upload the metadata (metadata_xml) instead."))
        }
        let attempt = now()
        do {
            let bytes = try await fetch(url)
            return (String(decoding: bytes, as: UTF8.self), MetadataRefreshStatus(state: "fresh", lastAttempt: attempt, lastSuccess: attempt))
        } catch let error as SAMLError {
            throw AdminFailure(field: "metadata_url", SAMLError(.metadataUnavailable, "\(url) did not answer with metadata: \(error.reason)"))
        } catch {
            throw AdminFailure(field: "metadata_url", SAMLError(.metadataUnavailable, "\(url) did not answer with metadata: \(error)"))
        }
    }

    /// An entry as the API shows it; private keys never leave the directory.
    func view(_ entry: IdentityProviderEntry) -> [String: Any] {
        let record = entry.record
        let idp = entry.trusted.identityProvider
        let source = record.configuration != nil ? "config" : record.metadataURL != nil ? "metadata_url" : "metadata_xml"
        var object: [String: Any] = [
            "id": entry.id, "name": entry.name, "type": "saml", "enabled": entry.isEnabled, "entity_id": entry.entityID,
            "source": source, "metadata_url": record.metadataURL ?? NSNull(),
            "sso_url": idp.singleSignOnServices.first?.location ?? NSNull(),
            "certificate_expiry": AdminJSON.date(entry.earliestCertificateExpiry),
            "metadata_valid_until": AdminJSON.date(idp.validUntil),
            "idp_certificates": idp.signingCertificates.map { certificate in
                ["subject": certificate.subject, "not_after": AdminJSON.date(certificate.notAfter), "sha256": certificate.sha256Fingerprint]
            },
            "allow_idp_initiated": record.allowsIdPInitiatedLogin, "allowed_return_to_origins": record.allowedReturnToOrigins,
            "sp_keys": record.serviceProviderKeys.map { key -> [String: Any] in
                let certificate = try? SAMLCertificate(pem: key.certificatePEM)
                return ["use": key.use.rawValue, "state": key.state.rawValue, "created_at": AdminJSON.date(key.createdAt),
                        "not_after": AdminJSON.date(certificate?.notAfter), "sha256": certificate?.sha256Fingerprint ?? NSNull()]
            },
            "login_url": publicOrigin + loginPath(identityProvider: entry.id),
            "sp_metadata_url": publicOrigin + options.normalisedPrefix + "/metadata/" + URLEncodedFields.escape(entry.id),
            "problem": entry.problem ?? NSNull(), "revision": record.revision, "updated_at": AdminJSON.date(record.updatedAt),
        ]
        if let configuration = record.configuration, let data = try? JSONEncoder().encode(configuration.config),
           let config = try? JSONSerialization.jsonObject(with: data) {
            object["config"] = config
        }
        if let status = record.metadataStatus {
            object["metadata_status"] = [
                "state": status.state, "last_attempt": AdminJSON.date(status.lastAttempt), "last_success": AdminJSON.date(status.lastSuccess),
                "last_error_code": status.lastErrorCode as Any? ?? NSNull(), "last_error": status.lastError as Any? ?? NSNull(),
            ]
        } else {
            object["metadata_status"] = NSNull()
        }
        return object
    }
}
