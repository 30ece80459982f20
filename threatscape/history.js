// One browser-history entry per user action.
//
// Streamlit adds a history entry whenever the page's URL parameters change (history.pushState), including when a
// run changes them with no one having acted: the first run writing the filters into the URL, and a drill-down's
// switch to another page, which writes the new parameters under the old page's address and then the new address.
// Back then showed views the user never saw. Here a pushState becomes an entry only if the user clicked, typed or
// changed something since the last entry; otherwise it replaces the current entry. Back and Forward reset it:
// Streamlit replaces, too, while it answers them.
(() => {
  if (window.__threatscapeHistory) return;
  window.__threatscapeHistory = true;
  let acted = false;
  for (const type of ["pointerdown", "keydown", "change"]) {
    window.addEventListener(type, (event) => { if (event.isTrusted) acted = true; }, true);
  }
  window.addEventListener("popstate", () => { acted = false; }, true);
  const push = history.pushState.bind(history);
  const replace = history.replaceState.bind(history);
  history.pushState = (state, unused, url) => {
    if (!acted) return replace(state, unused, url);
    acted = false;
    return push(state, unused, url);
  };
})();
