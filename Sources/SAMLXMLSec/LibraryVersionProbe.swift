import CSAMLShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The versions of the C libraries this process actually loaded (not only those compiled against).
package enum LibraryVersionProbe {
    /// libxml2's runtime version, dotted (`2.9.14`), from `xmlParserVersion`.
    package static var libxml2: String {
        guard let slot = unsafe __xmlParserVersion(), let text = unsafe slot.pointee else { return LIBXML_DOTTED_VERSION }
        let digits = unsafe String(cString: text)
        guard let number = Int(digits) else { return digits }
        return "\(number / 10000).\(number / 100 % 100).\(number % 100)"
    }

    /// xmlsec1's version: the one compiled against, confirmed against the loaded library with
    /// `xmlSecCheckVersionExt` (exact match), or marked when the loaded one differs.
    package static var xmlsec: String {
        _ = try? Library.prepare()
        let matches = xmlSecCheckVersionExt(Int32(XMLSEC_VERSION_MAJOR), Int32(XMLSEC_VERSION_MINOR),
                                            Int32(XMLSEC_VERSION_SUBMINOR), xmlSecCheckVersionExactMatch) == 1
        saml_errors_reset()
        return matches ? XMLSEC_VERSION : "\(XMLSEC_VERSION) at build time; the loaded library differs"
    }

    /// OpenSSL's runtime version text (`OpenSSL 3.0.x …`), looked up in the loaded libcrypto.
    package static var openSSL: String {
        typealias VersionFunction = @convention(c) (Int32) -> UnsafePointer<CChar>?
        #if canImport(Glibc)
        let handle = unsafe UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
        #else
        let handle = unsafe UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT on Darwin
        #endif
        guard let symbol = unsafe dlsym(handle, "OpenSSL_version") else { return "unknown" }
        let function = unsafe unsafeBitCast(symbol, to: VersionFunction.self)
        guard let text = unsafe function(0) else { return "unknown" }  // OPENSSL_VERSION
        return unsafe String(cString: text)
    }
}
