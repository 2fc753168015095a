/// A cookie a response sets, with every attribute, rendered once for every framework.
public struct SAMLWebCookie: Sendable, Hashable {
    /// The `SameSite` attribute.
    public enum SameSite: String, Sendable, Hashable {
        /// Sent with same-site requests only.
        case strict = "Strict"
        /// Also sent with cross-site top-level `GET` navigations.
        case lax = "Lax"
        /// Sent with every request (requires `Secure`).
        case none = "None"
    }

    /// The name (with its `__Host-` prefix when it has one).
    public var name: String
    /// The value.
    public var value: String
    /// Seconds until it expires; 0 removes it; nil makes it a browser-session cookie.
    public var maxAge: Int?
    /// The `Path` attribute.
    public var path: String
    /// Whether it carries `Secure`.
    public var isSecure: Bool
    /// Whether it carries `HttpOnly`.
    public var isHTTPOnly: Bool
    /// The `SameSite` attribute.
    public var sameSite: SameSite

    /// A cookie.
    public init(name: String, value: String, maxAge: Int?, path: String = "/", isSecure: Bool, isHTTPOnly: Bool = true,
                sameSite: SameSite) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.path = path
        self.isSecure = isSecure
        self.isHTTPOnly = isHTTPOnly
        self.sameSite = sameSite
    }

    /// A cookie with the same name and attributes that removes it (`Max-Age=0`).
    public var clearing: SAMLWebCookie {
        var cookie = self
        cookie.value = ""
        cookie.maxAge = 0
        return cookie
    }

    /// The `Set-Cookie` header value.
    public var headerValue: String {
        var text = name + "=" + value
        if let maxAge {
            text += "; Max-Age=\(max(0, maxAge))"
            if maxAge <= 0 { text += "; Expires=Thu, 01 Jan 1970 00:00:00 GMT" }
        }
        text += "; Path=" + path
        if isSecure { text += "; Secure" }
        if isHTTPOnly { text += "; HttpOnly" }
        text += "; SameSite=" + sameSite.rawValue
        return text
    }

    /// Whether `name` is a valid cookie name (an RFC 6265 token).
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !Array("()<>@,;:\\\"/[]?={}".utf8).contains($0) }
    }
}
