/// The SAML fields of an HTTP-POST binding form body (`application/x-www-form-urlencoded`),
/// as an ACS or single-logout endpoint receives it: `SAMLResponse=…&RelayState=…`.
///
/// ```swift
/// let form = try SAMLFormBody(requestBody)
/// let login = try await verifier.verify(form: form, inResponseTo: requestID)
/// redirect(to: form.relayState)
/// ```
///
/// Reading is strict, so that what is verified is exactly what was sent:
/// - fields are separated by `&`; empty fields are skipped; other fields are ignored;
/// - `+` is a space and `%XX` must be two hexadecimal digits (a lone or short `%` is refused);
/// - raw control characters and raw bytes outside ASCII are refused (a browser escapes them);
/// - a decoded value must be valid UTF-8;
/// - `SAMLResponse`, `SAMLRequest` and `RelayState` may each appear at most once.
///
/// A `+` inside base64 that the sender forgot to escape reads as a space, which the base64
/// decoder skips; the value then fails to decode (or to verify) rather than being repaired.
public struct SAMLFormBody: Sendable, Hashable {
    /// The `SAMLResponse` value, percent-decoded (base64 text), if the body has one.
    public var samlResponse: String?
    /// The `SAMLRequest` value, percent-decoded (base64 text), if the body has one.
    public var samlRequest: String?
    /// The `RelayState` value, percent-decoded, if the body has one. Treat it as untrusted input.
    public var relayState: String?

    /// The default largest body accepted, in bytes: room for a 1 MiB response, base64 and
    /// percent-encoded.
    public static let defaultMaximumBytes = 4 << 20

    /// Reads a form body.
    ///
    /// - Parameters:
    ///   - body: the request body, exactly as received.
    ///   - maximumBytes: larger bodies are refused before any decoding.
    /// - Throws: `SAMLError` with code `tooLarge` or `invalidEncoding`.
    public init(_ body: String, maximumBytes: Int = SAMLFormBody.defaultMaximumBytes) throws {
        var body = body
        self = try body.withUTF8 { try SAMLFormBody(utf8: $0, maximumBytes: maximumBytes) }
    }

    /// Reads a form body given as bytes.
    ///
    /// - Parameters:
    ///   - bytes: the request body, exactly as received.
    ///   - maximumBytes: larger bodies are refused before any decoding.
    /// - Throws: `SAMLError` with code `tooLarge` or `invalidEncoding`.
    public init(bytes: [UInt8], maximumBytes: Int = SAMLFormBody.defaultMaximumBytes) throws {
        self = try bytes.withUnsafeBufferPointer { try SAMLFormBody(utf8: $0, maximumBytes: maximumBytes) }
    }

    /// Creates a body from already-decoded values (for tests and for building forms).
    public init(samlResponse: String? = nil, samlRequest: String? = nil, relayState: String? = nil) {
        self.samlResponse = samlResponse
        self.samlRequest = samlRequest
        self.relayState = relayState
    }

    /// Decodes one form value (`+` is a space, `%XX` an escaped byte), strictly as a body's
    /// fields are decoded.
    ///
    /// - Throws: `SAMLError` with code `invalidEncoding`.
    public static func decodeValue(_ value: String) throws -> String {
        var value = value
        return try value.withUTF8 { try decode($0[...], field: "value") }
    }

    private init(utf8 body: UnsafeBufferPointer<UInt8>, maximumBytes: Int) throws {
        guard body.count <= maximumBytes else {
            throw SAMLError(.tooLarge, "The form body is \(body.count) bytes, beyond the \(maximumBytes)-byte limit.")
        }
        var start = 0
        while start < body.count {
            var end = start
            while end < body.count && body[end] != UInt8(ascii: "&") { end += 1 }
            defer { start = end + 1 }
            guard end > start else { continue }
            var equals = start
            while equals < end && body[equals] != UInt8(ascii: "=") { equals += 1 }
            let name = try Self.decode(body[start..<equals], field: "field name")
            let slot: WritableKeyPath<SAMLFormBody, String?>
            switch name {
            case "SAMLResponse": slot = \.samlResponse
            case "SAMLRequest": slot = \.samlRequest
            case "RelayState": slot = \.relayState
            default: continue
            }
            guard self[keyPath: slot] == nil else {
                throw SAMLError(.invalidEncoding, "The form body carries \(name) more than once; it must appear once.")
            }
            let valueStart = equals < end ? equals + 1 : end
            self[keyPath: slot] = try Self.decode(body[valueStart..<end], field: name)
        }
    }

    /// Percent-decodes one field into a string: one pass, one allocation.
    private static func decode(_ slice: Slice<UnsafeBufferPointer<UInt8>>, field: String) throws -> String {
        var failure: String?
        var highBytes = false
        let raw = UnsafeBufferPointer(rebasing: slice)
        let bytes = [UInt8](unsafeUninitializedCapacity: raw.count) { out, written in
            var n = 0
            var i = 0
            let end = raw.count
            while i < end {
                let c = raw[i]
                switch c {
                case UInt8(ascii: "%"):
                    guard i + 2 < end, let high = hexValue(raw[i + 1]), let low = hexValue(raw[i + 2]) else {
                        failure = "a \"%\" not followed by two hexadecimal digits"
                        written = 0
                        return
                    }
                    let byte = high << 4 | low
                    if byte >= 0x80 { highBytes = true }
                    out[n] = byte
                    i += 3
                case UInt8(ascii: "+"):
                    out[n] = UInt8(ascii: " ")
                    i += 1
                case 0x21...0x7E:
                    out[n] = c
                    i += 1
                default:
                    failure = c >= 0x80 ? "a raw byte outside ASCII (it must be percent-encoded)"
                        : "a raw control character or space (it must be percent-encoded)"
                    written = 0
                    return
                }
                n += 1
            }
            written = n
        }
        if let failure {
            throw SAMLError(.invalidEncoding, "The form body's \(field) has \(failure).")
        }
        if highBytes {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw SAMLError(.invalidEncoding, "The form body's \(field) does not decode to valid UTF-8.")
            }
            return text
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
