import ArgumentParser

struct AuthnRequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "authn-request")
    func run() throws { throw ExitCode(2) }
}
