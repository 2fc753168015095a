#if HTTPMetadata
public import Logging
import SAMLCore

extension MetadataSource {
    /// One GET of a metadata document under `configuration`'s limits (scheme, size, timeouts,
    /// same-scheme redirects), returning its bytes unread: for callers that keep the document
    /// themselves, such as an identity-provider directory entry added by its metadata URL
    /// (`SAMLAdminOptions.fetchMetadata`, `IdentityProviderMetadataRefresher`).
    ///
    /// - Throws: `SAMLError` `.metadataUnavailable` when the URL does not answer with a
    ///   document, `.invalidConfiguration` for a URL that is not https (or http on loopback).
    public static func fetchDocument(_ url: String, configuration: MetadataFetchConfiguration = .init(),
                                     logger: Logger = Logger(label: "saml.metadata", factory: { _ in SwiftLogNoOpLogHandler() }))
        async throws -> [UInt8] {
        switch try await MetadataFetcher(configuration: configuration).fetch(url, etag: nil, lastModified: nil, logger: logger) {
        case .document(let bytes, _, _, _):
            return bytes
        case .notModified:
            throw SAMLError(.metadataUnavailable, "\(url) answered 304 Not Modified to a request without validators.")
        }
    }
}
#endif
