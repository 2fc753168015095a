@_exported public import struct SAMLXMLSec.SAMLError
