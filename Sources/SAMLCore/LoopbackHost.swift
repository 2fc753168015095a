/// Loopback hosts: the names a browser treats as a secure context even over plain `http:`
/// (127.0.0.0/8, `::1`, `localhost`). Traffic to them never leaves the machine.
public enum LoopbackHost {
    /// Whether `host` (as `URLComponents.host` gives it, with or without IPv6 brackets) is a loopback host:
    /// `localhost`, `::1`, or a dotted-decimal IPv4 address in 127.0.0.0/8. A name that merely starts
    /// with `127.` (`127.example.com`) is not.
    public static func contains(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(part), value <= 255 else { return false }
        }
        return parts[0] == "127"
    }

    /// The host of an absolute URL, without IPv6 brackets, or nil when `url` names none.
    public static func host(ofURL url: String) -> String? {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        var rest = url[url.index(colon, offsetBy: 3)...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            let inner = rest[rest.index(after: rest.startIndex)..<close]
            return inner.isEmpty ? nil : String(inner)
        }
        if let colon = rest.firstIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : String(rest)
    }
}
