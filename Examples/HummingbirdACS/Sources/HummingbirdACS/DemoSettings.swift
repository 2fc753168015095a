import Foundation
#if PostgreSQL
import PostgresNIO
#endif
import SAML
#if PostgreSQL
import SAMLPostgres
#endif

/// The demo server's command-line settings.
struct DemoSettings {
    /// The loopback port to listen on.
    var port = 8080
    /// The public URL browsers and the IdP use (no trailing slash).
    var baseURL = ""
    /// The store for login requests and used assertions: `memory`, or a PostgreSQL URL.
    var store = "memory"
    #if PostgreSQL
    /// The PostgreSQL client settings when `store` is a `postgres://` URL.
    var postgres: PostgresClient.Configuration?
    #endif
    /// The secret that signs session cookies and login state (random when absent).
    var sessionSecret: String?
    /// The bearer token of the admin API and page (`/admin`); nil closes the admin API.
    var adminToken: String?

    static let usage = """
        usage: HummingbirdACS [--port N] [--base-url URL] [--store memory|postgres://...] [--session-secret S] [--admin-token T]

          --port N             loopback port to listen on (default 8080)
          --base-url URL       public URL the IdP and the browser see (default http://127.0.0.1:PORT);
                               plain http is accepted on loopback only
          --store STORE        where login requests and used assertions are kept:
                                 memory (default)  this process only
                                 postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]
                                                   (or postgresql://) a PostgreSQL database shared by every
                                                   instance; its tables (saml_requests, saml_assertions) are
                                                   created at start-up if missing, and the server does not
                                                   start when the database cannot be reached
          --session-secret S   32 random bytes in base64 (openssl rand -base64 32); signs session cookies and login state, so
                               several instances behind one --base-url can share logins (default: random)
          --admin-token T      opens the identity-provider admin API (/admin/identity-providers) and its page
                               (/admin) to requests carrying "Authorization: Bearer T" (at least 16 characters);
                               without it the admin API answers 403

        Several instances: give each its own --port and the same --base-url (the address the load
        balancer answers on), --store postgres://... and --session-secret.
        """

    /// A setting that cannot work, in words.
    struct Problem: Error {
        let message: String
    }

    static func parse(_ arguments: [String]) throws(Problem) -> DemoSettings {
        var settings = DemoSettings()
        var index = 0
        func value(_ flag: String) throws(Problem) -> String {
            index += 1
            guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                throw Problem(message: "\(flag) needs a value.")
            }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--port":
                let text = try value(argument)
                guard let port = Int(text), (1...65535).contains(port) else {
                    throw Problem(message: "--port \(text) is not a port number (1-65535).")
                }
                settings.port = port
            case "--base-url":
                settings.baseURL = try value(argument)
            case "--store":
                settings.store = try value(argument)
            case "--session-secret":
                settings.sessionSecret = try value(argument)
            case "--admin-token":
                let token = try value(argument)
                guard token.count >= 16, !token.contains(where: \.isWhitespace) else {
                    throw Problem(message: "--admin-token must be at least 16 characters without spaces (e.g. openssl rand -hex 24).")
                }
                settings.adminToken = token
            case "--help", "-h":
                throw Problem(message: "")
            default:
                throw Problem(message: "unknown argument \(argument).")
            }
            index += 1
        }
        if settings.baseURL.isEmpty { settings.baseURL = "http://127.0.0.1:\(settings.port)" }
        while settings.baseURL.hasSuffix("/") { settings.baseURL.removeLast() }
        let lower = settings.baseURL.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), settings.baseURL.count > 8,
              !settings.baseURL.contains("?"), !settings.baseURL.contains("#") else {
            throw Problem(message: "--base-url \(settings.baseURL) is not an http(s) URL such as http://127.0.0.1:\(settings.port).")
        }
        let scheme = settings.store.lowercased()
        if scheme == "memory" || scheme == "memory:" {
            settings.store = "memory"
        } else if scheme.hasPrefix("postgres://") || scheme.hasPrefix("postgresql://") {
            #if PostgreSQL
            do {
                settings.postgres = try PostgresConnectionURL.clientConfiguration(settings.store)
            } catch let error as SAMLError {
                throw Problem(message: "--store: \(error.reason)")
            } catch {
                throw Problem(message: "--store: \(error)")
            }
            #else
            throw Problem(message: """
                --store \(Self.redacted(settings.store)): this build has no PostgreSQL support. Build it with the \
                PostgreSQL trait (scripts/demo.sh --store postgres://… does; or swift build --traits PostgreSQL).
                """)
            #endif
        } else {
            throw Problem(message: "--store \(Self.redacted(settings.store)) is neither memory nor a postgres:// URL.")
        }
        if let secret = settings.sessionSecret {
            do {
                _ = try StateSecret(secret)
            } catch let error as SAMLError {
                throw Problem(message: "--session-secret: \(error.reason)")
            } catch {
                throw Problem(message: "--session-secret: \(error)")
            }
        }
        return settings
    }

    /// The store as it may be printed: a PostgreSQL URL without its password.
    var storeDescription: String {
        #if PostgreSQL
        guard let postgres else { return Self.redacted(store) }
        let scheme = store.lowercased().hasPrefix("postgresql://") ? "postgresql" : "postgres"
        return "\(scheme)://\(postgres.username)@\(postgres.host ?? "?"):\(postgres.port ?? 5432)/\(postgres.database ?? "")"
        #else
        return Self.redacted(store)
        #endif
    }

    /// `text` with the password of a `scheme://user:password@host` URL replaced by `***`.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<authority.index(after: colon)]) + "***" + String(text[at...])
    }
}
