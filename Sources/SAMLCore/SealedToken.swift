import SAMLXMLSec

/// A value a browser carries for the server and cannot change: `payload.mac`, both base64url
/// without padding, the MAC an HMAC-SHA256 over a purpose label and the payload.
///
/// The one sealed-token format of the project: the login and logout state cookies and the cookie
/// session use it, each with its own ``purpose`` so that a token sealed for one never opens as
/// another. The payload is readable by whoever holds the token; seal nothing secret.
package struct SealedToken: Sendable {
    /// Why a value did not open.
    package enum Refusal: Error, Equatable {
        /// Longer than the caller's bound.
        case tooLong
        /// Not `payload.mac` in base64url.
        case malformed
        /// No key produced its MAC.
        case notAuthentic
    }

    /// The label mixed into every MAC (ends with a NUL, so no label is a prefix of another).
    package let purpose: [UInt8]

    /// A token type for `purpose`, e.g. `"swift-saml login state v1"`.
    package init(purpose: String) {
        self.purpose = Array(purpose.utf8) + [0]
    }

    /// Seals `payload` under `key`.
    package func seal(_ payload: [UInt8], key: [UInt8]) throws -> String {
        let mac = try MessageAuthentication.hmacSHA256(purpose + payload, key: key)
        return Self.base64URL(payload) + "." + Self.base64URL(mac)
    }

    /// The payload of `value` when one of `keys` produced its MAC (compared in constant time).
    package func open(_ value: String, keys: [[UInt8]], maximumBytes: Int = 4096) throws(Refusal) -> [UInt8] {
        let utf8 = value.utf8
        guard utf8.count <= maximumBytes else { throw .tooLong }
        // bytes, not Characters: the token is ASCII, and anything else is malformed below
        guard let dot = utf8.firstIndex(of: UInt8(ascii: ".")), let payload = Self.fromBase64URL(utf8[..<dot]),
              let mac = Self.fromBase64URL(utf8[utf8.index(after: dot)...]) else {
            throw .malformed
        }
        var message = purpose
        message += payload
        var authentic = false
        for key in keys {
            guard let expected = try? MessageAuthentication.hmacSHA256(message, key: key) else { continue }
            if MessageAuthentication.constantTimeEqual(expected, mac) { authentic = true }
        }
        guard authentic else { throw .notAuthentic }
        return payload
    }

    /// base64url without padding.
    package static func base64URL(_ bytes: [UInt8]) -> String {
        var out = Array(Base64.encode(bytes).utf8)
        while out.last == UInt8(ascii: "=") { out.removeLast() }
        for i in out.indices {
            if out[i] == UInt8(ascii: "+") { out[i] = UInt8(ascii: "-") } else if out[i] == UInt8(ascii: "/") { out[i] = UInt8(ascii: "_") }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of base64url text without padding; nil for any other character (a second `.`
    /// included).
    package static func fromBase64URL(_ text: Substring.UTF8View) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count + 3)
        for b in text {
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

/// A secret given as text (an environment variable, a flag): base64 of at least 32 random bytes.
package enum SecretText {
    /// The bytes of `text`, standard or url-safe base64 with or without padding.
    ///
    /// - Throws: `SAMLError` `.invalidConfiguration` naming `what` when the text is not base64,
    ///   holds fewer than 32 bytes, or is plainly not random (fewer than 16 distinct byte values,
    ///   as a repeated word or a run of one character gives).
    package static func bytes(_ text: String, what: String) throws -> [UInt8] {
        let advice = "generate one with `openssl rand -base64 32`"
        var normalised = Array(text.utf8.filter { $0 != UInt8(ascii: "=") })
        for i in normalised.indices {
            if normalised[i] == UInt8(ascii: "-") { normalised[i] = UInt8(ascii: "+") } else if normalised[i] == UInt8(ascii: "_") { normalised[i] = UInt8(ascii: "/") }
        }
        let isBase64 = !normalised.isEmpty && normalised.count % 4 != 1 && normalised.allSatisfy { b in
            (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/")
        }
        while normalised.count % 4 != 0 { normalised.append(UInt8(ascii: "=")) }
        guard isBase64, let bytes = Base64.decode(bytes: normalised) else {
            throw SAMLError(.invalidConfiguration, "The \(what) is not base64; give 32 random bytes in base64 (\(advice)).")
        }
        guard bytes.count >= 32 else {
            throw SAMLError(.invalidConfiguration, "The \(what) holds \(bytes.count) bytes; give at least 32 random bytes in base64 (\(advice)).")
        }
        guard Set(bytes).count >= 16 else {
            throw SAMLError(.invalidConfiguration, "The \(what) is not random (it repeats a few byte values); give 32 random bytes in base64 (\(advice)).")
        }
        return bytes
    }
}
