// swift-tools-version:6.2
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "swift-saml",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SAML", targets: ["SAML"]),
        .library(name: "SAMLCore", targets: ["SAMLCore"]),
        .library(name: "SAMLMetadata", targets: ["SAMLMetadata"]),
        .library(name: "SAMLRequests", targets: ["SAMLRequests"]),
        .library(name: "SAMLVerification", targets: ["SAMLVerification"]),
        .library(name: "SAMLLogin", targets: ["SAMLLogin"]),
        .library(name: "SAMLTesting", targets: ["SAMLTesting"]),
        .library(name: "SAMLInspection", targets: ["SAMLInspection"]),
        .library(name: "SAMLWeb", targets: ["SAMLWeb"]),
        .library(name: "SAMLHummingbird", targets: ["SAMLHummingbird"]),
        .executable(name: "saml", targets: ["SAMLCommand"]),
        .library(name: "SAMLMetadataHTTP", targets: ["SAMLMetadataHTTP"]),
        .library(name: "SAMLPostgres", targets: ["SAMLPostgres"]),
        .library(name: "SAMLVapor", targets: ["SAMLVapor"]),
    ],
    traits: [
        .trait(name: "HTTPMetadata", description: "Metadata fetching and refresh over HTTPS (async-http-client, SwiftNIO)."),
        .trait(
            name: "PostgreSQL",
            description: "The SAMLPostgres product: request tracker and replay store on PostgreSQL (PostgresNIO)."
        ),
        .trait(name: "Hummingbird", description: "The SAMLHummingbird integration (fetches Hummingbird and SwiftNIO)."),
        .trait(name: "Vapor", description: "The SAMLVapor integration (fetches Vapor and SwiftNIO)."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/vapor/vapor", from: "4.100.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev", "pkg-config"])]
        ),
        .systemLibrary(
            name: "CXMLSec",
            pkgConfig: "xmlsec1-openssl",
            providers: [.apt(["libxmlsec1-dev", "libssl-dev", "pkg-config"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "CSAMLShims",
            dependencies: ["CLibXML2", "CXMLSec", "CZlib"]
        ),
        .target(
            name: "SAMLXMLSec",
            dependencies: ["CSAMLShims"],
            swiftSettings: upcoming + [.strictMemorySafety()]
        ),
        .target(
            name: "SAMLCore",
            dependencies: ["SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLMetadata",
            dependencies: ["SAMLCore", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLRequests",
            dependencies: ["SAMLCore", "SAMLMetadata", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLVerification",
            dependencies: ["SAMLCore", "SAMLMetadata", "SAMLXMLSec", .product(name: "Logging", package: "swift-log")],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLLogin",
            dependencies: [
                "SAMLCore", "SAMLMetadata", "SAMLRequests", "SAMLVerification", "SAMLXMLSec",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAML",
            dependencies: ["SAMLCore", "SAMLMetadata", "SAMLRequests", "SAMLVerification", "SAMLLogin"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLInspection",
            dependencies: ["SAMLCore", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLTesting",
            dependencies: ["SAMLCore", "SAMLMetadata", "SAMLRequests", "SAMLVerification", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLWeb",
            dependencies: [
                "SAMLCore", "SAMLLogin", "SAMLMetadata", "SAMLVerification", "SAMLXMLSec",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLHummingbird",
            dependencies: [
                "SAMLCore", "SAMLLogin", "SAMLVerification", "SAMLWeb",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLVapor",
            dependencies: [
                "SAMLCore", "SAMLLogin", "SAMLVerification", "SAMLWeb",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Vapor", package: "vapor", condition: .when(traits: ["Vapor"])),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "SAMLCommand",
            dependencies: [
                "SAML", "SAMLInspection", "SAMLTesting", "SAMLMetadataHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [
                .embedInCode("DemoData/aws-iam-identity-center_us-east-1.xml"),
                .embedInCode("DemoData/idp-metadata.xml"),
                .embedInCode("DemoData/assertion-signed.xml"),
                .embedInCode("DemoData/assertion-signed-aes256-gcm-demo-sp.xml"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLMetadataHTTP",
            dependencies: [
                "SAMLCore", "SAMLMetadata", "SAMLXMLSec",
                .product(name: "AsyncHTTPClient", package: "async-http-client", condition: .when(traits: ["HTTPMetadata"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["HTTPMetadata"])),
                .product(name: "NIOCore", package: "swift-nio", condition: .when(traits: ["HTTPMetadata"])),
                .product(name: "NIOHTTP1", package: "swift-nio", condition: .when(traits: ["HTTPMetadata"])),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLMetadataHTTPTests",
            dependencies: [
                "SAML", "SAMLCore", "SAMLXMLSec", "SAMLMetadataHTTP",
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["HTTPMetadata"])),
                .product(name: "AsyncHTTPClient", package: "async-http-client", condition: .when(traits: ["HTTPMetadata"])),
                .product(name: "NIOCore", package: "swift-nio", condition: .when(traits: ["HTTPMetadata"])),
                .product(name: "NIOHTTP1", package: "swift-nio", condition: .when(traits: ["HTTPMetadata"])),
            ],
            exclude: ["metadata_server.py"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLPostgres",
            dependencies: [
                "SAMLCore", "SAMLRequests", "SAMLVerification", "SAMLLogin",
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["PostgreSQL"])),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "SAMLPostgresRace",
            dependencies: [
                .target(name: "SAMLPostgres", condition: .when(traits: ["PostgreSQL"])),
                .target(name: "SAMLLogin", condition: .when(traits: ["PostgreSQL"])),
                .target(name: "SAMLVerification", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["PostgreSQL"])),
            ],
            path: "Tests/SAMLPostgresTests/RaceWorker",
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "SAMLPostgresBenchmark",
            dependencies: [
                .target(name: "SAMLPostgres", condition: .when(traits: ["PostgreSQL"])),
                .target(name: "SAML", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["PostgreSQL"])),
            ],
            path: "Benchmarks/postgres/Sources",
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLPostgresTests",
            dependencies: [
                .target(name: "SAMLPostgres", condition: .when(traits: ["PostgreSQL"])),
                .target(name: "SAML", condition: .when(traits: ["PostgreSQL"])),
                .target(name: "SAMLTesting", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["PostgreSQL"])),
            ],
            exclude: ["RaceWorker"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLTestSupport",
            dependencies: [
                "SAML", "SAMLCore", "SAMLLogin", "SAMLMetadata", "SAMLRequests", "SAMLTesting", "SAMLVerification", "SAMLXMLSec",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SAMLTestSupport",
            exclude: ["Peer"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLCoreTests",
            dependencies: ["SAML", "SAMLCore", "SAMLTestSupport", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLXMLSecTests",
            dependencies: [
                "CSAMLShims", "SAML", "SAMLCore", "SAMLSignatureOracle", "SAMLTestSupport", "SAMLVerification", "SAMLXMLSec",
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLMetadataTests",
            dependencies: ["SAML", "SAMLCore", "SAMLMetadata", "SAMLTestSupport", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLRequestsTests",
            dependencies: ["SAMLCore", "SAMLMetadata", "SAMLRequests", "SAMLTestSupport", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLVerificationTests",
            dependencies: [
                "SAML", "SAMLCore", "SAMLInspection", "SAMLTestSupport", "SAMLTesting", "SAMLVerification", "SAMLXMLSec",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLLoginTests",
            dependencies: [
                "SAML", "SAMLCore", "SAMLLogin", "SAMLTestSupport", "SAMLTesting", "SAMLXMLSec",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLTestingTests",
            dependencies: ["SAML", "SAMLTestSupport", "SAMLTesting"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLInspectionTests",
            dependencies: ["SAML", "SAMLCore", "SAMLInspection", "SAMLTestSupport", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLCommandTests",
            dependencies: ["SAML", "SAMLCore", "SAMLTestSupport", "SAMLTesting", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .target(
            name: "CSAMLSignatureOracle",
            dependencies: ["CSAMLShims"],
            path: "Tests/CSAMLSignatureOracle"
        ),
        .target(
            name: "SAMLSignatureOracle",
            dependencies: ["CSAMLShims", "CSAMLSignatureOracle", "SAMLXMLSec"],
            path: "Tests/SAMLSignatureOracle",
            swiftSettings: upcoming + [.strictMemorySafety()]
        ),
        .target(
            name: "SAMLWebConformance",
            dependencies: ["SAMLCore", "SAMLLogin", "SAMLRequests", "SAMLTesting", "SAMLVerification", "SAMLWeb"],
            path: "Tests/SAMLWebConformance",
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLWebTests",
            dependencies: ["SAML", "SAMLCore", "SAMLLogin", "SAMLTesting", "SAMLWeb", "SAMLWebConformance", "SAMLXMLSec",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "MinimalACS",
            dependencies: [
                .target(name: "SAML", condition: .when(traits: ["Hummingbird"])),
                .target(name: "SAMLHummingbird", condition: .when(traits: ["Hummingbird"])),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
            ],
            path: "Examples/MinimalACS",
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLHummingbirdTests",
            dependencies: [
                "SAML", "SAMLCore", "SAMLLogin", "SAMLTesting", "SAMLVerification", "SAMLWeb", "SAMLWebConformance",
                .target(name: "SAMLHummingbird", condition: .when(traits: ["Hummingbird"])),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
                .product(name: "HummingbirdTesting", package: "hummingbird", condition: .when(traits: ["Hummingbird"])),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SAMLVaporTests",
            dependencies: [
                "SAML", "SAMLCore", "SAMLLogin", "SAMLMetadata", "SAMLRequests", "SAMLVerification", "SAMLXMLSec",
                "SAMLWeb", "SAMLWebConformance",
                .product(name: "Logging", package: "swift-log"),
                .target(name: "SAMLVapor", condition: .when(traits: ["Vapor"])),
                .product(name: "Vapor", package: "vapor", condition: .when(traits: ["Vapor"])),
                .product(name: "VaporTesting", package: "vapor", condition: .when(traits: ["Vapor"])),
            ],
            swiftSettings: upcoming
        ),
    ],
    swiftLanguageModes: [.v6]
)
