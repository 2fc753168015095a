#if PostgreSQL
import SAMLCore

/// Settings shared by ``PostgresRequestTracker``, ``PostgresReplayStore``,
/// ``PostgresLoginStateStore`` and ``PostgresIdentityProviderDirectory``.
///
/// ```swift
/// var configuration = PostgresStoreConfiguration()
/// configuration.tablePrefix = "myapp_saml_"
/// configuration.queryTimeout = .milliseconds(1500)
/// ```
public struct PostgresStoreConfiguration: Sendable, Hashable {
    /// Prepended to the table and index names: `<prefix>requests`, `<prefix>assertions`,
    /// `<prefix>identity_providers` and `<prefix>directory_version`.
    ///
    /// Lowercase ASCII letters, digits and `_`, starting with a letter or `_`, at most 40
    /// characters (it is written into SQL as an identifier, so nothing else is accepted).
    /// Default `saml_`.
    public var tablePrefix: String

    /// The longest any one store call may take, from asking the pool for a connection to
    /// reading the last row. Every call fails closed: past this deadline, with the database
    /// down, or when it answers with an error, the call throws `SAMLError` with the code
    /// `stateStoreUnavailable`. Default 2 seconds.
    public var queryTimeout: Duration

    /// The most rows one purge statement deletes, so a purge never holds locks on a large part
    /// of a table. Default 1000.
    public var purgeBatchSize: Int

    /// Creates a configuration.
    public init(tablePrefix: String = "saml_", queryTimeout: Duration = .seconds(2), purgeBatchSize: Int = 1000) {
        self.tablePrefix = tablePrefix
        self.queryTimeout = queryTimeout
        self.purgeBatchSize = purgeBatchSize
    }

    /// The table holding the requests this SP has seen answered, each until it expires.
    public var requestsTable: String { tablePrefix + "requests" }

    /// The table holding accepted assertion (and LogoutRequest) IDs until they expire.
    public var assertionsTable: String { tablePrefix + "assertions" }

    /// The table holding the identity-provider directory's records, one row per IdP.
    public var identityProvidersTable: String { tablePrefix + "identity_providers" }

    /// The one-row table holding the directory's version, increased by every change.
    public var directoryVersionTable: String { tablePrefix + "directory_version" }

    /// Throws `invalidConfiguration` when a value cannot be used.
    func validate() throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
        guard !tablePrefix.isEmpty, tablePrefix.count <= 40, tablePrefix.allSatisfy({ allowed.contains($0) }),
              let first = tablePrefix.first, !first.isNumber else {
            throw SAMLError(.invalidConfiguration,
                            "The table prefix \"\(tablePrefix)\" is not usable: use 1 to 40 lowercase ASCII letters, digits or _, not starting with a digit.")
        }
        guard queryTimeout > .zero else {
            throw SAMLError(.invalidConfiguration, "The PostgreSQL store query timeout must be positive (it is \(queryTimeout)).")
        }
        guard purgeBatchSize > 0 else {
            throw SAMLError(.invalidConfiguration, "The purge batch size must be at least 1 (it is \(purgeBatchSize)).")
        }
    }
}
#endif
