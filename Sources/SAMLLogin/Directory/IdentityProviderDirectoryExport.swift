public import Foundation
import SAMLCore
import SAMLMetadata

/// A directory's entries as a JSON document, for backups, audits and `saml doctor --directory`,
/// and the checks a support engineer runs over it.
///
/// The export is `{"version": N, "identity_providers": [record, …]}` with each record as
/// ``IdentityProviderRecord/storedJSON()`` writes it, private keys left out unless asked for.
public enum IdentityProviderDirectoryExport {
    /// A problem found in an export: which entry, which check, how bad, what to do.
    public struct Finding: Sendable, Hashable, Codable {
        /// How bad a finding is.
        public enum Severity: String, Sendable, Hashable, Codable {
            /// Checked and fine.
            case ok
            /// Worth knowing.
            case info
            /// Will break soon, or works less safely than it should.
            case warning
            /// Logins through the entry fail now.
            case error
        }
        /// The entry's directory ID.
        public var id: String
        /// The check, e.g. `idp.certificate`.
        public var check: String
        /// How bad.
        public var severity: Severity
        /// What was found.
        public var message: String
        /// What to do about it.
        public var fix: String?

        /// Creates a finding.
        public init(id: String, check: String, severity: Severity, message: String, fix: String? = nil) {
            self.id = id
            self.check = check
            self.severity = severity
            self.message = message
            self.fix = fix
        }
    }

    /// The export of `snapshot`; private keys only when `includingPrivateKeys`.
    public static func json(_ snapshot: IdentityProviderSnapshot, includingPrivateKeys: Bool = false) throws -> Data {
        var records: [Any] = []
        for entry in snapshot.entries {
            var record = entry.record
            if !includingPrivateKeys {
                for index in record.serviceProviderKeys.indices { record.serviceProviderKeys[index].privateKeyPEM = "" }
            }
            records.append(try JSONSerialization.jsonObject(with: record.storedJSON()))
        }
        return try JSONSerialization.data(withJSONObject: ["version": snapshot.version, "identity_providers": records],
                                          options: [.prettyPrinted, .sortedKeys])
    }

    /// The records of an export.
    /// - Throws: `SAMLError` `.invalidConfiguration` when the document is not an export.
    public static func records(fromJSON data: Data) throws -> [IdentityProviderRecord] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = object["identity_providers"] as? [Any] else {
            throw SAMLError(.invalidConfiguration, "The document is not a directory export ({\"identity_providers\": [...]}).")
        }
        return try list.enumerated().map { index, item in
            do {
                return try IdentityProviderRecord(storedJSON: JSONSerialization.data(withJSONObject: item))
            } catch {
                throw SAMLError(.invalidConfiguration, "identity_providers[\(index)] is not a directory record: \(error)")
            }
        }
    }

    /// Checks every record as the directory would and as an operator should: settings that no
    /// longer load, IdP certificates and SP certificates expired or expiring within `warningWindow`,
    /// metadata that failed to refresh, disabled entries, a key rollover waiting, entity IDs
    /// listed twice.
    public static func diagnose(_ records: [IdentityProviderRecord], now: Date = Date(),
                                warningWindow: TimeInterval = 30 * 86400) -> [Finding] {
        var findings: [Finding] = []
        var seen: [String: String] = [:]
        for record in records {
            var keyless = record
            keyless.serviceProviderKeys = []
            do {
                let entry = try IdentityProviderEntry(record: keyless, now: now)
                findings.append(Finding(id: record.id, check: "idp.settings", severity: .ok,
                                        message: "\(entry.entityID) loads (\(record.configuration != nil ? "config" : record.metadataURL != nil ? "metadata URL" : "metadata"))."))
                if let other = seen[entry.entityID] {
                    findings.append(Finding(id: record.id, check: "idp.entity_id", severity: .error,
                                            message: "The entity ID \(entry.entityID) is also the entry \(other)'s.",
                                            fix: "Remove one of the two entries."))
                }
                seen[entry.entityID] = record.id
                for certificate in entry.trusted.identityProvider.signingCertificates
                where certificate.notAfter.timeIntervalSince(now) < warningWindow {
                    findings.append(Finding(id: record.id, check: "idp.certificate", severity: .warning,
                                            message: "The IdP signing certificate \(certificate.subject) expires at \(certificate.notAfter).",
                                            fix: "Ask the IdP for its next certificate and add it before then (refresh or replace the metadata)."))
                }
                if let until = entry.trusted.identityProvider.validUntil, until.timeIntervalSince(now) < warningWindow {
                    findings.append(Finding(id: record.id, check: "idp.metadata.valid_until", severity: .warning,
                                            message: "The metadata is valid until \(until).", fix: "Refresh or replace the metadata before then."))
                }
            } catch {
                findings.append(Finding(id: record.id, check: "idp.settings", severity: .error, message: "\(error)",
                                        fix: "Correct the field named, or replace the IdP's settings."))
            }
            if !record.enabled {
                findings.append(Finding(id: record.id, check: "idp.enabled", severity: .info, message: "The entry is disabled: its logins and sessions are refused."))
            }
            if let status = record.metadataStatus, status.state != "fresh" {
                findings.append(Finding(id: record.id, check: "idp.metadata.refresh", severity: status.state == "failed" ? .error : .warning,
                                        message: "The last metadata refresh failed (\(status.lastErrorCode ?? "?")): \(status.lastError ?? "")",
                                        fix: "Check that \(record.metadataURL ?? "the metadata URL") answers from this service."))
            }
            for key in record.serviceProviderKeys {
                guard let certificate = try? SAMLCertificate(pem: key.certificatePEM) else {
                    findings.append(Finding(id: record.id, check: "sp.keys", severity: .error, message: "A \(key.use.rawValue) certificate does not parse."))
                    continue
                }
                if certificate.notAfter.timeIntervalSince(now) < warningWindow {
                    findings.append(Finding(id: record.id, check: "sp.keys", severity: certificate.notAfter <= now ? .error : .warning,
                                            message: "The \(key.state.rawValue) SP \(key.use.rawValue) certificate expires at \(certificate.notAfter).",
                                            fix: "Generate a next key, let the IdP learn it from /saml/metadata/\(record.id), then roll over."))
                }
                if key.state == .next {
                    findings.append(Finding(id: record.id, check: "sp.keys.rollover", severity: .info,
                                            message: "A next \(key.use.rawValue) key is published since \(key.createdAt); roll over once the IdP has it."))
                }
            }
        }
        return findings
    }
}
