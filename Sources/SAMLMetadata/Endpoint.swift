public import SAMLCore

/// A protocol endpoint from metadata: where to send a message with which binding.
public struct Endpoint: Sendable, Hashable, Codable {
    /// The binding the endpoint speaks.
    public var binding: SAMLBinding
    /// Where to send messages.
    public var location: String
    /// Where responses go, when different from `location` (logout endpoints).
    public var responseLocation: String?

    /// Creates an endpoint.
    public init(binding: SAMLBinding, location: String, responseLocation: String? = nil) {
        self.binding = binding
        self.location = location
        self.responseLocation = responseLocation
    }
}
