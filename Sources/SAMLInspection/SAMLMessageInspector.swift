public import Foundation
public import SAMLCore
import SAMLXMLSec

/// Unpacks whatever a browser carried — an HTTP-Redirect URL or its query string, an HTTP-POST
/// form body, a bare base64 value, or the XML itself — into an ``UnverifiedMessage``.
///
/// Parsing is as hardened as everywhere in this package (size and depth limits, no DTD, no
/// entities, no network), inflating is capped at `limits.maximumBytes` so a DEFLATE bomb is
/// refused, and **no signature is checked**: the result is for reading, not for trusting.
public enum SAMLMessageInspector {
    /// The query or form parameters that carry a SAML message.
    static let messageParameters = ["SAMLRequest", "SAMLResponse"]

    /// Inspects text as pasted by a person.
    ///
    /// - Throws: `SAMLError` — `invalidEncoding` (not base64, damaged DEFLATE, bad percent
    ///   escapes), `tooLarge` (input or inflated output over the limit), `doctypeForbidden`,
    ///   `malformedXML`, `invalidMessage` (a URL or form without SAMLRequest/SAMLResponse).
    public static func inspect(_ text: String, limits: XMLLimits = .default, now: Date = Date()) throws -> UnverifiedMessage {
        try inspect(bytes: Array(text.utf8), limits: limits, now: now)
    }

    /// Inspects raw input bytes (XML in any encoding libxml2 detects, or ASCII text forms).
    public static func inspect(bytes input: [UInt8], limits: XMLLimits = .default, now: Date = Date()) throws -> UnverifiedMessage {
        // base64 is 4/3 of the XML, and DEFLATE rarely beats 1:8 on SAML; four times the XML
        // limit is more than any genuine message needs.
        let inputLimit = limits.maximumBytes * 4
        guard input.count <= inputLimit else {
            throw SAMLError(.tooLarge, "The input is \(input.count) bytes; at most \(inputLimit) are read.")
        }
        let trimmed = trimmingWhitespace(input)
        guard !trimmed.isEmpty else { throw SAMLError(.invalidMessage, "The input is empty.") }
        if looksLikeXML(trimmed) {
            let xml = Array(trimmed)
            return try read(xml, Transport(encoding: "XML", xmlBytes: xml.count), limits: limits, now: now)
        }
        guard let text = String(validating: trimmed, as: UTF8.self) else {
            throw SAMLError(.invalidEncoding, "The input is neither XML nor text (it is not UTF-8).")
        }
        var transport = Transport(encoding: "base64", xmlBytes: 0)
        var value = text
        if let query = queryPart(of: text) {
            let parameters = try parse(query: query)
            let present = messageParameters.filter { name in parameters.contains { $0.name == name } }
            guard present.count == 1, let name = present.first else {
                if present.isEmpty {
                    throw SAMLError(.invalidMessage, "The input carries neither a SAMLRequest nor a SAMLResponse parameter; parameters: \(parameters.map(\.name).joined(separator: ", ")).")
                }
                throw SAMLError(.invalidMessage, "The input carries both SAMLRequest and SAMLResponse; paste one message.")
            }
            guard parameters.filter({ $0.name == name }).count == 1 else {
                throw SAMLError(.invalidMessage, "The \(name) parameter appears more than once.")
            }
            value = parameters.first { $0.name == name }!.value
            transport.parameter = name
            transport.relayState = parameters.first { $0.name == "RelayState" }?.value
            transport.sigAlg = parameters.first { $0.name == "SigAlg" }?.value
            transport.hasQuerySignature = parameters.contains { $0.name == "Signature" }
        } else if text.contains("%") {
            value = try percentDecode(Substring(text), plusIsSpace: false, name: "the value")
        }
        guard let decoded = Base64.decode(value) else {
            throw SAMLError(.invalidEncoding, base64Problem(value, name: transport.parameter ?? "The input"))
        }
        if looksLikeXML(trimmingWhitespace(decoded)) {
            transport.encoding = transport.parameter == nil ? "base64" : "HTTP-POST"
            transport.xmlBytes = decoded.count
            return try read(decoded, transport, limits: limits, now: now)
        }
        let inflated: [UInt8]
        do {
            inflated = try Deflate.decompress(decoded, limit: limits.maximumBytes)
        } catch where error.code == .tooLarge {
            throw SAMLError(.tooLarge, "The \(transport.parameter ?? "value") inflates to more than \(limits.maximumBytes) bytes from \(decoded.count) compressed bytes; refused (a DEFLATE bomb, or a message far larger than SAML needs).")
        } catch {
            throw SAMLError(.invalidEncoding, "The \(transport.parameter ?? "value") decodes from base64 to \(decoded.count) bytes that are neither XML nor raw DEFLATE (HTTP-Redirect); it may be truncated or damaged.")
        }
        transport.encoding = "HTTP-Redirect"
        transport.xmlBytes = inflated.count
        return try read(inflated, transport, limits: limits, now: now)
    }

