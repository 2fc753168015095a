/// Where a request came from, as far as the browser tells: the same-origin and same-site rules
/// against cross-site request forgery.
///
/// Browsers send `Sec-Fetch-Site` (fetch metadata) with every request; it is authoritative when
/// present. Without it (old browsers) the `Origin` header of a POST, or the `Referer` of a
/// navigation from this SP's own page, stands in.
enum RequestSite {
    /// `Sec-Fetch-Site`, lower-cased.
    static func fetchSite(_ request: SAMLWebRequest) -> String? {
        request.header("Sec-Fetch-Site")?.lowercased().trimmingCharacters(in: " ")
    }

    /// The request came from a page of this SP's origin.
    static func isSameOrigin(_ request: SAMLWebRequest, origins: Set<String>) -> Bool {
        if let site = fetchSite(request) { return site == "same-origin" }
        return request.header("Origin").flatMap { URLParts($0)?.origin }.map(origins.contains) ?? false
    }

    /// The request came from this site, or from the user (typed URL, bookmark: `none`).
    static func isSameSite(_ request: SAMLWebRequest, origins: Set<String>) -> Bool {
        if let site = fetchSite(request) { return ["same-origin", "same-site", "none"].contains(site) }
        for header in ["Origin", "Referer"] {
            if let origin = request.header(header).flatMap({ URLParts($0)?.origin }), origins.contains(origin) { return true }
        }
        return false
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        self[...].trimmingCharacters(in: set)
    }
}
