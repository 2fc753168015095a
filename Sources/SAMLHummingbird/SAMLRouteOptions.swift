#if Hummingbird
public import SAMLLogin

/// How ``SAMLRoutes`` serve the SAML endpoints: paths, the POST form's script, cookies, limits
/// and the error page. The defaults suit most apps.
public struct SAMLRouteOptions: Sendable {
    /// How the HTTP-POST binding page submits itself under its Content-Security-Policy.
    public typealias PostFormScript = SAMLLogin.PostFormScript

    /// The path the routes live under. Default `/saml`; the ACS URLs must be `{prefix}/acs`.
    public var pathPrefix: String
    /// Binding and request options for every login started at `{prefix}/login`.
    public var loginOptions: LoginOptions
    /// How the HTTP-POST binding page submits itself.
    public var postFormScript: PostFormScript
    /// The cookie attributes. Default ``SAMLCookieSecurity/automatic``.
    public var cookieSecurity: SAMLCookieSecurity
    /// The largest form the ACS reads, in bytes. Default 1 MiB.
    public var maximumResponseBytes: Int
    /// The page a refused login shows.
    public var errorPage: SAMLErrorPage

    /// Creates options.
    public init(pathPrefix: String = "/saml", loginOptions: LoginOptions = LoginOptions(),
                postFormScript: PostFormScript = .externalScript, cookieSecurity: SAMLCookieSecurity = .automatic,
                maximumResponseBytes: Int = 1 << 20, errorPage: SAMLErrorPage = .standard) {
        self.pathPrefix = pathPrefix
        self.loginOptions = loginOptions
        self.postFormScript = postFormScript
        self.cookieSecurity = cookieSecurity
        self.maximumResponseBytes = maximumResponseBytes
        self.errorPage = errorPage
    }

    /// The prefix with one leading and no trailing slash (`""` for the root).
    var normalisedPrefix: String {
        var prefix = pathPrefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if !prefix.isEmpty, !prefix.hasPrefix("/") { prefix = "/" + prefix }
        return prefix
    }
}
#endif
