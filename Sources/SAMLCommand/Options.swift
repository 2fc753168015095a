import ArgumentParser
import Foundation
import SAML

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// `--json` / `--format`, shared by every subcommand that prints a report.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON; the same as --format json.")
    var json = false

    @Option(help: ArgumentHelp("The output format. Without it: \(OutputOptions.defaultRule)", valueName: "format"))
    var format: OutputFormat?

    /// How the format is chosen when neither flag is given; every subcommand's help says it.
    static let defaultRule = "SAML_FORMAT if set, else text when standard output is a terminal and JSON when it is not (a pipe, a file, $(…))."

    /// The format in effect: `--json`, `--format`, `SAML_FORMAT`, then text on a terminal, JSON otherwise.
    var mode: OutputFormat {
        if json { return .json }
        if let format { return format }
        if let value = ProcessInfo.processInfo.environment["SAML_FORMAT"], let format = OutputFormat(rawValue: value.lowercased()) {
            return format
        }
        return isatty(STDOUT_FILENO) == 1 ? .text : .json
    }

    /// The styling for text output.
    var style: Style { Style(color: mode == .text && Style.colorWanted) }
}

/// `--now`, `--max-bytes` and `--allow-http`: one meaning in every subcommand that reads a document.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("now"), help: ArgumentHelp("The one instant everything is checked against (message times, metadata validUntil, certificates) and requests are issued at, RFC 3339 (default: the clock).", valueName: "instant"))
    var now: String?

    @Option(name: .customLong("max-bytes"), help: ArgumentHelp("Largest input read from a file, standard input or a URL, in bytes.", valueName: "bytes"))
    var maxBytes: Int = Output.defaultMaximumInput

    @Flag(name: .customLong("allow-http"), help: "Accept http: metadata URLs and SSO/SLO locations on any host (http: on loopback — 127.0.0.0/8, [::1], localhost — is always accepted).")
    var allowHTTP = false

    func validate() throws {
        if let now, SAMLTime.parse(now) == nil {
            throw ValidationError("--now must be an xs:dateTime instant such as 2026-01-15T10:01:00Z (a real calendar date; Z or ±hh:mm).")
        }
        guard maxBytes > 0 else { throw ValidationError("--max-bytes must be positive.") }
    }

    /// The instant in effect: `--now`, or the clock once per command.
    var instant: Date { now.flatMap(SAMLTime.parse) ?? Self.started }

    /// The clock read once, so that one command judges everything at one instant.
    private static let started = Date()

    /// The metadata rules: `--now` for `validUntil`, `--allow-http` for endpoint locations.
    var metadataPolicy: MetadataPolicy { MetadataPolicy(now: instant, allowHTTPEndpoints: allowHTTP) }

    /// Metadata parse limits scaled to `--max-bytes`.
    var metadataLimits: XMLLimits { .metadata(maximumBytes: maxBytes) }

    /// Reads a file, standard input for "-", or (when `allowURL`) an http(s) URL under these options.
    func read(_ path: String, allowURL: Bool = false) throws -> [UInt8] {
        try Output.read(path, allowURL: allowURL, maximumBytes: maxBytes, allowHTTP: allowHTTP)
    }

    /// Reads UTF-8 text under these options.
    func readText(_ path: String) throws -> String {
        String(decoding: try read(path), as: UTF8.self)
    }
}

/// The help of options that `saml doctor` declares optional and the option groups require.
enum OptionHelp {
    static let idpMetadata = ArgumentHelp("The IdP's metadata: a file, - for standard input, or an http(s) URL.", valueName: "file|url")
    static let idpEntityID = ArgumentHelp("Which IdP, when the metadata holds several.", valueName: "id")
    static let acsURL = ArgumentHelp("This SP's Assertion Consumer Service URL (http or https).", valueName: "url")
    static let spEntityID = ArgumentHelp("This SP's entity ID. Without it: the ACS URL, as AWS IAM Identity Center and Cloudflare Access set it up.", valueName: "id")
}

/// Which IdP: `--idp-metadata` and `--idp-entity-id`.
struct IdPOptions: ParsableArguments {
    @Option(name: .customLong("idp-metadata"), help: OptionHelp.idpMetadata)
    var idpMetadata: String

    @Option(name: .customLong("idp-entity-id"), help: OptionHelp.idpEntityID)
    var idpEntityID: String?

    /// The raw metadata; exits 2 when unreadable.
    func bytes(_ input: InputOptions) throws -> [UInt8] { try input.read(idpMetadata, allowURL: true) }

