// Usage: metadata-bench [--file | --bytes | --url] SOURCE CERT.pem ENTITY-ID [LOOKUPS]
//   Loads the aggregate (parse + signature check + index) from a file read block by block (--file,
//   the default: MetadataSet(contentsOfFile:)), from bytes read into memory first (--bytes:
//   MetadataSet(metadata:)), or from an http(s) URL (--url: MetadataSource, the body parsed as it
//   arrives), then looks one IdP up LOOKUPS times. Prints one JSON line: load seconds (wall and
//   CPU), entity count, first-lookup CPU and the mean time of a cached lookup in microseconds.
// Usage: metadata-bench --single FILE ITERATIONS
//   Reads one IdP's metadata ITERATIONS times (parse + certificate decoding); prints µs per read.
import Foundation
import SAML
import SAMLMetadataHTTP

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.count == 3, arguments[0] == "--single" {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[1])))
    let iterations = Int(arguments[2]) ?? 1000
    let clock = ContinuousClock()
    var keys = 0
    let start = clock.now
    for _ in 0..<iterations {
        keys &+= try IdentityProvider(metadata: bytes).signingCertificates[0].keySize
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("{\"iterations\":\(iterations),\"us_per_read\":\(seconds / Double(iterations) * 1e6),\"check\":\(keys / iterations)}")
    exit(0)
}
var mode = "--file"
if let first = arguments.first, ["--file", "--bytes", "--url"].contains(first) {
    mode = first
    arguments.removeFirst()
}
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: metadata-bench [--file | --bytes | --url] SOURCE CERT.pem ENTITY-ID [LOOKUPS]\n".utf8))
    exit(2)
}
let source = arguments[0]
let entityID = arguments[2]
let lookups = arguments.count > 3 ? Int(arguments[3]) ?? 100_000 : 100_000
let certificate = try SAMLCertificate(pem: String(contentsOfFile: arguments[1], encoding: .utf8))
let limits = XMLLimits.metadata(maximumBytes: 200 << 20)
let clock = ContinuousClock()
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

let cpuStart = cpuSeconds()
let start = clock.now
let set: MetadataSet
switch mode {
case "--bytes":
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
    set = try MetadataSet(metadata: bytes, signedBy: [certificate], limits: limits)
case "--url":
    let configuration = MetadataFetchConfiguration(trustAnchors: [certificate], maximumBytes: 200 << 20, totalTimeout: .seconds(600))
    let metadata = MetadataSource(url: source, entityID: entityID, configuration: configuration)
    try await metadata.refresh()
    set = try await metadata.currentSet()
default:
    set = try MetadataSet(contentsOfFile: source, signedBy: [certificate], limits: limits)
}
let loadTime = clock.now - start
let loadCPU = cpuSeconds() - cpuStart

let firstStart = cpuSeconds()
var found = try set.identityProvider(entityID: entityID).signingCertificates.count
let firstLookupCPU = cpuSeconds() - firstStart
// a second IdP's first lookup: certificate decoding without any one-time initialisation
let otherID = set.identityProviderIDs.first { $0 != entityID }!
let otherStart = cpuSeconds()
found &+= try set.identityProvider(entityID: otherID).signingCertificates.count - 1
let otherLookupCPU = cpuSeconds() - otherStart
let lookupStart = clock.now
found = 0
for _ in 0..<lookups {
    found &+= try set.identityProvider(entityID: entityID).signingCertificates.count
}
let lookupTime = clock.now - lookupStart
print("{\"mode\":\"\(mode.dropFirst(2))\",\"load_s\":\(seconds(loadTime)),\"load_cpu_s\":\(loadCPU),\"entities\":\(set.entityCount),"
    + "\"idps\":\(set.identityProviderIDs.count),\"verified\":\(set.verifiedBy != nil),\"first_lookup_cpu_us\":\(firstLookupCPU * 1e6),\"other_first_lookup_cpu_us\":\(otherLookupCPU * 1e6),\"lookup_us\":\(seconds(lookupTime) / Double(lookups) * 1e6),\"check\":\(found / lookups)}")
