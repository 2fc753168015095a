import CSAMLShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses a document that arrives in pieces — a file read block by block, an HTTP body as it is
/// received — under the same rules as ``XMLDocument/parse(_:limits:)``: every byte passes the shape
/// pre-scan before libxml2 sees it, no DOCTYPE, no entities, no network, depth and size bounded, IDs
/// registered. Only the tree and the construct being received are held, never the whole text, and
/// a refusal comes as soon as the offending bytes arrive (the same `SAMLError` codes as the
/// whole-buffer parse).
///
/// Not shared between threads; it may move between them (one piece at a time).
@safe package final class XMLStreamParser {
    private let stream: OpaquePointer
    private let limits: XMLLimits

    /// A parser for one document within `limits`.
    package init(limits: XMLLimits) throws(SAMLError) {
        try Library.prepare()
        ParseCounter.current?.record()
        var scanLimits = limits.prescanLimits
        guard let stream = unsafe saml_stream_create(&scanLimits, max(limits.maximumBytes, 0), Int32(clamping: limits.maximumDepth)) else {
            throw SAMLError(.libraryFailure, "Out of memory creating an XML parser.")
        }
        unsafe self.stream = unsafe stream
        self.limits = limits
    }

    deinit { unsafe saml_stream_free(stream) }

    /// Documents of this size or more are freed as ``XMLDocument/isLarge``.
    static let largeDocumentBytes = 4 << 20

    /// The bytes received so far.
    package var received: Int { unsafe saml_stream_received(stream) }

    /// Takes the next piece of the document.
    /// - Throws: the refusal, as soon as the bytes received show it.
    package func append(_ bytes: UnsafeRawBufferPointer) throws(SAMLError) {
        guard let base = bytes.baseAddress else { return }
        let status = unsafe saml_stream_feed(stream, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        try check(status)
    }

    /// Takes the next piece of the document.
    package func append(_ bytes: [UInt8]) throws(SAMLError) {
        let status = unsafe bytes.withUnsafeBytes { raw in
            unsafe saml_stream_feed(stream, raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count)
        }
        try check(status)
    }

    /// Ends the document and returns it.
    /// - Throws: the refusal; a document cut short is `malformedXML`, an empty one too.
    package func finish() throws(SAMLError) -> XMLDocument {
        if unsafe saml_stream_received(stream) == 0 { throw SAMLError(.malformedXML, "The XML document is empty.") }
        var doc: xmlDocPtr? = nil
        let status = unsafe saml_stream_finish(stream, &doc)
        try check(status)
        guard let doc = unsafe doc else { throw SAMLError(.malformedXML, "The XML is not well-formed.") }
        let document = try unsafe XMLDocument.adopt(doc)
        document.isLarge = received >= Self.largeDocumentBytes
        return document
    }

    private func check(_ status: Int32) throws(SAMLError) {
        switch Int(status) {
        case Int(SAML_STREAM_OK):
            return
        case Int(SAML_STREAM_PRESCAN):
            let result = unsafe saml_stream_prescan_result(stream)
            try XMLPreScan.report(result.outcome, result, limits: limits)
            throw SAMLError(.malformedXML, "The XML is not well-formed (at byte \(result.offset)).")
        case Int(SAML_STREAM_TOO_LARGE):
            throw SAMLError(.tooLarge, "The XML holds more than \(limits.maximumBytes) bytes; the limit is \(limits.maximumBytes) bytes.")
        case Int(SAML_STREAM_PARSE):
            let message = unsafe String(cString: saml_stream_message(stream))
            throw XMLDocument.parseFailure(unsafe saml_stream_parse_outcome(stream), message: message, maximumDepth: limits.maximumDepth)
        default:
            throw SAMLError(.libraryFailure, "Out of memory parsing XML.")
        }
    }
}

extension XMLDocument {
    /// Reads and parses the file at `path` block by block (``XMLStreamParser``): the same rules and
    /// refusals as ``parse(_:limits:)`` on its bytes, without holding the file's text in memory.
    ///
    /// - Throws: `tooLarge` for a file over `limits.maximumBytes` (before reading it),
    ///   `invalidConfiguration` when the file cannot be opened or read, or the parse's refusal.
    package static func parse(contentsOfFile path: String, limits: XMLLimits) throws(SAMLError) -> XMLDocument {
        let descriptor = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SAMLError(.invalidConfiguration, "Cannot open \(path): \(unsafe String(cString: strerror(errno))).")
        }
        defer { _ = close(descriptor) }
        var info = stat()
        if unsafe fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > limits.maximumBytes {
            throw SAMLError(.tooLarge, "The XML is \(info.st_size) bytes; the limit is \(limits.maximumBytes) bytes.")
        }
        let parser = try XMLStreamParser(limits: limits)
        let blockSize = 256 << 10
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { unsafe block.deallocate() }
        while true {
            let count = unsafe read(descriptor, block.baseAddress, blockSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw SAMLError(.invalidConfiguration, "Cannot read \(path): \(unsafe String(cString: strerror(errno))).")
            }
            if count == 0 { break }
            try unsafe parser.append(UnsafeRawBufferPointer(rebasing: block[0..<count]))
        }
        return try parser.finish()
    }
}
