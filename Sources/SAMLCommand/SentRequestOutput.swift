import Foundation
import SAML

/// How `saml authn-request` and `saml logout-request` print what they built: the URL or the form
/// on stdout (the request ID on stderr), or one JSON object.
enum SentRequestOutput {
    struct Report: Encodable {
        var id: String
        var binding: String
        var destination: String
        var url: String?
        var form: String?
        var base64: String?
        var relayState: String?
    }

    /// Builds the request for `binding` and prints it.
    static func send(_ binding: AuthnRequestCommand.RequestBinding, json: Bool,
                     redirect: () throws -> RedirectRequest, post: () throws -> PostRequest) throws {
        switch binding {
        case .redirect: print(try redirect(), json: json)
        case .post: print(try post(), json: json)
        }
    }

    static func print(_ request: RedirectRequest, json: Bool) {
        if json {
            Swift.print(Output.json(Report(id: request.id, binding: "redirect", destination: request.destination,
                                           url: request.url, relayState: request.relayState)))
        } else {
            Output.error("request-id: \(request.id)")
            Swift.print(request.url)
        }
    }

    static func print(_ request: PostRequest, json: Bool) {
        if json {
            Swift.print(Output.json(Report(id: request.id, binding: "post", destination: request.destination,
                                           form: request.form, base64: request.base64, relayState: request.relayState)))
        } else {
            Output.error("request-id: \(request.id)")
            Swift.print(request.form, terminator: "")
        }
    }
}
