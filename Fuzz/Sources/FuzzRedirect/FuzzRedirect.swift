// HTTP-Redirect binding: query-string parsing, percent and base64 decoding, capped raw INFLATE.
import SAML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRedirect(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let query = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let limits = XMLLimits(maximumBytes: 64 << 10)
    do {
        let message = try RedirectBindingMessage(query: query, limits: limits)
        if message.xml.count > limits.maximumBytes { fatalError("inflate passed its cap: \(message.xml.count)") }
        if message.signatureAlgorithm != nil && message.signedOctets == nil { fatalError("SigAlg without signed octets") }
    } catch is SAMLError {
    } catch {
        fatalError("an error other than SAMLError: \(error)")
    }
    return 0
}

// SwiftPM links an executable's entry point as `FuzzRedirect_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzRedirect_main")
public func fuzzRedirectMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzzRedirect)
}
