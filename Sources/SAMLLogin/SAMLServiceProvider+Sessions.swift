public import Foundation
import SAMLCore
import SAMLXMLSec

extension SAMLServiceProvider {
    /// Whether a session holding `login` may still be used: its IdP is still in the directory and
    /// enabled, and its session has not ended. A login from an IdP that was removed or disabled (or
    /// replaced under another entity ID) is refused at the next request; so is every session while
    /// the directory has never been read. ``checkSession(_:now:)`` asks the directory itself.
    public func acceptsSession(_ login: Login, now: Date = Date()) -> Bool {
        guard now < login.sessionExpiresAt, let entry = directory.cachedSnapshot()?.entry(entityID: login.issuer) else { return false }
        return entry.isEnabled && entry.problem == nil
    }

    /// The anti-forgery token a logout form of `login`'s session carries: an HMAC under the state
    /// secret over the login's issuer and assertion ID, so another site can neither read nor
    /// compute it.
    package func logoutToken(for login: Login) throws -> String {
        try Self.logoutTokenMAC(login, key: secrets[0].bytes).hex
    }

    /// Whether `token` is the logout token of `login` under one of the state secrets.
    package func isLogoutToken(_ token: String, for login: Login) -> Bool {
        let given = Array(token.utf8)
        var matched = false
        for secret in secrets {
            guard let expected = try? Self.logoutTokenMAC(login, key: secret.bytes) else { continue }
            if MessageAuthentication.constantTimeEqual(Array(expected.hex.utf8), given) { matched = true }
        }
        return matched
    }

    private static func logoutTokenMAC(_ login: Login, key: [UInt8]) throws -> [UInt8] {
        let data = Array("swift-saml logout token v1\u{0}\(login.issuer)\u{0}\(login.assertionID)".utf8)
        return try MessageAuthentication.hmacSHA256(data, key: key)
    }
}
