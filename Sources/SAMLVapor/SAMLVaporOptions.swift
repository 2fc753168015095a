#if Vapor
public import SAMLLogin

/// How ``SAMLVaporRoutes`` serve the SAML endpoints: paths, the POST form's script, cookies,
/// limits and the error page. The defaults suit most apps.
public struct SAMLVaporOptions: Sendable {
    /// How the HTTP-POST binding page submits itself under its Content-Security-Policy.
    public typealias PostFormScript = SAMLLogin.PostFormScript

    /// The path the routes live under. Default `/saml`; the ACS URLs must be `{prefix}/acs`.
    public var pathPrefix: String
    /// Binding and request options for every login started at `{prefix}/login`.
    public var loginOptions: LoginOptions
    /// How the HTTP-POST binding page submits itself.
    public var postFormScript: PostFormScript
    /// The cookie attributes. Default ``SAMLVaporCookieSecurity/automatic``.
    public var cookieSecurity: SAMLVaporCookieSecurity
    /// The largest form body the ACS and the logout endpoint read, in bytes. Default 1 MiB.
    public var maximumBodyBytes: Int
    /// The page a refused login or logout shows.
    public var errorPage: SAMLVaporErrorPage

    /// Creates options.
    public init(pathPrefix: String = "/saml", loginOptions: LoginOptions = LoginOptions(),
                postFormScript: PostFormScript = .externalScript, cookieSecurity: SAMLVaporCookieSecurity = .automatic,
                maximumBodyBytes: Int = 1 << 20, errorPage: SAMLVaporErrorPage = .standard) {
        self.pathPrefix = pathPrefix
        self.loginOptions = loginOptions
        self.postFormScript = postFormScript
        self.cookieSecurity = cookieSecurity
        self.maximumBodyBytes = maximumBodyBytes
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
