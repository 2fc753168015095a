import Foundation
import SAML
@testable import SAMLXMLSec
import SAMLTestSupport
import Testing

/// The parse of a document that arrives in pieces (`XMLStreamParser`, `MetadataSet(contentsOfFile:)`):
/// the same tree as the whole-buffer parse wherever the pieces are cut, and the same refusals with the
/// same `SAMLError` codes, given as soon as the offending bytes arrive.
@Suite("Streaming parse: by file and in pieces")
struct StreamingParseTests {
    /// Parses `bytes` cut into pieces of the given sizes (the last repeated until the end).
    static func streamed(_ bytes: [UInt8], pieces: [Int], limits: XMLLimits = .default) throws(SAMLError) -> XMLDocument {
        let parser = try XMLStreamParser(limits: limits)
        var at = 0
        var index = 0
        while at < bytes.count {
            let size = max(1, pieces[min(index, pieces.count - 1)])
            let end = min(bytes.count, at + size)
            try parser.append(Array(bytes[at..<end]))
            at = end
            index += 1
        }
        return try parser.finish()
    }

    /// The refusal's code of a parse, nil when accepted.
    static func code(_ parse: () throws -> XMLDocument) -> SAMLError.Code? {
        do { _ = try parse(); return nil } catch let error as SAMLError { return error.code } catch { return .libraryFailure }
    }

    /// A document with every construct the scan steps over, multi-byte UTF-8 in names, text,
    /// attribute values, comments and CDATA, and a BOM and declaration in front.
    static let awkward: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("""
    <?xml version="1.0" encoding="UTF-8"?>
    <!-- préambule — «commentaire» -->
    <?pi data with > inside?>
    <md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui" Name="urn:fédération:例">
      <md:EntityDescriptor entityID="https://idp.université.example/idp" ID="_e1">
        <md:Extensions><mdui:UIInfo><mdui:DisplayName xml:lang="de">Universität Zürich — 東京大学 🎓</mdui:DisplayName>
        <mdui:Description xml:lang="ja"><![CDATA[<b>説明</b> ]]> &amp; &#x1F393; &lt;tag&gt;</mdui:Description></mdui:UIInfo></md:Extensions>
        <Ünïcode attr = 'a "quoted" > value' другой="значение"/>
        <md:Organization><md:OrganizationName xml:lang="fr">Établissement</md:OrganizationName></md:Organization>
      </md:EntityDescriptor  >
    </md:EntitiesDescriptor>
    <!-- après -->

    """.utf8)

    @Test("Cut at every byte (inside tags, names, values, comments, CDATA, multi-byte characters): the same tree as the whole-buffer parse")
    func everySplit() throws {
        let expected = try XMLDocument.parse(Self.awkward, limits: .default).serialized()
        #expect(expected.count > 500)
        for cut in 0...Self.awkward.count {
            let document = try Self.streamed(Self.awkward, pieces: [cut, Self.awkward.count])
            #expect(document.serialized() == expected, "cut at \(cut)")
        }
        for size in [1, 2, 3, 5, 7, 64] {
            #expect(try Self.streamed(Self.awkward, pieces: [size]).serialized() == expected, "pieces of \(size)")
        }
        // three pieces: every pair of cuts a few bytes apart
        for first in stride(from: 0, to: Self.awkward.count, by: 3) {
            for gap in [1, 2, 4] {
                #expect(try Self.streamed(Self.awkward, pieces: [first, gap, Self.awkward.count]).serialized() == expected)
            }
        }
    }

    @Test("Recorded signed ADFS metadata fed byte by byte and in pieces: the same tree, and its signature verifies")
    func recordedMetadataInPieces() throws {
        let bytes = try Fixtures.bytes(MetadataSamples.adfs)
        let whole = try XMLDocument.parse(bytes, limits: .metadata)
        let signer = try MetadataSamples.adfsSignatureCertificate()
        for pieces in [[1], [4096], [17, 4093, 1]] {
            let document = try Self.streamed(bytes, pieces: pieces, limits: .metadata)
            #expect(document.serialized() == whole.serialized())
            let root = try #require(document.root)
            #expect(try EnvelopedSignature.verify(root, trusted: [signer], allowSHA1: false, what: "metadata", allowWholeDocument: true).der == signer.der)
        }
    }

