public import SAMLLogin

/// How the identity-provider admin API and the connection test are served.
public struct SAMLAdminOptions: Sendable {
    /// Where the admin API lives (`GET/POST {path}`, `GET/PUT/DELETE {path}/{id}`,
    /// `POST {path}/{id}/test`). Default `/admin/identity-providers`; nil mounts no admin route.
    public var path: String?
    /// Fetches an IdP's metadata URL when one is added by `metadata_url` (for example
    /// `MetadataFetcher` of SAMLMetadataHTTP, which bounds size, time and redirects). Nil refuses
    /// `metadata_url` (422, the field named).
    public var fetchMetadata: IdentityProviderMetadataRefresher.Fetch?
    /// How long a connection test's login URL may be opened. Default 10 minutes.
    public var testTicketLifetime: Duration
    /// The page a connection test ends on.
    public var connectionTestPage: SAMLConnectionTestPage
    /// The common name of SP certificates generated for an IdP (`generate_sp_keys`); default the
    /// host of the first ACS URL.
    public var keyCommonName: String?

    /// Creates options.
    public init(path: String? = "/admin/identity-providers", fetchMetadata: IdentityProviderMetadataRefresher.Fetch? = nil,
                testTicketLifetime: Duration = .seconds(600), connectionTestPage: SAMLConnectionTestPage = .standard,
                keyCommonName: String? = nil) {
        self.path = path
        self.fetchMetadata = fetchMetadata
        self.testTicketLifetime = testTicketLifetime
        self.connectionTestPage = connectionTestPage
        self.keyCommonName = keyCommonName
    }

    /// ``path`` with one leading and no trailing slash, nil when unset or empty.
    var normalisedPath: String? {
        guard var path else { return nil }
        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasPrefix("/") { path = "/" + path }
        return path == "/" ? nil : path
    }
}
