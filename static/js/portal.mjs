// Progressive enhancement: GOV.UK Frontend components, re-initialised on every htmx swap.
import { initAll } from "/static/vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

document.body.addEventListener("htmx:load", (event) => {
  const scope = event.detail.elt;
  if (scope === document.body) return;
  initAll({ scope });
  // After a swapped-in error summary or confirmation, move focus there so screen reader and
  // keyboard users know the page changed.
  const target = scope.querySelector("[data-app-focus]") || (scope.matches("[data-app-focus]") ? scope : null);
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
});
