// Metadata parsing: IdP metadata documents and aggregates, and the JSON IdP configuration.
import SAML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetadata(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    do {
        let idp = try IdentityProvider(metadata: bytes)
        if idp.entityID.isEmpty { fatalError("metadata accepted without an entityID") }
    } catch is SAMLError {
    } catch {
        fatalError("an error other than SAMLError: \(error)")
    }
    do {
        let ids = try IdentityProvider.entityIDs(inMetadata: bytes)
        for id in ids.prefix(4) { _ = try? IdentityProvider(metadata: bytes, entityID: id) }
    } catch is SAMLError {
    } catch {
        fatalError("an error other than SAMLError: \(error)")
    }
    do {
        _ = try IdentityProvider(configuration: IdentityProviderConfiguration(json: bytes))
    } catch {
        // JSON decoding errors are DecodingError by design; only crashes count here
    }
    return 0
}

// SwiftPM links an executable's entry point as `FuzzMetadata_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ body: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("FuzzMetadata_main")
public func fuzzMetadataMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzzMetadata)
}