    /// The IdP read under `--now`, `--max-bytes` and `--allow-http`, or exit 2 (as configuration,
    /// unusable metadata is a usage problem for the command).
    func load(command: String, input: InputOptions) throws -> IdentityProvider {
        let metadata = try bytes(input)
        do {
            return try IdentityProvider(metadata: metadata, entityID: idpEntityID, limits: input.metadataLimits, policy: input.metadataPolicy)
        } catch let error as SAMLError {
            Output.error("saml \(command): \(idpMetadata): \(error)")
            throw Exit.usage
        }
    }
}

/// This SP: `--acs-url` and `--sp-entity-id` (which defaults to the ACS URL).
struct SPOptions: ParsableArguments {
    @Option(name: .customLong("acs-url"), help: OptionHelp.acsURL)
    var acsURL: String

    @Option(name: .customLong("sp-entity-id"), help: OptionHelp.spEntityID)
    var spEntityID: String?

    /// The entity ID in effect.
    var entityID: String { spEntityID ?? acsURL }

    func validate() throws {
        try Self.validate(acsURL: acsURL, spEntityID: spEntityID)
    }

    /// `--acs-url` an absolute http(s) URL, `--sp-entity-id` not empty.
    static func validate(acsURL: String, spEntityID: String?) throws {
        try URLCheck.require(acsURL, option: "--acs-url")
        if let spEntityID, spEntityID.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--sp-entity-id must not be empty.")
        }
    }
}

/// The key that signs requests and metadata.
struct SigningOptions: ParsableArguments {
    @Option(name: .customLong("sign-key"), help: ArgumentHelp("PEM private key that signs (needs --sign-cert).", valueName: "pem"))
    var signKey: String?

    @Option(name: .customLong("sign-cert"), help: ArgumentHelp("PEM certificate of the signing key.", valueName: "pem"))
    var signCert: String?

    @Option(name: .customLong("sign-key-passphrase-file"), help: ArgumentHelp("File whose first line is the passphrase of an encrypted --sign-key.", valueName: "file"))
    var passphraseFile: String?

    func validate() throws {
        if signKey != nil && signCert == nil { throw ValidationError("--sign-key needs --sign-cert.") }
        if passphraseFile != nil && signKey == nil { throw ValidationError("--sign-key-passphrase-file needs --sign-key.") }
    }

    /// The key pair, nil without --sign-key. A SAMLError (unreadable key, key and certificate
    /// not matching) is thrown for the caller to report.
    func keyPair() throws -> SAMLKeyPair? {
        guard let signKey, let signCert else { return nil }
        let passphrase = try passphraseFile.map(Output.readPassphrase)
        return try SAMLKeyPair(privateKeyPEM: try Output.readText(signKey), certificatePEM: try Output.readText(signCert), passphrase: passphrase)
    }

    /// The certificate alone (SP metadata publishes it even without the key).
    func certificate() throws -> SAMLCertificate? {
        try signCert.map { try SAMLCertificate(pem: try Output.readText($0)) }
    }
}

/// SP keys that decrypt assertions.
struct DecryptionOptions: ParsableArguments {
    @Option(name: .customLong("sp-key"), help: ArgumentHelp("An SP private key (PEM) that decrypts encrypted assertions; repeatable.", valueName: "pem"))
    var spKeys: [String] = []

    @Option(name: .customLong("sp-key-passphrase-file"), help: ArgumentHelp("File whose first line is the passphrase of encrypted --sp-key files.", valueName: "file"))
    var passphraseFile: String?

    func validate() throws {
        if passphraseFile != nil && spKeys.isEmpty { throw ValidationError("--sp-key-passphrase-file needs --sp-key.") }
    }

    /// Each key with its path; a SAMLError is thrown for the caller to report.
    func keys() throws -> [(path: String, key: SAMLPrivateKey)] {
        let passphrase = try passphraseFile.map(Output.readPassphrase)
        return try spKeys.map { path in
            do {
                return (path, try SAMLPrivateKey(pem: try Output.readText(path), passphrase: passphrase))
            } catch let error as SAMLError {
                throw SAMLError(error.code, "\(path): \(error.reason)", libraryMessage: error.libraryMessage)
            }
        }
    }
}

/// Checks on URL-valued options.
enum URLCheck {
    /// Throws a usage error unless `value` is an absolute http(s) URL with a host.
    static func require(_ value: String, option: String) throws {
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, !value.contains(" ") else {
            throw ValidationError("\(option) must be an absolute http(s) URL such as https://sp.example.com/saml/acs, not \"\(value)\".")
        }
    }
}
