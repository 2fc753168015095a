// swift-tools-version:6.2
// libFuzzer targets for every entry of swift-saml that takes untrusted bytes. Kept apart from the
// main package so its graph stays untouched. Build and run with `scripts/fuzz.sh TARGET SECONDS`.
import PackageDescription

let fuzzTarget = { (name: String) -> Target in
    .executableTarget(
        name: name,
        // The logout target issues its corpus with the in-process test IdP.
        dependencies: [.product(name: "SAML", package: "swift-saml")]
            + (name == "FuzzLogout" ? [.product(name: "SAMLTesting", package: "swift-saml")] : []),
        swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]
    )
}

let package = Package(
    name: "swift-saml-fuzz",
    dependencies: [.package(name: "swift-saml", path: "..")],
    targets: ["FuzzVerify", "FuzzMetadata", "FuzzRedirect", "FuzzKeys", "FuzzLogout"].map(fuzzTarget),
    swiftLanguageModes: [.v6]
)
