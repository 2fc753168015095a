// swift-tools-version:6.2
// The login demo: the SAML routes of SAMLHummingbird and the in-process test identity provider of
// SAMLTesting on one loopback server. A separate package, so the library's own graph never
// includes a web framework; it turns on the library's `Hummingbird` trait.
import PackageDescription

let package = Package(
    name: "HummingbirdACS",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "swift-saml", traits: ["Hummingbird"]),  // a link to the repository root, so the identity is stable
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdACS",
            dependencies: [
                .product(name: "SAML", package: "swift-saml"),
                .product(name: "SAMLHummingbird", package: "swift-saml"),
                .product(name: "SAMLTesting", package: "swift-saml"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
