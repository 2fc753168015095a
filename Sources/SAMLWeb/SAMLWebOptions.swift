public import SAMLLogin

/// How the SAML routes are served: paths, the POST form's script, cookies, limits, the error page,
/// which IdP a login starts at and the admin API. The defaults suit most apps; the same value
/// configures every framework integration.
public struct SAMLWebOptions: Sendable {
    /// How the HTTP-POST binding page submits itself under its Content-Security-Policy.
    public typealias PostFormScript = SAMLLogin.PostFormScript

    /// The path the routes live under. Default `/saml`; the ACS URLs must be `{prefix}/acs`.
    public var pathPrefix: String
    /// Binding and request options for every login started at `{prefix}/login`.
    public var loginOptions: LoginOptions
    /// How the HTTP-POST binding page submits itself.
    public var postFormScript: PostFormScript
    /// The cookie names and attributes. Default ``SAMLCookiePolicy/automatic``.
    public var cookiePolicy: SAMLCookiePolicy
    /// The largest body the routes read (ACS and logout forms), in bytes. Default 1 MiB.
    public var maximumBodyBytes: Int
    /// The page a refused login or logout shows.
    public var errorPage: SAMLErrorPage
    /// The IdP a login without `idp=` starts at when several are configured. A login at any other
    /// IdP starts only from a same-site request (or from the choice page): a cross-site link
    /// cannot sign the browser in at an IdP of the linker's choosing.
    public var defaultIdentityProvider: String?
    /// The identity-provider admin API and the connection test.
    public var admin: SAMLAdminOptions

    /// Creates options.
    public init(pathPrefix: String = "/saml", loginOptions: LoginOptions = LoginOptions(),
                postFormScript: PostFormScript = .externalScript, cookiePolicy: SAMLCookiePolicy = .automatic,
                maximumBodyBytes: Int = 1 << 20, errorPage: SAMLErrorPage = .standard, defaultIdentityProvider: String? = nil,
                admin: SAMLAdminOptions = SAMLAdminOptions()) {
        self.pathPrefix = pathPrefix
        self.loginOptions = loginOptions
        self.postFormScript = postFormScript
        self.cookiePolicy = cookiePolicy
        self.maximumBodyBytes = maximumBodyBytes
        self.errorPage = errorPage
        self.defaultIdentityProvider = defaultIdentityProvider
        self.admin = admin
    }

    /// The prefix with one leading and no trailing slash (`""` for the root).
    public var normalisedPrefix: String {
        var prefix = pathPrefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if !prefix.isEmpty, !prefix.hasPrefix("/") { prefix = "/" + prefix }
        return prefix
    }
}
