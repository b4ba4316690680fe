// Sign in: the access key the server knows (--auth-keys), kept for this tab only
// (sessionStorage) and used to sign every request.
import { ListStateMachinesCommand } from "@aws-sdk/client-sfn";
import { keys, setKeys, sfn } from "../api";
import { errorBox, h, replace } from "../dom";

export async function loginPage(root: HTMLElement, _arg: string, query: URLSearchParams) {
  const k = keys();
  const id = h("input", { name: "accessKeyId", autocomplete: "username", "aria-label": "Access key ID", value: k.accessKeyId === "console" ? "" : k.accessKeyId });
  const secret = h("input", { name: "secretAccessKey", type: "password", autocomplete: "current-password", "aria-label": "Secret access key" });
  const region = h("input", { name: "region", "aria-label": "Region", value: k.region });
  const result = h("div");
  const form = h("form", { class: "login" },
    h("label", null, "Access key ID", id), h("label", null, "Secret access key", secret),
    h("label", null, "Region", region),
    h("button", { type: "submit", class: "primary" }, "Sign in"), result);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setKeys({ accessKeyId: id.value.trim(), secretAccessKey: secret.value, region: region.value.trim() || "us-east-1" });
    try {
      await sfn().send(new ListStateMachinesCommand({ maxResults: 1 }));
      location.hash = query.get("next") ?? "#/machines";
    } catch (err) {
      setKeys(null);
      replace(result, errorBox(err));
    }
  });
  replace(root, h("h1", null, "Sign in"),
    h("p", { class: "muted" }, "This server checks request signatures (--auth-keys). Use a key from its keys file; it stays in this tab only."),
    form);
  id.focus();
}
