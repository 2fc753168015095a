@_exported public import struct SAMLXMLSec.SAMLError
@_exported public import struct SAMLXMLSec.SAMLLibraryVersions
