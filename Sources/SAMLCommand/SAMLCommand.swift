import ArgumentParser

@main
struct SAMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saml",
        abstract: "Inspect SAML metadata, build requests, and verify responses while debugging an integration.",
        subcommands: [
            DemoCommand.self, MetadataCommand.self, VerifyCommand.self, AuthnRequestCommand.self,
            SPMetadataCommand.self, BenchCommand.self,
        ]
    )
}
