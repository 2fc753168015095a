public import Foundation
import SAMLCore
public import SAMLVerification
import SAMLXMLSec

/// The connection test an administrator runs against one IdP of the directory: a real login
/// round trip through the IdP, verified exactly like a login, that ends on a report of the
/// verified identity and every check instead of in a session.
///
/// The admin API hands out a link carrying a ticket (``connectionTestTicket(identityProvider:lifetime:now:)``);
/// opening it starts the test (``startConnectionTest(ticket:options:now:)``), whose state is sealed for
/// tests only, so it never finishes as a login and a login's state never finishes as a test. The
/// IdP posts to the usual ACS URL; the ACS recognises the test by its RelayState
/// (``isConnectionTest(relayState:)``) and finishes it with ``finishConnectionTest(samlResponse:relayState:browserState:now:diagnostics:)``.
extension SAMLServiceProvider {
    /// The cookie name the web layer uses for a connection test's state.
    public static let testStateCookieName = "saml_test_state"
    /// The prefix of a connection test's RelayState.
    static let connectionTestRelayPrefix = "test."

    /// A sealed, expiring ticket that starts a connection test of the IdP with directory ID
    /// `identityProvider` (URL-safe). Anyone holding it can run the test, which creates no session.
    public func connectionTestTicket(identityProvider: String, lifetime: Duration = .seconds(600), now: Date = Date()) throws -> String {
        let ticket = BrowserState(requestID: try Crypto.randomBytes(8).hex, identityProvider: identityProvider, acsURL: "",
                                  relayToken: "", returnTo: "", expires: Int64(now.addingTimeInterval(TimeInterval(lifetime.components.seconds)).timeIntervalSince1970))
        return try ticket.sealed(with: secrets[0], for: .testTicket)
    }

    /// Starts the connection test a ticket names: a login at its IdP whose state opens only as a test.
    ///
    /// - Throws: `invalidRequest` or `expired` for a ticket this service did not issue or that
    ///   expired; the IdP's refusals as ``login(idp:returnTo:options:now:)`` throws them.
    public func startConnectionTest(ticket: String, options: LoginOptions = LoginOptions(), now: Date = Date()) async throws -> LoginStart {
        let opened = try BrowserState.open(ticket, secrets: secrets, now: now, for: .testTicket)
        return try await startLogin(idp: opened.identityProvider, returnTo: nil, options: options, now: now, purpose: .test)
    }

    /// Whether a posted RelayState belongs to a connection test rather than a login.
    public func isConnectionTest(relayState: String?) -> Bool {
        relayState?.hasPrefix(Self.connectionTestRelayPrefix) ?? false
    }

    /// Finishes a connection test: every check of a login (the request consumed once, the
    /// assertion recorded against replay), with `diagnostics` called per check.
    ///
    /// - Returns: the verified identity, for the report; hand it to no session.
    public func finishConnectionTest(samlResponse: String, relayState: String?, browserState: String?, now: Date = Date(),
                                     diagnostics: ((VerificationDiagnostic) -> Void)? = nil) async throws -> Login {
        try await finish(samlResponse: samlResponse, relayState: relayState, browserState: browserState, now: now,
                         diagnostics: diagnostics, purpose: .test)
    }
}
