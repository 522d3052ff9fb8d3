// Progressive enhancement only: every page works without this file.
import { initAll } from "./govuk-frontend.min.js";

initAll();

/**
 * The search page (/search): when a filter checkbox or the sort order changes, fetch the page the
 * form would submit to and swap in its filters and results, without a full page load. The URL
 * follows (history.pushState), so it stays shareable and the back button works. Focus stays on
 * the control the user changed. The result count (role="status") is updated in place, not
 * replaced, so screen readers announce it. Without JavaScript, "Apply filters" and "Sort" submit
 * the same form.
 */
function enhanceSearch(form) {
  const regions = () => document.querySelectorAll("[data-search-region]");
  if (!window.fetch || !window.history.pushState || regions().length === 0) return;

  let shown = location.pathname + location.search; // the URL whose results are on the page
  let controller = null;

  function urlFromForm() {
    const params = new URLSearchParams(new FormData(form));
    const action = new URL(form.getAttribute("action") || location.pathname, location.href);
    return action.pathname + "?" + params.toString();
  }

  // A long facet sits in a <details>; it is known by the name of its checkboxes.
  const facetOf = (details) => details.querySelector("input[name]")?.name;

  function openFacets() {
    const names = new Set();
    document.querySelectorAll("[data-search-region] details[open]").forEach((details) => {
      names.add(facetOf(details));
    });
    return names;
  }

  function reopen(region, names) {
    region.querySelectorAll("details").forEach((details) => {
      if (names.has(facetOf(details))) details.open = true;
    });
  }

  async function show(url, { push, focusId }) {
    if (controller) controller.abort(); // only the latest change counts
    controller = new AbortController();
    const signal = controller.signal;
    regions().forEach((region) => region.setAttribute("aria-busy", "true"));
    let html;
    try {
      const response = await fetch(url, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      html = await response.text();
    } catch (error) {
      if (signal.aborted) return;
      location.assign(url); // let the server show the page, or its error, the ordinary way
      return;
    }
    if (signal.aborted) return;
    const fetched = new DOMParser().parseFromString(html, "text/html");
    const incoming = fetched.querySelectorAll("[data-search-region]");
    if (incoming.length !== regions().length) {
      location.assign(url);
      return;
    }

    const opened = openFacets(); // keep open what the user opened, even with nothing ticked
    incoming.forEach((fresh) => {
      const name = fresh.getAttribute("data-search-region");
      const current = document.querySelector(`[data-search-region="${name}"]`);
      if (!current) return;
      const adopted = document.importNode(fresh, true);
      if (push) reopen(adopted, opened);
      current.replaceWith(adopted);
      initAll({ scope: adopted });
    });

    const toggle = document.getElementById("filter-toggle");
    const freshToggle = fetched.getElementById("filter-toggle");
    if (toggle && freshToggle) toggle.textContent = freshToggle.textContent;

    const status = document.getElementById("result-count");
    const freshStatus = fetched.getElementById("result-count");
    if (status && freshStatus && status.textContent !== freshStatus.textContent) {
      status.textContent = freshStatus.textContent;
    }
    const query = document.getElementById("q");
    const freshQuery = fetched.getElementById("q");
    if (!push && query && freshQuery) query.value = freshQuery.value; // back and forward
    if (fetched.title) document.title = fetched.title;

    if (push) history.pushState({ search: url }, "", url);
    shown = url;

    if (focusId) {
      const control = document.getElementById(focusId);
      if (control && document.activeElement !== control) control.focus({ preventScroll: true });
    }
  }

  form.addEventListener("change", (event) => {
    const control = event.target;
    const isFilter = control.matches("[data-search-region] input[type=checkbox]");
    const isSort = control.matches("select[name=sort]");
    if (!isFilter && !isSort) return;
    const url = urlFromForm();
    if (url === shown) return;
    show(url, { push: true, focusId: control.id });
  });

  // A page restored from the back-forward cache keeps boxes ticked after it was left; the
  // server's page, as the URL says, is what it should show.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) form.reset();
  });

  window.addEventListener("popstate", () => {
    const url = location.pathname + location.search;
    if (url === shown) return; // only the #fragment changed, e.g. the skip link
    show(url, { push: false, focusId: null });
  });
}

/**
 * The filter toggle of the search page on a phone (data-module="app-filter-toggle"): without
 * JavaScript it is a link to the filters (#filters), which CSS shows while they are the target;
 * here it becomes a button that opens and closes them in place (aria-expanded), as in the MOJ
 * filter layout. On wider screens CSS hides the toggle and always shows the filters.
 */
function enhanceFilterToggle(link) {
  const panel = document.getElementById(link.getAttribute("href").slice(1));
  if (!panel) return;
  const button = document.createElement("button");
  button.type = "button";
  button.id = link.id;
  button.className = link.className;
  button.textContent = link.textContent;
  button.setAttribute("aria-controls", panel.id);
  button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("app-filter--open", open);
  });
  link.replaceWith(button);
}

/**
 * The CPV code finder on the supplier's "Services and categories" page
 * (data-module="app-cpv-finder"): as the user types in "Find CPV codes" (2 characters or more,
 * after a 250 ms pause), ask /api/v1/cpv for matches and list them as small checkboxes named
 * cpv_codes, in the same fieldset and with the same markup as the server's "Search codes" results.
 * A new search replaces the suggestions that are not ticked; ticked ones, and the codes already
 * chosen, are never removed or listed twice. A visually hidden aria-live region says how many
 * codes match. Enter in the box (and the "Search codes" button) searches at once instead of
 * submitting the form; if the lookup fails, they submit the form as they would without JavaScript.
 */