    @Test("Random documents with decoy markup, cut at random places: the same outcome and tree as the whole-buffer parse")
    func randomDocumentsDifferential() throws {
        var rng = SplitMix64(state: 0x5EED_57AE)
        for round in 0..<1_500 {
            var text = Array(PreScanDifferentialTests.document(&rng).utf8)
            if round % 3 == 0, !text.isEmpty {
                // random damage: a byte changed, dropped or the document cut short
                let at = Int.random(in: 0..<text.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: text[at] = Array("<>/='\"!?-[]x ".utf8)[Int.random(in: 0..<13, using: &rng)]
                case 1: text.remove(at: at)
                default: text.removeSubrange(at...)
                }
            }
            let wellFormed = (try? XMLDocument.parse(text, limits: PreScanDifferentialTests.unlimited)) != nil
            for limits in [PreScanDifferentialTests.small, PreScanDifferentialTests.unlimited] {
                let whole = Result { try XMLDocument.parse(text, limits: limits) }
                let pieces = (0..<4).map { _ in Int.random(in: 1...max(1, text.count), using: &rng) }
                let streamed = Result { try Self.streamed(text, pieces: pieces, limits: limits) }
                switch (whole, streamed) {
                case (.success(let a), .success(let b)):
                    #expect(a.serialized() == b.serialized(), "round \(round)")
                case (.failure(let a), .failure(let b)):
                    let codes = ((a as? SAMLError)?.code, (b as? SAMLError)?.code)
                    if wellFormed {
                        // only a limit can refuse it: the same one, found by the same scan
                        #expect(codes.0 == codes.1, "round \(round): \(a) / \(b)\n\(String(decoding: text, as: UTF8.self))")
                    } else {
                        // malformed and over a limit: which is found first depends on how much libxml2
                        // had parsed when the scan reached the limit
                        #expect(codes.0 == codes.1 || Set([codes.0, codes.1]) == [.malformedXML, .tooLarge], "round \(round): \(a) / \(b)")
                    }
                default:
                    Issue.record("round \(round): whole \(whole), streamed \(streamed)\n\(String(decoding: text, as: UTF8.self))")
                }
            }
        }
    }

