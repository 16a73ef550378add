// The result of `coop audit`: the mirror rebuilt from the chain and compared row by row.

import { post } from "../api.js";
import { fmtInt, t } from "../i18n.js";
import { errorBox, h, message, section, table } from "../ui.js";
import { needSignIn } from "./membership.js";

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  const out = h("div", { "aria-live": "polite", id: "audit-result" });
  const button = h("button", { type: "button", id: "run-audit" }, t("run_audit"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.replaceChildren(h("p", { "aria-busy": "true" }, t("audit_running")));
    try {
      const r = await post("/audit");
      out.replaceChildren(
        r.ok ? message("ok", t("audit_ok")) : message("error", t("audit_diff", { n: r.differences.length })),
        h("p", { class: "muted" }, `${t("block")}: ${r.live_cursor?.[0] ?? "—"}`),
        table(
          [
            { key: "table", label: t("register") },
            { key: "n", label: t("compared"), render: (x) => fmtInt(x.n) },
          ],
          Object.entries(r.compared).map(([table_, n]) => ({ table: table_, n })),
          { testid: "audit-compared" },
        ),
        r.differences.length ? h("ul", { class: "diffs" }, r.differences.slice(0, 200).map((d) => h("li", { class: "mono" }, d))) : "",
      );
      out.dataset.ok = String(r.ok);
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "page" }, h("h1", {}, t("nav_audit")), section(t("nav_audit"), button, out));
}
