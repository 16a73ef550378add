// Apply to join: form -> generated application -> sign (EIP-712) -> sent without ETH ->
// signed / sent / mined / indexed, then the status until admitted.

import { apiPath, get, post, put } from "../api.js";
import { t } from "../i18n.js";
import { errorBox, field, h, message, progress, section } from "../ui.js";
import { signTyped } from "../wallet.js";
import { trackRelay } from "../api.js";
import { agreementsBlock } from "./agreements.js";
import { needSignIn, statusText } from "./membership.js";

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  if (ctx.has("member")) return h("div", { class: "page" }, h("h1", {}, t("apply_title")), message("ok", t("already_member")));
  const name = field("full_name", t("full_name"), { required: true, autocomplete: "name", maxlength: 200 });
  const birth = field("birth_date", t("birth_date"), { type: "date", required: true, autocomplete: "bday" });
  const doc = field("document_number", t("document_number"), { required: true, maxlength: 64 });
  const addr = field("postal_address", t("postal_address"), { required: true, autocomplete: "street-address", maxlength: 500 });
  // An organisation: its requisites (check digits validated by the gateway) and representative.
  const inn = field("org_inn", t("org_inn"), { inputmode: "numeric", maxlength: 12 });
  const kpp = field("org_kpp", t("org_kpp"), { maxlength: 9 });
  const ogrn = field("org_ogrn", t("org_ogrn"), { inputmode: "numeric", maxlength: 15 });
  const repName = field("rep_name", t("rep_name"), { maxlength: 300 });
  const repPosition = field("rep_position", t("rep_position"), { maxlength: 200 });
  const orgFields = h("fieldset", { id: "org-fields", hidden: true }, h("legend", {}, t("org_requisites")), inn, kpp, ogrn, repName, repPosition);
  const personFields = [birth, doc];
  const kind = h(
    "fieldset",
    {},
    h("legend", {}, t("kind")),
    ["individual", "organisation"].map((k) =>
      h("label", { class: "inline" }, h("input", { type: "radio", name: "kind", value: k, checked: k === "individual" }), " ", t(`kind_${k}`)),
    ),
  );
  const out = h("div", { class: "outcome", "aria-live": "polite" });
  const status = h("div", {});
  const form = h(
    "form",
    { id: "apply-form", novalidate: true },
    name,
    birth,
    doc,
    addr,
    kind,
    orgFields,
    h("button", { type: "submit", id: "generate" }, t("generate")),
  );
  const isOrganisation = () => form.querySelector("input[name=kind]:checked").value === "organisation";
  form.addEventListener("change", () => {
    orgFields.hidden = !isOrganisation();
    for (const f of personFields) f.hidden = isOrganisation();
    name.querySelector("label").textContent = isOrganisation() ? t("org_name") : t("full_name");
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const required = isOrganisation() ? [name, addr, inn, ogrn, repName, repPosition] : [name, birth, doc, addr];
    for (const f of required) {
      if (!f.input.value.trim()) {
        out.replaceChildren(message("error", t("field_required", { field: f.querySelector("label").textContent })));
        f.input.focus();
        return;
      }
    }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const record = isOrganisation()
        ? {
            kind: "organisation",
            name: name.input.value.trim(),
            inn: inn.input.value.trim(),
            kpp: kpp.input.value.trim() || null,
            ogrn: ogrn.input.value.trim(),
            address: addr.input.value.trim(),
            representative: { name: repName.input.value.trim(), position: repPosition.input.value.trim() },
          }
        : {
            name: name.input.value.trim(),
            birth_date: birth.input.value,
            document_number: doc.input.value.trim(),
            address: addr.input.value.trim(),
          };
      await put(`/members/${ctx.state.address}/identity`, record);
      const draft = await post("/applications/draft", { kind: form.querySelector("input[name=kind]:checked").value });
      showDraft(ctx, draft, form.querySelector("input[name=kind]:checked").value, out, status);
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    } finally {
      submit.disabled = false;
    }
  });
  return h(
    "div",
    { class: "page" },
    h("h1", {}, t("apply_title")),
    section(t("apply_title"), h("p", {}, t("apply_intro")), form, out, status),
  );
}

function showDraft(ctx, draft, kind, out, status) {
  const p = progress();
  const result = h("div", {});
  const open = h("a", { href: "#", id: "open-application" }, t("open_document"));
  open.addEventListener("click", async (ev) => {
    ev.preventDefault();
    const r = await fetch(apiPath(`/documents/${draft.document_sha256}`), { headers: { Authorization: `Bearer ${sessionStorage.getItem("coop.session")}` } });
    const blob = await r.blob();
    window.open(URL.createObjectURL(blob), "_blank", "noopener");
  });
  const button = h("button", { type: "button", id: "sign-application", disabled: true }, t("sign_and_send"));
  // The agreements in force are accepted first: the gateway refuses the application before.
  const agreements = h("div", {});
  agreementsBlock(ctx, () => {
    button.disabled = false;
  })
    .then((block) => agreements.replaceChildren(block))
    .catch((e) => {
      agreements.replaceChildren(errorBox(e, ctx));
      button.disabled = false;
    });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const m = draft.typed_data.message;
      const signature = await signTyped(ctx.state.address, draft.typed_data);
      p.step("signed");
      const relay = await post("/applications", {
        applicant: ctx.state.address,
        kind,
        identity_hash: m.identityHash,
        application_hash: m.applicationHash,
        nonce: m.nonce,
        deadline: m.deadline,
        signature,
      });
      p.step("sent");
      await trackRelay(relay.id, (s) => ["mined", "indexed"].includes(s) && p.step(s));
      const m2 = await get(`/members/${ctx.state.address}`);
      result.replaceChildren(message("ok", `${t("status")}: ${statusText(m2.status_name)}. ${t("waiting_admission")}`));
      await ctx.updateSession();
    } catch (e) {
      p.fail();
      result.replaceChildren(errorBox(e, ctx));
      button.disabled = false;
    }
  });
  out.replaceChildren(
    message("info", t("application_ready")),
    h("p", {}, open, " · ", h("span", { class: "mono" }, draft.application_hash)),
    agreements,
    button,
    p,
    result,
  );
  status.replaceChildren();
}
