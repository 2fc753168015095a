#if PostgreSQL
public import PostgresNIO
import SAMLCore

/// The tables the PostgreSQL stores use, and the call that creates them.
///
/// Nothing is created implicitly: call ``migrate(client:configuration:)`` once at start-up (it
/// is idempotent, and safe when several instances start together), or hand
/// ``migrationSQL(configuration:)`` to a DBA and run it by hand.
public enum PostgresStateSchema {
    /// The schema's statements, in order, for a configuration's table prefix.
    ///
    /// Answered requests are kept by their ID as text (a table created by an earlier release
    /// also has a `relay_state` column, which is no longer written). Assertions and LogoutRequests
    /// are kept by the SHA-256 of the key the verifier gives (issuer, a NUL byte and the message
    /// ID, as UTF-8, after the scope name for LogoutRequests), so the key may hold any character
    /// and the index entries stay 32 bytes whatever the IdP sends. The identity-provider
    /// directory's records and its version row are created too (see
    /// ``PostgresIdentityProviderDirectory``).
    /// - Throws: `invalidConfiguration` when the prefix is not usable.
    public static func migrationSQL(configuration: PostgresStoreConfiguration = .init()) throws -> [String] {
        try configuration.validate()
        let requests = configuration.requestsTable
        let assertions = configuration.assertionsTable
        return [
            """
            CREATE TABLE IF NOT EXISTS \(requests) (
                id          text        PRIMARY KEY,
                expires_at  timestamptz NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS \(requests)_expires_at ON \(requests) (expires_at)",
            """
            CREATE TABLE IF NOT EXISTS \(assertions) (
                key_sha256  bytea       PRIMARY KEY,
                expires_at  timestamptz NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS \(assertions)_expires_at ON \(assertions) (expires_at)",
        ] + PostgresIdentityProviderDirectory.migrationSQL(configuration: configuration)
    }

    /// Creates the tables and indexes if they do not exist, in one transaction under an advisory
    /// lock (so instances starting together do not race), within the configured timeout.
    ///
    /// - Throws: `invalidConfiguration` for a bad prefix; `stateStoreUnavailable` when the
    ///   database cannot be reached or refuses a statement (for example for lack of privileges).
    public static func migrate(client: PostgresClient, configuration: PostgresStoreConfiguration = .init()) async throws {
        let statements = try migrationSQL(configuration: configuration)
        let lockName = "swift-saml migration " + configuration.tablePrefix
        var logger = Logger(label: "SAMLPostgres.migration")
        logger.logLevel = .critical
        let quietLogger = logger
        try await StoreQuery(client: client, timeout: configuration.queryTimeout).run("create its tables") { client in
            try await client.withTransaction(logger: quietLogger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockName)))", logger: quietLogger)
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: quietLogger)
                }
            }
        }
    }
}
#endif
