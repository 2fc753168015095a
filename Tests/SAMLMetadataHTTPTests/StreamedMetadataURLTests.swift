#if HTTPMetadata
import Foundation
import SAML
import SAMLMetadataHTTP
import Testing

/// A metadata body is parsed as it arrives (pre-scan and libxml2's push parser): a signed aggregate
/// cut into small chunks at awkward places verifies, and hostile bodies are refused with the codes
/// of the in-memory parse, before the rest of the body arrives.
@Suite("Metadata over HTTP: the body parsed as it arrives")
struct StreamedMetadataURLTests {
    static let idp = "https://idp.université.example/idp"

    static func configuration(_ change: (inout MetadataFetchConfiguration) -> Void = { _ in }) throws -> MetadataFetchConfiguration {
        var configuration = MetadataFetchConfiguration(trustAnchors: [try Files.certificate("idp-rsa")], connectTimeout: .seconds(5),
                                                       readTimeout: .seconds(10), totalTimeout: .seconds(60))
        change(&configuration)
        return configuration
    }

    /// A signed aggregate of 40 IdPs with multi-byte names and a comment and declaration in front.
    static func aggregate() throws -> [UInt8] {
        let entities = try (0..<40).map { i in
            try MetadataBuilder.entity(i == 7 ? idp : "https://idp\(i).zürich.example/ïdp/東京", root: false)
        }
        var signed = try MetadataBuilder.signed(MetadataBuilder.aggregate(entities, validUntil: Date() + 86_400 * 30))
        if signed.starts(with: Array("<?xml".utf8)), let newline = signed.firstIndex(of: UInt8(ascii: "\n")) {
            signed.removeSubrange(...newline)
        }
        return Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Fédération — 東京 -->\n".utf8) + signed
    }

    @Test("A signed aggregate sent in chunks of 1, 7 and 4096 bytes without a Content-Length: verified and indexed")
    func signedInChunks() async throws {
        let body = try Self.aggregate()
        #expect(body.contains(0xC3))
        let server = try await MetadataServer.start()
        for size in [1, 7, 4096] {
            try await server.set("/agg-\(size)", body: body, mode: "chunked", chunk: size)
            let source = MetadataSource(url: server.base + "/agg-\(size)", entityID: Self.idp, configuration: try Self.configuration())
            let status = try await source.refresh()
            #expect(status.entityCount == 40)
            #expect(try await source.identityProvider().entityID == Self.idp)
        }
        // one changed byte in an entity: the signature no longer verifies
        var changed = body
        let at = try #require(changed.firstRange(of: Array("idp12".utf8)))
        changed[at.lowerBound + 3] = UInt8(ascii: "9")
        try await server.set("/changed", body: changed, mode: "chunked", chunk: 1000)
        let source = MetadataSource(url: server.base + "/changed", entityID: Self.idp, configuration: try Self.configuration())
        await expectFailure(.signatureInvalid) { try await source.refresh() }
        await server.stop()
    }

    @Test("Hostile bodies are refused with the in-memory parse's code: DOCTYPE, entities, namespaces, truncation, NUL, size")
    func hostileBodies() async throws {
        let body = try Self.aggregate()
        let namespaces = "<md:EntitiesDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata'>"
            + (0..<20).map { i in "<e\(i)" + (0..<4).map { " xmlns:p\(i)x\($0)='urn:\($0)'" }.joined() + ">" }.joined()
            + (0..<20).reversed().map { "</e\($0)>" }.joined() + "</md:EntitiesDescriptor>"
        let cases: [(String, [UInt8], SAMLError.Code)] = [
            ("doctype", Array("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e 'x'>]><md:EntitiesDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata'>&e;</md:EntitiesDescriptor>".utf8), .doctypeForbidden),
            ("external", Array("<!DOCTYPE r SYSTEM 'http://127.0.0.1:9/x.dtd'><r/>".utf8), .doctypeForbidden),
            ("undeclared entity", Array("<md:EntitiesDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata'>&e;</md:EntitiesDescriptor>".utf8), .malformedXML),
            ("namespaces in scope", Array(namespaces.utf8), .tooLarge),
            ("truncated", Array(body[..<(body.count * 2 / 3)]), .malformedXML),
            ("NUL", Array(body[..<200]) + [0] + Array(body[200...]), .malformedXML),
        ]
        let server = try await MetadataServer.start()
        for (name, bytes, code) in cases {
            // the in-memory parse gives the same code
            do { _ = try MetadataSet(metadata: bytes, limits: .metadata); Issue.record("\(name): accepted in memory") } catch let error as SAMLError {
                #expect(error.code == code, "\(name) in memory: \(error)")
            }
            try await server.set("/\(name.replacingOccurrences(of: " ", with: "-"))", body: bytes, mode: "chunked", chunk: 5)
            let source = MetadataSource(url: server.base + "/\(name.replacingOccurrences(of: " ", with: "-"))", configuration: try Self.configuration())
            await expectFailure(code) { try await source.refresh() }
        }
        // over the size limit without a Content-Length: refused once the limit is passed
        try await server.set("/big", body: body, mode: "chunked", chunk: 512)
        let limited = MetadataSource(url: server.base + "/big", configuration: try Self.configuration { $0.maximumBytes = body.count / 2 })
        await expectFailure(.tooLarge) { try await limited.refresh() }
        await server.stop()
    }

    @Test("A DOCTYPE is refused when its bytes arrive, not after the whole body: a 1,000 s body fails with its code, not a timeout")
    func refusedBeforeTheBodyEnds() async throws {
        // 100 chunks of 1 KiB, 10 s apart (1,000 s in all); the total timeout is 60 s
        let body = Array("<?xml version='1.0'?>\n<!DOCTYPE md:EntitiesDescriptor [<!ENTITY x 'y'>]>".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 100 << 10)
        let server = try await MetadataServer.start()
        try await server.set("/slow-doctype", body: body, mode: "chunked", delay: 10, chunk: 1024)
        let source = MetadataSource(url: server.base + "/slow-doctype", configuration: try Self.configuration { $0.readTimeout = .seconds(30) })
        await expectFailure(.doctypeForbidden) { try await source.refresh() }
        await server.stop()
    }
}
#endif
