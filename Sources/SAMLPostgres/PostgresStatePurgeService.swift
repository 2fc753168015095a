#if PostgreSQL
public import Logging
import SAMLCore
public import ServiceLifecycle

/// A ``PostgresStatePurger`` as a service of a `ServiceGroup`: the first round one interval after
/// start-up (when the schema migration has long finished), then one every interval until the
/// group shuts down gracefully. A failed round is logged at `warning` and retried at the next.
///
/// ```swift
/// let store = try PostgresLoginStateStore(client: client)
/// let purge = PostgresStatePurgeService(purger: PostgresStatePurger(requestTracker: store.requests,
///                                                                   replayStore: store.assertions),
///                                       logger: logger)
/// let group = ServiceGroup(services: [client, purge, app], logger: logger)
/// ```
public struct PostgresStatePurgeService: Service {
    /// The purger run every ``PostgresStatePurger/interval``.
    public let purger: PostgresStatePurger
    /// Where failed rounds are reported.
    public let logger: Logger

    /// Creates the service.
    public init(purger: PostgresStatePurger, logger: Logger) {
        self.purger = purger
        self.logger = logger
    }

    /// Purges until the service group shuts down.
    public func run() async throws {
        let purger = self.purger
        let logger = self.logger
        await cancelWhenGracefulShutdown {
            do { try await Task.sleep(for: purger.interval) } catch { return }
            await purger.run(onError: { error in
                logger.warning("SAML state purge failed", metadata: ["saml.code": .string(error.code.description), "saml.reason": .string(error.reason)])
            })
        }
    }
}
#endif
