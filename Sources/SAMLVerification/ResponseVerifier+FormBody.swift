public import Foundation
public import SAMLCore

extension ResponseVerifier {
    /// Verifies the `SAMLResponse` of a posted form body (`SAMLResponse=…&RelayState=…`, as
    /// `application/x-www-form-urlencoded`), read strictly by `SAMLFormBody`.
    ///
    /// Read `RelayState` from the same `SAMLFormBody` with ``verify(form:inResponseTo:now:)``
    /// when the application needs it.
    ///
    /// - Parameters:
    ///   - formBody: the request body, exactly as received.
    ///   - inResponseTo: the ID of the AuthnRequest this SP sent, or nil when none is expected.
    ///   - now: the current time (injectable for tests).
    /// - Throws: `SAMLError`: `invalidEncoding` or `tooLarge` for the body, `invalidMessage`
    ///   when it has no `SAMLResponse`, then whatever the verification finds.
    public func verify(formBody: String, inResponseTo: String?, now: Date = Date()) async throws -> VerifiedAssertion {
        try await verify(form: SAMLFormBody(formBody), inResponseTo: inResponseTo, now: now)
    }

    /// Verifies the `SAMLResponse` of an already-read form body.
    ///
    /// - Throws: `SAMLError`: `invalidMessage` when the form has no `SAMLResponse`, then
    ///   whatever the verification finds.
    public func verify(form: SAMLFormBody, inResponseTo: String?, now: Date = Date()) async throws -> VerifiedAssertion {
        guard let value = form.samlResponse else {
            throw SAMLError(.invalidMessage, "The form body has no SAMLResponse field.")
        }
        return try await verify(samlResponse: value, inResponseTo: inResponseTo, now: now)
    }
}
