import Foundation
import CoreMetrics
import SAMLCore

/// The counters and timers the façade and the directory report through swift-metrics (to the
/// factory the app bootstrapped, or one given). Labels carry directory IDs and outcome codes
/// only, never identity values; an IdP that is not in the directory counts as `unknown`.
///
/// - `saml_logins_total{idp, outcome, kind}`: finished logins (`kind` `login` or `test`), `outcome`
///   `success` or the refusal's `SAMLError` code.
/// - `saml_login_duration_seconds{idp, kind}`: the time `finishLogin` took.
/// - `saml_metadata_refreshes_total{idp, outcome}`: metadata refreshes of directory entries.
/// - `saml_store_errors_total{store}`: the state store (`state`) or the directory (`directory`)
///   could not answer.
struct SAMLMetrics: Sendable {
    let factory: (any MetricsFactory)?

    init(factory: (any MetricsFactory)?) {
        self.factory = factory
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        if let factory { return Counter(label: label, dimensions: dimensions, factory: factory) }
        return Counter(label: label, dimensions: dimensions)
    }

    func login(idp: String, outcome: String, test: Bool, started: ContinuousClock.Instant) {
        let kind = test ? "test" : "login"
        counter("saml_logins_total", [("idp", idp), ("outcome", outcome), ("kind", kind)]).increment()
        let elapsed = ContinuousClock.now - started
        let (seconds, attoseconds) = elapsed.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        let dimensions = [("idp", idp), ("kind", kind)]
        let timer = factory.map { CoreMetrics.Timer(label: "saml_login_duration_seconds", dimensions: dimensions, factory: $0) }
            ?? CoreMetrics.Timer(label: "saml_login_duration_seconds", dimensions: dimensions)
        timer.recordNanoseconds(nanoseconds)
    }

    func metadataRefresh(idp: String, outcome: String) {
        counter("saml_metadata_refreshes_total", [("idp", idp), ("outcome", outcome)]).increment()
    }

    func storeError(_ store: String) {
        counter("saml_store_errors_total", [("store", store)]).increment()
    }
}
