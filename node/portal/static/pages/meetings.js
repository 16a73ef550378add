// General meetings: notice, agenda with its documents, my signed ballot (gasless), results.

import { get, post } from "../api.js";
import { fmtInt, fmtTime, shortAddress, stateText, t } from "../i18n.js";
import { asOf, h, lazy, message, runner, section, signAndRelay, table } from "../ui.js";
import { needSignIn } from "./membership.js";

const CHOICES = [
  [1, "vote_for"],
  [0, "vote_against"],
  [2, "vote_abstain"],
];

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  return h("div", { class: "page" }, h("h1", {}, t("nav_meetings")), lazy(() => load(ctx), ctx));
}

export function docLink(hash) {
  if (!hash || /^0x0+$/.test(hash)) return t("none");
  const sha = hash.replace(/^0x/, "");
  return h("a", { href: `#/verify?sha256=${sha}`, class: "mono", title: hash }, shortAddress(hash));
}

async function load(ctx) {
  const page = await get("/meetings");
  const root = h("div", {});
  if (!page.data.length) root.append(message("info", t("nothing")));
  for (const m of [...page.data].reverse()) root.append(meeting(ctx, m));
  root.append(asOf(page));
  return root;
}

function meeting(ctx, m) {
  const me = ctx.state.address.toLowerCase();
  const voted = m.ballots.some((b) => b.voter.toLowerCase() === me);
  const card = section(
    `${t("meeting")} № ${m.meeting_id} · ${stateText(m.state_name)}`,
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("opens")),
      h("dd", {}, fmtTime(m.opens_at)),
      h("dt", {}, t("closes")),
      h("dd", {}, fmtTime(m.closes_at)),
      h("dt", {}, t("notice")),
      h("dd", {}, `${t("block")} ${m.convened?.block_number ?? ""} · ${fmtTime(m.convened?.timestamp)}`),
    ),
    h("h3", {}, t("agenda")),
    table(
      [
        { key: "index", label: "№", render: (q) => q.index + 1 },
        { key: "document_hash", label: t("question"), render: (q) => docLink(q.document_hash) },
        { key: "for_votes", label: t("vote_for"), render: (q) => fmtInt(q.for_votes) },
        { key: "against_votes", label: t("vote_against"), render: (q) => fmtInt(q.against_votes) },
        { key: "abstain_votes", label: t("vote_abstain"), render: (q) => fmtInt(q.abstain_votes) },
        { key: "accepted", label: t("results"), render: (q) => (q.accepted ? "✓" : "—") },
      ],
      m.questions,
      { testid: `agenda-${m.meeting_id}` },
    ),
  );
  card.dataset.meeting = m.meeting_id;
  if (voted) {
    card.append(message("ok", t("voted")));
  } else if (m.state_name === "open" && ctx.has("member")) {
    card.append(ballotForm(ctx, m));
  }
  return card;
}

function ballotForm(ctx, m) {
  const out = h("div", { class: "outcome" });
  const form = h("form", { class: "ballot", id: `ballot-${m.meeting_id}` }, h("h3", {}, t("my_ballot")));
  for (const q of m.questions) {
    form.append(
      h(
        "fieldset",
        {},
        h("legend", {}, `${t("question")} ${q.index + 1}`),
        CHOICES.map(([value, key]) =>
          h("label", { class: "inline" }, h("input", { type: "radio", name: `q${q.index}`, value, required: true, checked: value === 1 }), " ", t(key)),
        ),
      ),
    );
  }
  form.append(h("button", { type: "submit" }, t("sign_ballot")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const choices = m.questions.map((q) => Number(form.querySelector(`input[name=q${q.index}]:checked`).value));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const ok = await runner(out)((p) =>
      signAndRelay(ctx, `/meetings/${m.meeting_id}/ballots/typed-data`, { choices }, (signature) =>
        post(`/meetings/${m.meeting_id}/ballots`, { voter: ctx.state.address, choices, signature }), p),
    );
    if (!ok) button.disabled = false;
  });
  return form;
}
