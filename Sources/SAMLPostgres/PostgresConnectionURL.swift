#if PostgreSQL
import Foundation
public import PostgresNIO
import SAMLCore

/// Reads a `postgres://` connection URL into a `PostgresClient.Configuration`.
///
/// ```swift
/// let configuration = try PostgresConnectionURL.clientConfiguration("postgres://saml:secret@db.internal:5432/app?sslmode=require")
/// let client = PostgresClient(configuration: configuration)
/// ```
///
/// Understood: the `postgres` and `postgresql` schemes; user and password (percent-decoded); host;
/// port (default 5432); the database as the path; `sslmode` = `disable`, `prefer` (the default) or
/// `require`. `require` verifies the server's certificate against the system's trust roots. Any
/// other query parameter is refused, so a setting that would be silently ignored is noticed.
public enum PostgresConnectionURL {
    /// The client configuration the URL describes.
    /// - Throws: `invalidConfiguration` naming what is wrong (the password is never repeated).
    public static func clientConfiguration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql" else {
            throw SAMLError(.invalidConfiguration, "The PostgreSQL connection string must be a postgres:// URL.")
        }
        guard let host = components.host, !host.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The PostgreSQL connection string names no host.")
        }
        guard let user = components.user, !user.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The PostgreSQL connection string names no user.")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var tls = PostgresClient.Configuration.TLS.prefer(.makeClientConfiguration())
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", "disable"): tls = .disable
            case ("sslmode", "prefer"): tls = .prefer(.makeClientConfiguration())
            case ("sslmode", "require"): tls = .require(.makeClientConfiguration())
            default:
                throw SAMLError(.invalidConfiguration,
                                "The PostgreSQL connection string parameter \(item.name)=\(item.value ?? "") is not supported (sslmode=disable|prefer|require is).")
            }
        }
        return PostgresClient.Configuration(host: host, port: components.port ?? 5432, username: user,
                                            password: components.password, database: database.isEmpty ? nil : database, tls: tls)
    }
}
#endif
