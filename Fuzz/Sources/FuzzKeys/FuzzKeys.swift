// Certificate and key loading: DER, base64 and PEM certificates, PEM private keys.
import SAML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeys(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    func expectSAMLError(_ body: () throws -> Void) {
        do { try body() } catch is SAMLError {} catch { fatalError("an error other than SAMLError: \(error)") }
    }
    expectSAMLError {
        let certificate = try SAMLCertificate(der: bytes)
        if certificate.der != bytes { fatalError("certificate DER not kept as given") }
        _ = certificate.pem
    }
    expectSAMLError { _ = try SAMLCertificate(base64: text) }
    expectSAMLError { _ = try SAMLCertificate(pem: text) }
    expectSAMLError { _ = try SAMLCertificate.all(inPEM: text) }
    expectSAMLError { _ = try SAMLPrivateKey(pem: text) }
    expectSAMLError { _ = try SAMLPrivateKey(pem: text, passphrase: "fuzz") }
    return 0
}

// SwiftPM links an executable's entry point as `FuzzKeys_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzKeys_main")
public func fuzzKeysMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzzKeys)
}
