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

    /// The factory to report to; nil when it is swift-metrics' no-op default (nothing
    /// bootstrapped), so nothing is built for a report no one receives.
    private var active: (any MetricsFactory)? {
        let factory = self.factory ?? MetricsSystem.factory
        // the dynamic type compared directly: `is` on an existential is a dynamic cast, on every login
        return ObjectIdentifier(type(of: factory)) == ObjectIdentifier(NOOPMetricsHandler.self) ? nil : factory
    }

    func login(idp label: @autoclosure () -> String, outcome: String, test: Bool, started: ContinuousClock.Instant) {
        guard let factory = active else { return }
        let kind = test ? "test" : "login"
        let idp = label()
        Counter(label: "saml_logins_total", dimensions: [("idp", idp), ("outcome", outcome), ("kind", kind)], factory: factory).increment()
        let elapsed = ContinuousClock.now - started
        let (seconds, attoseconds) = elapsed.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        CoreMetrics.Timer(label: "saml_login_duration_seconds", dimensions: [("idp", idp), ("kind", kind)], factory: factory)
            .recordNanoseconds(nanoseconds)
    }

    func metadataRefresh(idp: String, outcome: String) {
        guard let factory = active else { return }
        Counter(label: "saml_metadata_refreshes_total", dimensions: [("idp", idp), ("outcome", outcome)], factory: factory).increment()
    }

    func storeError(_ store: String) {
        guard let factory = active else { return }
        Counter(label: "saml_store_errors_total", dimensions: [("store", store)], factory: factory).increment()
    }
}
