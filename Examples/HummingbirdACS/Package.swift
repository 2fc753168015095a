// swift-tools-version:6.2
// An example Assertion Consumer Service on Hummingbird 2, kept outside the library's package so the
// library does not depend on a web framework.
import PackageDescription

let package = Package(
    name: "HummingbirdACS",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "swift-saml"),  // a link to the repository root, so the identity is stable
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdACS",
            dependencies: [
                .product(name: "SAML", package: "swift-saml"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
