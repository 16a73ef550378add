// Home: the cooperative, the sign-in, and (signed in) the dashboard with members over time.

import { get } from "../api.js";
import { stepChart } from "../charts.js";
import { fmtAmount, fmtDate, fmtInt, t } from "../i18n.js";
import { asOf, h, lazy, section } from "../ui.js";

export function render(ctx) {
  const { state } = ctx;
  const root = h("div", { class: "page" }, h("h1", {}, state.coop?.details?.name ?? t("welcome_title")));
  if (!ctx.has("signed")) {
    const out = h("div", { class: "session-msg" });
    root.append(
      section(
        t("welcome_title"),
        h("p", {}, t("welcome_text")),
        h("p", {}, h("button", { type: "button", id: "home-sign-in", onclick: () => ctx.signIn(out) }, t("connect")), " ", h("a", { href: "#/verify" }, t("nav_verify"))),
        out,
      ),
    );
  }
  root.append(
    section(
      t("cooperative"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("cooperative")),
        h("dd", {}, state.coop?.details?.name ?? state.coop?.slug ?? t("none")),
        h("dt", {}, t("chain")),
        h("dd", {}, String(state.chainId ?? t("none"))),
      ),
    ),
  );
  if (ctx.has("signed") && ctx.has("member", "auditor", "council", "chair")) {
    root.append(lazy(() => dashboard(), ctx));
  }
  return root;
}

async function dashboard() {
  // Members and shares after each block with a membership or shares event, replayed from the
  // mirror's ledgers by the gateway (GET /history/membership).
  const [dash, history] = await Promise.all([get("/cooperative/dashboard"), get("/history/membership")]);
  const points = history.data.filter((p) => p.timestamp);
  const memberPoints = points.map((p) => [p.timestamp, p.members]);
  const sharePoints = points.map((p) => [p.timestamp, Number(BigInt(p.total_shares) / 10n ** 15n) / 1000]);
  const count = Math.max(0, ...memberPoints.map(([, y]) => y));
  const shares = points.reduce((m, p) => (BigInt(p.total_shares) > m ? BigInt(p.total_shares) : m), 0n);
  // Shares are drawn on the members' scale: the line's top is the total, written in the legend.
  const maxShares = Math.max(0, ...sharePoints.map(([, y]) => y));
  const scale = maxShares > 0 ? Math.max(1, count) / maxShares : 1;
  const sharesLabel = t("shares_max", { max: fmtAmount(shares, 18, 2) });
  return section(
    t("members_over_time"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("members_active")),
      h("dd", { "data-testid": "active-members" }, fmtInt(dash.active_members)),
      h("dt", {}, t("shares")),
      h("dd", {}, fmtAmount(dash.total_shares, 18, 2)),
    ),
    h(
      "figure",
      { "data-testid": "members-chart", "data-points": points.length, "data-last-members": memberPoints.at(-1)?.[1] ?? 0 },
      stepChart(t("members_over_time"), [
        { label: t("members_axis"), points: memberPoints },
        { label: sharesLabel, points: sharePoints.map(([x, y]) => [x, y * scale]) },
      ], { formatX: fmtDate }),
      h("figcaption", {}, t("members_over_time")),
    ),
    asOf(history),
  );
}
