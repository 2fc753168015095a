import Logging
import SAMLWeb
import SAMLWebConformance
import Testing

/// The neutral router itself, as a framework would drive it.
struct DirectClient: ConformanceClient {
    let router: SAMLWebRouter<Void>

    func send(_ request: ConformanceRequest) async throws -> ConformanceResponse {
        let body = Array(request.body.utf8)
        let tooLarge = body.count > router.maximumBodyBytes
        let web = SAMLWebRequest(method: request.method, path: request.path, rawQuery: request.rawQuery, headers: request.headers,
                                 body: tooLarge ? [] : body, bodyTooLarge: tooLarge)
        guard let response = try await router.respond(to: web, context: ()) else {
            return ConformanceResponse(status: 404, headers: [], body: "")
        }
        return ConformanceResponse(status: response.status,
                                   headers: response.headers + response.cookies.map { ("Set-Cookie", $0.headerValue) },
                                   body: response.bodyText)
    }
}

@Suite("Web layer conformance, neutral router")
struct NeutralConformanceTests {
    @Test("Conformance", arguments: ConformanceCase.allCases)
    func conformance(_ check: ConformanceCase) async throws {
        try await check.run { world, body in
            try await body(DirectClient(router: try world.routes(Void.self).router))
        }
    }
}
