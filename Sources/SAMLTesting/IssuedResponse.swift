public import Foundation

/// A Response the test identity provider issued, ready to post to the SP's ACS.
public struct IssuedResponse: Sendable, Hashable, Codable {
    /// The Response XML (UTF-8 text with an XML declaration).
    public let xml: String
    /// The `SAMLResponse` form value: the XML in base64.
    public let base64: String
    /// The Response's ID.
    public let responseID: String
    /// The (genuine) Assertion's ID.
    public let assertionID: String
    /// The request it answers, as written in the response (nil: IdP-initiated).
    public let inResponseTo: String?
    /// The ACS URL it is addressed to (the Response's Destination; where the form posts).
    public let destination: String
    /// The RelayState to post along, if any.
    public let relayState: String?
    /// The user it asserts.
    public let user: TestUser
    /// The Response's IssueInstant.
    public let issueInstant: Date
    /// The assertion's `NotOnOrAfter`.
    public let notOnOrAfter: Date
    /// The defect built in, if any.
    public let broken: BrokenVariant?

    /// The HTTP-POST binding page that carries this response to ``destination``: a form with a
    /// visible Continue button (no script needed), auto-submitted by a script only when `nonce`
    /// is given (pair it with ``TestIdPPages/contentSecurityPolicy(nonce:formActions:)``).
    public func postForm(nonce: String? = nil) -> String {
        TestIdPPages.postForm(action: destination, samlResponse: base64, relayState: relayState, nonce: nonce)
    }
}