    /// Attack documents, each refused by the whole-buffer parse with the code given.
    static func attacks() -> [(String, [UInt8], XMLLimits, SAMLError.Code)] {
        let root = "<r xmlns='urn:r'>"
        var list: [(String, [UInt8], XMLLimits, SAMLError.Code)] = [
            ("DOCTYPE with an entity", Array("<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e 'x'>]><r>&e;</r>".utf8), .default, .doctypeForbidden),
            ("external entity", Array("<!DOCTYPE r SYSTEM 'http://127.0.0.1:9/x.dtd'><r/>".utf8), .default, .doctypeForbidden),
            ("billion laughs", Array(("<!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'>" + (1...9).map { "<!ENTITY \(Character(UnicodeScalar(97 + $0)!)) '" + String(repeating: "&\(Character(UnicodeScalar(96 + $0)!));", count: 10) + "'>" }.joined() + "]><r>&j;</r>").utf8), .default, .doctypeForbidden),
            ("undeclared entity", Array("<r>&e;</r>".utf8), .default, .malformedXML),
            ("too many attributes", Array(("<r" + (0..<100).map { " a\($0)='1'" }.joined() + "/>").utf8), .default, .tooLarge),
            ("too many declarations on one element", Array(("<r" + (0..<40).map { " xmlns:p\($0)='urn:\($0)'" }.joined() + "/>").utf8), .default, .tooLarge),
            ("too many namespaces in scope", Array(((0..<20).map { i in "<e\(i)" + (0..<4).map { " xmlns:p\(i)x\($0)='urn:\($0)'" }.joined() + ">" }.joined()
                + (0..<20).reversed().map { "</e\($0)>" }.joined()).utf8), .default, .tooLarge),
            ("too many elements", Array((root + String(repeating: "<a/>", count: 60_000) + "</r>").utf8), .default, .tooLarge),
            ("too deep", Array((String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)).utf8), .default, .malformedXML),
            ("long attribute value", Array(("<r a='" + String(repeating: "x", count: 70_000) + "'/>").utf8), .default, .tooLarge),
            ("UTF-16", [0xFF, 0xFE] + Array("<r/>".utf8).flatMap { [$0, 0] }, .default, .unsupported),
            ("declared encoding", Array("<?xml version='1.0' encoding='EBCDIC-US'?><r/>".utf8), .default, .unsupported),
            ("NUL byte", Array("<r>a".utf8) + [0] + Array("</r>".utf8), .default, .malformedXML),
            ("two roots", Array("<r/><r/>".utf8), .default, .malformedXML),
            ("mismatched end tag", Array("<r><a></b></r>".utf8), .default, .malformedXML),
            ("empty", [], .default, .malformedXML),
        ]
        var small = XMLLimits.default
        small.maximumBytes = 1_000
        list.append(("over the size limit", Array((root + String(repeating: "<a>text</a>", count: 500) + "</r>").utf8), small, .tooLarge))
        let truncatedSource = Array(StreamingParseTests.awkward)
        for cut in [1, 3, 40, 200, truncatedSource.count - 30, truncatedSource.count - 20] {
            list.append(("truncated at \(cut)", Array(truncatedSource[..<cut]), .default, .malformedXML))
        }
        return list
    }

    @Test("Attacks are refused in pieces with the same code as whole")
    func attacksRefusedAlike() throws {
        for (name, bytes, limits, expected) in Self.attacks() {
            #expect(Self.code { try XMLDocument.parse(bytes, limits: limits) } == expected, "\(name), whole")
            for pieces in [[1], [3], [64], [4096], [bytes.count / 2, 1]] {
                #expect(Self.code { try Self.streamed(bytes, pieces: pieces, limits: limits) } == expected, "\(name), pieces \(pieces)")
            }
        }
    }

    @Test("Refused mid-stream, before the rest arrives: size, shape and DOCTYPE")
    func refusedMidStream() throws {
        var limits = XMLLimits.default
        limits.maximumBytes = 100_000
        // a body far over the limit: refused once the limit is passed, whatever follows
        let parser = try XMLStreamParser(limits: limits)
        try parser.append(Array("<r>".utf8))
        var refusedAt: Int?
        for index in 0..<1_000 {
            do { try parser.append([UInt8](repeating: UInt8(ascii: "x"), count: 1_000)) } catch {
                #expect(error.code == .tooLarge)
                refusedAt = index
                break
            }
        }
        #expect(refusedAt == 99)
        // one element with a million attributes: refused within the first pieces, never handed to libxml2
        let shape = try XMLStreamParser(limits: .metadata)
        try shape.append(Array("<r".utf8))
        var shapeRefusedAt: Int?
        for index in 0..<1_000 {
            do { try shape.append(Array(String(repeating: " a\(index)='1'", count: 1).utf8) + Array((0..<200).map { " b\(index)x\($0)='1'" }.joined().utf8)) } catch {
                #expect(error.code == .tooLarge)
                shapeRefusedAt = index
                break
            }
        }
        #expect(shapeRefusedAt == 0)
        let doctype = try XMLStreamParser(limits: .default)
        #expect(throws: SAMLError.self) { try doctype.append(Array("<?xml version='1.0'?>\n<!DOCTYPE r [".utf8)) }
    }

    @Test("The generated federation aggregate loaded from its file in blocks, signature checked; refusals as from bytes")
    func aggregateByFile() throws {
        let path = try FederationAggregate.path.get()
        let signer = try SAMLCertificate(pem: Fixtures.text(FederationAggregate.signer))
        let set = try MetadataSet(contentsOfFile: path, signedBy: [signer])
        #expect(set.verifiedBy != nil)
        #expect(set.entityCount == FederationAggregate.entities)
        #expect(set.identityProviderIDs.count == 3_000)
        #expect(try set.identityProvider(entityID: FederationAggregate.idpThreeKeys).signingCertificates.count == 3)
        #expect(set.contains(entityID: FederationAggregate.sp))
        let other = try SAMLCertificate(pem: Fixtures.text("generated/keys/idp-rsa-next.cert.pem"))
        #expect(Self.code { _ = try MetadataSet(contentsOfFile: path, signedBy: [other]); return try XMLDocument.parse("<r/>") } == .untrustedKey)
        // a size limit below the file: refused before reading
        #expect(Self.code { _ = try MetadataSet(contentsOfFile: path, limits: .metadata(maximumBytes: 10 << 20)); return try XMLDocument.parse("<r/>") } == .tooLarge)
        // the message limits: refused by the shape scan, as from bytes
        var message = XMLLimits.default
        message.maximumBytes = 100 << 20
        #expect(Self.code { _ = try MetadataSet(contentsOfFile: path, limits: message); return try XMLDocument.parse("<r/>") } == .tooLarge)
        #expect(Self.code { _ = try MetadataSet(contentsOfFile: path + ".missing"); return try XMLDocument.parse("<r/>") } == .invalidConfiguration)
    }

    @Test("A changed byte, a DOCTYPE in front or a cut-short copy of the aggregate file: refused with the in-memory codes")
    func aggregateFileVariants() throws {
        let path = try FederationAggregate.path.get()
        let signer = try SAMLCertificate(pem: Fixtures.text(FederationAggregate.signer))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("saml-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func load(_ variant: [UInt8]) -> SAMLError.Code? {
            let file = directory.appendingPathComponent("variant.xml")
            do {
                try Data(variant).write(to: file)
                _ = try MetadataSet(contentsOfFile: file.path, signedBy: [signer])
                return nil
            } catch let error as SAMLError { return error.code } catch { return .libraryFailure }
        }
        let cut = Array(bytes[..<(bytes.count / 2)])
        #expect(load(cut) == .malformedXML)
        let declaration = try #require(bytes.firstRange(of: Array("?>".utf8)))
        var doctype = bytes
        doctype.insert(contentsOf: Array("\n<!DOCTYPE md:EntitiesDescriptor [<!ENTITY x 'y'>]>".utf8), at: declaration.upperBound)
        #expect(load(doctype) == .doctypeForbidden)
        let at = try #require(bytes.firstRange(of: Array("Service 7000 of".utf8)))
        bytes[at.lowerBound + 8] = UInt8(ascii: "1")
        #expect(load(bytes) == .signatureInvalid)
    }
}
