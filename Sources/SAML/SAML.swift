// The umbrella module: `import SAML` brings in every public part of the package.
@_exported public import SAMLCore
@_exported public import SAMLMetadata
@_exported public import SAMLRequests
@_exported public import SAMLVerification
@_exported public import SAMLLogin
