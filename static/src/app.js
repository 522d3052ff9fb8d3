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

  window.addEventListener("popstate", () => {
    const url = location.pathname + location.search;
    if (url === shown) return; // only the #fragment changed, e.g. the skip link
    show(url, { push: false, focusId: null });
  });
}

const searchForm = document.getElementById("search-form");
if (searchForm) enhanceSearch(searchForm);
