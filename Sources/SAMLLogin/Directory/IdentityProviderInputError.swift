public import SAMLCore

/// A directory entry refused because one of its fields is wrong: the field's JSON name (such as
/// `config.idp_public_certs`, `metadata_url` or `id`) and the `SAMLError` saying why. The admin
/// API answers it as a 4xx JSON error naming the field.
public struct IdentityProviderInputError: Error, Sendable, CustomStringConvertible {
    /// The field, as named in the admin API's JSON.
    public let field: String
    /// Why it was refused, with a stable code.
    public let error: SAMLError

    /// Creates the error.
    public init(field: String, _ error: SAMLError) {
        self.field = field
        self.error = error
    }

    /// Creates the error from a code and reason.
    public init(field: String, _ code: SAMLError.Code, _ reason: String) {
        self.init(field: field, SAMLError(code, reason))
    }

    /// `field: code: reason`.
    public var description: String { "\(field): \(error)" }
}
