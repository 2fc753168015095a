import Foundation
import Hummingbird
import SAML
import SAMLTesting

/// The embedded test identity provider's HTTP side: metadata, the single sign-on endpoint that
/// shows a user picker, the endpoint that issues the chosen response, and single logout.
struct DemoIdentityProvider: Sendable {
    let idp: TestIdentityProvider
    /// Assertions are encrypted for this certificate (the demo SP's).
    let encryptionCertificate: SAMLCertificate?
    let lastResponse = LastResponse()

    /// The last good response issued, so the picker can replay it (which the SP must refuse).
    actor LastResponse {
        var response: IssuedResponse?
        func set(_ response: IssuedResponse) { self.response = response }
    }

    func addRoutes(to router: Router<BasicRequestContext>) {
        let group = router.group("idp")
        group.get("metadata") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/samlmetadata+xml; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: idp.metadata())))
        }
        group.get("sso") { request, _ in
            let query = request.uri.query ?? ""
            do {
                let received = try idp.receiveRedirect(query: query)
                return picker(received, carry: [("binding", "redirect"), ("query", query)])
            } catch let error as SAMLError {
                return failure(error)
            }
        }
        group.post("sso") { request, _ in
            var request = request
            let fields = try await FormBody.read(&request)
            do {
                let received = try idp.receivePost(samlRequest: fields["SAMLRequest"] ?? "", relayState: fields["RelayState"])
                var carry = [("binding", "post"), ("SAMLRequest", fields["SAMLRequest"] ?? "")]
                if let relayState = fields["RelayState"] { carry.append(("RelayState", relayState)) }
                return picker(received, carry: carry)
            } catch let error as SAMLError {
                return failure(error)
            }
        }
        // single logout: the SP's LogoutRequest, verified, answered with a signed LogoutResponse
        group.get("slo") { request, _ in
            do {
                // the raw query string as received: the signature covers its octets
                let received = try await idp.receiveLogoutRequest(query: request.uri.query ?? "")
                return try await loggedOut(received)
            } catch let error as SAMLError {
                return failure(error)
            }
        }
        group.post("slo") { request, _ in
            var request = request
            let fields = try await FormBody.read(&request)
            do {
                let received = try await idp.receiveLogoutRequest(samlRequest: fields["SAMLRequest"] ?? "", relayState: fields["RelayState"])
                return try await loggedOut(received)
            } catch let error as SAMLError {
                return failure(error)
            }
        }
        group.post("respond") { request, _ in
            var request = request
            let fields = try await FormBody.read(&request)
            do {
                return try await respond(fields)
            } catch let error as SAMLError {
                return failure(error)
            }
        }
    }

    /// Reads the request again (its signature and age are checked again), issues the response for
    /// the chosen user and variant, and answers with the page that posts it to the ACS.
    func respond(_ fields: [String: String]) async throws -> Response {
        let received: ReceivedAuthnRequest
        if fields["binding"] == "post" {
            received = try idp.receivePost(samlRequest: fields["SAMLRequest"] ?? "", relayState: fields["RelayState"])
        } else {
            received = try idp.receiveRedirect(query: fields["query"] ?? "")
        }
        guard let user = idp.user(nameID: fields[TestIdPPages.userField] ?? "") else {
            throw SAMLError(.invalidRequest, "Pick one of the listed users.")
        }
        let variant = fields["variant"] ?? ""
        let issued: IssuedResponse
        if variant == "replay" {
            guard let last = await lastResponse.response else {
                throw SAMLError(.invalidRequest, "No response has been issued yet, so there is nothing to replay; sign in once first.")
            }
            issued = idp.replay(last)
        } else {
            var broken: BrokenVariant?
            if !variant.isEmpty {
                guard let chosen = BrokenVariant(name: variant) else {
                    throw SAMLError(.invalidRequest, "Unknown response variant \(variant).")
                }
                broken = chosen
            }
            issued = try idp.issueResponse(for: user, answering: received,
                                           options: ResponseOptions(encryptionCertificate: encryptionCertificate, broken: broken))
            if broken == nil { await lastResponse.set(issued) }
        }
        let nonce = DemoPages.nonce()
        let html = TestIdPPages.postForm(action: issued.destination, samlResponse: issued.base64, relayState: issued.relayState, nonce: nonce)
        return Response(status: .ok, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: TestIdPPages.contentSecurityPolicy(nonce: nonce, formActions: [Self.origin(of: issued.destination)]),
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// Sends the browser back with the LogoutResponse. The demo IdP keeps no sign-in session (it
    /// shows the picker every time), so there is nothing of its own to end; the last response is
    /// kept so the replay choice can show that the SP still refuses it.
    func loggedOut(_ received: VerifiedLogoutRequest) async throws -> Response {
        let answer = try idp.issueLogoutResponse(answering: received)
        if let url = answer.url {
            return Response(status: .found, headers: [.location: url, .cacheControl: "no-store"])
        }
        let nonce = DemoPages.nonce()
        let html = TestIdPPages.postForm(action: answer.destination, samlResponse: answer.samlValue ?? "", relayState: answer.relayState, nonce: nonce)
        return Response(status: .ok, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: TestIdPPages.contentSecurityPolicy(nonce: nonce, formActions: [Self.origin(of: answer.destination)]),
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// The user picker, with a choice of response (a good one, a replay, or a broken variant).
    func picker(_ received: ReceivedAuthnRequest, carry: [(String, String)]) -> Response {
        let nonce = DemoPages.nonce()
        var html = TestIdPPages.userPicker(for: received, users: idp.users, action: "/idp/respond",
                                           hiddenFields: carry.map { (name: $0.0, value: $0.1) }, nonce: nonce)
        var choice = "<p><label for=\"variant\">Response to send:</label>\n<select id=\"variant\" name=\"variant\">\n"
        choice += "<option value=\"\" selected>A valid signed, encrypted response</option>\n"
        choice += "<option value=\"replay\">Replay the last valid response (must be refused)</option>\n"
        for variant in BrokenVariant.allCases where variant != .replayed {
            choice += "<option value=\"\(variant.rawValue)\">Broken: \(variant.rawValue) (must be refused: \(variant.expectedErrorCode))</option>\n"
        }
        choice += "</select></p>\n"
        if let range = html.range(of: "<ul class=\"users\">") {
            html.insert(contentsOf: choice, at: range.lowerBound)
        }
        return Response(status: .ok, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: TestIdPPages.contentSecurityPolicy(nonce: nonce),
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    func failure(_ error: SAMLError) -> Response {
        DemoPages.page(title: "Test identity provider: request refused", body: """
            <h1>The test identity provider refused the request</h1>
            <p class="error"><code id="error-code">\(DemoPages.escape(error.code.description))</code>: <span id="error-reason">\(DemoPages.escape(error.reason))</span></p>
            <p><a href="/">Home</a></p>
            """, status: .badRequest)
    }

    static func origin(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return "'none'" }
        let rest = url[scheme.upperBound...]
        return String(url[..<scheme.upperBound]) + String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }
}

/// A small `application/x-www-form-urlencoded` body reader.
enum FormBody {
    static func read(_ request: inout Request, limit: Int = 1 << 20) async throws -> [String: String] {
        let buffer = try await request.collectBody(upTo: limit)
        return parse(String(buffer: buffer))
    }

    static func parse(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
