import Foundation
import SAMLCore

/// The eduGAIN-shaped aggregate of `scripts/generate-federation-aggregate.sh` (10,000 entities,
/// about 65 MB, signed by the generated IdP key), generated once per test process.
package enum FederationAggregate {
    package static let entities = 10_000
    package static let signer = "generated/keys/idp-rsa.cert.pem"
    /// Entity 5000 is an IdP with two signing keys; 5001 one with three; 5003 an SP.
    package static let idp = "https://idp5000.example-53.org/idp/shibboleth"
    package static let idpThreeKeys = "https://idp5001.example-54.org/idp/shibboleth"
    package static let sp = "https://sp5003.example-56.org/shibboleth"

    /// The aggregate's path, generated once per test process.
    package static let path: Result<String, any Error> = Result { try generate() }

    /// Generates the aggregate, or reuses the one an earlier run generated from the same scripts
    /// (the file name carries a digest of both), so repeated runs leave one 65 MB file behind, not many.
    package static func generate() throws -> String {
        let scripts = ["scripts/generate-federation-aggregate.sh", "scripts/generate-federation-aggregate.py"]
        var digest: UInt64 = 14_695_981_039_346_656_037
        for script in scripts {
            for byte in try Data(contentsOf: CLI.repositoryRoot.appendingPathComponent(script)) {
                digest = (digest ^ UInt64(byte)) &* 1_099_511_628_211
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swift-saml-aggregate")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("aggregate-\(entities)-\(String(digest, radix: 16)).xml").path
        if FileManager.default.fileExists(atPath: file) { return file }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [CLI.repositoryRoot.appendingPathComponent("scripts/generate-federation-aggregate.sh").path, file, "\(entities)"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SAMLError(.invalidConfiguration, "scripts/generate-federation-aggregate.sh failed (needs python3 and the xmlsec1 CLI)")
        }
        return file
    }
}
