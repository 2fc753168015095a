import Foundation
import SAMLCore
import SAMLXMLSec

/// What a login remembers between `login` and `finishLogin`, kept by the browser in a cookie and
/// protected by an HMAC under the façade's state secret, so a browser can only return the state
/// it was given (not another browser's request, not an edited return-to).
struct BrowserState: Equatable {
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

    /// ``expires`` as a date: how long the request's answered record must be kept.
    var expiryDate: Date { Date(timeIntervalSince1970: TimeInterval(expires)) }

    /// What a sealed state is for: a state sealed for one purpose never opens for another.
    enum Purpose: String {
        case login, logout
        /// A connection test's login (ends on a report, never in a session).
        case test
        /// A link that starts a connection test (handed out by the admin API).
        case testTicket
        var token: SealedToken {
            switch self {
            case .login: Self.loginToken
            case .logout: Self.logoutToken
            case .test: Self.testToken
            case .testTicket: Self.testTicketToken
            }
        }
        private static let loginToken = SealedToken(purpose: "swift-saml login state v1")
        private static let logoutToken = SealedToken(purpose: "swift-saml logout state v1")
        private static let testToken = SealedToken(purpose: "swift-saml test state v1")
        private static let testTicketToken = SealedToken(purpose: "swift-saml testTicket state v1")
    }

    /// `payload.mac` (a ``SealedToken``).
    func sealed(with secret: StateSecret, for purpose: Purpose = .login) throws -> String {
        try purpose.token.seal(encoded(), key: secret.bytes)
    }

    /// The state in `value` if its MAC verifies under one of `secrets` and it has not expired.
    static func open(_ value: String, secrets: [StateSecret], now: Date, for purpose: Purpose = .login) throws -> BrowserState {
        let payload: [UInt8]
        do {
            payload = try purpose.token.open(value, keys: secrets.map(\.bytes))
        } catch .tooLong {
            throw SAMLError(.invalidRequest, "The login state cookie is too long to be one this service issued.")
        } catch .malformed {
            throw SAMLError(.invalidRequest, "The login state cookie is malformed; start the login again.")
        } catch .notAuthentic {
            throw SAMLError(.invalidRequest, "The login state cookie was not issued by this service (or the state secret changed); start the login again.")
        }
        guard let state = BrowserState(encoded: payload) else {
            throw SAMLError(.invalidRequest, "The login state cookie is unreadable; start the login again.")
        }
        guard Int64(now.timeIntervalSince1970) < state.expires else {
            throw SAMLError(.expired, "The login was started too long ago; start it again.")
        }
        return state
    }

    /// Fields as `length:bytes`, in a fixed order (version 1).
    func encoded() -> [UInt8] {
        var out: [UInt8] = [1]
        for field in [requestID, identityProvider, acsURL, relayToken, returnTo, String(expires)] {
            out += Array(String(field.utf8.count).utf8)
            out.append(UInt8(ascii: ":"))
            out += Array(field.utf8)
        }
        return out
    }

    init(requestID: String, identityProvider: String, acsURL: String, relayToken: String, returnTo: String, expires: Int64) {
        self.requestID = requestID
        self.identityProvider = identityProvider
        self.acsURL = acsURL
        self.relayToken = relayToken
        self.returnTo = returnTo
        self.expires = expires
    }

    init?(encoded bytes: [UInt8]) {
        guard bytes.first == 1 else { return nil }
        var index = 1
        var fields: [String] = []
        while index < bytes.count, fields.count < 6 {
            var length = 0
            while index < bytes.count, bytes[index] != UInt8(ascii: ":") {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0, digit <= 9, length < 100_000 else { return nil }
                length = length * 10 + digit
                index += 1
            }
            index += 1
            guard index + length <= bytes.count, let field = String(validating: bytes[index..<index + length], as: UTF8.self) else { return nil }
            fields.append(field)
            index += length
        }
        guard fields.count == 6, index == bytes.count, let expires = Int64(fields[5]) else { return nil }
        self.init(requestID: fields[0], identityProvider: fields[1], acsURL: fields[2], relayToken: fields[3],
                  returnTo: fields[4], expires: expires)
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

    /// Derives the secret from text holding at least 32 random bytes in base64 (e.g. from the
    /// environment: `openssl rand -base64 32`), so several instances can share it. A passphrase,
    /// or any text that is not base64 of random bytes, is refused.
    public init(_ text: String) throws {
        let random = try SecretText.bytes(text, what: "state secret")
        self.bytes = try MessageAuthentication.hmacSHA256(random, key: Array("swift-saml state secret".utf8))
    }

    /// A new random secret. Logins started before a restart cannot finish after it, and other
    /// instances cannot finish them: set a shared secret when running several instances.
    public static func random() throws -> StateSecret {
        try StateSecret(bytes: Crypto.randomBytes(32))
    }
}
