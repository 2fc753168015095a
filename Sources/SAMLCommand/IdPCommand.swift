import ArgumentParser
import Foundation

struct IdPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idp",
        abstract: "A test identity provider: publish its metadata, or issue a signed SAMLResponse for a user (for tests and local debugging only).",
        subcommands: [IdPMetadataCommand.self, IdPIssueCommand.self]
    )
}
