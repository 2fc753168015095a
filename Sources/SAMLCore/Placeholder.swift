import SAMLXMLSec
