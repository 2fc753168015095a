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
        .executable(name: "saml", targets: ["SAMLCommand"]),
        .library(name: "SAMLMetadataHTTP", targets: ["SAMLMetadataHTTP"]),
    ],
    traits: [
        .trait(name: "HTTPMetadata", description: "Metadata fetching and refresh over HTTPS (async-http-client, SwiftNIO)."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
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
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAML",
            dependencies: ["SAMLCore", "SAMLMetadata", "SAMLRequests", "SAMLVerification", "SAMLLogin"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SAMLTesting",
            dependencies: ["SAMLCore", "SAMLMetadata", "SAMLRequests", "SAMLVerification", "SAMLXMLSec"],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "SAMLCommand",
            dependencies: [
                "SAML", "SAMLTesting", "SAMLMetadataHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
        .testTarget(
            name: "SAMLTests",
            dependencies: [
                "SAML", "SAMLCore", "SAMLMetadata", "SAMLRequests", "SAMLVerification", "SAMLLogin", "SAMLXMLSec",
                "SAMLTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Peer"],
            swiftSettings: upcoming
        ),
    ],
    swiftLanguageModes: [.v6]
)
