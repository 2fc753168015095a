// swift-tools-version:6.2
// The login demo: the SAML routes of SAMLHummingbird and the in-process test identity provider of
// SAMLTesting on one loopback server. A separate package, so the library's own graph never
// includes a web framework or a database driver; it turns on the library's `Hummingbird` trait. The
// admin page fetches metadata URLs with Foundation's URLSession (MetadataDownload.swift), so the
// demo builds no HTTP client of its own (no async-http-client, no swift-nio-ssl's BoringSSL).
//
// The default demo keeps logins in memory and builds no database driver (no postgres-nio, no
// swift-crypto). Its `PostgreSQL` trait, off by default, adds `--store postgres://…` (several
// instances sharing one store): `swift build --traits PostgreSQL`, which `scripts/demo.sh --store
// postgres://…` and `scripts/test-browser.sh` do.
import PackageDescription

let package = Package(
    name: "HummingbirdACS",
    platforms: [.macOS(.v14)],
    traits: [
        .trait(name: "PostgreSQL", description: "--store postgres://…: requests and used assertions on PostgreSQL (PostgresNIO)."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        // a link to the repository root, so the identity is stable
        .package(path: "swift-saml", traits: [
            "Hummingbird",
            .trait(name: "PostgreSQL", condition: .when(traits: ["PostgreSQL"])),
        ]),
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
                .product(name: "SAMLPostgres", package: "swift-saml", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
