import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SAML

/// Fetches an IdP's metadata URL for the admin API and the refresher with Foundation's `URLSession`
/// (part of the toolchain, libcurl on Linux), under the rules of the library's `MetadataFetcher`
/// (SAMLMetadataHTTP): `https:`, or `http:` on a loopback host only (`LoopbackHost`); at most
/// `maximumBytes` of body; the whole fetch within `timeout`; at most 3 redirects, each to the same
/// scheme and again https or loopback http; no cookies, no cache. Every failure is a
/// `SAMLError(.metadataUnavailable)` (`.tooLarge` for a body over the bound) naming the URL.
struct MetadataDownload: Sendable {
    var maximumBytes = 100 << 20
    var timeout: TimeInterval = 10
    var maximumRedirects = 3

    /// The fetch closure the admin options and the refresher take.
    var fetch: IdentityProviderMetadataRefresher.Fetch {
        { url in try await download(url) }
    }

    /// Refuses a URL that is not absolute, not https and not http on a loopback host.
    static func checkURL(_ text: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The metadata URL \"\(text)\" is not an absolute URL with a host.")
        }
        guard scheme == "https" || (scheme == "http" && LoopbackHost.contains(host)) else {
            throw SAMLError(.invalidConfiguration, "The metadata URL \"\(text)\" uses \(scheme):; only https: is accepted (and http: on loopback hosts).")
        }
        return url
    }

    func download(_ text: String) async throws -> [UInt8] {
        let url = try Self.checkURL(text)
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: timeout)
        request.setValue("application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8", forHTTPHeaderField: "Accept")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let transfer = Transfer(url: url, limits: self)
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.start(continuation)
                task.resume()
                // the bound on the whole fetch, redirects and a slow body included
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                    transfer.fail(SAMLError(.metadataUnavailable, "Fetching \(text) took longer than \(Int(timeout)) s."), cancelling: task)
                }
            }
        } onCancel: {
            transfer.fail(CancellationError(), cancelling: task)
        }
    }

    /// One transfer's state: the body so far and the one continuation, resumed once.
    final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private let original: URL
        private let limits: MetadataDownload
        private var continuation: CheckedContinuation<[UInt8], any Error>?
        private var finished = false
        private var body: [UInt8] = []
        private var redirects = 0

        init(url: URL, limits: MetadataDownload) {
            original = url
            self.limits = limits
        }

        func start(_ continuation: CheckedContinuation<[UInt8], any Error>) {
            lock.lock()
            defer { lock.unlock() }
            if finished {
                continuation.resume(throwing: CancellationError())
            } else {
                self.continuation = continuation
            }
        }

        /// Ends the transfer with `result` unless it has ended; `task`, if given, is cancelled.
        private func finish(_ result: Result<[UInt8], any Error>, cancelling task: URLSessionTask? = nil) {
            lock.lock()
            guard !finished else {
                lock.unlock()
                return
            }
            finished = true
            let continuation = self.continuation
            self.continuation = nil
            body = []
            lock.unlock()
            task?.cancel()
            continuation?.resume(with: result)
        }

        func fail(_ error: any Error, cancelling task: URLSessionTask) {
            finish(.failure(error), cancelling: task)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
            let from = response.url?.absoluteString ?? original.absoluteString
            guard let next = request.url else {
                completionHandler(nil)
                return finish(.failure(SAMLError(.metadataUnavailable, "\(from) redirects (\(response.statusCode)) without a usable Location.")), cancelling: task)
            }
            lock.lock()
            redirects += 1
            let count = redirects
            lock.unlock()
            let problem: String?
            if next.scheme?.lowercased() != original.scheme?.lowercased() {
                problem = "\(from) redirects to \(next.scheme ?? "no scheme"): (\(next.absoluteString.prefix(100))); a redirect to another scheme is refused."
            } else if count > limits.maximumRedirects {
                problem = "Fetching \(original.absoluteString) was redirected more than \(limits.maximumRedirects) times."
            } else {
                do {
                    _ = try MetadataDownload.checkURL(next.absoluteString)
                    problem = nil
                } catch let error as SAMLError {
                    problem = "\(from) redirects to a URL that is refused: \(error.reason)"
                } catch {
                    problem = "\(error)"
                }
            }
            if let problem {
                completionHandler(nil)
                finish(.failure(SAMLError(.metadataUnavailable, problem)), cancelling: task)
            } else {
                completionHandler(request)
            }
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
            let where_ = response.url?.absoluteString ?? original.absoluteString
            guard let http = response as? HTTPURLResponse else {
                completionHandler(.cancel)
                return finish(.failure(SAMLError(.metadataUnavailable, "\(where_) did not answer over HTTP.")), cancelling: dataTask)
            }
            guard http.statusCode == 200 else {
                completionHandler(.cancel)
                let reason = HTTPURLResponse.localizedString(forStatusCode: http.statusCode)
                return finish(.failure(SAMLError(.metadataUnavailable, "\(where_) answered HTTP \(http.statusCode) \(reason).")), cancelling: dataTask)
            }
            if response.expectedContentLength > Int64(limits.maximumBytes) {
                completionHandler(.cancel)
                return finish(.failure(SAMLError(.tooLarge, "The metadata at \(where_) is \(response.expectedContentLength) bytes (Content-Length); the limit is \(limits.maximumBytes) bytes.")), cancelling: dataTask)
            }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            lock.lock()
            let over = !finished && body.count + data.count > limits.maximumBytes
            if !over, !finished { body += data }
            lock.unlock()
            if over {
                let where_ = dataTask.currentRequest?.url?.absoluteString ?? original.absoluteString
                finish(.failure(SAMLError(.tooLarge, "The metadata at \(where_) exceeds the limit of \(limits.maximumBytes) bytes.")), cancelling: dataTask)
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            if let error = error as? URLError, error.code == .timedOut {
                finish(.failure(SAMLError(.metadataUnavailable, "Fetching \(original.absoluteString) took longer than \(Int(limits.timeout)) s.")))
            } else if let error {
                finish(.failure(SAMLError(.metadataUnavailable, "Fetching \(original.absoluteString) failed: \(error.localizedDescription)")))
            } else {
                lock.lock()
                let bytes = body
                lock.unlock()
                finish(.success(bytes))
            }
        }
    }
}
