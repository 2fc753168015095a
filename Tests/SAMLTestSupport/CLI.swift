package import Foundation
package import Testing

/// Runs the built `saml` executable. The test target does not depend on the executable product:
/// build it first (`swift build` or `swift build --build-tests` builds every product); when it is
/// missing, the tests fail with a message saying so.
package enum CLI {
    package struct Result {
        package var status: Int32
        package var stdout: String
        package var stderr: String

        package init(status: Int32, stdout: String, stderr: String) {
            (self.status, self.stdout, self.stderr) = (status, stdout, stderr)
        }

        /// stdout as a JSON object.
        package func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
            return try #require(object as? [String: Any], "stdout is not a JSON object: \(stdout)", sourceLocation: sourceLocation)
        }

        package var summary: String { "exit \(status)\n--- stdout:\n\(stdout.prefix(2000))\n--- stderr:\n\(stderr.prefix(2000))" }
    }

    package struct NotBuilt: Error, CustomStringConvertible {
        package var searched: [String]
        package var description: String {
            "The `saml` executable was not found next to the test binary (searched: \(searched.joined(separator: ", "))). "
                + "Build it before running these tests, e.g. `swift build --build-tests --scratch-path <scratch>`, "
                + "or set SAML_EXECUTABLE to its path."
        }
    }

    /// The repository root; commands run there so fixture paths are relative, as a user would type them.
    package static let repositoryRoot = Fixtures.root.deletingLastPathComponent()

    /// Finds `saml` in the products directory of the running test binary: starting from the test
    /// bundle / executable, walk up a few levels (the `.xctest` bundle nests on macOS) to the first
    /// directory holding an executable file named `saml`.
    package static func executable() throws -> URL {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["SAML_EXECUTABLE"], fm.isExecutableFile(atPath: explicit) {
            return URL(fileURLWithPath: explicit)
        }
        var starts = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        if let argument = CommandLine.arguments.first, argument.contains("/") {
            starts.append(URL(fileURLWithPath: argument).deletingLastPathComponent())
        }
        starts += Bundle.allBundles.map(\.bundleURL)
        var searched: [String] = []
        for start in starts {
            var directory = start.standardizedFileURL
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("saml")
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   fm.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                if !searched.contains(directory.path) { searched.append(directory.path) }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw NotBuilt(searched: searched)
    }

    /// Runs `saml arguments…` in the repository root, with `stdin` as standard input and
    /// `environment` added to (or, for nil values, removed from) this process's environment.
    /// `SAML_FORMAT`, `NO_COLOR` and `CLICOLOR_FORCE` are removed unless given, so the caller's
    /// shell cannot change the outcome.
    package static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:]) throws -> Result {
        let executable = try executable()
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("saml-cli-\(UUID().uuidString)")
        try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: scratch) }
        // files rather than pipes: no risk of a full pipe blocking the child
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        try (stdin ?? Data()).write(to: inURL)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        defer { try? out.close(); try? err.close(); try? input.close() }

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for name in ["SAML_FORMAT", "NO_COLOR", "CLICOLOR_FORCE"] { env[name] = nil }
        for (name, value) in environment { env[name] = value }
        process.environment = env
        process.currentDirectoryURL = repositoryRoot
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Writes `text` to a fresh temporary file and returns its path.
    package static func temporaryFile(_ text: String, name: String = "input.xml") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saml-cli-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