const CPV_DELAY = 250; // ms after the last key press
const CPV_MIN_CHARS = 2;
const CPV_SHOWN = 20;

function enhanceCpvFinder(module) {
  const input = module.querySelector("#cpv_q");
  const button = module.querySelector("button[name=cpv_search]");
  const list = module.querySelector(".govuk-checkboxes");
  const typed = module.querySelector("#cpv_codes_typed");
  const endpoint = module.getAttribute("data-cpv-url");
  if (!window.fetch || !input || !button || !list || !endpoint) return;
  const form = input.form;

  const status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("aria-live", "polite");
  status.setAttribute("data-cpv-status", "");
  input.closest(".govuk-form-group").appendChild(status);

  let timer = null;
  let controller = null;
  let searched = input.value.trim(); // what the listed suggestions are for
  let submitting = false; // falling back to the form's own submit: let it through

  // Codes on the page already: listed checkboxes, and those typed into "Or type CPV codes".
  function codesOnPage() {
    const codes = new Set();
    list.querySelectorAll("input[name=cpv_codes]").forEach((box) => codes.add(box.value));
    if (typed) {
      typed.value.split(/[\s,;]+/).forEach((code) => {
        if (/^\d{8}/.test(code)) codes.add(code.slice(0, 8));
      });
    }
    return codes;
  }

  function clearSuggestions() {
    list.querySelectorAll("[data-cpv-suggestion]").forEach((item) => {
      if (!item.querySelector("input:checked")) item.remove();
    });
    module.querySelectorAll("[data-cpv-no-match]").forEach((message) => message.remove());
  }

  function suggestion(term) {
    const item = document.createElement("div");
    item.className = "govuk-checkboxes__item";
    item.setAttribute("data-cpv-suggestion", "");
    const box = document.createElement("input");
    box.className = "govuk-checkboxes__input";
    box.id = `cpv-${term.code}`;
    box.name = "cpv_codes";
    box.type = "checkbox";
    box.value = term.code;
    const label = document.createElement("label");
    label.className = "govuk-label govuk-checkboxes__label";
    label.htmlFor = box.id;
    label.textContent = `${term.code} – ${term.label}`;
    item.append(box, label);
    return item;
  }

  function announce(text) {
    // Only a change is read out; the same words again would be silent, so blank them first.
    if (status.textContent === text) status.textContent = "";
    window.setTimeout(() => {
      status.textContent = text;
    }, 50);
  }

  function show(query, results) {
    clearSuggestions();
    const more = results.length > CPV_SHOWN;
    const terms = results.slice(0, CPV_SHOWN);
    const listed = codesOnPage();
    terms.forEach((term) => {
      if (!listed.has(term.code)) list.appendChild(suggestion(term));
    });
    if (terms.length === 0) {
      const message = document.createElement("p");
      message.className = "govuk-body";
      message.setAttribute("data-cpv-no-match", "");
      message.textContent = `No CPV codes match ‘${query}’.`;
      list.after(message);
      announce(`No CPV codes match ‘${query}’.`);
    } else if (more) {
      announce(
        `More than ${CPV_SHOWN} CPV codes match ‘${query}’. ` +
          `The first ${CPV_SHOWN} are listed under CPV codes.`,
      );
    } else {
      const codes = terms.length === 1 ? "1 CPV code matches" : `${terms.length} CPV codes match`;
      announce(`${codes} ‘${query}’. They are listed under CPV codes.`);
    }
  }

  async function search({ orSubmit }) {
    window.clearTimeout(timer);
    const query = input.value.trim().slice(0, 100);
    if (query.length < CPV_MIN_CHARS) {
      if (controller) controller.abort();
      if (searched !== "") clearSuggestions();
      searched = "";
      status.textContent = "";
      return;
    }
    if (query === searched && !orSubmit) return;
    if (controller) controller.abort(); // only the latest query counts
    controller = new AbortController();
    const signal = controller.signal;
    const url = new URL(endpoint, location.href);
    url.searchParams.set("q", query);
    url.searchParams.set("limit", String(CPV_SHOWN + 1)); // one more, to know there are more
    let results;
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      results = (await response.json()).results;
      if (!Array.isArray(results)) throw new Error("no results in the response");
    } catch (error) {
      if (signal.aborted) return;
      if (orSubmit) {
        submitting = true; // the server's search, the ordinary way
        form.requestSubmit ? form.requestSubmit(button) : button.click();
      }
      return;
    }
    if (signal.aborted) return;
    searched = query;
    show(query, results);
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => search({ orSubmit: false }), CPV_DELAY);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    event.preventDefault(); // Enter would submit the form, by its first button
    search({ orSubmit: true });
  });
  button.addEventListener("click", (event) => {
    if (submitting) return;
    event.preventDefault();
    search({ orSubmit: true });
  });
}

// Each enhancement starts only on its own page.
const MODULES = { "app-cpv-finder": enhanceCpvFinder, "app-filter-toggle": enhanceFilterToggle };
document.querySelectorAll("[data-module^='app-']").forEach((element) => {
  const enhance = MODULES[element.getAttribute("data-module")];
  if (enhance) enhance(element);
});

const searchForm = document.getElementById("search-form");
if (searchForm) enhanceSearch(searchForm);
