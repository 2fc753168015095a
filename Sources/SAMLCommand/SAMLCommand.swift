import ArgumentParser
import Foundation

@main
struct SAMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saml",
        abstract: "Inspect SAML metadata, build requests, and verify responses while debugging an integration.",
        discussion: "Exit status: 0 success, 1 a response or document was rejected, 2 usage error or unreadable input.",
        subcommands: [
            DemoCommand.self, MetadataCommand.self, VerifyCommand.self, AuthnRequestCommand.self,
            SPMetadataCommand.self, BenchCommand.self, IdPCommand.self,
        ]
    )

    /// Runs the chosen subcommand; usage errors exit 2 (not ArgumentParser's 64), as documented.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
