// A minimal SP: GET /login sends the browser to the IdP, POST /saml/acs verifies the answer,
// GET /saml/metadata publishes the SP metadata.
//
//   IDP_METADATA=idp.xml SP_ACS_URL=https://app.example.com/saml/acs swift run HummingbirdACS
//
// The request ID travels in a short-lived HttpOnly cookie; the tracker accepts each ID once.
import Foundation
import Hummingbird
import SAML

let environment = ProcessInfo.processInfo.environment
guard let metadataPath = environment["IDP_METADATA"], let metadata = FileManager.default.contents(atPath: metadataPath) else {
    fatalError("Set IDP_METADATA to the identity provider's metadata file.")
}
let acsURL = environment["SP_ACS_URL"] ?? "http://localhost:8080/saml/acs"
let signingKey: SAMLKeyPair? = try environment["SP_KEY"].flatMap { key in
    try environment["SP_CERT"].map { cert in
        try SAMLKeyPair(privateKeyPEM: String(contentsOfFile: key, encoding: .utf8),
                        certificatePEM: String(contentsOfFile: cert, encoding: .utf8))
    }
}
let idp = try IdentityProvider(metadata: [UInt8](metadata))
let sp = ServiceProvider(acsURL: acsURL, signingKey: signingKey, decryptionKeys: signingKey.map { [$0.privateKey] } ?? [])
let verifier = ResponseVerifier(serviceProvider: sp, identityProvider: idp)
let tracker = InMemoryRequestTracker()
let secureCookies = acsURL.hasPrefix("https://")

let router = Router()

router.get("/login") { _, _ -> Response in
    let request = try AuthnRequest(serviceProvider: sp, identityProvider: idp).redirect()
    await tracker.store(request.tracked(lifetime: 600))
    var response = Response.redirect(to: request.url)
    // SameSite=None: the IdP's POST back to the ACS is a cross-site request.
    response.setCookie(Cookie(name: "saml_request", value: request.id, maxAge: 600, path: "/saml",
                              secure: secureCookies, httpOnly: true, sameSite: secureCookies ? .none : .lax))
    return response
}

router.post("/saml/acs") { request, context -> Response in
    let body = try await request.body.collect(upTo: 2 << 20)
    let form = try URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: body))
    guard let samlResponse = form["SAMLResponse"] else { throw HTTPError(.badRequest, message: "SAMLResponse missing") }
    let requestID = request.cookies["saml_request"]?.value
    do {
        if let requestID, await tracker.consume(requestID, at: Date()) == nil {
            throw SAMLError(.inResponseToMismatch, "The login request expired or was already answered.")
        }
        let login = try await verifier.verify(samlResponse: samlResponse, inResponseTo: requestID)
        context.logger.info("SAML login", metadata: ["nameID": "\(login.nameID.value)", "issuer": "\(login.issuer)"])
        // A real application would start its own session here.
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: "Signed in as \(login.email ?? login.nameID.value)\n")))
    } catch let error as SAMLError {
        // The user sees a generic message; the log gets the reason.
        context.logger.warning("SAML login refused", metadata: ["code": "\(error.code)", "reason": "\(error.reason)"])
        throw HTTPError(.forbidden, message: "Sign-in failed.")
    }
}

router.get("/saml/metadata") { _, _ -> Response in
    let xml = try ServiceProviderMetadata(serviceProvider: sp).xml(signedWith: signingKey)
    return Response(status: .ok, headers: [.contentType: "application/samlmetadata+xml"],
                    body: .init(byteBuffer: ByteBuffer(string: xml)))
}

let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 8080)))
try await app.runService()
