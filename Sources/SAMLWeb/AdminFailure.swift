import Foundation
import SAMLCore
import SAMLLogin

/// A refused admin request, answered as `{"error": {"code", "field", "reason"}}` with a 4xx
/// (or 503 when the directory cannot be read).
struct AdminFailure: Error {
    let status: Int
    let code: String
    let field: String?
    let reason: String
    var headers: [(name: String, value: String)] = []

    init(status: Int, code: String, field: String? = nil, _ reason: String) {
        self.status = status
        self.code = code
        self.field = field
        self.reason = reason
    }

    /// A bad field: 409 for a duplicate, 404 for a missing entry, 503 for an unreadable
    /// directory, 413 for a body too large, 400 for a malformed request, else 422.
    init(field: String?, _ error: SAMLError) {
        let status = switch error.code {
        case .duplicateEntityID: 409
        case .entityNotFound: 404
        case .directoryUnavailable, .stateStoreUnavailable: 503
        case .tooLarge: 413
        case .invalidRequest, .invalidEncoding: 400
        default: 422
        }
        self.init(status: status, code: error.code.rawValue, field: field, error.reason)
    }

    /// Any error of a directory call or a handler, as the admin API reports it.
    init(_ error: any Error) {
        switch error {
        case let failure as AdminFailure: self = failure
        case let input as IdentityProviderInputError: self.init(field: input.field, input.error)
        case let saml as SAMLError: self.init(field: nil, saml)
        default: self.init(field: nil, SAMLError(.directoryUnavailable, "The identity-provider directory failed: \(error)"))
        }
    }

    var response: SAMLWebResponse {
        var object: [String: Any] = ["code": code, "reason": reason]
        if let field { object["field"] = field }
        var response = AdminJSON.response(["error": object], status: status)
        for (name, value) in headers { response.setHeader(name, value) }
        return response
    }
}

/// JSON bodies of the admin API.
enum AdminJSON {
    static func response(_ object: Any, status: Int = 200) -> SAMLWebResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return SAMLWebResponse(status: status, headers: [
            ("Content-Type", "application/json"), ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
        ], body: Array(data))
    }

    static func date(_ date: Date?) -> Any {
        guard let date else { return NSNull() }
        return ISO8601DateFormatter().string(from: date)
    }
}
