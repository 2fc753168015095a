// SAMLRequests: AuthnRequests for the HTTP-Redirect and HTTP-POST bindings, and request tracking.
