import ArgumentParser
import Foundation
import SAML

@main
struct SAMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saml",
        abstract: "Inspect SAML metadata, build requests, and verify responses while debugging an integration.",
        discussion: """
            Reports are text when standard output is a terminal and JSON when it is not (a pipe, a file, \
            URL=$(saml …)); --json or --format (or SAML_FORMAT=text|json) choose. NO_COLOR turns colour off. \
            --now, --max-bytes and --allow-http mean the same in every subcommand that takes them; http: on \
            loopback (127.0.0.0/8, [::1], localhost) needs no --allow-http.

            \(Exit.help)
            """,
        version: versionText,
        subcommands: [
            DemoCommand.self, DecodeCommand.self, DoctorCommand.self, MetadataCommand.self, VerifyCommand.self,
            AuthnRequestCommand.self, SPMetadataCommand.self, BenchCommand.self, IdPCommand.self,
            LogoutRequestCommand.self, VerifyLogoutCommand.self,
        ]
    )

    /// This package's version.
    static let packageVersion = "0.1.0"

    /// `saml 0.1.0` plus the C libraries loaded.
    static var versionText: String {
        let versions = SAMLLibraryVersions.loaded
        return "saml \(packageVersion)\nlibxml2 \(versions.libxml2)\nxmlsec1 \(versions.xmlsec1)\n\(versions.openSSLText)"
    }

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
