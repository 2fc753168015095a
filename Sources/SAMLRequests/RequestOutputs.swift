import SAMLCore
public import Foundation

/// A SAML request (AuthnRequest, LogoutRequest) or response (LogoutResponse) this SP sends, ready for the HTTP-Redirect binding.
public struct RedirectRequest: Sendable, Hashable {
    /// The request's ID; the response's `InResponseTo` must equal it.
    public let id: String
    /// The IdP endpoint the request goes to (also its `Destination`).
    public let destination: String
    /// The RelayState sent along, if any.
    public let relayState: String?
    /// The full URL to redirect the browser to.
    public let url: String
    /// The query string alone: `SAMLRequest=…[&RelayState=…][&SigAlg=…&Signature=…]`.
    public let query: String
    /// The request XML before DEFLATE (never signed inside: the query string is).
    public let xml: String
    /// The request's IssueInstant.
    public let issueInstant: Date
    /// How the query string is signed, or nil when unsigned.
    public let signatureAlgorithm: RequestSignatureAlgorithm?
}

/// A SAML request (AuthnRequest, LogoutRequest) or response (LogoutResponse) this SP sends, ready for the HTTP-POST binding.
public struct PostRequest: Sendable, Hashable {
    /// The request's ID; the response's `InResponseTo` must equal it.
    public let id: String
    /// The IdP endpoint the form posts to (also the request's `Destination`).
    public let destination: String
    /// The RelayState sent along, if any.
    public let relayState: String?
    /// The `SAMLRequest` form value: the (signed) request XML in base64.
    public let base64: String
    /// A complete HTML page whose form posts the request on load, with a button for browsers
    /// without script. Every value in it is HTML-escaped.
    public let form: String
    /// The request XML as sent.
    public let xml: String
    /// The request's IssueInstant.
    public let issueInstant: Date
    /// How the XML is signed, or nil when unsigned.
    public let signatureAlgorithm: RequestSignatureAlgorithm?
}

/// Percent-encoding for query-string values: everything except RFC 3986 unreserved characters.
enum URLEncoding {
    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The auto-submitting page of the HTTP-POST binding.
enum HTMLForm {
    static func escape(_ text: String) -> String {
        HTMLEscaping.escape(text)
    }

    static func autoSubmitting(action: String, samlRequest: String, relayState: String?) -> String {
        autoSubmitting(action: action, field: "SAMLRequest", value: samlRequest, relayState: relayState)
    }

    static func autoSubmitting(action: String, field: String, value: String, relayState: String?) -> String {
        var html = """
        <!DOCTYPE html>
        <html>
        <head><meta charset="utf-8"><title>Signing in</title></head>
        <body>
        <form method="post" action="\(escape(action))">
        <input type="hidden" name="\(escape(field))" value="\(escape(value))">

        """
        if let relayState {
            html += "<input type=\"hidden\" name=\"RelayState\" value=\"\(escape(relayState))\">\n"
        }
        html += """
        <noscript><p>JavaScript is off. Press the button to continue.</p><button type="submit">Continue</button></noscript>
        </form>
        <script>document.forms[0].submit();</script>
        </body>
        </html>

        """
        return html
    }
}