    typealias Transport = UnverifiedMessage.Transport

    static func read(_ xml: [UInt8], _ transport: Transport, limits: XMLLimits, now: Date) throws -> UnverifiedMessage {
        let document = try XMLDocument.parse(xml, limits: limits)
        return try UnverifiedMessage(document: document, transport: transport, now: now)
    }

    static func trimmingWhitespace(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = bytes[...]
        // a UTF-8 byte-order mark is not content
        if slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
        while let first = slice.first, [0x20, 0x09, 0x0A, 0x0D].contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, [0x20, 0x09, 0x0A, 0x0D].contains(last) { slice = slice.dropLast() }
        return slice
    }

    static func looksLikeXML(_ bytes: ArraySlice<UInt8>) -> Bool {
        // "<" in UTF-8, or a UTF-16 byte-order mark
        bytes.first == UInt8(ascii: "<") || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE])
    }

    /// The query string of a URL, or the text itself when it is a query string or form body.
    static func queryPart(of text: String) -> Substring? {
        var rest = Substring(text)
        if let scheme = rest.range(of: "://"), rest[..<scheme.lowerBound].allSatisfy({ $0.isLetter }) {
            guard let question = rest.firstIndex(of: "?") else { return rest[rest.endIndex...] }
            rest = rest[rest.index(after: question)...]
            if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
            return rest
        }
        if rest.first == "?" { rest = rest.dropFirst() }
        // base64 padding also contains "=": only a named SAML parameter makes this a query or form body
        let named = rest.split(separator: "&").contains { pair in messageParameters.contains { pair.hasPrefix($0 + "=") } }
        return named ? rest : nil
    }

    static func parse(query: Substring) throws -> [(name: String, value: String)] {
        try query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try percentDecode(parts[0], plusIsSpace: true, name: "a parameter name")
            let raw = parts.count > 1 ? parts[1] : ""
            // base64 has no spaces: a "+" left unescaped in SAMLRequest/SAMLResponse is a "+"
            let value = try percentDecode(raw, plusIsSpace: !messageParameters.contains(name), name: name)
            return (name, value)
        }
    }

    /// The binding's strict decoder, with the parameter named in the error a person reads.
    static func percentDecode(_ text: Substring, plusIsSpace: Bool, name: String) throws -> String {
        do {
            return try RedirectBindingMessage.percentDecode(text, plusIsSpace: plusIsSpace)
        } catch {
            throw SAMLError(.invalidEncoding, "\(name) has a malformed percent escape or is not UTF-8 once decoded; was the URL cut short?")
        }
    }

    /// Why `value` is not base64, in words that point at the usual cause.
    static func base64Problem(_ value: String, name: String) -> String {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n")
        if let bad = value.firstIndex(where: { !alphabet.contains($0) }) {
            let offset = value.distance(from: value.startIndex, to: bad)
            return "\(name) is not base64: character \"\(value[bad])\" at offset \(offset). Paste the whole value, or the whole URL or form body."
        }
        let count = value.filter { !" \t\r\n".contains($0) }.count
        if count == 0 { return "\(name) is empty." }
        if count % 4 != 0 {
            return "\(name) is not valid base64: \(count) characters is not a multiple of 4, so it looks truncated. Copy the whole value."
        }
        return "\(name) is not valid base64 (misplaced padding). Copy the whole value."
    }
}
