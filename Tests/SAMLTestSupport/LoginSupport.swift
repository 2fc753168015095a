import Foundation
package import Logging
package import SAML
package import SAMLCore
import Testing

/// A façade over the generated fixtures' IdP and SP, and responses signed in-process for the
/// request a login actually sent (times are the fixtures' own: pass `Generated.now`).
package enum LoginWorld {
    package static let secret = try! StateSecret("hQngNDgn1IN3yOAMjbQG2xd+foKiktfPy9nur44PvRE=")
    package static let otherIdPEntityID = "https://other-idp.example.net/saml"
    package static let acs2 = "https://sp-eu.example.com/saml/acs"

    package static func configuration(allowIdPInitiated: Bool = false, twoIdPs: Bool = false, acsURLs: [String] = [Generated.acs],
                              signingKey: SAMLKeyPair?? = .none, mapping: AttributeMapping = .default,
                              returnTo: ReturnToPolicy = ReturnToPolicy(allowedOrigins: ["https://sp.example.com"])) throws
        -> SAMLServiceProvider.Configuration {
        var idps = [TrustedIdentityProvider(try Generated.idp(), allowsIdPInitiatedLogin: allowIdPInitiated)]
        if twoIdPs {
            let other = IdentityProvider(entityID: otherIdPEntityID, singleSignOnURL: "https://other-idp.example.net/sso",
                                         certificates: [try Generated.certificate("idp-rsa-next")])
            idps.append(TrustedIdentityProvider(other, allowsIdPInitiatedLogin: allowIdPInitiated))
        }
        return SAMLServiceProvider.Configuration(
            acsURL: acsURLs[0], additionalACSURLs: Array(acsURLs.dropFirst()), identityProviders: idps,
            signingKey: try signingKey ?? spKeyPair(), attributeMapping: mapping, returnTo: returnTo, stateSecrets: [secret], unsafeAllowsPublishedDemoKeys: true)
    }

    /// The SP key pair the generated IdP expects requests signed with (it wants them signed).
    package static func spKeyPair() throws -> SAMLKeyPair {
        try SAMLKeyPair(privateKey: Generated.key("sp-rsa"), certificate: Generated.certificate("sp-rsa"))
    }

    package static func facade(_ configuration: SAMLServiceProvider.Configuration, tracker: (any RequestTracker)? = nil,
                       replay: (any ReplayStore)? = nil, logger: Logger? = nil) throws -> SAMLServiceProvider {
        try SAMLServiceProvider(configuration: configuration, requestTracker: tracker ?? InMemoryRequestTracker(),
                                replayStore: replay ?? InMemoryReplayStore(), logger: logger)
    }

    /// A response answering `requestID` (nil: IdP-initiated), signed by `signer`, as base64.
    package static func response(answering requestID: String?, edits: [(String, String)] = [], signer: String = "idp-rsa",
                         assertionID: String = Generated.assertionID) throws -> String {
        var all = edits
        if let requestID {
            all.append((Generated.requestID, requestID))
        } else {
            all.append((" InResponseTo=\"\(Generated.requestID)\"", ""))
        }
        if assertionID != Generated.assertionID { all.append((Generated.assertionID, assertionID)) }
        let xml = try Generated.signed(edits: all, assertion: true, response: false, signer: signer)
        return Data(xml.utf8).base64EncodedString()
    }

    /// The RelayState the start sent to the IdP (from the redirect URL or the form).
    package static func relayState(of start: LoginStart) -> String? {
        switch start.action {
        case .redirect(let url):
            return URLComponents(string: url)?.queryItems?.first { $0.name == "RelayState" }?.value
        case .post(let form):
            return form.fields.first { $0.name == "RelayState" }?.value
        }
    }
}
