import CSAMLShims

/// HMAC-SHA256, for values this package hands to a browser and must recognise unaltered.
package enum MessageAuthentication {
    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    package static func hmacSHA256(_ data: [UInt8], key: [UInt8]) throws(SAMLError) -> [UInt8] {
        try Library.prepare()
        var out = [UInt8](repeating: 0, count: 32)
        let result = unsafe key.withUnsafeBufferPointer { k in
            unsafe data.withUnsafeBufferPointer { d in
                unsafe saml_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, &out)
            }
        }
        guard result == 0 else { throw Library.error(.libraryFailure, "HMAC-SHA256 failed.") }
        return out
    }

    /// Whether two byte strings are equal, compared in time that does not depend on where they differ.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return unsafe a.withUnsafeBufferPointer { x in
            unsafe b.withUnsafeBufferPointer { y in
                unsafe saml_constant_time_equal(x.baseAddress, y.baseAddress, x.count) == 1
            }
        }
    }
}
