// The login demo: this app as a SAML service provider (SAMLHummingbird) and the in-process test
// identity provider (SAMLTesting) on one loopback server. Keys are the bundled DEMO-ONLY ones.
//
//   swift run HummingbirdACS [--port N] [--base-url URL] [--store memory|postgres://…] [--session-secret S]
//
// Open the printed URL: `/` sends you to the test IdP's user picker, and back to a page that shows
// who you are. `/test-connection` checks another IdP's metadata and runs a login against it.
import Foundation

let settings: DemoSettings
do {
    settings = try DemoSettings.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    if !error.message.isEmpty { FileHandle.standardError.write(Data("error: \(error.message)\n\n".utf8)) }
    FileHandle.standardError.write(Data((DemoSettings.usage + "\n").utf8))
    exit(error.message.isEmpty ? 0 : 2)
}

do {
    let app = try DemoServer.application(settings)
    // prints "Demo running at …" once it listens (after the PostgreSQL migration, with that store)
    try await app.runService()
} catch {
    FileHandle.standardError.write(Data("error: \(DemoServer.describe(error))\n".utf8))
    exit(1)
}
