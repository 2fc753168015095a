import ArgumentParser
import Foundation
import SAML
import SAMLTesting

struct IdPIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a SAMLResponse for a user and print it in base64 (the SAMLResponse form value).",
        discussion: """
        Signs with RSA-SHA256 or ECDSA-SHA256 by the key's type. --broken builds a defective response \
        for testing an SP's error paths: \(BrokenVariant.allCases.map(\.rawValue).joined(separator: ", ")) \
        (kebab-case works too). A "replayed" response is a good one: post it twice.
        """
    )

    @Option(name: .customLong("idp-key"), help: "PEM private key that signs (RSA or EC).")
    var idpKey: String

    @Option(name: .customLong("idp-cert"), help: "PEM certificate of the signing key (goes into KeyInfo).")
    var idpCert: String

    @Option(name: .customLong("idp-entity-id"), help: "The IdP's entity ID (the Issuer).")
    var idpEntityID: String

    @Option(name: .customLong("sp-entity-id"), help: "The SP's entity ID (the Audience).")
    var spEntityID: String

    @Option(name: .customLong("acs-url"), help: "The SP's ACS URL (Destination and Recipient).")
    var acsURL: String

    @Option(name: .customLong("request-id"), help: "The AuthnRequest ID answered (InResponseTo); omit for IdP-initiated.")
    var requestID: String?

    @Option(name: .customLong("name-id"), help: "The NameID value.")
    var nameID: String

    @Option(name: .customLong("name-id-format"), help: "The NameID Format URN (default emailAddress).")
    var nameIDFormat: String = NameIDFormat.emailAddress.rawValue

    @Option(name: .customLong("attribute"), help: "NAME=VALUE; repeat for more values or attributes.")
    var attributes: [String] = []

    @Option(name: .customLong("sign"), help: "response, assertion or both (default both).")
    var sign: String = "both"

    @Option(name: .customLong("encrypt-cert"), help: "PEM certificate (RSA) to encrypt the assertion for (AES-256-GCM, RSA-OAEP).")
    var encryptCert: String?

    @Option(name: .customLong("lifetime"), help: "Seconds the assertion is valid (default 300).")
    var lifetime: Int = 300

    @Option(name: .customLong("now"), help: "Issue instant, RFC 3339 (default: the current time).")
    var now: String?

    @Option(name: .customLong("broken"), help: "A deliberate defect (see above).")
    var broken: String?

    func run() throws {
        guard let signing = ResponseOptions.Signing(rawValue: sign.lowercased()) else {
            Output.error("saml idp issue: --sign must be response, assertion or both, not \"\(sign)\".")
            throw ExitCode(2)
        }
        var defect: BrokenVariant?
        if let broken {
            guard let kind = BrokenVariant(name: broken) else {
                Output.error("saml idp issue: --broken must be one of \(BrokenVariant.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(broken)\".")
                throw ExitCode(2)
            }
            defect = kind
        }
        var instant = Date()
        if let now {
            guard let parsed = SAMLTime.parse(now) else {
                Output.error("saml idp issue: --now \"\(now)\" is not an RFC 3339 time such as 2026-01-15T10:00:00Z.")
                throw ExitCode(2)
            }
            instant = parsed
        }
        guard lifetime > 0 else {
            Output.error("saml idp issue: --lifetime must be a positive number of seconds.")
            throw ExitCode(2)
        }
        var userAttributes: [TestUser.Attribute] = []
        for pair in attributes {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                Output.error("saml idp issue: --attribute takes NAME=VALUE, not \"\(pair)\".")
                throw ExitCode(2)
            }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            if let index = userAttributes.firstIndex(where: { $0.name == name }) {
                userAttributes[index].values.append(value)
            } else {
                userAttributes.append(TestUser.Attribute(name: name, value: value))
            }
        }
        do {
            let key = try SAMLKeyPair(privateKeyPEM: try Output.readText(idpKey), certificatePEM: try Output.readText(idpCert))
            let idp = TestIdentityProvider(entityID: idpEntityID, singleSignOnURL: idpEntityID, signingKey: key)
            let encryption = try encryptCert.map { try SAMLCertificate(pem: try Output.readText($0)) }
            let user = TestUser(nameID: nameID, nameIDFormat: NameIDFormat(rawValue: nameIDFormat), attributes: userAttributes)
            let options = ResponseOptions(signing: signing, encryptionCertificate: encryption, lifetime: TimeInterval(lifetime), broken: defect)
            let response = try idp.issueResponse(for: user, serviceProviderEntityID: spEntityID, acsURL: acsURL,
                                                 inResponseTo: requestID, options: options, now: instant)
            print(response.base64)
        } catch let error as SAMLError {
            Output.error("saml idp issue: \(error)")
            throw ExitCode(2)
        }
    }
}
