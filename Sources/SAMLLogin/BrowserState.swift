import Foundation
import SAMLCore
import SAMLXMLSec

/// What a login remembers between `login` and `finishLogin`, kept by the browser in a cookie and
/// protected by an HMAC under the façade's state secret, so a browser can only return the state
/// it was given (not another browser's request, not an edited return-to).
struct BrowserState: Codable, Equatable {
    /// The AuthnRequest ID.
    var requestID: String
    /// The IdP the request went to.
    var identityProvider: String
    /// The ACS URL named in the request.
    var acsURL: String
    /// The opaque RelayState sent to the IdP.
    var relayToken: String
    /// The validated return-to.
    var returnTo: String
    /// Seconds since 1970 after which the state is void.
    var expires: Int64

    private enum CodingKeys: String, CodingKey {
        case requestID = "r", identityProvider = "i", acsURL = "a", relayToken = "t", returnTo = "u", expires = "e"
    }

    /// What a sealed state is for: a state sealed for one purpose never opens for another.
    enum Purpose: String {
        case login, logout
        var context: [UInt8] { Array("swift-saml \(rawValue) state v1\u{0}".utf8) }
    }

    /// `payload.mac`, both base64url without padding.
    func sealed(with secret: StateSecret, for purpose: Purpose = .login) throws -> String {
        let payload = try JSONEncoder().encode(self)
        let mac = try MessageAuthentication.hmacSHA256(purpose.context + Array(payload), key: secret.bytes)
        return Self.base64URL(Array(payload)) + "." + Self.base64URL(mac)
    }

    /// The state in `value` if its MAC verifies under one of `secrets` and it has not expired.
    static func open(_ value: String, secrets: [StateSecret], now: Date, for purpose: Purpose = .login) throws -> BrowserState {
        guard value.utf8.count <= 4096 else {
            throw SAMLError(.invalidRequest, "The login state cookie is too long to be one this service issued.")
        }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = fromBase64URL(parts[0]), let mac = fromBase64URL(parts[1]) else {
            throw SAMLError(.invalidRequest, "The login state cookie is malformed; start the login again.")
        }
        var authentic = false
        for secret in secrets {
            let expected = try MessageAuthentication.hmacSHA256(purpose.context + payload, key: secret.bytes)
            if MessageAuthentication.constantTimeEqual(expected, mac) { authentic = true }
        }
        guard authentic else {
            throw SAMLError(.invalidRequest, "The login state cookie was not issued by this service (or the state secret changed); start the login again.")
        }
        guard let state = try? JSONDecoder().decode(BrowserState.self, from: Data(payload)) else {
            throw SAMLError(.invalidRequest, "The login state cookie is unreadable; start the login again.")
        }
        guard Int64(now.timeIntervalSince1970) < state.expires else {
            throw SAMLError(.expired, "The login was started too long ago; start it again.")
        }
        return state
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func fromBase64URL(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy({ b in
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
        }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }
}

/// The key that protects the login state a browser carries between the start of a login and the
/// ACS. Every instance that may receive the IdP's POST must use the same secret.
public struct StateSecret: Sendable, Hashable {
    let bytes: [UInt8]

    /// Uses `bytes` (at least 32) as the secret.
    public init(bytes: [UInt8]) throws {
        guard bytes.count >= 32 else {
            throw SAMLError(.invalidConfiguration, "The state secret has \(bytes.count) bytes; use at least 32 random bytes.")
        }
        self.bytes = bytes
    }

    /// Derives the secret from a passphrase-like string of at least 32 characters (e.g. from the
    /// environment), so several instances can share it.
    public init(_ text: String) throws {
        guard text.utf8.count >= 32 else {
            throw SAMLError(.invalidConfiguration, "The state secret is \(text.utf8.count) characters; use at least 32 random characters.")
        }
        self.bytes = try MessageAuthentication.hmacSHA256(Array(text.utf8), key: Array("swift-saml state secret".utf8))
    }

    /// A new random secret. Logins started before a restart cannot finish after it, and other
    /// instances cannot finish them: set a shared secret when running several instances.
    public static func random() throws -> StateSecret {
        try StateSecret(bytes: Crypto.randomBytes(32))
    }
}
