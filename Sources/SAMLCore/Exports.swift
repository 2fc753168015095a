@_exported public import struct SAMLXMLSec.SAMLLibraryVersions
