import ArgumentParser

struct SPMetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spmetadata")
    func run() throws { throw ExitCode(2) }
}
