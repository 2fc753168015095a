import Foundation
import Hummingbird

/// `/admin`: a page over the admin API (`/admin/identity-providers`) — the IdPs with their
/// metadata status and certificate expiry, add by metadata URL, file or configuration JSON, Test,
/// Remove. Plain HTML and one same-origin script (`/admin/admin.js`); the page holds no data and
/// no secret: the script sends the admin token the user types as a bearer token.
enum AdminPage {
    static func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("admin") { _, _ in page() }
        router.get("admin/admin.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: script)))
        }
    }

    static func page() -> Response {
        let nonce = DemoPages.nonce()
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="same-origin"><title>Identity providers</title>
            <style nonce="\(nonce)">\(DemoPages.style)
            td.actions button { margin-right: .4rem; } .ok { color: #0a6b00; } input[type=text], input[type=url], input[type=password] { width: 24rem; }
            fieldset { border: 1px solid #ddd; margin: .5rem 0; } #answer { white-space: pre-wrap; font-size: .8rem; background: #f6f6f6; padding: .5rem; }
            </style>
            <script src="/admin/admin.js" defer></script></head>
            <body>
            \(DemoPages.navigation)
            <h1>Identity providers</h1>
            <form id="token-form"><p><label for="token">Admin token</label> <input type="password" id="token" autocomplete="off">
            <button type="submit" id="use-token">Use</button></p></form>
            <p id="status" role="status"></p>
            <table id="identity-providers"><thead><tr><th>ID</th><th>Name</th><th>Entity ID</th><th>Source</th><th>Metadata status</th>
            <th>Certificate expiry</th><th>Enabled</th><th>Links</th><th></th></tr></thead><tbody></tbody></table>
            <h2>Add an identity provider</h2>
            <form id="add-form">
            <p><label for="add-name">Name</label> <input type="text" id="add-name" required>
            <label for="add-id">ID (optional)</label> <input type="text" id="add-id" pattern="[a-z0-9][a-z0-9._-]*"></p>
            <fieldset><legend>Its settings, one of</legend>
            <p><label><input type="radio" name="source" value="url" id="source-url" checked> Metadata URL</label>
            <input type="url" id="add-url" placeholder="https://idp.example.com/metadata"></p>
            <p><label><input type="radio" name="source" value="file" id="source-file"> Metadata file</label> <input type="file" id="add-file"></p>
            <p><label><input type="radio" name="source" value="json" id="source-json"> Configuration JSON (name, type, config)</label><br>
            <textarea id="add-json" rows="8" placeholder='{"name": "…", "type": "saml", "config": {"issuer_url": "…", "sso_target_url": "…", "idp_public_certs": ["…"]}}'></textarea></p>
            </fieldset>
            <p><label><input type="checkbox" id="add-keys" checked> Generate this service's own signing and encryption keys for it</label></p>
            <p><button type="submit" id="add">Add</button></p>
            </form>
            <h2>Last answer of the API</h2>
            <pre id="answer"></pre>
            </body>
            </html>

            """
        return Response(status: .ok, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'nonce-\(nonce)'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// Builds the table with DOM calls and `textContent` only: nothing the API returns is parsed as HTML.
    static let script = #"""
        "use strict";
        const api = "/admin/identity-providers";
        const $ = (id) => document.getElementById(id);

        function token() { return sessionStorage.getItem("admin-token") || ""; }

        function show(message, failed) {
          $("status").textContent = message;
          $("status").className = failed ? "error" : "ok";
        }

        async function call(method, path, body) {
          const headers = { "Authorization": "Bearer " + token() };
          if (body !== undefined) headers["Content-Type"] = "application/json";
          const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
          const answer = await response.json().catch(() => ({}));
          $("answer").textContent = method + " " + path + " → " + response.status + "\n" + JSON.stringify(answer, null, 2);
          if (!response.ok) {
            const error = answer.error || {};
            throw new Error((error.field ? error.field + ": " : "") + (error.code || response.status) + " — " + (error.reason || ""));
          }
          return answer;
        }

        function cell(row, text, className) {
          const td = document.createElement("td");
          td.textContent = text === null || text === undefined ? "—" : String(text);
          if (className) td.className = className;
          row.appendChild(td);
          return td;
        }

        function link(parent, href, text) {
          const a = document.createElement("a");
          a.href = href;
          a.textContent = text;
          parent.appendChild(a);
          parent.appendChild(document.createTextNode(" "));
        }

        function button(parent, text, className, action) {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = text;
          b.className = className;
          b.addEventListener("click", action);
          parent.appendChild(b);
        }

        async function load() {
          const body = $("identity-providers").tBodies[0];
          body.replaceChildren();
          if (!token()) { show("Enter the admin token (scripts/demo.sh --serve --admin-token …).", true); return; }
          try {
            const answer = await call("GET", api);
            for (const idp of answer.identity_providers) {
              const row = document.createElement("tr");
              row.dataset.id = idp.id;
              cell(row, idp.id, "id");
              cell(row, idp.name, "name");
              cell(row, idp.entity_id, "entity-id");
              cell(row, idp.source + (idp.metadata_url ? " " + idp.metadata_url : ""), "source");
              const status = idp.metadata_status;
              cell(row, status ? status.state + (status.last_error ? " (" + status.last_error_code + ": " + status.last_error + ")" : "") +
                   (status.last_success ? ", fetched " + status.last_success : "") : (idp.problem || "uploaded"), "metadata-status");
              cell(row, idp.certificate_expiry, "certificate-expiry");
              cell(row, idp.enabled ? "yes" : "no", "enabled");
              const links = cell(row, "", "links");
              links.textContent = "";
              link(links, idp.login_url, "Sign in");
              link(links, idp.sp_metadata_url, "SP metadata");
              const actions = cell(row, "", "actions");
              actions.textContent = "";
              button(actions, "Test", "test", () => test(idp.id));
              button(actions, "Remove", "remove", () => remove(idp.id));
              body.appendChild(row);
            }
            show(answer.identity_providers.length + " identity provider(s).", false);
          } catch (error) {
            show(error.message, true);
          }
        }

        async function test(id) {
          try {
            const answer = await call("POST", api + "/" + encodeURIComponent(id) + "/test");
            show("Running the connection test of " + id + "…", false);
            window.location.assign(answer.login_url);
          } catch (error) {
            show(error.message, true);
          }
        }

        async function remove(id) {
          if (!window.confirm("Remove " + id + "? Its logins and sessions end at once.")) return;
          try {
            await call("DELETE", api + "/" + encodeURIComponent(id));
            await load();
            show("Removed " + id + ".", false);
          } catch (error) {
            show(error.message, true);
          }
        }

        async function add(event) {
          event.preventDefault();
          try {
            const source = document.querySelector("input[name=source]:checked").value;
            let body = {};
            if (source === "json") {
              body = JSON.parse($("add-json").value);
            } else if (source === "file") {
              const file = $("add-file").files[0];
              if (!file) throw new Error("Choose a metadata file.");
              body.metadata_xml = await file.text();
            } else {
              body.metadata_url = $("add-url").value.trim();
            }
            if ($("add-name").value.trim()) body.name = $("add-name").value.trim();
            if ($("add-id").value.trim()) body.id = $("add-id").value.trim();
            if ($("add-keys").checked) body.generate_sp_keys = true;
            const added = await call("POST", api, body);
            await load();
            show("Added " + added.id + " (" + added.entity_id + "). Give the IdP this service's metadata: " + added.sp_metadata_url, false);
          } catch (error) {
            show(error.message, true);
          }
        }

        document.addEventListener("DOMContentLoaded", () => {
          $("token").value = token();
          $("token-form").addEventListener("submit", (event) => {
            event.preventDefault();
            sessionStorage.setItem("admin-token", $("token").value.trim());
            load();
          });
          $("add-form").addEventListener("submit", add);
          load();
        });

        """#
}
