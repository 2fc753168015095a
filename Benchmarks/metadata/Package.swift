// swift-tools-version:6.2
// The metadata benchmark driver: loads a (large) signed metadata aggregate with SAMLMetadata — from a
// file, from bytes in memory, or from a URL (SAMLMetadataHTTP, so the library is built with its
// HTTPMetadata trait) — checking its signature and indexing every entity, then times entity lookups.
// See run.sh.
import Foundation
import PackageDescription

// A path dependency's identity is its directory name, which differs between checkouts.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let rootName = root.lastPathComponent

let package = Package(
    name: "metadata-bench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: root.path, traits: ["HTTPMetadata"])],
    targets: [
        .executableTarget(name: "metadata-bench", dependencies: [
            .product(name: "SAML", package: rootName),
            .product(name: "SAMLMetadataHTTP", package: rootName),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
