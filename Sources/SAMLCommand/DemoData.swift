// The inputs `saml demo` runs on, embedded from DemoData/ (copied from Fixtures/ by
// scripts/generate-demo-data.py; see Fixtures/README.md for provenance). The demo's SP key is
// SAMLTesting's DemoOnlyCredentials.

enum DemoData {
    /// `Fixtures/reference/idp-metadata/aws-iam-identity-center_us-east-1.xml`
    static let awsMetadata = PackageResources.aws_iam_identity_center_us_east_1_xml
    /// `Fixtures/generated/idp-metadata.xml`
    static let idpMetadata = PackageResources.idp_metadata_xml
    /// `Fixtures/generated/responses/assertion-signed.xml`
    static let signedResponse = String(decoding: PackageResources.assertion_signed_xml, as: UTF8.self)
    /// `Fixtures/generated/responses/encrypted/assertion-signed-aes256-gcm-demo-sp.xml`, encrypted to
    /// the demo SP key.
    static let encryptedResponse = PackageResources.assertion_signed_aes256_gcm_demo_sp_xml
}
