#if HTTPMetadata
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SAMLCore
import SAMLXMLSec

/// What a fetch does with a response body as it arrives.
protocol MetadataBodyReader {
    /// What the whole body becomes.
    associatedtype Body: Sendable
    /// Takes the next piece of the body.
    mutating func append(_ chunk: ByteBuffer) throws
    /// The body, once all of it arrived.
    mutating func finish() throws -> Body
}

/// Collects the body's bytes.
struct CollectedBody: MetadataBodyReader {
    private var bytes: [UInt8] = []

    mutating func append(_ chunk: ByteBuffer) throws { bytes += chunk.readableBytesView }
    mutating func finish() throws -> [UInt8] { bytes }
}

/// Parses the body as it arrives (pre-scan and libxml2's push parser), so the document's text is
/// never held whole: a refusal comes with the first offending bytes, and memory holds only the tree.
struct ParsedBody: MetadataBodyReader {
    private let parser: XMLStreamParser

    init(limits: XMLLimits) throws { parser = try XMLStreamParser(limits: limits) }

    mutating func append(_ chunk: ByteBuffer) throws {
        try chunk.withUnsafeReadableBytes { bytes in try parser.append(bytes) }
    }

    mutating func finish() throws -> ParsedMetadataDocument {
        ParsedMetadataDocument(document: try parser.finish(), byteCount: parser.received)
    }
}

/// A document parsed by the task that fetched it, handed whole to one reader (never shared).
struct ParsedMetadataDocument: @unchecked Sendable {
    let document: XMLDocument
    let byteCount: Int
}

/// One HTTP(S) GET of a metadata document under the configuration's limits: scheme checked,
/// redirects followed by hand (same scheme only, bounded), body handed to a reader as it arrives up
/// to the size limit, the whole exchange bounded by the total timeout.
struct MetadataFetcher: Sendable {
    /// What a fetch produced.
    enum Outcome<Body: Sendable>: Sendable {
        /// The document, with the validators to send next time.
        case document(body: Body, etag: String?, lastModified: String?, finalURL: String)
        /// 304: the copy held is still current.
        case notModified
    }

    let configuration: MetadataFetchConfiguration

    /// Refuses URLs whose scheme is not `https` (or `http` on a loopback host, or anywhere when allowed).
    func checkURL(_ text: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw SAMLError(.invalidConfiguration, "The metadata URL \"\(text)\" is not an absolute URL with a host.")
        }
        guard scheme == "https" || (scheme == "http" && (configuration.allowHTTP || LoopbackHost.contains(host))) else {
            throw SAMLError(.invalidConfiguration, "The metadata URL \"\(text)\" uses \(scheme):; only https: is accepted\(scheme == "http" ? " (and http: on loopback hosts) unless HTTP is explicitly allowed" : "").")
        }
        return url
    }

    /// Fetches the body's bytes.
    func fetch(_ urlText: String, etag: String?, lastModified: String?, logger: Logger) async throws -> Outcome<[UInt8]> {
        try await fetch(urlText, etag: etag, lastModified: lastModified, logger: logger) { CollectedBody() }
    }

    /// Fetches the body into a reader made for each 200 response.
    func fetch<Reader: MetadataBodyReader>(_ urlText: String, etag: String?, lastModified: String?, logger: Logger,
                                           reader: @escaping @Sendable () throws -> Reader) async throws -> Outcome<Reader.Body> {
        let timeout = configuration.totalTimeout
        return try await withThrowingTaskGroup(of: Outcome<Reader.Body>?.self) { group in
            group.addTask { try await self.fetchUnbounded(urlText, etag: etag, lastModified: lastModified, logger: logger, reader: reader) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let outcome = first else {
                throw SAMLError(.metadataUnavailable, "Fetching \(urlText) took longer than the total timeout of \(timeout).")
            }
            return outcome
        }
    }

    private func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private func fetchUnbounded<Reader: MetadataBodyReader>(_ urlText: String, etag: String?, lastModified: String?, logger: Logger,
                                                            reader: @Sendable () throws -> Reader) async throws -> Outcome<Reader.Body> {
        let original = try checkURL(urlText)
        let scheme = original.scheme!.lowercased()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: timeAmount(configuration.connectTimeout), read: timeAmount(configuration.readTimeout)),
            decompression: .disabled))
        do {
            let outcome = try await exchange(client: client, url: original, scheme: scheme, etag: etag, lastModified: lastModified,
                                             logger: logger, reader: reader)
            try? await client.shutdown()
            return outcome
        } catch {
            try? await client.shutdown()
            if let error = error as? SAMLError { throw error }
            if error is CancellationError { throw error }
            throw SAMLError(.metadataUnavailable, "Fetching \(urlText) failed: \(error).")
        }
    }

    private func exchange<Reader: MetadataBodyReader>(client: HTTPClient, url start: URL, scheme: String, etag: String?,
                                                      lastModified: String?, logger: Logger,
                                                      reader makeReader: @Sendable () throws -> Reader) async throws -> Outcome<Reader.Body> {
        var url = start
        var redirects = 0
        while true {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .GET
            request.headers.add(name: "Accept", value: "application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8")
            if let etag { request.headers.add(name: "If-None-Match", value: etag) }
            if let lastModified { request.headers.add(name: "If-Modified-Since", value: lastModified) }
            let response = try await client.execute(request, timeout: timeAmount(configuration.totalTimeout), logger: logger)
            let status = response.status.code
            switch status {
            case 200:
                if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > configuration.maximumBytes {
                    throw SAMLError(.tooLarge, "The metadata at \(url.absoluteString) is \(length) bytes (Content-Length); the limit is \(configuration.maximumBytes) bytes.")
                }
                var reader = try makeReader()
                var received = 0
                for try await chunk in response.body {
                    received += chunk.readableBytes
                    guard received <= configuration.maximumBytes else {
                        throw SAMLError(.tooLarge, "The metadata at \(url.absoluteString) exceeds the limit of \(configuration.maximumBytes) bytes.")
                    }
                    try reader.append(chunk)
                }
                return .document(body: try reader.finish(), etag: response.headers.first(name: "ETag"),
                                 lastModified: response.headers.first(name: "Last-Modified"), finalURL: url.absoluteString)
            case 304:
                guard etag != nil || lastModified != nil else {
                    throw SAMLError(.metadataUnavailable, "\(url.absoluteString) answered 304 Not Modified to a request without validators.")
                }
                return .notModified
            case 301, 302, 303, 307, 308:
                guard let location = response.headers.first(name: "Location"),
                      let next = URL(string: location, relativeTo: url)?.absoluteURL else {
                    throw SAMLError(.metadataUnavailable, "\(url.absoluteString) redirects (\(status)) without a usable Location.")
                }
                guard next.scheme?.lowercased() == scheme else {
                    throw SAMLError(.metadataUnavailable, "\(url.absoluteString) redirects to \(next.scheme ?? "no scheme"): (\(next.absoluteString.prefix(100))); a redirect to another scheme is refused.")
                }
                redirects += 1
                guard redirects <= configuration.maximumRedirects else {
                    throw SAMLError(.metadataUnavailable, "Fetching \(start.absoluteString) was redirected more than \(configuration.maximumRedirects) times.")
                }
                logger.debug("metadata redirect", metadata: ["from": "\(url.absoluteString)", "to": "\(next.absoluteString)"])
                url = try checkURL(next.absoluteString)
            default:
                throw SAMLError(.metadataUnavailable, "\(url.absoluteString) answered HTTP \(status) \(response.status.reasonPhrase).")
            }
        }
    }
}
#endif
