// The smallest useful SAML service provider: one IdP from its metadata file, the SAML routes and
// one protected page. Run it (with a metadata file from your IdP) from the repository root:
//   IDP_METADATA=idp.xml SESSION_SECRET="$(openssl rand -base64 32)" swift run --traits Hummingbird MinimalACS
// The full demo, with a test IdP, is Examples/HummingbirdACS (scripts/demo.sh).
#if Hummingbird
import Foundation
import Hummingbird
import SAML
import SAMLHummingbird

let environment = ProcessInfo.processInfo.environment
let baseURL = environment["BASE_URL"] ?? "http://127.0.0.1:8080"  // https in production: cookies become __Host-, Secure
let secret = environment["SESSION_SECRET"] ?? ""                   // 32 random bytes, base64; shared by every instance
let metadata = try Data(contentsOf: URL(fileURLWithPath: environment["IDP_METADATA"] ?? "idp-metadata.xml"))
let serviceProvider = try SAMLServiceProvider(configuration: .init(
    acsURL: baseURL + "/saml/acs", identityProviders: [.init(try IdentityProvider(metadata: [UInt8](metadata)))],
    stateSecrets: [try StateSecret(secret)]))
let sessions = try SAMLCookieSession(secret: secret, for: serviceProvider)  // HttpOnly; SameSite=Lax; Secure over https
let saml = try SAMLRoutes<BasicRequestContext>(serviceProvider: serviceProvider, session: .cookie(sessions))

let router = Router()
saml.addRoutes(to: router)  // /saml/login, /saml/acs, /saml/metadata, /saml/logout, /saml/slo
router.get("/") { request, _ -> Response in
    guard let login = sessions.login(from: request) else {
        return .redirect(to: saml.loginPath(returnTo: "/"), type: .found)
    }
    let page = "<p>Signed in as \(SAMLErrorPage.escapeHTML(login.email ?? login.nameID.value))</p>"
        + "<form method=\"post\" action=\"/saml/logout\"><button>Sign out</button></form>"
    return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
}
let port = Int(environment["PORT"] ?? "") ?? 8080
try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port))).runService()
#else
print("MinimalACS needs the Hummingbird trait: swift run --traits Hummingbird MinimalACS")
#endif
