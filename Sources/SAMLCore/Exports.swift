// The error every module throws and the library versions are declared in SAMLXMLSec, the wrapper
// over libxml2/xmlsec/OpenSSL, so that the wrapper throws the public error itself (no second
// error type to map at a boundary); every module that imports SAMLCore sees them as its own.
@_exported public import struct SAMLXMLSec.SAMLLibraryVersions
@_exported public import struct SAMLXMLSec.SAMLError
@_exported public import struct SAMLXMLSec.XMLLimits
