public import Foundation
import SAMLCore
import SAMLMetadata

/// A directory's entries as a JSON document, for backups, audits and `saml doctor --directory`,
/// and the checks a support engineer runs over it.
///
/// The export is `{"version": N, "identity_providers": [record, …]}` with each record as
/// ``IdentityProviderRecord/storedJSON()`` writes it, private keys left out unless asked for.
public enum IdentityProviderDirectoryExport {
    /// A finding about an export: ``ConfigurationFinding/subject`` names the entry's directory ID.
    public typealias Finding = ConfigurationFinding

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
    /// longer load, then for each IdP the rules of `SAMLServiceProvider.Configuration.diagnose(now:)`
    /// (certificates expired or expiring within `warningWindow`, metadata validity, endpoints,
    /// request signing, SHA-1), metadata that failed to refresh, disabled entries, SP certificates
    /// expiring, a key rollover waiting, entity IDs listed twice. Each finding's
    /// ``ConfigurationFinding/subject`` is the entry's ID.
    ///
    /// - Parameters:
    ///   - records: the entries, as ``records(fromJSON:)`` reads them from an export.
    ///   - now: the instant certificates and metadata are judged at.
    ///   - warningWindow: certificates expiring within this many seconds are reported.
    ///   - serviceProviderSigns: whether the façade has a signing key of its own, for entries
    ///     without one (an IdP that wants signed requests needs one or the other).
    public static func diagnose(_ records: [IdentityProviderRecord], now: Date = Date(),
                                warningWindow: TimeInterval = 30 * 86400, serviceProviderSigns: Bool = false) -> [Finding] {
        var diagnosis = ConfigurationDiagnosis(now: now, expiryWarning: warningWindow)
        var seen: [String: String] = [:]
        for record in records {
            diagnosis.subject = record.id
            var keyless = record
            keyless.serviceProviderKeys = []
            do {
                let entry = try IdentityProviderEntry(record: keyless, now: now)
                diagnosis.add("idp.settings", .ok,
                              "\(entry.entityID) loads (\(record.configuration != nil ? "config" : record.metadataURL != nil ? "metadata URL" : "metadata")).")
                if let other = seen[entry.entityID] {
                    diagnosis.add("idp.entity_id", .error, "The entity ID \(entry.entityID) is also the entry \(other)'s.",
                                  fix: "Remove one of the two entries.")
                }
                seen[entry.entityID] = record.id
                let signs = serviceProviderSigns || record.serviceProviderKeys.contains { $0.use == .signing && $0.state == .active }
                diagnosis.checkIdentityProvider(entry.trusted.identityProvider, signingKeyGiven: signs)
            } catch {
                diagnosis.add("idp.settings", .error, "\(error)", fix: "Correct the field named, or replace the IdP's settings.")
            }
            if !record.enabled {
                diagnosis.add("idp.enabled", .info, "The entry is disabled: its logins and sessions are refused.")
            }
            if let status = record.metadataStatus, status.state != "fresh" {
                diagnosis.add("idp.metadata.refresh", status.state == "failed" ? .error : .warning,
                              "The last metadata refresh failed (\(status.lastErrorCode ?? "?")): \(status.lastError ?? "")",
                              fix: "Check that \(record.metadataURL ?? "the metadata URL") answers from this service.")
            }
            for key in record.serviceProviderKeys {
                guard let certificate = try? SAMLCertificate(pem: key.certificatePEM) else {
                    diagnosis.add("sp.keys", .error, "A \(key.use.rawValue) certificate does not parse.")
                    continue
                }
                if certificate.notAfter.timeIntervalSince(now) < warningWindow {
                    diagnosis.add("sp.keys", certificate.notAfter <= now ? .error : .warning,
                                  "The \(key.state.rawValue) SP \(key.use.rawValue) certificate expires at \(SAMLTime.describe(certificate.notAfter, now: now)).",
                                  fix: "Generate a next key, let the IdP learn it from /saml/metadata/\(record.id), then roll over.")
                }
                if key.state == .next {
                    diagnosis.add("sp.keys.rollover", .info,
                                  "A next \(key.use.rawValue) key is published since \(SAMLTime.format(key.createdAt)); roll over once the IdP has it.")
                }
            }
        }
        return diagnosis.findings
    }
}
