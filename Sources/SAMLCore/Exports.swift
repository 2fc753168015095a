@_exported public import struct SAMLXMLSec.SAMLError
@_exported public import struct SAMLXMLSec.XMLLimits
@_exported public import struct SAMLXMLSec.SAMLLibraryVersions
