import SAMLCore
