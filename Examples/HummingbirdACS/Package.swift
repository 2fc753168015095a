// swift-tools-version:6.2
// The login demo: the SAML routes of SAMLHummingbird and the in-process test identity provider of
// SAMLTesting on one loopback server. A separate package, so the library's own graph never
// includes a web framework or a database driver; it turns on the library's `Hummingbird` trait, and
// its `PostgreSQL` trait for `--store postgres://…` (several instances sharing one store) and its
// `HTTPMetadata` trait for identity providers added at run time from their metadata URL.
import PackageDescription

let package = Package(
    name: "HummingbirdACS",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "swift-saml", traits: ["Hummingbird", "PostgreSQL", "HTTPMetadata"]),  // a link to the repository root, so the identity is stable
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdACS",
            dependencies: [
                .product(name: "SAML", package: "swift-saml"),
                .product(name: "SAMLHummingbird", package: "swift-saml"),
                .product(name: "SAMLTesting", package: "swift-saml"),
                .product(name: "SAMLPostgres", package: "swift-saml"),
                .product(name: "SAMLMetadataHTTP", package: "swift-saml"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
