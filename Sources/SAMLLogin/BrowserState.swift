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

    /// What a sealed state is for: a state sealed for one purpose never opens for another.
    enum Purpose: String {
        case login, logout
        var context: [UInt8] { Array("swift-saml \(rawValue) state v1\u{0}".utf8) }
    }

    /// `payload.mac`, both base64url without padding.
    func sealed(with secret: StateSecret, for purpose: Purpose = .login) throws -> String {
        let payload = encoded()
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

    static func base64URL(_ bytes: [UInt8]) -> String {
        var out = Array(Base64.encode(bytes).utf8)
        while out.last == UInt8(ascii: "=") { out.removeLast() }
        for i in out.indices {
            if out[i] == UInt8(ascii: "+") { out[i] = UInt8(ascii: "-") } else if out[i] == UInt8(ascii: "/") { out[i] = UInt8(ascii: "_") }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func fromBase64URL(_ text: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 3)
        for b in text.utf8 {
            switch b {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39: bytes.append(b)
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: "/"))
            default: return nil
            }
        }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        return Base64.decode(bytes: bytes)
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
