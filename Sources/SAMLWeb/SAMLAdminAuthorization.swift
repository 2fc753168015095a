import SAMLCore
import SAMLXMLSec

/// Who may use the identity-provider admin API (`/admin/identity-providers`): the hook the app
/// provides, asked before every admin request. Without one the admin routes refuse everything
/// (403, `adminNotConfigured`).
///
/// ```swift
/// // a bearer token from the environment (at least 16 characters)
/// let admin = try SAMLAdminAuthorization<BasicRequestContext>.bearerToken(adminToken)
/// // or the app's own rule, e.g. a signed-in user with an admin role
/// let admin = SAMLAdminAuthorization<Request> { request, context in
///     context.auth.get(User.self)?.isAdmin == true ? .allowed : .forbidden
/// }
/// ```
///
/// A state-changing admin request (POST, PUT, DELETE) that carries cookies must also come from
/// this site (`Sec-Fetch-Site: same-origin`, or an `Origin` of this SP): an app whose rule reads a
/// cookie session is not open to cross-site request forgery. Requests without cookies (an API
/// client sending a bearer token) are not subject to that rule.
public struct SAMLAdminAuthorization<Context: Sendable>: Sendable {
    /// The hook's answer.
    public enum Decision: Sendable, Hashable {
        /// The request may use the admin API.
        case allowed
        /// The request carries no credentials, or ones that are not valid (401).
        case unauthenticated
        /// The request's credentials are valid but do not allow administration (403).
        case forbidden
    }

    /// Decides about one request.
    public var decide: @Sendable (SAMLWebRequest, Context) async throws -> Decision

    /// A hook deciding with `decide`.
    public init(_ decide: @escaping @Sendable (SAMLWebRequest, Context) async throws -> Decision) {
        self.decide = decide
    }

    /// Allows requests carrying `Authorization: Bearer <token>`; compares in constant time.
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` for a token shorter than 16 characters or
    ///   containing spaces.
    public static func bearerToken(_ token: String) throws -> SAMLAdminAuthorization {
        guard token.utf8.count >= 16, !token.contains(where: \.isWhitespace) else {
            throw SAMLError(.invalidConfiguration, "The admin token must be at least 16 characters without spaces (e.g. openssl rand -hex 24).")
        }
        let key = try Crypto.randomBytes(32)
        let expected = try MessageAuthentication.hmacSHA256(Array(token.utf8), key: key)
        return SAMLAdminAuthorization { request, _ in
            guard let header = request.header("Authorization") else { return .unauthenticated }
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .unauthenticated }
            let given = try MessageAuthentication.hmacSHA256(Array(parts[1].utf8), key: key)
            return MessageAuthentication.constantTimeEqual(given, expected) ? .allowed : .unauthenticated
        }
    }
}
