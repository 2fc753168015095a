import Foundation
import SAML
@_spi(Tools) import SAMLVerification
import Testing
import SAMLTestSupport

/// Many tasks verify through one shared verifier and one shared replay store at once (run under
/// ThreadSanitizer by `scripts/sanitize.sh thread`): every outcome must be what the same document
/// gives alone, and each assertion is accepted exactly once.
@Suite struct SharedVerifierConcurrencyTests {
    @Test func manyTasksOneVerifier() async throws {
        let store = InMemoryReplayStore()
        let verifier = try Generated.verifier(decryptionKeys: ["sp-rsa"], replayStore: store)
        let names = ["assertion-signed.xml", "both-signed.xml", "response-signed.xml",
                     "encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml", "assertion-signed-attacker.xml", "unsigned.xml"]
        let documents = try names.map { Array(try Generated.response($0).utf8) }
        // what each gives alone, without the replay store
        let alone = documents.map { document -> String in
            do { return try verifier.verifyWithoutReplayCheck(responseXML: document, inResponseTo: Generated.requestID, now: Generated.now).nameID.value }
            catch let error as SAMLError { return error.code.rawValue } catch { return "\(error)" }
        }
        #expect(alone[0] == "alice@example.com")
        #expect(alone[4] == "untrustedKey")
        let tasks = 240
        let outcomes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<tasks {
                group.addTask {
                    let k = i % documents.count
                    do {
                        let a = try await verifier.verify(responseXML: documents[k], inResponseTo: Generated.requestID, now: Generated.now)
                        return (k, a.nameID.value)
                    } catch let error as SAMLError {
                        return (k, error.code.rawValue)
                    }
                }
            }
            var all: [(Int, String)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == tasks)
        // all signed fixtures carry the same assertion ID: across all tasks it is accepted once
        let accepted = outcomes.filter { $0.1 == "alice@example.com" }
        #expect(accepted.count == 1, "\(accepted.count) acceptances")
        for (k, outcome) in outcomes where outcome != "alice@example.com" {
            #expect(outcome == (alone[k] == "alice@example.com" ? "replayed" : alone[k]), "\(names[k]): \(outcome)")
        }
    }

    @Test func loadedLibraryVersionsMeetTheMinimums() throws {
        let versions = SAMLLibraryVersions.loaded
        #expect(versions.meetsMinimums, "\(versions)")
        #expect(versions.libxml2 >= SAMLLibraryVersions.minimumLibxml2)
        #expect(versions.xmlsec1 >= SAMLLibraryVersions.Version(1, 2, 37))
        #expect(versions.openSSL.major >= 3)
        #expect(versions.openSSLText.hasPrefix("OpenSSL \(versions.openSSL)"), "\(versions.openSSLText)")
        // the loaded libraries are never older than the headers compiled against
        #expect(versions.xmlsec1 >= versions.xmlsec1Compiled)
        #expect(versions.description == "libxml2 \(versions.libxml2), xmlsec1 \(versions.xmlsec1), OpenSSL \(versions.openSSL)")
        try SAMLLibraryVersions.check()
    }
}
