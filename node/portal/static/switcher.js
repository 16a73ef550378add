// The cooperative switcher: a person who is a member of several cooperatives of the node's
// network picks the one the portal works with. One session serves them all; the roles shown
// after the switch are that cooperative's (`GET /c/{slug}/auth/me`, from its chain state).

import { addTexts, t } from "./i18n.js";
import { h } from "./ui.js";

addTexts(
  {
    coop_switch_label: "Кооператив",
    coop_switch_hint: "Вы состоите в нескольких кооперативах сети: выберите, с каким работать",
  },
  {
    coop_switch_label: "Cooperative",
    coop_switch_hint: "You are a member of several cooperatives of the network: choose which to work with",
  },
);

/** A <select> of `mine` (`GET /network/me`'s data); `current` is the chosen slug. */
export function cooperativeSwitcher(mine, current, onSwitch) {
  const select = h(
    "select",
    {
      id: "coop-switcher",
      "data-testid": "coop-switcher",
      title: t("coop_switch_hint"),
      onchange: (e) => onSwitch(e.target.value),
    },
    mine.map((c) => h("option", { value: c.slug, selected: c.slug === current }, c.name)),
  );
  return h("label", { class: "coop-switch" }, h("span", { class: "sr-only" }, t("coop_switch_label")), select);
}
