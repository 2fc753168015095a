import Foundation
@testable import SAMLLogin
import SAML
import Synchronization
import Testing
import SAMLTestSupport

/// pysaml2 7 (Debian) as a live IdP, both directions: it accepts our signed LogoutRequests and
/// LogoutResponses (Redirect and POST), and we verify its LogoutRequests and LogoutResponses.
@Suite struct LogoutPeerTests {
    /// The façade and its metadata file for pysaml2.
    static func world() throws -> (SAMLServiceProvider, String, URL) {
        let saml = try LogoutWorld.facade()
        let dir = try RequestsSupport.temporaryDirectory()
        let metadata = try RequestsSupport.write(try saml.metadata(), "sp-metadata.xml", in: dir)
        return (saml, metadata, dir)
    }

    @Test(arguments: ["redirect", "post"])
    func pysaml2AcceptsOurLogoutRequestAndWeAcceptItsAnswer(_ binding: String) async throws {
        let (saml, metadata, dir) = try Self.world()
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = try await saml.logout(try await LogoutWorld.login(), binding: binding == "post" ? .httpPost : .httpRedirect)
        let value: String
        switch start.action {
        case .redirect(let url): value = LogoutWorld.query(of: url)
        case .post(let form): value = form.fields[0].value
        }
        let parsed = try LogoutWorld.json(try LogoutWorld.peer(["parse-request", metadata, binding, value]))
        #expect(parsed["id"] as? String == start.requestID)
        #expect(parsed["issuer"] as? String == Generated.acs)
        #expect(parsed["nameID"] as? String == "alice@example.com")
        #expect(parsed["nameIDFormat"] as? String == NameIDFormat.emailAddress.rawValue)
        #expect(parsed["sessionIndexes"] as? [String] == ["_session-5f2a9c"])
        #expect(parsed["destination"] as? String == LogoutWorld.idpSLO)

        // pysaml2 answers; the façade verifies it (partial once, to see the status read)
        for partial in [false] + (binding == "post" ? [] : [true]) {
            let again = partial ? try await saml.logout(try await LogoutWorld.login(), binding: .httpRedirect) : start
            let relay = try #require(LoginWorld.relayState(of: again))
            let made = try LogoutWorld.json(try LogoutWorld.peer(["make-response", metadata, binding, again.requestID, relay] + (partial ? ["partial"] : [])))
            let result: LogoutResult
            if binding == "redirect" {
                let url = try #require(made["url"] as? String)
                #expect(url.hasPrefix(LogoutWorld.spSLO + "?SAMLResponse="))
                result = try await saml.finishLogout(redirectQuery: url, browserState: again.browserState)
            } else {
                let fields = try #require(made["fields"] as? [String: String])
                #expect(fields["RelayState"] == relay)
                result = try await saml.finishLogout(samlResponse: try #require(fields["SAMLResponse"]), relayState: fields["RelayState"],
                                                     browserState: again.browserState)
            }
            #expect(result.isPartial == partial)
        }

        // a tampered request is refused by pysaml2
        if binding == "redirect" {
            let tampered = value.replacingOccurrences(of: "RelayState=", with: "RelayState=x")
            #expect(try LogoutWorld.peer(["parse-request", metadata, binding, tampered]).status != 0)
        }
    }

    @Test(arguments: ["redirect", "post"])
    func weVerifyPysaml2LogoutRequestsAndItAcceptsOurResponses(_ binding: String) async throws {
        let (saml, metadata, dir) = try Self.world()
        defer { try? FileManager.default.removeItem(at: dir) }
        let made = try LogoutWorld.json(try LogoutWorld.peer(["make-request", metadata, binding, "_session-5f2a9c"]))
        let requestID = try #require(made["id"] as? String)
        let seen = Mutex<VerifiedLogoutRequest?>(nil)
        let action: LoginStart.Action
        if binding == "redirect" {
            let url = try #require(made["url"] as? String)
            action = try await saml.handleLogoutRequest(redirectQuery: url) { r in seen.withLock { $0 = r }; return true }
        } else {
            let fields = try #require(made["fields"] as? [String: String])
            action = try await saml.handleLogoutRequest(samlRequest: try #require(fields["SAMLRequest"]), relayState: fields["RelayState"]) { r in
                seen.withLock { $0 = r }
                return true
            }
        }
        let request = try #require(seen.withLock { $0 })
        #expect(request.id == requestID)
        #expect(request.nameID.value == "alice@example.com")
        #expect(request.sessionIndexes == ["_session-5f2a9c"])
        #expect(request.relayState == "peer-relay")

        // pysaml2 accepts our signed answer
        let value: String
        switch action {
        case .redirect(let url): value = LogoutWorld.query(of: url)
        case .post(let form): value = form.fields[0].value
        }
        let parsed = try LogoutWorld.json(try LogoutWorld.peer(["parse-response", metadata, binding, value]))
        #expect(parsed["inResponseTo"] as? String == requestID)
        #expect(parsed["issuer"] as? String == Generated.acs)
        #expect(parsed["status"] as? String == "urn:oasis:names:tc:SAML:2.0:status:Success")
    }
}
