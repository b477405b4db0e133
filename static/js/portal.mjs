// Progressive enhancement: GOV.UK Frontend components, initialised again after every htmx swap.
import { initAll } from "/static/vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Components that were already set up refuse a second init; that is expected, not an error.
const ignoreAlreadyInitialised = () => {};

document.body.addEventListener("htmx:load", (event) => {
  const element = event.detail.elt;
  if (element === document.body || !element.parentElement) return;
  // Scope to the parent so a swapped-in element that is itself a component is found too.
  initAll({ scope: element.parentElement, onError: ignoreAlreadyInitialised });
  // A swapped-in confirmation takes focus, so keyboard and screen reader users know it arrived.
  const target = element.matches("[data-app-focus]")
    ? element
    : element.querySelector("[data-app-focus]");
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.focus();
    if (target.dataset.appTitle) document.title = target.dataset.appTitle;
  }
  // Keep the page title honest when errors are swapped in or cleared.
  const form = document.querySelector("main form[novalidate]");
  if (form) {
    const base = document.title.replace(/^Error: /, "");
    const hasSummary = document.querySelector("main .govuk-error-summary") !== null;
    document.title = hasSummary ? `Error: ${base}` : base;
  }
});

// A form sent back because its token expired comes with the form again, as typed, and a
// message (HTTP 400, X-Form-Expired): swap it in like a 422, so nothing typed is lost.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status === 400 && xhr.getResponseHeader("X-Form-Expired") === "true") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// An htmx request refused by the server (a lost session, a 403 or a 500): show the server's
// explanation in place of the page content, as a full page load would. Never for an inline
// check of one field: what the person is typing stays on the page.
document.body.addEventListener("htmx:responseError", (event) => {
  if (event.detail.elt && event.detail.elt.closest && event.detail.elt.closest(".app-field")) return;
  const xhr = event.detail.xhr;
  const page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  const incoming = page.querySelector("#main-content");
  const main = document.querySelector("#main-content");
  if (!incoming || !main) return;
  main.replaceChildren(...incoming.childNodes);
  if (page.title) document.title = page.title;
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
});

// The general form's delivery question is about a commitment: show it once one is chosen.
const deliveryQuestion = () => {
  const question = document.querySelector("[data-app-needs-commitment]");
  const select = document.querySelector("select[name=commitment]");
  if (!question || !select) return;
  question.hidden = select.value === "";
  if (question.hidden) {
    for (const radio of question.querySelectorAll("input[type=radio]")) radio.checked = false;
  }
};
document.body.addEventListener("change", (event) => {
  if (event.target.matches("select[name=commitment]")) deliveryQuestion();
});
document.body.addEventListener("htmx:load", deliveryQuestion);
deliveryQuestion();
