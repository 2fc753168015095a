import Foundation

/// The demo server's command-line settings.
struct DemoSettings {
    /// The loopback port to listen on.
    var port = 8080
    /// The public URL browsers and the IdP use (no trailing slash).
    var baseURL = ""
    /// The store for login requests and used assertions.
    var store = "memory"
    /// The secret that signs session cookies and login state (random when absent).
    var sessionSecret: String?

    static let usage = """
        usage: HummingbirdACS [--port N] [--base-url URL] [--store memory] [--session-secret S]

          --port N             loopback port to listen on (default 8080)
          --base-url URL       public URL the IdP and the browser see (default http://127.0.0.1:PORT);
                               plain http is accepted on loopback only
          --store URL          where login requests and used assertions are kept: memory (default)
          --session-secret S   at least 32 characters; signs session cookies and login state, so
                               several instances behind one --base-url can share logins (default: random)
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
        switch settings.store.lowercased() {
        case "memory", "memory:":
            settings.store = "memory"
        default:
            throw Problem(message: "--store \(settings.store) is not available: this build keeps logins in memory only (--store memory). A PostgreSQL store needs a build with the library's PostgreSQL support.")
        }
        if let secret = settings.sessionSecret, secret.utf8.count < 32 {
            throw Problem(message: "--session-secret is \(secret.utf8.count) characters; use at least 32 random characters.")
        }
        return settings
    }
}
