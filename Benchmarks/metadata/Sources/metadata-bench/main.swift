// Usage: metadata-bench FILE CERT.pem ENTITY-ID [LOOKUPS]
//   Prints one JSON line: load (parse + signature check + index) seconds, entity count, and the
//   mean time of an entity lookup in microseconds.
// Usage: metadata-bench --single FILE ITERATIONS
//   Reads one IdP's metadata ITERATIONS times (parse + certificate decoding); prints µs per read.
import Foundation
import SAML

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "--single" {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[2])))
    let iterations = Int(arguments[3]) ?? 1000
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
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: metadata-bench FILE CERT.pem ENTITY-ID [LOOKUPS]\n".utf8))
    exit(2)
}
let lookups = arguments.count > 4 ? Int(arguments[4]) ?? 100_000 : 100_000
let certificate = try SAMLCertificate(pem: String(contentsOfFile: arguments[2], encoding: .utf8))
let clock = ContinuousClock()
let readStart = clock.now
var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[1])))
let readTime = clock.now - readStart
let byteCount = bytes.count
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
let cpuStart = cpuSeconds()
let start = clock.now
let set = try MetadataSet(metadata: bytes, signedBy: [certificate], limits: .metadata(maximumBytes: 200 << 20))
let loadTime = clock.now - start
let loadCPU = cpuSeconds() - cpuStart
bytes = []  // the document is not needed once loaded

let firstStart = cpuSeconds()
var found = try set.identityProvider(entityID: arguments[3]).signingCertificates.count
let firstLookupCPU = cpuSeconds() - firstStart
// a second IdP's first lookup: certificate decoding without any one-time initialisation
let otherID = set.identityProviderIDs.first { $0 != arguments[3] }!
let otherStart = cpuSeconds()
found &+= try set.identityProvider(entityID: otherID).signingCertificates.count - 1
let otherLookupCPU = cpuSeconds() - otherStart
let lookupStart = clock.now
found = 0
for _ in 0..<lookups {
    found &+= try set.identityProvider(entityID: arguments[3]).signingCertificates.count
}
let lookupTime = clock.now - lookupStart
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
print("{\"bytes\":\(byteCount),\"read_s\":\(seconds(readTime)),\"load_s\":\(seconds(loadTime)),\"load_cpu_s\":\(loadCPU),\"entities\":\(set.entityCount),"
    + "\"idps\":\(set.identityProviderIDs.count),\"verified\":\(set.verifiedBy != nil),\"first_lookup_cpu_us\":\(firstLookupCPU * 1e6),\"other_first_lookup_cpu_us\":\(otherLookupCPU * 1e6),\"lookup_us\":\(seconds(lookupTime) / Double(lookups) * 1e6),\"check\":\(found / lookups)}")
