import Foundation
import SAMLCore
import SAMLLogin
import SAMLMetadata

/// The body of `POST` and `PUT /admin/identity-providers[/{id}]`, read strictly: the dashboard
/// shape `{"name", "type": "saml", "config": {"issuer_url", "sso_target_url", "idp_public_certs",
/// "sign_request", "email_attribute_name", "attributes"}}`, or `metadata_url` or `metadata_xml`
/// instead of `config`, plus optional `id`, `enabled`, `allow_idp_initiated`,
/// `allowed_return_to_origins`, `generate_sp_keys` and `roll_over_sp_keys`. An unknown field, a
/// field of the wrong type or a second source of settings is refused naming the field.
struct AdminInput {
    var id: String?
    var name: String
    var configuration: IdentityProviderConfiguration?
    var metadataURL: String?
    var metadataXML: String?
    var enabled: Bool?
    var allowsIdPInitiatedLogin: Bool?
    var allowedReturnToOrigins: [String]?
    var generateKeys = false
    var rollOverKeys = false

    static let fields: Set<String> = [
        "id", "name", "type", "config", "metadata_url", "metadata_xml", "enabled", "allow_idp_initiated",
        "allowed_return_to_origins", "generate_sp_keys", "roll_over_sp_keys",
    ]

    init(_ request: SAMLWebRequest) throws(AdminFailure) {
        guard !request.bodyTooLarge else {
            throw AdminFailure(status: 413, code: SAMLError.Code.tooLarge.rawValue, "The body is larger than the limit.")
        }
        let contentType = request.header("Content-Type")?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw AdminFailure(status: 415, code: SAMLError.Code.invalidRequest.rawValue, "Send the identity provider as JSON (Content-Type: application/json).")
        }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(request.body)) else {
            throw AdminFailure(status: 400, code: SAMLError.Code.invalidEncoding.rawValue, "The body is not a JSON object.")
        }
        for key in object.keys.sorted() where !Self.fields.contains(key) {
            throw Self.bad(key, "is not a field of an identity provider (\(Self.fields.sorted().joined(separator: ", "))).")
        }
        id = try Self.string(object, "id")
        guard let name = try Self.string(object, "name"), !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Self.bad("name", "is missing or empty.", status: 422, code: .invalidConfiguration)
        }
        self.name = name
        let sources = ["config", "metadata_url", "metadata_xml"].filter { object[$0].map { $0 != .null } ?? false }
        guard sources.count == 1 else {
            throw Self.bad(sources.count > 1 ? sources[1] : "config",
                           "Give the IdP's settings exactly one way: config (the JSON settings), metadata_url or metadata_xml.",
                           status: 422, code: .invalidConfiguration, bare: true)
        }
        let type = try Self.string(object, "type")
        if let type, type.lowercased() != "saml" {
            throw Self.bad("type", "is \"\(type)\"; only \"saml\" identity providers are supported.", status: 422, code: .invalidConfiguration)
        }
        if let config = object["config"], config != .null {
            guard case .object = config else { throw Self.bad("config", "must be an object.") }
            configuration = try Self.configuration(.object(["type": .string(type ?? "saml"), "name": .string(name), "config": config]))
        }
        metadataURL = try Self.string(object, "metadata_url")
        metadataXML = try Self.string(object, "metadata_xml")
        enabled = try Self.bool(object, "enabled")
        allowsIdPInitiatedLogin = try Self.bool(object, "allow_idp_initiated")
        generateKeys = try Self.bool(object, "generate_sp_keys") ?? false
        rollOverKeys = try Self.bool(object, "roll_over_sp_keys") ?? false
        switch object["allowed_return_to_origins"] {
        case nil, .null?: allowedReturnToOrigins = nil
        case .array(let items)?:
            allowedReturnToOrigins = try items.enumerated().map { index, item throws(AdminFailure) in
                guard case .string(let text) = item else { throw Self.bad("allowed_return_to_origins[\(index)]", "must be a string.") }
                return text
            }
        default: throw Self.bad("allowed_return_to_origins", "must be a list of strings.")
        }
    }

    static func string(_ object: [String: JSONValue], _ key: String) throws(AdminFailure) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw bad(key, "must be a string.")
        }
    }

    static func bool(_ object: [String: JSONValue], _ key: String) throws(AdminFailure) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw bad(key, "must be true or false.")
        }
    }

    /// The dashboard settings, a decoding problem named by its field (`config.idp_public_certs`).
    static func configuration(_ value: JSONValue) throws(AdminFailure) -> IdentityProviderConfiguration {
        do {
            return try JSONDecoder().decode(IdentityProviderConfiguration.self, from: JSONEncoder().encode(value))
        } catch let error as DecodingError {
            let (path, detail): ([any CodingKey], String) = switch error {
            case .keyNotFound(let key, let context): (context.codingPath + [key], "is missing.")
            case .typeMismatch(_, let context), .valueNotFound(_, let context): (context.codingPath, "has the wrong type.")
            case .dataCorrupted(let context): (context.codingPath, context.debugDescription)
            @unknown default: ([], "\(error)")
            }
            let field = path.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop { $0 == "." }
            throw bad(field.isEmpty ? "config" : String(field), detail, status: 422, code: .invalidConfiguration)
        } catch {
            throw bad("config", "\(error)")
        }
    }

    static func bad(_ field: String, _ detail: String, status: Int = 400, code: SAMLError.Code = .invalidRequest,
                    bare: Bool = false) -> AdminFailure {
        AdminFailure(status: status, code: code.rawValue, field: field, bare ? detail : "\(field) \(detail)")
    }

    /// A directory ID made from a name: lowercase letters and digits, other runs as `-`.
    static func slug(_ name: String) -> String {
        var slug = ""
        for scalar in name.lowercased().unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "idp" : String(slug.prefix(48))
    }
}

/// Any JSON value, read without bridging: a boolean stays a boolean, a number a number.
enum JSONValue: Codable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let items = try? container.decode([JSONValue].self) { self = .array(items) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items)
        case .object(let fields): try container.encode(fields)
        }
    }
}
