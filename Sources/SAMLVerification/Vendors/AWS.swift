import Foundation
import SAMLCore

/// An AWS role the IdP lets the user assume (`https://aws.amazon.com/SAML/Attributes/Role`).
public struct AWSRole: Sendable, Hashable, Codable {
    /// `arn:aws:iam::<account>:role/<name>`
    public var roleARN: String
    /// `arn:aws:iam::<account>:saml-provider/<name>`
    public var providerARN: String

    /// Parses a `role,provider` or `provider,role` value.
    public init?(attributeValue: String) {
        // split on the byte: ARNs are ASCII, and a value with more than one comma is no pair
        let utf8 = attributeValue.utf8
        guard let comma = utf8.firstIndex(of: UInt8(ascii: ",")) else { return nil }
        let rest = utf8[utf8.index(after: comma)...]
        guard !rest.contains(UInt8(ascii: ",")) else { return nil }
        let parts = [String(decoding: utf8[..<comma], as: UTF8.self).trimmingXMLWhitespace,
                     String(decoding: rest, as: UTF8.self).trimmingXMLWhitespace]
        let isRole: (String) -> Bool = { $0.hasPrefix("arn:") && Self.contains($0, ":role/") }
        let isProvider: (String) -> Bool = { $0.hasPrefix("arn:") && Self.contains($0, ":saml-provider/") }
        if isRole(parts[0]), isProvider(parts[1]) {
            roleARN = parts[0]; providerARN = parts[1]
        } else if isProvider(parts[0]), isRole(parts[1]) {
            roleARN = parts[1]; providerARN = parts[0]
        } else {
            return nil
        }
    }
}

extension AWSRole {
    /// Whether `text` contains `part`, compared byte by byte (ARNs are ASCII).
    static func contains(_ text: String, _ part: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: part.utf8Start, count: part.utf8CodeUnitCount)
        var haystack = text
        return haystack.withUTF8 { bytes in
            guard bytes.count >= needle.count else { return false }
            for start in 0...(bytes.count - needle.count) {
                var match = true
                for offset in 0..<needle.count where bytes[start + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return true }
            }
            return false
        }
    }
}

/// The AWS attributes (`https://aws.amazon.com/SAML/Attributes/…`) that AWS IAM federation and
/// IAM Identity Center applications read.
extension VerifiedAssertion {
    /// The AWS role/provider pairs (values in either order; malformed ones are skipped).
    public var awsRoles: [AWSRole] {
        values(of: "https://aws.amazon.com/SAML/Attributes/Role").compactMap(AWSRole.init(attributeValue:))
    }

    /// AWS `RoleSessionName`.
    public var awsRoleSessionName: String? { value(of: "https://aws.amazon.com/SAML/Attributes/RoleSessionName") }

    /// AWS `SessionDuration` in seconds.
    public var awsSessionDuration: Int? {
        value(of: "https://aws.amazon.com/SAML/Attributes/SessionDuration").flatMap { Int($0.trimmingXMLWhitespace) }
    }
}
