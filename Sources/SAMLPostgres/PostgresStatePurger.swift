#if PostgreSQL
public import Foundation
public import SAMLCore

/// Deletes expired answered requests and assertion IDs now and then, in bounded batches.
///
/// Expired rows never make a store answer wrongly (an expired record is replaced), so purging only
/// keeps the tables small. A row is deleted only once its expiry lies ``skewMargin`` behind the
/// purger's clock: another instance whose clock runs behind still counts the row as in force, and
/// must find it. Run one purger per application (running it on several instances is harmless:
/// batches skip rows another purge has locked); ``PostgresStatePurgeService`` runs it as a service.
///
/// ```swift
/// let purger = PostgresStatePurger(requestTracker: tracker, replayStore: replayStore)
/// Task { await purger.run(onError: { logger.warning("SAML state purge failed: \($0)") }) }
/// ```
public struct PostgresStatePurger: Sendable {
    /// The tracker whose expired requests are deleted, if any.
    public var requestTracker: PostgresRequestTracker?
    /// The replay store whose expired assertion IDs are deleted, if any.
    public var replayStore: PostgresReplayStore?
    /// The pause between two purges. Default 5 minutes.
    public var interval: Duration
    /// The most batches one purge runs per table, bounding the work of a round. Default 100.
    public var maxBatches: Int
    /// How far behind the purger's clock a row's expiry must lie before it is deleted: at least
    /// the largest difference between the clocks of the instances sharing the store. Default 5
    /// minutes.
    public var skewMargin: Duration

    /// Creates a purger.
    public init(requestTracker: PostgresRequestTracker? = nil, replayStore: PostgresReplayStore? = nil,
                interval: Duration = .seconds(300), maxBatches: Int = 100, skewMargin: Duration = .seconds(300)) {
        self.requestTracker = requestTracker
        self.replayStore = replayStore
        self.interval = interval
        self.maxBatches = maxBatches
        self.skewMargin = skewMargin
    }

    /// The rows one round deleted.
    public struct Round: Sendable, Hashable {
        /// Expired requests deleted.
        public var requests: Int
        /// Expired assertion IDs deleted.
        public var assertions: Int

        /// Creates a count.
        public init(requests: Int, assertions: Int) {
            self.requests = requests
            self.assertions = assertions
        }
    }

    /// Runs one round: deletes what expired before `now` minus ``skewMargin``.
    /// - Throws: `stateStoreUnavailable` when the database cannot be asked.
    @discardableResult
    public func purgeOnce(now: Date = Date()) async throws -> Round {
        let before = now.addingTimeInterval(-max(skewMargin, .zero).timeInterval)
        let requests = try await requestTracker?.purgeExpired(before: before, maxBatches: maxBatches) ?? 0
        let assertions = try await replayStore?.purgeExpired(before: before, maxBatches: maxBatches) ?? 0
        return Round(requests: requests, assertions: assertions)
    }

    /// Purges every ``interval`` until the task is cancelled. A failed round is reported to
    /// `onError` and retried at the next interval.
    public func run(onError: @Sendable (SAMLError) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do {
                try await purgeOnce()
            } catch let error as SAMLError {
                onError(error)
            } catch {
                onError(SAMLError(.stateStoreUnavailable, "The purge failed: \(error)"))
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
#endif
